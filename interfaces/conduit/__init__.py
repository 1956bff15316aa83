"""The RealWorld ("Conduit") API: a second HTTP adapter over the same use cases, at /api.

Only mapping lives here: a request's envelope and names in, one use case called, RealWorld's
JSON out. v1 (/api/v1) is untouched; both are served by one app, one container, one database.
"""

from __future__ import annotations

from flask import Blueprint, Flask

from interfaces.conduit import articles, comments, docs, errors, profiles, tags, users

# One blueprint at /api around the resources' own, so that RealWorld's error shape covers them all.
bp = Blueprint("conduit", __name__, url_prefix="/api")
for resource in (users.bp, profiles.bp, articles.bp, comments.bp, tags.bp, docs.bp):
    bp.register_blueprint(resource)
errors.handle(bp)


def register(app: Flask) -> None:
    """After interfaces.http.errors.register: RealWorld's error shape under /api, v1's in v1."""
    errors.register(app)
    app.register_blueprint(bp)
