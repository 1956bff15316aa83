"""The mail rate limits hold under a burst of simultaneous requests on PostgreSQL, where they
are counted in the database for every process and instance (docs/API.md)."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import text

from interfaces.container import Container
from tests.reliability.conftest import at_once, bearer, sign_up

BURST = 12


def queued(container: Container, kind: str) -> int:
    with container.engine().connect() as connection:
        query = text("SELECT count(*) FROM outbox WHERE kind = :kind")
        return int(connection.execute(query, {"kind": kind}).scalar_one())


@pytest.mark.postgres
def test_a_burst_of_reset_requests_for_one_address_mails_three_and_answers_all_alike(
    pg_app: Flask, pg_container: Container
) -> None:
    sign_up(pg_app, "burst@example.com")

    def ask(_: int) -> tuple[int, bytes]:
        response = pg_app.test_client().post(
            "/api/v1/auth/password-reset", json={"email": "burst@example.com"}
        )
        return response.status_code, response.get_data()

    answers = at_once(BURST, ask)
    assert len(set(answers)) == 1 and answers[0][0] == 202
    assert queued(pg_container, "reset") == 3


@pytest.mark.postgres
def test_a_burst_of_verification_requests_mails_three_and_refuses_the_rest(
    pg_app: Flask, pg_container: Container
) -> None:
    tokens = sign_up(pg_app, "again@example.com")

    def ask(_: int) -> int:
        client = pg_app.test_client()
        headers = bearer(tokens["access_token"])
        return client.post("/api/v1/users/me/verify-email", headers=headers).status_code

    statuses = sorted(at_once(BURST, ask))
    assert statuses == [202] * 3 + [429] * (BURST - 3)
    assert queued(pg_container, "verify") == 1 + 3  # the registration's, and three more
