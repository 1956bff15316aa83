"""Property: the verification and reset routes, and their pages, answer anything without a 5xx
(in-memory app): any body to the API routes, any query string to the pages."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import example, given
from hypothesis import strategies as st

from infrastructure.memory import InMemoryUnitOfWork
from tests.factories import PASSWORD
from tests.reliability.hostile import (
    assert_handled,
    bodies,
    encode,
    hostile_settings,
    percent,
    query_strings,
    strings,
)

PROPERTY = hostile_settings(max_examples=100)
TOKEN = re.compile(r"token=([A-Za-z0-9_-]+)")

# Many addresses, so the reset limit (3 an hour per address) does not end the search early.
fresh_email = st.integers(min_value=0, max_value=10**9).map(lambda n: f"r{n}@example.com")
tokens = strings("a" * 43, "not-a-token")
ENDPOINTS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "verify": ("/api/v1/auth/verify-email", "nobody", {"token": tokens}),
    "resend": ("/api/v1/users/me/verify-email", "user", {}),
    "ask reset": (
        "/api/v1/auth/password-reset", "nobody",
        {"email": strings(fresh_email, "not-an-email", "A@EXAMPLE.COM")},
    ),
    "reset": (
        "/api/v1/auth/password-reset/confirm", "nobody",
        {"token": tokens, "new_password": strings(PASSWORD, "short", "N0-upper-case")},
    ),
}  # fmt: skip


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_any_json_body_to_an_account_route_gets_an_answer_never_a_server_error(
    client: FlaskClient, world: dict[str, Any], endpoint: str
) -> None:
    path, who, fields = ENDPOINTS[endpoint]
    headers = dict(world["user"].headers) if who == "user" else {}

    def check(body: str) -> None:
        response = client.post(
            path, data=encode(body), headers={**headers, "Content-Type": "application/json"}
        )
        assert_handled(response, body)

    search = given(body=bodies(fields))(check)
    for spoiler in ("\ud800", "\x00", "\u202e\r\n", "w" * 300_000):
        body = json.dumps({name: f"plausible{spoiler}" for name in fields})
        search = example(body=body)(search)
    PROPERTY(search)()


def test_a_real_token_with_any_new_password_gets_an_answer_never_a_server_error(
    client: FlaskClient, world: dict[str, Any], uow: InMemoryUnitOfWork
) -> None:
    email = world["user"].user["email"]

    @given(password=strings(PASSWORD, "short", "N0-upper-case", "x" * 129))
    @example(password="\ud800" + PASSWORD)
    def check(password: str) -> None:
        assert client.post("/api/v1/auth/password-reset", json={"email": email}).status_code
        (*_, mail) = [m for m in uow.store.outbox.values() if m.kind == "reset"]
        found = TOKEN.search(mail.text)
        assert found is not None
        body = json.dumps({"token": found.group(1), "new_password": password})
        response = client.post(
            "/api/v1/auth/password-reset/confirm",
            data=encode(body),
            headers={"Content-Type": "application/json"},
        )
        assert_handled(response, body)
        uow.store.link_requests.clear()  # the next example may ask again

    hostile_settings(max_examples=60)(check)()


@pytest.mark.parametrize("page", ["/verify-email", "/reset-password"])
def test_any_query_string_to_a_page_gets_a_page_never_a_server_error(
    client: FlaskClient, page: str
) -> None:
    @given(
        query=query_strings(["token"]) | st.text(max_size=60).map(lambda t: f"token={percent(t)}")
    )
    def check(query: str) -> None:
        response = client.get(f"{page}?{query}")
        body = response.get_data(as_text=True)
        assert response.status_code < 500, (response.status_code, body[:300], query)
        assert response.mimetype == "text/html"
        assert "Content-Security-Policy" in response.headers

    PROPERTY(check)()
