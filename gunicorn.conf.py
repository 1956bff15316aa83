"""Gunicorn settings for Quill in production: `gunicorn -c gunicorn.conf.py`.

Every value can be changed from the environment (see README, "Production"); Quill's own
settings (DATABASE_URL, secrets, LOG_FORMAT...) are read by the app itself.
"""

from __future__ import annotations

import os
import stat
import sys


def _cpus() -> int:
    """CPUs this process may run on (a container's limit, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _whole(name: str, default: int, low: int, high: int) -> int:
    """A whole-number setting; else one line and gunicorn does not start (a SystemExit is
    not caught as a config file's error, which prints a traceback)."""
    raw = (os.environ.get(name) or "").strip()
    if not raw:
        return default
    # Length first: int() refuses more than 4,300 digits with a traceback of its own.
    if len(raw) > 12 or not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        sys.exit(f"quill: {name} must be a whole number from {low} to {high}.")
    return int(raw)


DAY = 86400  # the longest wait any of gunicorn's timers is given here


def _bind() -> list[str]:
    """BIND's addresses; unset or empty, every interface on PORT. An empty entry (`a:1,`)
    is refused: gunicorn would take it for its own default, 0.0.0.0:8000."""
    raw = (os.environ.get("BIND") or "").strip()
    if not raw:
        return [f"0.0.0.0:{_port()}"]
    addresses = [address.strip() for address in raw.split(",")]
    if not all(addresses):
        sys.exit("quill: BIND must be addresses separated by commas, none of them empty.")
    return [_address(address) for address in addresses]


def _port() -> int:
    """PORT, read only where an address lacks a port: BIND's ports need none."""
    return _whole("PORT", 8000, 1, 65535)


def _address(address: str) -> str:
    """One of BIND's addresses as gunicorn reads it (gunicorn.util.parse_address), checked
    here so that a mistake is one line, not gunicorn's traceback; a host without a port
    takes PORT (gunicorn's own default is 8000)."""
    from gunicorn.util import parse_address

    try:
        parsed = parse_address(address, default_port="8000")  # the port is checked below
    except RuntimeError:  # a port or a file descriptor that is not a number
        parsed = None
    if isinstance(parsed, str):  # unix:PATH, which gunicorn removes if it is a socket
        if not parsed or (os.path.exists(parsed) and not stat.S_ISSOCK(os.stat(parsed).st_mode)):
            sys.exit(f"quill: BIND's {address} must name a socket's path, not a file's.")
        return address
    if isinstance(parsed, int):  # fd://N: a socket this process was given
        try:
            os.fstat(parsed)
        except OSError:
            sys.exit(f"quill: BIND's {address} names no open file descriptor.")
        return address
    if parsed is None or not 1 <= parsed[1] <= 65535:
        sys.exit(f"quill: BIND's {address} must be host:port with a port from 1 to 65535.")
    hostport = address.removeprefix("tcp://")
    explicit = "]:" in hostport if hostport.startswith("[") else ":" in hostport
    return address if explicit else f"{address}:{_port()}"


wsgi_app = "interfaces.wsgi:app"

# BIND is `host:port` or `unix:/path`; PORT alone binds every interface on that port.
bind = _bind()

# Sync workers: argon2 hashing and the database are the work. Each worker thread keeps one
# read-only connection; writes use a pool of 5 + 10 overflow: size max_connections for it.
workers = _whole("WEB_CONCURRENCY", 2 * _cpus() + 1, 1, 1024)
threads = _whole("GUNICORN_THREADS", 1, 1, 1024)

# A worker silent for `timeout` seconds is killed and replaced; on SIGTERM or a reload, workers
# get `graceful_timeout` seconds to finish the requests they are serving.
timeout = _whole("GUNICORN_TIMEOUT", 30, 0, DAY)  # 0: gunicorn's own "never"
graceful_timeout = _whole("GUNICORN_GRACEFUL_TIMEOUT", 30, 0, DAY)
keepalive = _whole("GUNICORN_KEEPALIVE", 5, 0, DAY)

# Off by default: a recycled worker imports the app again (about a second of CPU), which a busy
# server feels. Set it (e.g. 10000) to bound a slow leak; 10 % jitter keeps workers apart.
max_requests = _whole("GUNICORN_MAX_REQUESTS", 0, 0, 2**31 - 1)
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


def on_starting(server: object) -> None:
    """gunicorn warns of a request it cannot parse with its request line whole, a reset
    link's token included: its log leaves query strings out (workers inherit the filter)."""
    import logging

    from interfaces.http.logs import HideQueryStrings

    logging.getLogger("gunicorn.error").addFilter(HideQueryStrings())


def worker_exit(server: object, worker: object) -> None:
    """A worker stopping closes its connections (interfaces.container.close_databases):
    PostgreSQL sees its sessions end, and SQLite folds its write-ahead log into the file."""
    app = getattr(worker, "wsgi", None)  # None when the app never loaded
    container = getattr(app, "extensions", {}).get("container")
    if container is not None:
        from interfaces.container import close_databases

        close_databases(container)
