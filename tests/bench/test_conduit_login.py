"""The bench's Conduit reads (C1-C3) act as its user logged in through RealWorld's own login:
the RealWorld API takes only its own tokens."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from bench.scenarios import PASSWORD, Scenario, _post, call, capture, conduit, conduit_token


@pytest.fixture
def base(app: Flask) -> Iterator[str]:
    """The test app served over real HTTP, as the bench's `call` needs."""
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}"
    server.shutdown()
    thread.join()


def _publish(base: str, token: str) -> str:
    body = {"title": "Benchmark post", "content": "c", "published": True}
    new = Scenario(key="", label="", method="POST", path="/api/v1/posts", token=token, body=body)
    _, raw = call(base, new)
    slug: str = json.loads(raw)["slug"]
    return slug


def test_c1_to_c3_carry_the_token_of_a_conduit_login_and_answer_200(base: str) -> None:
    login = {"email": "bench@bench.example", "password": PASSWORD}
    _post(base, "/api/v1/users", {**login, "name": "Bench User"})
    v1_token = _post(base, "/api/v1/auth/login", login)["access_token"]
    found: dict[str, Any] = {"post_slug": _publish(base, v1_token)}
    who = {"user_token": v1_token, "conduit_token": conduit_token(base, login), "feed_authors": 1}
    scenarios = conduit(found, who)
    assert [(s.key, s.token, s.scheme) for s in scenarios] == [
        (key, who["conduit_token"], "Token") for key in ("C1", "C2", "C3")
    ]
    bodies = capture(base, scenarios)  # raises unless each answers its status, 200
    assert bodies["C3"]["article"]["slug"] == found["post_slug"]
