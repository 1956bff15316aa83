"""The app against its OpenAPI document: schemathesis drives every operation from the document."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
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
from domain.users import Role
from interfaces.container import Container
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
DOCUMENT = Path(__file__).parents[2] / "interfaces" / "http" / "openapi.json"
SPARE = {"email": "spare@example.com", "name": "Spare", "password": "Spare-Pass-1"}


class Sessions:
    """Tokens for the generated requests: a standing admin, and fresh sessions to spend."""

    def __init__(self, container: Container, admin: SignedIn) -> None:
        self.container = container
        self.admin = admin

    def fresh(self) -> dict[str, str] | None:
        try:
            result = self.container.log_in()(
                Credentials(email=SPARE["email"], password=SPARE["password"])
            )
        except Exception:  # the spare user was changed or deleted by an earlier request
            return None
        return {"access": result.tokens.access_token, "refresh": result.tokens.refresh_token}

    def headers(self, method: str, path: str) -> dict[str, str]:
        if path in ("/api/v1/auth/refresh", "/api/v1/auth/logout"):
            tokens = self.fresh()
            kind = "refresh" if path.endswith("refresh") else "access"
            return {} if tokens is None else {"Authorization": f"Bearer {tokens[kind]}"}
        return self.admin.headers


@pytest.fixture
def world(app: Flask, auth: Callable[..., SignedIn], client: Any, container: Container) -> Sessions:
    admin = auth(Role.ADMIN)
    author = auth()
    for published in (True, False):
        body = {"title": "Seeded", "content": "Text", "published": published}
        assert client.post("/api/v1/posts", json=body, headers=author.headers).status_code == 201
    assert client.post("/api/v1/users", json=SPARE).status_code == 201
    return Sessions(container, admin)


# Loaded from the file the app serves (a test below pins that they are the same); the lazy
# fixture loader of schemathesis does not work with pytest 9.
schema = schemathesis.openapi.from_path(DOCUMENT, config=CONFIG)


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
    headers = world.headers(case.method, case.path)
    case.call_and_validate(headers=headers, checks=CHECKS, app=app)
