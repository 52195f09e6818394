"""Gunicorn for `make serve` and the systemd unit in docs/deployment.md; tuned by the environment."""

from __future__ import annotations

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


wsgi_app = "config.wsgi:application"
# nginx in front (docs/deployment.md) talks to gunicorn on the loopback only.
bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{_int('PORT', 8000)}"
# Sync workers: nginx buffers slow phones' uploads, so a worker is only busy while Django works.
workers = _int("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9))
# A 20 MB spreadsheet's import preview is the slowest request; past this a worker is killed and restarted.
timeout = _int("GUNICORN_TIMEOUT", 120)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never grows into an outage.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = 200
proc_name = "tpbis"
# Gunicorn's control socket sits at one path per user; a second instance (a benchmark beside a running
# server) would fight over it, and signals and systemd do the same job.
control_socket_disable = True

# Access log on stdout (journald under systemd). The path only, never the query string: the compatible
# API accepts ?token=, and tokens must stay out of logs. No Referer either, for the same reason.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s %({x-forwarded-for}i)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %({content-length}o)s %(M)sms "%(a)s"'
