"""The Conduit API's OpenAPI document, at /api/openapi.json (listed on /docs)."""

from __future__ import annotations

from dependency_injector.wiring import Provide, inject
from flask import Blueprint, Response

from domain.users import PasswordRules
from interfaces.conduit.openapi import document_text
from interfaces.container import Container

bp = Blueprint("docs", __name__)


@bp.get("/openapi.json")
@inject
def openapi(rules: PasswordRules = Provide[Container.password_rules]) -> Response:
    return Response(document_text(rules), mimetype="application/json")
