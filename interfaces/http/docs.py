"""The OpenAPI document, built from the code, and the browsable reference page made from it."""

from __future__ import annotations

from functools import cache
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path

from dependency_injector.wiring import Provide, inject
from flask import Blueprint, Response, abort, send_from_directory, url_for
from markupsafe import escape

from domain.users import PasswordRules
from interfaces.container import Container
from interfaces.http.openapi import document, document_text

bp = Blueprint("docs", __name__, static_folder="static", static_url_path="/docs/static")

# Swagger UI's own files, from the flask-swagger-ui wheel (only its assets are used).
SWAGGER_ASSETS = (
    "swagger-ui.css",
    "swagger-ui-bundle.js",
    "favicon-32x32.png",
    "favicon-16x16.png",
)
# Only Quill's own scripts and styles; Swagger UI draws some icons as data: URIs.
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title}</title>
  <link rel="stylesheet" href="{css}">
  <link rel="icon" type="image/png" href="{icon}">
</head>
<body data-spec="{spec}">
  <nav>API documents: {listed}</nav>
  <noscript>This page needs JavaScript; the document itself is at {spec}.</noscript>
  <div id="swagger-ui"></div>
  <script src="{bundle}"></script>
  <script src="{init}"></script>
</body>
</html>
"""


@cache
def swagger_dist() -> Path:
    return Path(str(files("flask_swagger_ui").joinpath("dist")))


@cache
def swagger_version() -> str:
    """Part of the assets' URLs, so that a day's browser cache never outlives an upgrade."""
    return version("flask-swagger-ui")


@bp.get("/api/v1/openapi.json")
@inject
def openapi(rules: PasswordRules = Provide[Container.password_rules]) -> Response:
    return Response(document_text(rules), mimetype="application/json")


# Every API this server speaks, each with its own document: (page endpoint, link text).
LISTED = (("docs.docs", "Quill API (v1)"), ("docs.conduit_docs", "RealWorld API (Conduit)"))


@bp.get("/docs")
def docs() -> Response:
    return _page(document()["info"]["title"], url_for("docs.openapi"))


@bp.get("/docs/conduit")
def conduit_docs() -> Response:
    """The RealWorld API's document (interfaces/conduit), on the same page as v1's."""
    return _page("Quill: the RealWorld (Conduit) API", url_for("conduit.docs.openapi"))


def _page(title: str, spec: str) -> Response:
    asset, v = "docs.swagger_asset", swagger_version()
    listed = " | ".join(
        f'<a href="{url_for(endpoint)}">{escape(text)}</a>' for endpoint, text in LISTED
    )
    page = PAGE.format(
        title=escape(title),
        css=url_for(asset, name="swagger-ui.css", v=v),
        icon=url_for(asset, name="favicon-32x32.png", v=v),
        bundle=url_for(asset, name="swagger-ui-bundle.js", v=v),
        init=url_for("docs.static", filename="docs.js"),
        spec=spec,
        listed=listed,
    )
    response = Response(page, mimetype="text/html")
    response.headers["Content-Security-Policy"] = DOCS_CSP
    return response


@bp.get("/docs/assets/<name>")
def swagger_asset(name: str) -> Response:
    if name not in SWAGGER_ASSETS:
        abort(404)
    return send_from_directory(swagger_dist(), name, max_age=86400)
