"""Logging: one line per request, JSON for machines or text for people, never a secret."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any

from flask import has_request_context, request

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

LOGGER = "quill"
REQUEST_ID_KEY = "quill.request_id"  # set in the WSGI environ by interfaces.http.edge
USER_ID_KEY = "quill.user_id"  # set in the WSGI environ by interfaces.http.auth, for the log
request_log = logging.getLogger("quill.request")
MAX_FIELD = 2048  # a 10 KB path or header still makes one bounded line


def configure(level: str = "INFO", fmt: str = "json", stream: IO[str] | None = None) -> None:
    """Give the `quill` loggers one handler (replacing the one a previous call gave them)."""
    logger = logging.getLogger(LOGGER)
    for old in [h for h in logger.handlers if getattr(h, "quill", False)]:
        logger.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.quill = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(add_request_id)
    logger.addHandler(handler)
    logger.setLevel(level)


def add_request_id(record: logging.LogRecord) -> bool:
    """Every line written while serving a request names that request."""
    if not hasattr(record, "request_id") and has_request_context():
        record.request_id = request.environ.get(REQUEST_ID_KEY)
    return True


def log_request(environ: WSGIEnvironment, status: int, started: float, request_id: str) -> None:
    """The request's line, as its answer starts (see interfaces.http.edge): made from the WSGI
    environ alone, so it needs no request context."""
    if not request_log.isEnabledFor(logging.INFO):  # nothing to build when it is not written
        return
    fields = {
        "method": environ.get("REQUEST_METHOD"),
        "path": request_path(environ),
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        "user_id": environ.get(USER_ID_KEY),
        "remote_addr": environ.get("REMOTE_ADDR"),
    }
    request_log.info("request", extra={"fields": fields, "request_id": request_id})


def request_path(environ: WSGIEnvironment) -> str:
    """The path as the app saw it (`request.path`): PATH_INFO, which WSGI carries as latin-1
    (PEP 3333), read back as UTF-8, with one leading slash; the mount point not included.
    Cut at a `?`, which a path holds only when the client encoded it (`%3F`): a link's query
    mangled so, `/reset-password%3Ftoken=...`, still carries a live token."""
    raw: str = environ.get("PATH_INFO") or ""
    path = "/" + raw.encode("latin-1", "replace").decode("utf-8", "replace").lstrip("/")
    return _query_cut(path)


def _bounded(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_FIELD:
        return value[:MAX_FIELD] + "..."
    return value


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields = {"request_id": getattr(record, "request_id", None)}
    fields.update(getattr(record, "fields", {}))
    return {key: _bounded(value) for key, value in fields.items() if value is not None}


class JsonFormatter(logging.Formatter):
    """One JSON object per line; json.dumps escapes every control character, so no line breaks."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    """For people: `time level logger message key=value ...`, control characters escaped."""

    def format(self, record: logging.LogRecord) -> str:
        parts = [self.formatTime(record), record.levelname, record.name]
        parts.append(record.getMessage().replace("\n", "\\n").replace("\r", "\\r"))
        parts += [f"{key}={_printable(value)}" for key, value in _fields(record).items()]
        line = " ".join(parts)
        if record.exc_info:  # a traceback spans lines on purpose: people read it
            line += "\n" + self.formatException(record.exc_info)
        return line


def _printable(value: Any) -> str:
    """Plain when safe; else quoted and escaped like JSON, so a value never breaks the line."""
    text = str(value)
    return text if text.isprintable() and " " not in text else json.dumps(text)


QUERY = re.compile(r"(\?|%3f)\S*", re.IGNORECASE)  # a query, or one whose `?` was encoded


class HideQueryStrings(logging.Filter):
    """For the logs Quill does not write itself, which quote a request line whole: werkzeug's
    request log (the development server), gunicorn's warning of a request it could not parse
    (gunicorn.conf.py). A link's token is in its query string, and a token never goes to a
    log."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _without_query(record.msg)
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(_without_query(arg) for arg in record.args)
        return True


def _without_query(arg: object) -> object:
    return _query_cut(arg) if isinstance(arg, str) else arg


def _query_cut(text: str) -> str:
    return QUERY.sub("?…", text)
