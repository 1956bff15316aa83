"""E-mail verification and password reset over HTTP (docs/API.md, "Additions: e-mail
verification and password reset"), and the two pages their links open."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from infrastructure.memory import InMemoryUnitOfWork
from interfaces.container import Container
from interfaces.http import logs
from tests.api.helpers import (
    FULL_USER_KEYS,
    assert_error,
    assert_field_error,
    bearer,
    last_token,
    mails,
)
from tests.conftest import SignedIn
from tests.factories import PASSWORD, FixedClock

NEW_PASSWORD = "Brand-New-Pass-7"


def ask_reset(client: FlaskClient, email: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/password-reset", json={"email": email})
    assert response.status_code == 202, response.json
    body: dict[str, str] = response.json
    return body


# Verification.


def test_a_new_account_is_unverified_and_its_link_verifies_it_once(
    client: FlaskClient, uow: InMemoryUnitOfWork
) -> None:
    body = {"email": "ann@example.com", "name": "Ann", "password": PASSWORD}
    created = client.post("/api/v1/users", json=body).json
    assert set(created) == FULL_USER_KEYS and created["email_verified"] is False
    token = last_token(uow, "verify", "ann@example.com")
    response = client.post("/api/v1/auth/verify-email", json={"token": token})
    assert response.status_code == 200
    assert set(response.json) == FULL_USER_KEYS
    assert (response.json["id"], response.json["email_verified"]) == (created["id"], True)
    again = client.post("/api/v1/auth/verify-email", json={"token": token})
    assert_error(again, 400, "token_invalid")


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "token"), ({"token": 5}, "token"), ({"token": "x", "extra": 1}, "extra")],
)
def test_a_verification_body_is_validated(client: FlaskClient, body: dict, field: str) -> None:
    assert_field_error(client.post("/api/v1/auth/verify-email", json=body), field)


def test_an_unknown_or_expired_verification_token_is_a_bad_request(
    client: FlaskClient, uow: InMemoryUnitOfWork, auth: Callable[..., SignedIn], clock: FixedClock
) -> None:
    assert_error(
        client.post("/api/v1/auth/verify-email", json={"token": "nope"}), 400, "token_invalid"
    )
    user = auth()
    token = last_token(uow, "verify", user.user["email"])
    clock.advance(days=2)
    assert_error(
        client.post("/api/v1/auth/verify-email", json={"token": token}), 400, "token_invalid"
    )


def test_a_verification_link_stops_working_when_the_address_changes(
    client: FlaskClient, uow: InMemoryUnitOfWork, auth: Callable[..., SignedIn]
) -> None:
    user = auth()
    old = last_token(uow, "verify", user.user["email"])
    changed = client.patch(
        f"/api/v1/users/{user.id}", json={"email": "moved@example.com"}, headers=user.headers
    )
    assert changed.status_code == 200 and changed.json["email_verified"] is False
    response = client.post("/api/v1/auth/verify-email", json={"token": old})
    assert_error(response, 400, "token_invalid")
    new = last_token(uow, "verify", "moved@example.com")
    assert client.post("/api/v1/auth/verify-email", json={"token": new}).status_code == 200


def test_a_verified_address_is_told_when_the_account_moves_away_from_it(
    client: FlaskClient, uow: InMemoryUnitOfWork, auth: Callable[..., SignedIn], admin: SignedIn
) -> None:
    """By its owner or by an admin: a change its owner did not make shows in the old mailbox.
    An address never verified is told nothing."""
    user = auth()

    def verify(address: str) -> None:
        token = last_token(uow, "verify", address)
        assert client.post("/api/v1/auth/verify-email", json={"token": token}).status_code == 200

    def move(who: SignedIn, address: str) -> None:
        changed = client.patch(
            f"/api/v1/users/{user.id}", json={"email": address}, headers=who.headers
        )
        assert changed.status_code == 200, changed.json

    verify(user.user["email"])
    move(user, "moved@example.com")
    move(admin, "moved.again@example.com")  # from an address never verified
    verify("moved.again@example.com")
    move(admin, "third@example.com")
    notices = [(mail.recipient, mail.text) for mail in mails(uow, "address-changed")]
    assert [to for to, _ in notices] == [user.user["email"], "moved.again@example.com"]
    assert ["to m***@example.com" in notices[0][1], "to t***@example.com" in notices[1][1]] == [
        True,
        True,
    ]


def test_links_sent_before_an_address_change_stay_dead_when_it_changes_back(
    client: FlaskClient, uow: InMemoryUnitOfWork, auth: Callable[..., SignedIn]
) -> None:
    user = auth()
    email = user.user["email"]
    verify = last_token(uow, "verify", email)
    ask_reset(client, email)
    reset = last_token(uow, "reset", email)
    for address in ("moved@example.com", email):
        changed = client.patch(
            f"/api/v1/users/{user.id}", json={"email": address}, headers=user.headers
        )
        assert changed.status_code == 200, changed.json
    response = client.post("/api/v1/auth/verify-email", json={"token": verify})
    assert_error(response, 400, "token_invalid")
    body = {"token": reset, "new_password": NEW_PASSWORD}
    response = client.post("/api/v1/auth/password-reset/confirm", json=body)
    assert_error(response, 400, "token_invalid")
    newest = last_token(uow, "verify", email)  # the link the change back mailed works
    assert client.post("/api/v1/auth/verify-email", json={"token": newest}).status_code == 200


def test_asking_for_a_new_link_is_accepted_three_times_an_hour_then_rate_limited(
    client: FlaskClient, uow: InMemoryUnitOfWork, auth: Callable[..., SignedIn]
) -> None:
    user = auth()
    for _ in range(3):
        response = client.post("/api/v1/users/me/verify-email", headers=user.headers)
        assert response.status_code == 202 and set(response.json) == {"message"}
    refused = client.post("/api/v1/users/me/verify-email", headers=user.headers)
    assert_error(refused, 429, "rate_limited")
    assert 1 <= int(refused.headers["Retry-After"]) <= 3600
    assert len(mails(uow, "verify")) == 1 + 3  # the registration's, and three asked for


def test_address_changes_past_three_an_hour_are_kept_without_a_link(
    client: FlaskClient, uow: InMemoryUnitOfWork, auth: Callable[..., SignedIn]
) -> None:
    user = auth()
    for n in range(4):
        email = f"moved{n}@example.com"
        response = client.patch(
            f"/api/v1/users/{user.id}", json={"email": email}, headers=user.headers
        )
        assert response.status_code == 200 and response.json["email"] == email
    sent = [mail.recipient for mail in mails(uow, "verify")]
    assert sent == [user.user["email"], *(f"moved{n}@example.com" for n in range(3))]
    refused = client.post("/api/v1/users/me/verify-email", headers=user.headers)
    assert_error(refused, 429, "rate_limited")  # the same count: ask again within the hour


def test_asking_for_a_new_link_needs_a_token(client: FlaskClient) -> None:
    assert_error(client.post("/api/v1/users/me/verify-email"), 401, "not_authenticated")


def test_a_verified_caller_asking_for_a_link_gets_none(
    client: FlaskClient, uow: InMemoryUnitOfWork, auth: Callable[..., SignedIn]
) -> None:
    user = auth()
    token = last_token(uow, "verify", user.user["email"])
    client.post("/api/v1/auth/verify-email", json={"token": token})
    response = client.post("/api/v1/users/me/verify-email", headers=user.headers)
    assert response.status_code == 202 and "verified already" in response.json["message"]
    assert len(mails(uow, "verify")) == 1


# Password reset.


def test_a_reset_request_answers_alike_whether_or_not_the_address_has_an_account(
    client: FlaskClient, uow: InMemoryUnitOfWork, auth: Callable[..., SignedIn]
) -> None:
    user = auth()
    known = client.post("/api/v1/auth/password-reset", json={"email": user.user["email"]})
    unknown = client.post("/api/v1/auth/password-reset", json={"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 202
    assert known.get_data() == unknown.get_data()
    assert set(known.json) == {"message"}
    assert [mail.recipient for mail in mails(uow, "reset")] == [user.user["email"]]


def test_past_three_reset_requests_an_hour_the_answer_is_the_same_and_nothing_is_sent(
    client: FlaskClient, uow: InMemoryUnitOfWork, auth: Callable[..., SignedIn]
) -> None:
    user = auth()
    answers = {ask_reset(client, user.user["email"])["message"] for _ in range(5)}
    assert len(answers) == 1
    assert len(mails(uow, "reset")) == 3


@pytest.mark.parametrize("email", [7, None, ["a@example.com"]])
def test_a_reset_request_whose_email_is_not_text_is_a_validation_error(
    client: FlaskClient, email: object
) -> None:
    response = client.post("/api/v1/auth/password-reset", json={"email": email})
    assert_field_error(response, "email")


@pytest.mark.parametrize("email", ["not-an-address", "", "a@b"])
def test_a_reset_request_for_text_that_is_no_address_is_always_202(
    client: FlaskClient, uow: InMemoryUnitOfWork, email: str
) -> None:
    response = client.post("/api/v1/auth/password-reset", json={"email": email})
    assert response.status_code == 202, response.json
    assert response.json == ask_reset(client, "nobody@example.com")
    assert mails(uow, "reset") == []


def test_a_reset_sets_the_password_ends_every_session_and_works_once(
    client: FlaskClient, uow: InMemoryUnitOfWork, auth: Callable[..., SignedIn]
) -> None:
    user = auth()
    email = user.user["email"]
    ask_reset(client, email)
    token = last_token(uow, "reset", email)
    body = {"token": token, "new_password": NEW_PASSWORD}
    response = client.post("/api/v1/auth/password-reset/confirm", json=body)
    assert response.status_code == 204 and response.get_data() == b""
    assert_error(client.get("/api/v1/users/me", headers=user.headers), 401, "token_revoked")
    assert_error(
        client.post("/api/v1/auth/refresh", headers=bearer(user.refresh_token)),
        401,
        "token_revoked",
    )
    old = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert_error(old, 401, "invalid_credentials")
    new = client.post("/api/v1/auth/login", json={"email": email, "password": NEW_PASSWORD})
    assert new.status_code == 200
    second = client.post(
        "/api/v1/auth/password-reset/confirm", json={**body, "new_password": "Other-Pass-9"}
    )
    assert_error(second, 400, "token_invalid")


def test_a_new_password_against_the_rules_is_a_validation_error_on_it(
    client: FlaskClient, uow: InMemoryUnitOfWork, auth: Callable[..., SignedIn]
) -> None:
    user = auth()
    ask_reset(client, user.user["email"])
    token = last_token(uow, "reset", user.user["email"])
    response = client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": "weak"}
    )
    assert_field_error(response, "new_password")
    ok = client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert ok.status_code == 204


def test_an_expired_or_unknown_reset_token_is_a_bad_request(
    client: FlaskClient, uow: InMemoryUnitOfWork, auth: Callable[..., SignedIn], clock: FixedClock
) -> None:
    user = auth()
    ask_reset(client, user.user["email"])
    token = last_token(uow, "reset", user.user["email"])
    clock.advance(minutes=30)
    for candidate in (token, "made-up"):
        response = client.post(
            "/api/v1/auth/password-reset/confirm",
            json={"token": candidate, "new_password": NEW_PASSWORD},
        )
        assert_error(response, 400, "token_invalid")


def test_reset_answers_are_never_stored_by_a_cache(client: FlaskClient) -> None:
    response = client.post("/api/v1/auth/password-reset", json={"email": "a@example.com"})
    assert response.headers["Cache-Control"] == "no-store"


# REQUIRE_VERIFIED_EMAIL.


@pytest.fixture
def verified_writers(container: Container) -> Iterator[None]:
    with container.config.require_verified_email.override(True):
        yield


def test_with_verified_writers_an_unverified_user_reads_but_may_not_write(
    client: FlaskClient, uow: InMemoryUnitOfWork, auth: Callable[..., SignedIn],
    verified_writers: None,
) -> None:  # fmt: skip
    user = auth()
    post = {"title": "T", "content": "C", "published": True}
    refused = client.post("/api/v1/posts", json=post, headers=user.headers)
    assert_error(refused, 403, "email_unverified")
    assert client.get("/api/v1/posts", headers=user.headers).status_code == 200
    assert client.get("/api/v1/users/me", headers=user.headers).status_code == 200
    token = last_token(uow, "verify", user.user["email"])
    assert client.post("/api/v1/auth/verify-email", json={"token": token}).status_code == 200
    assert client.post("/api/v1/posts", json=post, headers=user.headers).status_code == 201


def test_without_the_setting_an_unverified_user_writes(
    client: FlaskClient, auth: Callable[..., SignedIn]
) -> None:
    user = auth()
    post = {"title": "T", "content": "C"}
    assert client.post("/api/v1/posts", json=post, headers=user.headers).status_code == 201


# The pages.


def test_the_verification_page_verifies_and_says_so_under_a_strict_policy(
    client: FlaskClient, uow: InMemoryUnitOfWork, auth: Callable[..., SignedIn]
) -> None:
    user = auth()
    token = last_token(uow, "verify", user.user["email"])
    page = client.get(f"/verify-email?token={token}")
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert "is verified" in text and user.user["email"] in text
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and page.headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/users/me", headers=user.headers).json["email_verified"] is True
    used = client.get(f"/verify-email?token={token}")
    assert used.status_code == 400 and "does not work" in used.get_data(as_text=True)


@pytest.mark.parametrize("query", ["", "?token=", "?token=nope", "?token=a&token=b", "?x=1"])
def test_a_page_with_a_bad_link_says_so_in_html(client: FlaskClient, query: str) -> None:
    for path in ("/verify-email", "/reset-password"):
        page = client.get(path + query)
        assert page.status_code == 400 and page.mimetype == "text/html"
        assert "This link does not work" in page.get_data(as_text=True)


def test_the_reset_page_shows_its_form_without_using_the_link(
    client: FlaskClient, uow: InMemoryUnitOfWork, auth: Callable[..., SignedIn]
) -> None:
    user = auth()
    ask_reset(client, user.user["email"])
    token = last_token(uow, "reset", user.user["email"])
    for _ in range(2):
        page = client.get(f"/reset-password?token={token}")
        assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<label for="new-password">' in html and 'autocomplete="new-password"' in html
    assert f'value="{token}"' in html and 'lang="en"' in html
    assert 'src="/pages/static/reset.js"' in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html)  # nothing from elsewhere
    confirm = client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert confirm.status_code == 204
    assert client.get(f"/reset-password?token={token}").status_code == 400


def test_the_pages_own_files_are_served(client: FlaskClient) -> None:
    for name, mimetype in (("reset.js", "text/javascript"), ("pages.css", "text/css")):
        response = client.get(f"/pages/static/{name}")
        assert (response.status_code, response.mimetype) == (200, mimetype)
        assert response.get_data()


# Nothing secret in logs.


@pytest.fixture
def log(app: Flask) -> Iterator[io.StringIO]:
    buffer = io.StringIO()
    logs.configure("INFO", "json", stream=buffer)
    yield buffer
    logs.configure("INFO", "json")


def test_a_links_token_is_never_written_to_the_log(
    client: FlaskClient,
    uow: InMemoryUnitOfWork,
    auth: Callable[..., SignedIn],
    log: io.StringIO,
) -> None:
    user = auth()
    ask_reset(client, user.user["email"])
    verify = last_token(uow, "verify", user.user["email"])
    reset = last_token(uow, "reset", user.user["email"])
    client.get(f"/verify-email?token={verify}")
    client.get(f"/reset-password?token={reset}")
    client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": reset, "new_password": "weak"}
    )
    written = log.getvalue()
    assert "/verify-email" in written and "/reset-password" in written
    assert verify not in written and reset not in written
