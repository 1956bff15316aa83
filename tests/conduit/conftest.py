"""Conduit fixtures: the app under PASSWORD_RULES=length (what RealWorld expects), and users
registered through Conduit itself."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from attrs import frozen
from flask import Flask
from flask.testing import FlaskClient

from interfaces.conduit.openapi import document
from interfaces.container import Container
from interfaces.http.app import create_app

_serial = itertools.count(1)


@pytest.fixture
def app(container: Container) -> Flask:
    container.config.from_dict({"password_rules": "length"})
    return create_app(container)


@frozen(kw_only=True)
class Member:
    """A user as a RealWorld client holds them: the user object and its token."""

    user: dict[str, Any]
    password: str

    @property
    def token(self) -> str:
        return str(self.user["token"])

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"}


Join = Callable[..., Member]


@pytest.fixture
def join(client: FlaskClient) -> Join:
    """POST /api/users with a new username and e-mail; the fields may be overridden."""

    def register(**fields: str) -> Member:
        n = next(_serial)
        body = {
            "username": f"member_{n}",
            "email": f"member{n}@example.com",
            "password": "password123",
        }
        body.update(fields)
        response = client.post("/api/users", json={"user": body})
        assert response.status_code == 201, response.json
        return Member(user=response.json["user"], password=body["password"])

    return register


@pytest.fixture
def member(join: Join) -> Member:
    return join()


def documented(method: str, path: str) -> dict[str, Any]:
    """The answers Conduit's OpenAPI document lists for an operation, by status, resolved."""
    spec = document()
    answers = spec["paths"][path][method]["responses"]
    components = spec["components"]["responses"]
    return {
        status: components[answer["$ref"].rsplit("/", 1)[1]] if "$ref" in answer else answer
        for status, answer in answers.items()
    }
