"""`make run` serves the product as deployed (DEBUG off, collected static files); `make dev` is for debugging.

The Makefile's own recipes run, with a stand-in interpreter that records each call and its environment
instead of starting anything.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from tpbis.core.tests.test_production_settings import manage

# The stand-in server waits (at most 5 s) for the worker started beside it in the background to be
# recorded: the recipe kills the worker as soon as the server returns, which a real server never does at once.
RECORDER = """#!/bin/sh
echo "DEBUG=$DEBUG STATIC_COLLECTED=$STATIC_COLLECTED PORT=$PORT KEY=$DJANGO_ALLOW_INSECURE_KEY :: $*" >> "{log}"
case "$*" in *runserver*|*gunicorn*)
    for _ in $(seq 50); do grep -q "db_worker" "{log}" && break; sleep 0.1; done;;
esac
"""

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _calls(target: str, tmp_path: Path) -> list[str]:
    log = tmp_path / "calls.log"
    python = tmp_path / "python"
    python.write_text(RECORDER.format(log=log))
    python.chmod(0o755)
    stamp = tmp_path / "installed"
    stamp.touch()  # newer than the requirements files: nothing to install
    command = ["make", "--no-print-directory", "-s", target, "PORT=8123", f"PY={python}", f"STAMP={stamp}"]
    subprocess.run(command, cwd=settings.BASE_DIR, check=True, capture_output=True, timeout=60)  # noqa: S603
    return log.read_text().splitlines()


def _call(calls: list[str], command: str) -> str:
    return next(call for call in calls if f":: manage.py {command}" in call)


def test_make_run_collects_static_files_and_serves_with_debug_off(tmp_path: Path) -> None:
    calls = _calls("run", tmp_path)
    collect, server = _call(calls, "collectstatic"), _call(calls, "runserver")
    assert calls.index(collect) < calls.index(server)
    assert server.startswith("DEBUG=0 STATIC_COLLECTED=1 PORT=8123 KEY=1 ")
    assert server.endswith("runserver 127.0.0.1:8123")
    assert "PORT=8123" in _call(calls, "db_worker"), "the worker's links name the port served"


def test_make_dev_serves_with_debug_on_from_the_source_folders(tmp_path: Path) -> None:
    calls = _calls("dev", tmp_path)
    assert not any("collectstatic" in call for call in calls)
    assert _call(calls, "runserver").startswith("DEBUG=1 STATIC_COLLECTED= ")


def test_make_runs_environment_serves_collected_static_files_with_debug_off() -> None:
    code = "from django.conf import settings; print(settings.DEBUG, settings.STORAGES['staticfiles']['BACKEND'])"
    result = manage("shell", "-c", code, DEBUG="0", STATIC_COLLECTED="1", DJANGO_ALLOW_INSECURE_KEY="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == [
        "False",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
    ]
