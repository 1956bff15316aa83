"""The app against its OpenAPI document: schemathesis drives every operation from the document."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from application.auth import Credentials
from domain.errors import DomainError
from domain.users import Role
from interfaces.container import Container
from interfaces.http.openapi import document_text
from tests.conftest import SignedIn

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
]
REJECTIONS = [400, 401, 403, 404, 405, 409, 412, 413, 415, 429]
CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"mode": "all", "deterministic": True},
        "phases": {"stateful": {"enabled": False}},
        "checks": {"negative_data_rejection": {"expected-statuses": REJECTIONS}},
    }
)
SPARE = {"email": "spare@example.com", "name": "Spare", "password": "Spare-Pass-1"}
ANN = {"email": "ann@example.com", "name": "Ann", "password": "Ann-Pass-12", "username": "ann"}


class Sessions:
    """Tokens for the generated requests: an admin and an author, and fresh sessions to spend."""

    def __init__(self, container: Container, admin: SignedIn, author: SignedIn) -> None:
        self.container = container
        self.callers = (admin, author)

    def fresh(self) -> dict[str, str] | None:
        try:
            result = self.container.log_in()(
                Credentials(email=SPARE["email"], password=SPARE["password"])
            )
        except DomainError:  # an earlier request changed or deleted the spare user
            return None
        return {"access": result.tokens.access_token, "refresh": result.tokens.refresh_token}

    def headers(self, case: Any) -> dict[str, str]:
        if case.path in ("/api/v1/auth/refresh", "/api/v1/auth/logout"):
            tokens = self.fresh()  # refreshing or logging out spends the session
            kind = "refresh" if case.path.endswith("refresh") else "access"
            return {} if tokens is None else {"Authorization": f"Bearer {tokens[kind]}"}
        # Admin or plain author, chosen by the case's content: stable from run to run.
        seed = zlib.crc32(repr((case.path_parameters, case.query, case.body)).encode())
        return self.callers[seed % 2].headers


@pytest.fixture
def world(app: Flask, auth: Callable[..., SignedIn], client: Any, container: Container) -> Sessions:
    admin = auth(Role.ADMIN)
    author = auth()
    for published in (True, False):
        body = {"title": "Seeded", "content": "Text", "published": published}
        assert client.post("/api/v1/posts", json=body, headers=author.headers).status_code == 201
    assert client.post("/api/v1/users", json=SPARE).status_code == 201
    # Rows for the social routes, at the ids, username and slug the document gives as examples.
    assert client.post("/api/v1/users", json=ANN).status_code == 201
    tagged = {"title": "Hello world", "content": "Text", "published": True, "tags": ["news"]}
    post = client.post("/api/v1/posts", json=tagged, headers=author.headers).json
    assert post["slug"] == "hello-world"
    for path in (f"/api/v1/posts/{post['id']}/favorite", "/api/v1/profiles/ann/follow"):
        assert client.put(path, headers=admin.headers).status_code == 200
    comment = {"body": "First comment"}
    assert client.post("/api/v1/posts/1/comments", json=comment, headers=author.headers).json["id"]
    return Sessions(container, admin, author)


# Loaded from the text the app serves (test_openapi_document.py pins that they are the same):
# schemathesis' loader from a pytest fixture does not work with pytest 9 (Node._nodeid is gone).
schema = schemathesis.openapi.from_file(document_text(), config=CONFIG)


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_response_conforms_to_the_openapi_document(
    case: Any, app: Flask, world: Sessions
) -> None:
    case.call_and_validate(headers=world.headers(case), checks=CHECKS, app=app)
