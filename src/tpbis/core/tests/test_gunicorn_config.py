"""config/gunicorn.conf.py, as gunicorn itself reads it: tokens never reach the access log."""

from __future__ import annotations

import datetime as dt
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from gunicorn.config import Config
from gunicorn.glogging import Logger

CONF = Path(settings.BASE_DIR) / "config" / "gunicorn.conf.py"


def production_config(**overrides: str) -> Config:
    config = Config()
    for name, value in runpy.run_path(str(CONF)).items():
        if name in config.settings:
            config.set(name, value)
    for name, value in overrides.items():
        config.set(name, value)
    return config


def test_it_logs_the_path_but_never_the_token_in_the_query_string(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    logger = Logger(production_config(accesslog=str(log)))
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/api/pelibatan3524?token=rahasia-token-42",
        "PATH_INFO": "/api/pelibatan3524",
        "QUERY_STRING": "token=rahasia-token-42",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_USER_AGENT": "dasbor-kabupaten/1.0",
        "HTTP_REFERER": "https://contoh.id/?token=rahasia-token-42",
    }
    response = SimpleNamespace(status="200 OK", headers=[("Content-Length", "512")], sent=512)
    request = SimpleNamespace(headers=[("USER-AGENT", "dasbor-kabupaten/1.0")])

    logger.access(response, request, environ, dt.timedelta(milliseconds=7))

    line = log.read_text()
    assert '"GET /api/pelibatan3524 HTTP/1.1" 200 512 7ms "dasbor-kabupaten/1.0"' in line
    assert "rahasia-token-42" not in line


def test_it_listens_on_the_loopback_at_the_given_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "8765")
    assert production_config().bind == ["127.0.0.1:8765"]
