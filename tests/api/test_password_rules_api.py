"""PASSWORD_RULES over HTTP: registration, password change and the OpenAPI document follow it."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from domain.users import PasswordRules
from infrastructure.memory import InMemoryUnitOfWork
from interfaces.container import Container
from interfaces.http.app import create_app
from tests.api.helpers import last_token
from tests.factories import PASSWORD, registration

PLAIN = "bonjour1"  # no upper-case letter: only the `length` rules take it


def _client(container: Container, rules: str) -> FlaskClient:
    container.config.from_dict({"password_rules": rules})
    return create_app(container).test_client()


@pytest.fixture
def length(container: Container) -> FlaskClient:
    return _client(container, "length")


@pytest.fixture
def composed(container: Container) -> FlaskClient:
    return _client(container, "composed")


def _sign_in(client: FlaskClient, password: str) -> dict[str, str]:
    body = registration(password=password)
    assert client.post("/api/v1/users", json=body).status_code == 201
    login = {"email": body["email"], "password": password}
    response = client.post("/api/v1/auth/login", json=login)
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.json['access_token']}"}


def test_length_rules_register_a_plain_password_that_then_logs_in(length: FlaskClient) -> None:
    _sign_in(length, PLAIN)


@pytest.mark.parametrize("password", ["short7c", "a" * 129])
def test_length_rules_still_refuse_a_password_outside_8_to_128(
    length: FlaskClient, password: str
) -> None:
    response = length.post("/api/v1/users", json=registration(password=password))
    assert response.status_code == 400
    assert response.json["errors"] == {"password": ["Must be 8 to 128 characters long."]}


def test_composed_rules_refuse_a_plain_password(composed: FlaskClient) -> None:
    response = composed.post("/api/v1/users", json=registration(password=PLAIN))
    assert response.status_code == 400
    assert response.json["code"] == "validation_error"
    assert response.json["errors"] == {
        "password": ["Must contain at least one upper-case letter (A to Z)."]
    }


def test_the_composed_rules_are_the_default(client: FlaskClient) -> None:
    response = client.post("/api/v1/users", json=registration(password=PLAIN))
    assert response.status_code == 400


@pytest.mark.parametrize(("rules", "status"), [("length", 204), ("composed", 400)])
def test_a_password_change_follows_the_rules(container: Container, rules: str, status: int) -> None:
    client = _client(container, rules)
    headers = _sign_in(client, PASSWORD)
    change = {"current_password": PASSWORD, "new_password": PLAIN}
    response = client.post("/api/v1/users/me/password", json=change, headers=headers)
    assert response.status_code == status


def test_the_openapi_password_pattern_is_there_under_composed_rules(composed: FlaskClient) -> None:
    schemas = composed.get("/api/v1/openapi.json").json["components"]["schemas"]
    for body, key in (("Registration", "password"), ("PasswordChange", "new_password")):
        pattern = schemas[body]["properties"][key]["pattern"]
        assert re.fullmatch(pattern, PASSWORD) and not re.fullmatch(pattern, PLAIN)


def test_the_openapi_password_has_no_composition_pattern_under_length_rules(
    length: FlaskClient,
) -> None:
    schemas = length.get("/api/v1/openapi.json").json["components"]["schemas"]
    for body, key in (("Registration", "password"), ("PasswordChange", "new_password")):
        password = schemas[body]["properties"][key]
        assert re.fullmatch(password["pattern"], PLAIN)  # no control character, nothing more
        assert not re.fullmatch(password["pattern"], f"{PLAIN}\t")
        assert (password["minLength"], password["maxLength"]) == (8, 128)


@pytest.mark.parametrize("rules", list(PasswordRules))
def test_the_reset_page_tells_the_deployments_rules(
    container: Container, uow: InMemoryUnitOfWork, rules: PasswordRules
) -> None:
    client = _client(container, rules.value)
    body = registration(password=PASSWORD)
    assert client.post("/api/v1/users", json=body).status_code == 201
    ask = client.post("/api/v1/auth/password-reset", json={"email": body["email"]})
    assert ask.status_code == 202
    token = last_token(uow, "reset", body["email"])
    page = client.get(f"/reset-password?token={token}").get_data(as_text=True)
    assert f'<p id="password-hint" class="hint">{rules.described}</p>' in page
