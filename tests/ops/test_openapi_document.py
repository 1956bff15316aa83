"""The OpenAPI document: built from the code, served as built, covering every route."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from interfaces.http.openapi import document

UNDOCUMENTED = {"static", "docs.static", "docs.swagger_asset"}  # the docs page's own files
UNDOCUMENTED |= {"pages.static"}  # the verify and reset pages' own files


def test_the_served_document_is_the_one_built_from_the_code(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.json == document()
    assert document()["openapi"] == "3.1.0"


def test_every_route_of_the_app_is_in_the_document_and_nothing_else(app: Flask) -> None:
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in UNDOCUMENTED or rule.endpoint.startswith("conduit."):
            continue  # Conduit's routes are in its own document (tests/conduit)
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        routed |= {(method.lower(), path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {
        (method, path)
        for path, item in document()["paths"].items()
        for method in item
        if method != "parameters"
    }
    assert routed == documented


def test_every_request_body_rejects_unknown_fields() -> None:
    schemas = document()["components"]["schemas"]
    checked = 0
    for path, item in document()["paths"].items():
        for method, operation in item.items():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            if body is None:
                continue
            name = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            assert schemas[name]["additionalProperties"] is False, (method, path)
            checked += 1
    assert checked >= 11  # the bodies the contract has today: not a document that lost them


def test_every_operation_documents_its_errors_and_the_request_id() -> None:
    for path, item in document()["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            assert "500" in operation["responses"], (method, path)
            for status, response in operation["responses"].items():
                if "$ref" not in response:
                    assert "X-Request-ID" in response["headers"], (method, path, status)
