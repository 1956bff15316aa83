"""Database faults: while PostgreSQL is down Quill answers 503, and it recovers by itself."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from infrastructure.db.engine import make_engine
from infrastructure.db.migrations import AlembicMigrator
from interfaces.container import build_container
from interfaces.http.app import create_app
from tests.factories import PASSWORD
from tests.pg import dispose_pools
from tests.reliability.conftest import app_env, bearer, sign_up
from tests.reliability.throwaway import ThrowawayCluster

pytestmark = pytest.mark.postgres
# Seconds one request may wait on a database that neither answers nor refuses connections.
FROZEN_BOUND = 12


@pytest.fixture
def cluster(pg_url: str) -> Iterator[ThrowawayCluster]:
    """Never the shared server: a cluster of our own, which this test may stop at will."""
    del pg_url  # requested so this runs exactly when the other PostgreSQL tests do
    cluster = ThrowawayCluster().create()
    try:
        cluster.start()
        engine = make_engine(cluster.url)
        AlembicMigrator(engine).upgrade()
        engine.dispose()
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def outage_app(cluster: ThrowawayCluster) -> Iterator[Flask]:
    container = build_container(env=app_env(cluster.url))
    yield create_app(container)
    container.unwire()
    dispose_pools(container)


def every_kind_of_request(client: FlaskClient, token: str, post_id: int) -> dict[str, object]:
    """One request of each use case that needs the database; the answers by name."""
    auth = bearer(token)
    return {
        "readyz": client.get("/readyz"),
        "list posts": client.get("/api/v1/posts"),
        "read post": client.get(f"/api/v1/posts/{post_id}"),
        "write post": client.post(
            "/api/v1/posts", json={"title": "t", "content": "c"}, headers=auth
        ),
        "edit post": client.patch(f"/api/v1/posts/{post_id}", json={"title": "x"}, headers=auth),
        "register": client.post(
            "/api/v1/users", json={"email": "new@example.com", "name": "New", "password": PASSWORD}
        ),
        "log in": client.post(
            "/api/v1/auth/login", json={"email": "writer@example.com", "password": PASSWORD}
        ),
        "me": client.get("/api/v1/users/me", headers=auth),
    }


def test_while_the_database_is_down_requests_answer_503_and_quill_recovers_without_restart(
    cluster: ThrowawayCluster, outage_app: Flask
) -> None:
    client = outage_app.test_client()
    login = sign_up(outage_app, "writer@example.com")
    token = login["access_token"]
    created = client.post(
        "/api/v1/posts",
        json={"title": "before", "content": "c", "published": True},
        headers=bearer(token),
    )
    assert created.status_code == 201
    assert client.get("/readyz").status_code == 200

    cluster.stop("fast")
    started = time.monotonic()
    answers = every_kind_of_request(client, token, created.json["id"])
    elapsed = time.monotonic() - started

    wrong = {
        name: (r.status_code, r.get_data(as_text=True)[:200])
        for name, r in answers.items()
        if r.status_code != 503 or r.json is None or r.json.get("code") != "service_unavailable"
    }
    assert wrong == {}
    assert all(set(r.json) == {"message", "code"} for r in answers.values())
    assert client.get("/healthz").status_code == 200  # the process itself is alive
    assert elapsed < 30  # refused connections fail fast; nothing hangs

    cluster.start()
    assert client.get("/readyz").status_code == 200
    assert client.get(f"/api/v1/posts/{created.json['id']}").status_code == 200
    after = client.post(
        "/api/v1/posts",
        json={"title": "after", "content": "c", "published": True},
        headers=bearer(token),
    )
    assert after.status_code == 201  # the token of before the outage still works
    titles = {item["title"] for item in client.get("/api/v1/posts").json["items"]}
    assert titles == {"before", "after"}  # and nothing was written while it was down
    login_again = client.post(
        "/api/v1/auth/login", json={"email": "writer@example.com", "password": PASSWORD}
    )
    assert login_again.status_code == 200


def answer_within(seconds: float, request: Callable[[], TestResponse]) -> TestResponse | None:
    """The response, or None when there is none in time (the request is left to finish)."""
    answers: list[TestResponse] = []
    asking = threading.Thread(target=lambda: answers.append(request()), daemon=True)
    asking.start()
    asking.join(timeout=seconds)
    return answers[0] if answers else None


def test_a_database_that_stops_answering_gets_503_in_bounded_time_not_a_hang(
    cluster: ThrowawayCluster, outage_app: Flask
) -> None:
    """A frozen host or a partition neither accepts nor refuses: connecting must time out."""
    client = outage_app.test_client()
    token = sign_up(outage_app, "writer@example.com")["access_token"]
    assert client.get("/readyz").status_code == 200
    # No pooled connection survives (logging in reads through the read pool too): what is
    # measured is opening one to a frozen server.
    container = outage_app.extensions["container"]
    for engine in (container.engine(), container.read_engine()):
        engine.dispose()

    cluster.signal(signal.SIGSTOP)
    try:
        ready = answer_within(FROZEN_BOUND, lambda: outage_app.test_client().get("/readyz"))
        assert ready is not None, f"/readyz did not answer within {FROZEN_BOUND} s"
        me = answer_within(
            FROZEN_BOUND,
            lambda: outage_app.test_client().get("/api/v1/users/me", headers=bearer(token)),
        )
        assert me is not None, f"/api/v1/users/me did not answer within {FROZEN_BOUND} s"
    finally:
        cluster.signal(signal.SIGCONT)
    assert ready.status_code == 503
    assert me.status_code == 503 and me.json["code"] == "service_unavailable"
    assert client.get("/readyz").status_code == 200  # thawed, it serves again
