"""What every answer carries, added where it leaves the app: WSGI middleware around Flask.

Each answer gets the request's id (the caller's `X-Request-ID` if well formed, else a new one),
the security headers, `Cache-Control: no-store` when it answers a token or an authenticated
request, and one log line. Here rather than in Flask's before/after_request hooks: plain strings
on the WSGI environ and on the final header list cost far less per request than werkzeug's
context proxies and `Headers`, which validate, copy and search every header again on the way out.

The log line is made from the WSGI environ alone, when the answer starts: the caller's id is
there once `interfaces.http.auth` has authenticated them, so no request context is needed.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from interfaces.http import logs
from interfaces.http.logs import REQUEST_ID_KEY

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
# Where answers hold tokens without a token in the request: v1's auth, Conduit's users/login.
TOKEN_PATHS = ("/api/v1/auth", "/api/users")
# JSON answers need no content, frames or referrers; /docs sets its own, looser policy.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
ALWAYS = [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer")]


def new_request_id() -> str:
    """128 random bits in hex, the shape of uuid4().hex. An id must be unique, not secret:
    no system call for it (random is reseeded in every forked worker)."""
    return f"{random.getrandbits(128):032x}"


def request_id_of(environ: WSGIEnvironment) -> str:
    """The request's id: the caller's when it is safe to echo and log, else a new one."""
    given = environ.get("HTTP_X_REQUEST_ID", "")
    return given if REQUEST_ID.fullmatch(given) else new_request_id()


def is_private(environ: WSGIEnvironment) -> bool:
    """Answers that hold tokens or what only the caller may see: never stored by a cache."""
    return "HTTP_AUTHORIZATION" in environ or environ.get("PATH_INFO", "").startswith(TOKEN_PATHS)


def answer_headers(
    environ: WSGIEnvironment, status: str, headers: list[tuple[str, str]], request_id: str
) -> list[tuple[str, str]]:
    """The view's headers with the edge's own: appended, the view's CSP kept, the view's
    Cache-Control replaced by no-store on a private answer. A 204 has no content, so no
    Content-Type (Flask gives every answer one, text/html by default)."""
    names = {name.lower() for name, _ in headers}
    private = is_private(environ)
    dropped = {"cache-control"} if private else set()
    if status.startswith("204"):
        dropped.add("content-type")
    if dropped & names:
        headers = [(name, value) for name, value in headers if name.lower() not in dropped]
    added = [("X-Request-ID", request_id), *ALWAYS]
    if "content-security-policy" not in names:
        added.append(("Content-Security-Policy", API_CSP))
    if private:
        added.append(("Cache-Control", "no-store"))
    return [*headers, *added]


class RequestEdge:
    """Wraps the Flask app's `wsgi_app`: `app.wsgi_app = RequestEdge(app.wsgi_app)`."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request_id = environ[REQUEST_ID_KEY] = request_id_of(environ)
        started = time.perf_counter()

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            logs.log_request(environ, int(status[:3]), started, request_id)
            answered = answer_headers(environ, status, headers, request_id)
            return start_response(status, answered, exc_info)

        return self.app(environ, start)
