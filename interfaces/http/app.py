"""The Flask application factory."""

from __future__ import annotations

import re
import uuid

from flask import Flask, Response, g, request
from werkzeug.routing import BaseConverter, ValidationError

from interfaces.container import Container, build_container
from interfaces.http import auth, errors, ops, posts, users

MAX_BODY = 1024 * 1024
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")


class IdConverter(BaseConverter):
    """Positive 64-bit ids; anything else in the path is simply not a route (404)."""

    regex = r"[1-9][0-9]{0,18}"

    def to_python(self, value: str) -> int:
        if int(value) >= 2**63:
            raise ValidationError()
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


def create_app(container: Container | None = None) -> Flask:
    app = Flask(__name__)
    container = container or build_container()
    app.extensions["container"] = container
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY, JSON_SORT_KEYS=False)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.url_map.converters["id"] = IdConverter
    app.url_map.strict_slashes = False
    for blueprint in (auth.bp, users.bp, posts.bp, ops.bp):
        app.register_blueprint(blueprint)
    errors.register(app)
    app.before_request(_assign_request_id)
    app.after_request(_finish)
    return app


def _assign_request_id() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def _finish(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id") or uuid.uuid4().hex
    response.headers["X-Content-Type-Options"] = "nosniff"
    if "Authorization" in request.headers or request.path.startswith("/api/v1/auth"):
        response.headers["Cache-Control"] = "no-store"
    return response
