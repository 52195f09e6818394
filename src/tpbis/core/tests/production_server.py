"""A live server that answers as `make run` and `make serve` do, for tests of what a browser downloads.

pytest-django's live_server hands /static/ to Django's StaticFilesHandler (files read from the source
folders, uncompressed, no cache lifetime). This one collects the static files once per test session
with the production storage (hashed names, gzipped copies) and leaves /static/ to whitenoise, as a
deployment does; pages go through the same middleware (gzip) as everywhere.

A test module builds its server with

    server = production_server_fixture(port=8123)   # 0: any free port

and its tests take `server` and `transactional_db` (the server thread must see what a test wrote).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test.utils import override_settings
from pytest_django.live_server_helper import LiveServer


def _production_statics(static_root: Path) -> override_settings:
    return override_settings(
        DEBUG=False,
        STATIC_ROOT=static_root,
        WHITENOISE_USE_FINDERS=False,
        WHITENOISE_AUTOREFRESH=False,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
        },
    )


@pytest.fixture(scope="session")
def collected_static_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`collectstatic` into a folder of this session, as `make run` does into var/staticfiles."""
    root = tmp_path_factory.mktemp("staticfiles")
    with _production_statics(root):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


def production_server_fixture(*, port: int) -> Callable[..., Any]:
    """A module-scoped fixture: the server on 127.0.0.1:`port` with the production static files."""

    @pytest.fixture(scope="module")
    def server(collected_static_root: Path) -> Iterator[LiveServer]:
        with _production_statics(collected_static_root):
            live = LiveServer(f"127.0.0.1:{port}", start=False)
            live.thread.static_handler = lambda app: app  # whitenoise answers /static/, not Django's handler
            live.start()
            try:
                yield live
            finally:
                live.stop()

    return server
