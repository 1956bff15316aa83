"""The Flask application factory."""

from __future__ import annotations

import random
import re

from flask import Flask, Response, g, request
from flask_cors import CORS
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import BaseConverter

from interfaces.container import Container, build_container
from interfaces.http import auth, docs, errors, logs, ops, posts, users
from interfaces.http.json_provider import OrjsonProvider

MAX_BODY = 1024 * 1024
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
# JSON answers need no content, frames or referrers; /docs sets its own, looser policy.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
CORS_REQUEST_HEADERS = ["Authorization", "Content-Type", "If-Match", "X-Request-ID"]
CORS_EXPOSED_HEADERS = ["ETag", "Location", "Retry-After", "X-Request-ID"]


def _at_most(limit: int) -> str:
    """A regex for the decimal numbers 1..limit, without leading zeros."""
    digits = str(limit)
    shorter = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    same_length = [
        f"{digits[:i]}[{'1' if i == 0 else '0'}-{int(d) - 1}][0-9]{{{len(digits) - i - 1}}}"
        for i, d in enumerate(digits)
        if int(d) > (1 if i == 0 else 0)
    ]
    return "|".join([*shorter, *same_length, digits])


class IdConverter(BaseConverter):
    """Positive 64-bit ids; anything else in the path is simply not a route (404).

    The bound is in the regex, not in to_python: a converter that refuses a matched segment
    leaves werkzeug thinking the path exists, and it answers 405 instead of 404.
    """

    regex = f"(?:{_at_most(2**63 - 1)})"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


def create_app(container: Container | None = None) -> Flask:
    app = Flask(__name__)
    app.json = OrjsonProvider(app)
    container = container or build_container()
    app.extensions["container"] = container
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY, JSON_SORT_KEYS=False)
    app.url_map.converters["id"] = IdConverter
    app.url_map.strict_slashes = False
    for blueprint in (auth.bp, users.bp, posts.bp, ops.bp, docs.bp):
        app.register_blueprint(blueprint)
    errors.register(app)
    # One hook each way: every hook Flask dispatches costs a few microseconds per request.
    app.before_request(_begin)
    app.after_request(_finish)
    logs.configure(container.config.log_level(), container.config.log_format())
    _allow_origins(app, container.config.cors_origins())
    return app


def _allow_origins(app: Flask, origins: list[str]) -> None:
    """CORS for the API only; none at all when CORS_ORIGINS is empty."""
    if not origins:
        return
    CORS(
        app,
        resources={r"/api/*": {"origins": origins}},
        allow_headers=CORS_REQUEST_HEADERS,
        expose_headers=CORS_EXPOSED_HEADERS,
        supports_credentials=False,  # tokens travel in a header, never in cookies
        always_send=False,  # no Origin, no CORS headers (never a list of the allowed origins)
        max_age=600,
    )


def new_request_id() -> str:
    """128 random bits in hex, the shape of uuid4().hex. An id must be unique, not secret:
    no system call for it (random is reseeded in every forked worker)."""
    return f"{random.getrandbits(128):032x}"


def _begin() -> None:
    logs.start_clock()
    given = request.environ.get("HTTP_X_REQUEST_ID", "")
    g.request_id = given if REQUEST_ID.fullmatch(given) else new_request_id()
    # Refused on every route, read or not. Parsed only when declared: werkzeug's lookup of an
    # absent header raises and catches a KeyError (two on every GET).
    if "CONTENT_LENGTH" in request.environ and (request.content_length or 0) > MAX_BODY:
        raise RequestEntityTooLarge()


def _finish(response: Response) -> Response:
    headers = response.headers
    # Appended, never looked up: werkzeug's lookup of a missing header raises and catches an
    # HTTP exception, which costs more than all of this hook's other work (two `setdefault`
    # calls were 90k instructions a request, callgrind). Only /docs sets a header of these.
    headers.add("X-Request-ID", g.get("request_id") or new_request_id())
    headers.add("X-Content-Type-Options", "nosniff")
    headers.add("Referrer-Policy", "no-referrer")
    if not any(name.lower() == "content-security-policy" for name, _ in headers):
        headers.add("Content-Security-Policy", API_CSP)
    if "HTTP_AUTHORIZATION" in request.environ or request.path.startswith("/api/v1/auth"):
        headers["Cache-Control"] = "no-store"
    logs.log_request(response)  # last: the answer as it leaves
    return response
