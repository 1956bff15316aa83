"""Gunicorn settings for Quill in production: `gunicorn -c gunicorn.conf.py`.

Every value can be changed from the environment (see README, "Production"); Quill's own
settings (DATABASE_URL, secrets, LOG_FORMAT...) are read by the app itself.
"""

from __future__ import annotations

import os
import sys


def _cpus() -> int:
    """CPUs this process may run on (a container's limit, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _whole(name: str, default: int, low: int) -> int:
    """A whole-number setting; else one line and gunicorn does not start (a SystemExit is
    not caught as a config file's error, which prints a traceback)."""
    raw = (os.environ.get(name) or "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw) < low:
        sys.exit(f"quill: {name} must be a whole number of at least {low}.")
    return int(raw)


def _port_bind() -> str:
    return f"0.0.0.0:{os.environ.get('PORT', '8000')}"


wsgi_app = "interfaces.wsgi:app"

# BIND is `host:port` or `unix:/path`; PORT alone binds every interface on that port.
bind = [address.strip() for address in os.environ.get("BIND", _port_bind()).split(",")]

# Sync workers: argon2 hashing and the database are the work. Each worker thread keeps one
# read-only connection; writes use a pool of 5 + 10 overflow: size max_connections for it.
workers = _whole("WEB_CONCURRENCY", 2 * _cpus() + 1, 1)
threads = _whole("GUNICORN_THREADS", 1, 1)

# A worker silent for `timeout` seconds is killed and replaced; on SIGTERM or a reload, workers
# get `graceful_timeout` seconds to finish the requests they are serving.
timeout = _whole("GUNICORN_TIMEOUT", 30, 0)  # 0: gunicorn's own "never"
graceful_timeout = _whole("GUNICORN_GRACEFUL_TIMEOUT", 30, 0)
keepalive = _whole("GUNICORN_KEEPALIVE", 5, 0)

# Off by default: a recycled worker imports the app again (about a second of CPU), which a busy
# server feels. Set it (e.g. 10000) to bound a slow leak; 10 % jitter keeps workers apart.
max_requests = _whole("GUNICORN_MAX_REQUESTS", 0, 0)
max_requests_jitter = max_requests // 10

# Quill writes one JSON line per request itself (with request id and user): no access log.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()

# Each worker builds its own app and database engine after the fork.
preload_app = False

# Trust X-Forwarded-* only from the proxies named here (gunicorn's own default: 127.0.0.1).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# gunicorn's control socket has one path per user, so instances sharing a host would take it
# from each other; Quill needs none.
control_socket_disable = True
