"""Fixtures of the API suite: signed-in people, posts written over HTTP, forged tokens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import jwt
import pytest
from flask.testing import FlaskClient

from domain.users import Role
from interfaces.container import Container
from tests.conftest import SignedIn

Forge = Callable[..., str]
Write = Callable[..., dict[str, Any]]

T0_TEXT = "2026-11-24T10:00:00Z"  # the fixed clock's start (tests.factories.T0) in RFC 3339


@pytest.fixture
def user(auth: Callable[..., SignedIn]) -> SignedIn:
    return auth()


@pytest.fixture
def other(auth: Callable[..., SignedIn]) -> SignedIn:
    return auth()


@pytest.fixture
def admin(auth: Callable[..., SignedIn]) -> SignedIn:
    return auth(Role.ADMIN)


@pytest.fixture
def write_post(client: FlaskClient) -> Write:
    """Create a post over HTTP as `author` (published unless told otherwise) and return it."""

    def write(author: SignedIn, **fields: Any) -> dict[str, Any]:
        body = {"title": "A title", "content": "Some content", "published": True, **fields}
        response = client.post("/api/v1/posts", json=body, headers=author.headers)
        assert response.status_code == 201, response.json
        post: dict[str, Any] = response.json
        return post

    return write


@pytest.fixture
def jwt_secret(container: Container) -> str:
    secret: str = container.config.jwt_secret_key()
    return secret


def claims_of(token: str) -> dict[str, Any]:
    """The payload of a token the server issued, read without checking it."""
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


@pytest.fixture
def forge(jwt_secret: str) -> Forge:
    """Sign arbitrary claims; by default with the server's own key and algorithm."""

    def sign(claims: dict[str, Any], key: str | None = None, algorithm: str = "HS256") -> str:
        return jwt.encode(claims, jwt_secret if key is None else key, algorithm=algorithm)

    return sign


def timestamp(moment: datetime) -> int:
    return int(moment.timestamp())
