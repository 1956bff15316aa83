"""The Flask application factory."""

from __future__ import annotations

import re

from flask import Flask, Response, request
from flask_cors import CORS
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import BaseConverter

from domain.ids import ID_MAX
from domain.posts import RESERVED_SLUGS
from domain.users import USERNAME_PATTERN
from interfaces import conduit
from interfaces.container import Container, build_container
from interfaces.http import (
    accounts,
    auth,
    comments,
    docs,
    errors,
    feed,
    logs,
    ops,
    pages,
    posts,
    profiles,
    tags,
    users,
)
from interfaces.http.bodies import MAX_BODY
from interfaces.http.converter import SLUG_PATTERN
from interfaces.http.cursors import CURSOR_SEAL, CursorSeal
from interfaces.http.edge import RequestEdge
from interfaces.http.json_provider import OrjsonProvider

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

    regex = f"(?:{_at_most(ID_MAX)})"

    def to_python(self, value: str) -> int:
        return int(value)


class UsernameConverter(BaseConverter):
    """A path segment that can be a username; anything else is not a route (404), so no text a
    username cannot hold (a NUL, say) ever reaches a query."""

    regex = USERNAME_PATTERN


class SlugConverter(BaseConverter):
    """A path segment that can be a slug (lower-case ASCII words joined by `-`); else 404.
    A reserved slug (domain.posts.RESERVED_SLUGS: `feed`, RealWorld's feed route) is never
    given, so it is no slug here either: `/api/articles/feed` is the feed alone, and a PUT
    there is 405 with the methods the feed has, not the article's."""

    regex = (
        "".join(f"(?!{re.escape(s)}(?![a-z0-9-]))" for s in sorted(RESERVED_SLUGS)) + SLUG_PATTERN
    )


def create_app(container: Container | None = None) -> Flask:
    app = Flask(__name__)
    app.json = OrjsonProvider(app)
    container = container or build_container()
    app.extensions["container"] = container
    app.extensions[CURSOR_SEAL] = CursorSeal(container.config.secret_key())
    # werkzeug refuses any read past its limit, even one that would find the body's end, so
    # a streamed body of exactly MAX_BODY needs a byte of room; json_body holds MAX_BODY.
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY + 1, JSON_SORT_KEYS=False)
    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["username"] = UsernameConverter
    app.url_map.converters["slug"] = SlugConverter
    app.url_map.strict_slashes = False
    # `//` in a path is no route (404 JSON), not werkzeug's HTML redirect to one.
    app.url_map.merge_slashes = False
    for blueprint in (auth.bp, users.bp, posts.bp, ops.bp, docs.bp):
        app.register_blueprint(blueprint)
    for blueprint in (profiles.bp, comments.bp, feed.bp, tags.bp):
        app.register_blueprint(blueprint)
    for blueprint in (accounts.bp, pages.bp):  # e-mail verification and password reset
        app.register_blueprint(blueprint)
    errors.register(app)
    conduit.register(app)  # RealWorld's API at /api, beside v1; after v1's error handlers
    app.before_request(_refuse_large_bodies)
    app.wsgi_app = RequestEdge(app.wsgi_app)  # type: ignore[method-assign]
    logs.configure(container.config.log_level(), container.config.log_format())
    _allow_origins(app, container.config.cors_origins())
    return app


def _allow_origins(app: Flask, origins: list[str]) -> None:
    """CORS for the API only; none at all when CORS_ORIGINS is empty."""
    if not origins:
        return

    @app.before_request
    def preflight_where_no_route_is() -> Response | None:
        # A browser sends the request a preflight asks about only after a 2xx. Where no route
        # takes the path (a slug that cannot exist, `Hello-World`), the preflight is let
        # through, so the request itself gets its readable JSON 404 rather than the front end
        # a network error. Routes answer their own preflights (Flask's automatic OPTIONS).
        preflight = (
            request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers
        )
        if preflight and request.routing_exception is not None and request.path.startswith("/api/"):
            return Response(status=200)
        return None

    @app.after_request
    def vary_by_origin(response: Response) -> Response:
        # Whether CORS headers are sent depends on Origin, for every API answer; flask-cors
        # says so only where a listed origin was sent, so a cache could hand one origin's
        # answer to another. Once: not where flask-cors said it.
        said = {
            v.strip().lower() for line in response.headers.getlist("Vary") for v in line.split(",")
        }
        if request.path.startswith("/api/") and "origin" not in said:
            response.vary.add("Origin")
        return response

    # Each origin as a pattern of itself alone: flask-cors reads a string holding `[` (an IPv6
    # literal, http://[::1]:3000) as a regular expression matched at the origin's start.
    exact = [o if o == "*" else re.compile(re.escape(o) + r"\Z", re.IGNORECASE) for o in origins]
    # Registered last, so that its after_request hook runs first (Flask runs them newest
    # first): vary_by_origin then sees the Vary line flask-cors adds.
    CORS(
        app,
        resources={r"/api/*": {"origins": exact}},
        allow_headers=CORS_REQUEST_HEADERS,
        expose_headers=CORS_EXPOSED_HEADERS,
        supports_credentials=False,  # tokens travel in a header, never in cookies
        always_send=False,  # no Origin, no CORS headers (never a list of the allowed origins)
        max_age=600,
    )


def _refuse_large_bodies() -> None:
    """On every route, read or not. Parsed only when declared: werkzeug's lookup of an
    absent header raises and catches a KeyError, on every GET."""
    if "CONTENT_LENGTH" in request.environ and (request.content_length or 0) > MAX_BODY:
        raise RequestEntityTooLarge()
