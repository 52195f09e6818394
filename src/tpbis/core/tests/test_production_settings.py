"""Production settings, read afresh in a subprocess: `check --deploy` is clean, and no key means no start."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python manage.py ARGS` with only the environment a server would have (no test-run allowances)."""
    keep = {"PATH", "HOME", "LANG", "DATABASE_URL", "TMPDIR"}
    clean = {name: value for name, value in os.environ.items() if name in keep}
    command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args]
    return subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        command, env={**clean, **env}, capture_output=True, text=True, timeout=120, check=False
    )


def test_it_passes_the_deployment_checklist_behind_https() -> None:
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), HTTPS="1"
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off() -> None:
    result = manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_allows_the_development_key_when_debug_is_on() -> None:
    result = manage("check", DEBUG="1")
    assert result.returncode == 0, result.stderr
