"""Conduit's OpenAPI document: every Conduit route and nothing else, valid OpenAPI 3.1, built
from the bodies' classes, its password schema under the deployment's PASSWORD_RULES."""

from __future__ import annotations

import re

import jsonschema_rs
import pytest
from flask import Flask
from flask.testing import FlaskClient
from schemathesis.specs.openapi.definitions import OPENAPI_31

from domain.users import PasswordRules
from interfaces.conduit.openapi import document

HTTP_METHODS = {"get", "put", "post", "delete", "patch"}


def test_every_conduit_route_is_in_the_document_and_nothing_else(app: Flask) -> None:
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("conduit.") and rule.endpoint != "conduit.docs.openapi":
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            routed |= {(method.lower(), path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {
        (method, path)
        for path, item in document()["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }
    assert routed == documented


@pytest.mark.parametrize("rules", list(PasswordRules))
def test_the_document_is_valid_openapi_3_1(rules: PasswordRules) -> None:
    jsonschema_rs.Draft202012Validator(OPENAPI_31).validate(document(rules))
    for schema in document(rules)["components"]["schemas"].values():
        jsonschema_rs.meta.validate(schema)


def test_the_served_document_follows_the_deployment_s_password_rules(client: FlaskClient) -> None:
    served = client.get("/api/openapi.json").json  # the Conduit tests' app runs `length`
    password = served["components"]["schemas"]["NewUser"]["properties"]["password"]
    assert "pattern" not in password and password["minLength"] == 8
    assert served == document(PasswordRules.LENGTH)


def test_under_composed_rules_the_password_has_the_pattern() -> None:
    password = document(PasswordRules.COMPOSED)["components"]["schemas"]["NewUser"]["properties"][
        "password"
    ]
    assert re.fullmatch(password["pattern"], "Bonjour12")
    assert not re.fullmatch(password["pattern"], "bonjour12")


def test_required_fields_are_required_and_not_empty() -> None:
    schemas = document()["components"]["schemas"]
    assert schemas["NewUser"]["required"] == ["username", "email", "password"]
    assert schemas["NewUser"]["properties"]["username"]["minLength"] == 1
    assert schemas["UserUpdate"]["required"] == []


def test_protected_operations_say_so_and_may_answer_401() -> None:
    for path, item in document()["paths"].items():
        for method, spec in item.items():
            if method in HTTP_METHODS and spec["security"]:
                assert "401" in spec["responses"], (method, path)
