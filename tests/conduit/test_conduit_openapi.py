"""Conduit's OpenAPI document: every Conduit route and nothing else, valid OpenAPI 3.1, built
from the bodies' classes, its password schema under the deployment's PASSWORD_RULES."""

from __future__ import annotations

import re

import jsonschema_rs
import pytest
from flask import Flask
from flask.testing import FlaskClient
from schemathesis.specs.openapi.definitions import OPENAPI_31

from domain.comments import BODY_MAX
from domain.posts import CONTENT_MAX, SUMMARY_MAX, TAG_MAX, TITLE_MAX
from domain.users import BIO_MAX, USERNAME_PATTERN, PasswordRules
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
    assert password["pattern"] == r"^[^\x00-\x1f\x7f-\x9f]*$"  # no composition rule
    assert password["minLength"] == 8
    assert served == document(PasswordRules.LENGTH)


def test_a_login_s_password_is_any_text_as_its_answer_is_401_not_422(client: FlaskClient) -> None:
    """The rules bind a password as it is set; one that breaks them is only a wrong password."""
    schemas = client.get("/api/openapi.json").json["components"]["schemas"]
    password = schemas["Login"]["properties"]["password"]
    assert password["type"] == "string" and password["minLength"] == 1  # not blank, no more
    assert {"maxLength", "pattern"}.isdisjoint(password)
    login = {"user": {"email": "nobody@example.com", "password": "short"}}
    answer = client.post("/api/users/login", json=login)
    assert (answer.status_code, list(answer.json["errors"])) == (401, ["credentials"])


def test_under_composed_rules_the_password_has_the_pattern() -> None:
    password = document(PasswordRules.COMPOSED)["components"]["schemas"]["NewUser"]["properties"][
        "password"
    ]
    assert re.fullmatch(password["pattern"], "Bonjour12")
    assert not re.fullmatch(password["pattern"], "bonjour12")


def test_required_fields_are_required_and_not_empty() -> None:
    schemas = document()["components"]["schemas"]
    assert schemas["NewUser"]["required"] == ["username", "email", "password"]
    assert schemas["NewUser"]["properties"]["username"]["minLength"] == 2  # the name too
    assert schemas["UserUpdate"]["required"] == []


@pytest.mark.parametrize(
    ("user", "taken"), [({}, False), ({"following": True}, False), ({"bio": None}, True)]
)
def test_the_user_s_update_needs_one_of_its_fields_in_the_document_as_on_the_server(
    user: dict[str, object], taken: bool
) -> None:
    schema = document()["components"]["schemas"]["UserUpdate"]
    assert jsonschema_rs.validator_for(schema).is_valid(user) is taken


def test_body_fields_carry_the_limits_of_the_quill_fields_they_are() -> None:
    """One source: v1's field schemas (interfaces/http/openapi/fields.py) say the domain's
    limits; each RealWorld field has those of the Quill field it maps to."""
    schemas = document()["components"]["schemas"]
    article, comment = schemas["NewArticle"]["properties"], schemas["NewComment"]["properties"]
    assert article["title"]["maxLength"] == TITLE_MAX
    assert article["description"]["maxLength"] == SUMMARY_MAX  # the summary
    assert article["body"]["maxLength"] == CONTENT_MAX  # the content
    assert article["tagList"]["items"]["maxLength"] == TAG_MAX
    assert comment["body"]["maxLength"] == BODY_MAX
    update = schemas["UserUpdate"]["properties"]
    assert update["username"]["pattern"] == f"^{USERNAME_PATTERN}$"
    assert update["email"]["format"] == "idn-email"
    assert update["bio"]["maxLength"] == BIO_MAX


def test_list_filters_are_bounded_as_the_use_cases_bound_them(client: FlaskClient) -> None:
    parameters = {
        p["name"]: p["schema"] for p in document()["paths"]["/api/articles"]["get"]["parameters"]
    }
    for name in ("tag", "author", "favorited"):
        assert (parameters[name]["minLength"], parameters[name]["maxLength"]) == (1, 40)
        assert client.get(f"/api/articles?{name}=").status_code == 422
        assert client.get(f"/api/articles?{name}={'a' * 41}").status_code == 422


def test_protected_operations_say_so_and_may_answer_401() -> None:
    for path, item in document()["paths"].items():
        for method, spec in item.items():
            if method in HTTP_METHODS and spec["security"]:
                assert "401" in spec["responses"], (method, path)
