"""The login limit holds across servers: two gunicorn instances on one database share the count."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ops.server import call, gunicorn, migrate


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "postgresql":
        yield request.getfixturevalue("pg_url")  # skipped without TEST_DATABASE_URL
        return
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    migrate(url)
    yield url


def test_five_failed_logins_on_two_servers_lock_the_address_on_both(
    shared_database: str, tmp_path: Path
) -> None:
    with (
        gunicorn(tmp_path, shared_database, workers=1) as (one, _),
        gunicorn(tmp_path, shared_database, workers=1) as (two, _),
    ):
        email = f"target-{uuid.uuid4().hex[:12]}@example.com"
        person = {"email": email, "name": "Target", "password": "Right-Pass-1"}
        assert call("POST", f"{one}/api/v1/users", person)[0] == 201
        wrong = {"email": email.upper(), "password": "Wrong-Pass-1"}
        for server in (one, two, one, two, one):
            status, _, body = call("POST", f"{server}/api/v1/auth/login", wrong)
            assert (status, body["code"]) == (401, "invalid_credentials")
        for server in (two, one):
            status, headers, body = call("POST", f"{server}/api/v1/auth/login", wrong)
            assert (status, body["code"]) == (429, "rate_limited")
            assert 1 <= int(headers["Retry-After"]) <= 15 * 60
        right = {"email": email, "password": "Right-Pass-1"}
        assert call("POST", f"{two}/api/v1/auth/login", right)[0] == 429
        other = {"email": f"other-{email}", "password": "Wrong-Pass-1"}
        assert call("POST", f"{two}/api/v1/auth/login", other)[0] == 401  # per address
