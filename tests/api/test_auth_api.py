"""Registration, login, refresh, logout and password changes over HTTP."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from domain.users import Role
from tests.api.conftest import T0_TEXT
from tests.api.helpers import (
    FULL_USER_KEYS,
    TOKEN_KEYS,
    assert_error,
    assert_field_error,
    bearer,
)
from tests.conftest import SignedIn
from tests.factories import PASSWORD, FixedClock, registration

NEW_PASSWORD = "Brand-New-Secret-7"


def _login(client: FlaskClient, email: str, password: str = PASSWORD) -> TestResponse:
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


# Registration


def test_registering_answers_201_with_the_full_user(client: FlaskClient) -> None:
    body = registration(email="ann@example.com", name="Ann Lee")
    response = client.post("/api/v1/users", json=body)
    assert response.status_code == 201
    user = response.json
    assert set(user) == FULL_USER_KEYS
    assert user["email"] == "ann@example.com"
    assert user["name"] == "Ann Lee"
    assert user["role"] == "user"
    assert user["is_active"] is True
    assert isinstance(user["id"], int)
    assert user["id"] > 0
    assert user["created_at"] == T0_TEXT
    assert user["updated_at"] == user["created_at"]


def test_registering_points_the_location_header_at_the_new_user(client: FlaskClient) -> None:
    response = client.post("/api/v1/users", json=registration())
    assert response.headers["Location"].endswith(f"/api/v1/users/{response.json['id']}")


def test_registering_stores_the_email_lower_cased(client: FlaskClient) -> None:
    response = client.post("/api/v1/users", json=registration(email="Mixed.Case@Example.COM"))
    assert response.json["email"] == "mixed.case@example.com"


def test_registering_trims_the_name(client: FlaskClient) -> None:
    response = client.post("/api/v1/users", json=registration(name="  Bo Diddley  "))
    assert response.json["name"] == "Bo Diddley"


def test_no_password_or_hash_is_ever_answered(client: FlaskClient, admin: SignedIn) -> None:
    body = registration()
    created = client.post("/api/v1/users", json=body)
    logged_in = _login(client, body["email"])
    token = logged_in.json["access_token"]
    responses = [
        created,
        logged_in,
        client.get("/api/v1/users/me", headers=bearer(token)),
        client.get(f"/api/v1/users/{created.json['id']}", headers=admin.headers),
        client.get("/api/v1/users", headers=admin.headers),
        client.patch(
            f"/api/v1/users/{created.json['id']}", json={"name": "Renamed"}, headers=bearer(token)
        ),
    ]
    for response in responses:
        assert response.status_code == 200 or response.status_code == 201
        text = response.get_data(as_text=True)
        assert "password" not in text
        assert "$argon2" not in text
        assert PASSWORD not in text


def test_registering_with_a_role_field_is_a_validation_error(client: FlaskClient) -> None:
    response = client.post("/api/v1/users", json={**registration(), "role": "admin"})
    assert_field_error(response, "role")


def test_nobody_becomes_an_admin_by_registering(client: FlaskClient) -> None:
    body = registration()
    assert_field_error(client.post("/api/v1/users", json={**body, "role": "admin"}), "role")
    hostile = client.post("/api/v1/users", json={**body, "is_active": True})
    assert_field_error(hostile, "is_active")
    assert _login(client, body["email"]).status_code == 401


def test_registering_a_taken_email_is_a_conflict(client: FlaskClient, user: SignedIn) -> None:
    response = client.post("/api/v1/users", json=registration(email=user.user["email"]))
    assert_error(response, 409, "email_taken")


def test_a_taken_email_is_recognised_whatever_its_case(client: FlaskClient) -> None:
    client.post("/api/v1/users", json=registration(email="case@example.com"))
    response = client.post("/api/v1/users", json=registration(email="CaSe@Example.com"))
    assert_error(response, 409, "email_taken")


def test_a_taken_email_is_recognised_whether_its_accents_are_composed_or_not(
    client: FlaskClient,
) -> None:
    client.post("/api/v1/users", json=registration(email="jos\u00e9@example.com"))
    response = client.post("/api/v1/users", json=registration(email="jose\u0301@example.com"))
    assert_error(response, 409, "email_taken")
    assert _login(client, "JOSE\u0301@example.com").status_code == 200


def test_a_taken_email_is_recognised_whether_its_domain_is_in_unicode_or_idna_ascii(
    client: FlaskClient,
) -> None:
    created = client.post("/api/v1/users", json=registration(email="zoe@ex\u00e4mple.org"))
    response = client.post("/api/v1/users", json=registration(email="zoe@xn--exmple-cua.org"))
    assert_error(response, 409, "email_taken")
    assert _login(client, "ZOE@XN--EXMPLE-CUA.ORG").status_code == 200
    ascii_first = client.post("/api/v1/users", json=registration(email="bo@xn--bcher-kva.de"))
    assert (created.json["email"], ascii_first.json["email"]) == (
        "zoe@ex\u00e4mple.org", "bo@b\u00fccher.de"
    )  # fmt: skip


def test_registering_with_an_invalid_email_is_a_validation_error(
    client: FlaskClient, subtests: pytest.Subtests
) -> None:
    for email in [
        "not-an-email",
        "a@b",
        "two@@example.com",
        "sp ace@example.com",
        "",
        "@example.com",
    ]:
        with subtests.test(email=email):
            response = client.post("/api/v1/users", json=registration(email=email))
            assert_field_error(response, "email")


def test_registering_with_a_bad_name_is_a_validation_error(
    client: FlaskClient, subtests: pytest.Subtests
) -> None:
    for name in ["", "A", "   A   ", "x" * 101]:
        with subtests.test(name=name):
            response = client.post("/api/v1/users", json=registration(name=name))
            assert_field_error(response, "name")


def test_names_of_2_to_100_characters_are_accepted(
    client: FlaskClient, subtests: pytest.Subtests
) -> None:
    for name in ["Al", "x" * 100]:
        with subtests.test(name=name):
            assert client.post("/api/v1/users", json=registration(name=name)).status_code == 201


def test_registering_with_a_weak_password_is_a_validation_error(
    client: FlaskClient, subtests: pytest.Subtests
) -> None:
    for password in ["Short-1", "no-upper-case-1", "No-Digits-Here", "A1" + "x" * 127]:
        with subtests.test(password=password):
            response = client.post("/api/v1/users", json=registration(password=password))
            assert_field_error(response, "password")


def test_passwords_of_8_to_128_characters_are_accepted(
    client: FlaskClient, subtests: pytest.Subtests
) -> None:
    for password in ["Abcdefg1", "A1" + "x" * 126]:
        with subtests.test(password=password):
            assert (
                client.post("/api/v1/users", json=registration(password=password)).status_code
                == 201
            )


def test_every_invalid_registration_field_is_reported_at_once(client: FlaskClient) -> None:
    response = client.post("/api/v1/users", json={"email": "nope", "name": "A", "password": "weak"})
    assert_field_error(response, "email", "name", "password")


# Login


def test_logging_in_answers_tokens_and_the_full_user(client: FlaskClient) -> None:
    body = registration()
    client.post("/api/v1/users", json=body)
    response = _login(client, body["email"])
    assert response.status_code == 200
    tokens = response.json
    assert set(tokens) == TOKEN_KEYS | {"user"}
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 900
    assert isinstance(tokens["access_token"], str)
    assert isinstance(tokens["refresh_token"], str)
    assert tokens["access_token"] != tokens["refresh_token"]
    assert set(tokens["user"]) == FULL_USER_KEYS
    assert tokens["user"]["email"] == body["email"]


def test_the_access_token_from_login_opens_protected_routes(
    client: FlaskClient, user: SignedIn
) -> None:
    response = client.get("/api/v1/users/me", headers=user.headers)
    assert response.status_code == 200
    assert response.json["id"] == user.id


def test_logging_in_matches_the_email_whatever_its_case(client: FlaskClient) -> None:
    client.post("/api/v1/users", json=registration(email="lower@example.com"))
    assert _login(client, "LOWER@Example.Com").status_code == 200


def test_a_wrong_password_is_invalid_credentials(client: FlaskClient, user: SignedIn) -> None:
    response = _login(client, user.user["email"], "Wrong-Password-1")
    assert_error(response, 401, "invalid_credentials")


def test_an_unknown_email_and_a_wrong_password_get_the_same_answer(
    client: FlaskClient, user: SignedIn
) -> None:
    unknown = _login(client, "nobody@example.com", "Wrong-Password-1")
    wrong = _login(client, user.user["email"], "Wrong-Password-1")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json == wrong.json
    assert unknown.headers.get("WWW-Authenticate") == wrong.headers.get("WWW-Authenticate")


def test_logging_in_without_a_password_is_a_validation_error(client: FlaskClient) -> None:
    response = client.post("/api/v1/auth/login", json={"email": "a@example.com"})
    assert_field_error(response, "password")


def test_logging_in_with_an_unknown_field_is_a_validation_error(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/auth/login",
        json={"email": "a@example.com", "password": PASSWORD, "remember": True},
    )
    assert_field_error(response, "remember")


def test_an_inactive_user_cannot_log_in(
    client: FlaskClient, user: SignedIn, admin: SignedIn
) -> None:
    client.patch(f"/api/v1/users/{user.id}", json={"is_active": False}, headers=admin.headers)
    assert_error(_login(client, user.user["email"]), 403, "account_inactive")


def _fail_five_times(client: FlaskClient, email: str) -> None:
    for _ in range(5):
        assert _login(client, email, "Wrong-Password-1").status_code == 401


def test_the_sixth_login_after_five_failures_is_rate_limited(
    client: FlaskClient, user: SignedIn
) -> None:
    _fail_five_times(client, user.user["email"])
    response = _login(client, user.user["email"])
    assert_error(response, 429, "rate_limited")
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60


def test_the_rate_limit_counts_failures_for_unknown_emails_too(client: FlaskClient) -> None:
    _fail_five_times(client, "ghost@example.com")
    assert_error(_login(client, "ghost@example.com"), 429, "rate_limited")


def test_the_rate_limit_ignores_the_case_of_the_email(client: FlaskClient, user: SignedIn) -> None:
    _fail_five_times(client, user.user["email"])
    assert_error(_login(client, user.user["email"].upper()), 429, "rate_limited")


def test_the_rate_limit_holds_for_the_whole_window(
    client: FlaskClient, user: SignedIn, clock: FixedClock
) -> None:
    _fail_five_times(client, user.user["email"])
    clock.advance(minutes=14)
    response = _login(client, user.user["email"])
    assert_error(response, 429, "rate_limited")
    assert 0 < int(response.headers["Retry-After"]) <= 60


def test_logging_in_works_again_once_the_window_has_passed(
    client: FlaskClient, user: SignedIn, clock: FixedClock
) -> None:
    _fail_five_times(client, user.user["email"])
    clock.advance(minutes=15)
    assert _login(client, user.user["email"]).status_code == 200


def test_the_rate_limit_of_one_email_does_not_touch_another(
    client: FlaskClient, user: SignedIn, other: SignedIn
) -> None:
    _fail_five_times(client, user.user["email"])
    assert _login(client, other.user["email"]).status_code == 200


def test_four_failures_do_not_yet_limit(client: FlaskClient, user: SignedIn) -> None:
    for _ in range(4):
        _login(client, user.user["email"], "Wrong-Password-1")
    assert _login(client, user.user["email"]).status_code == 200


# Refresh


def test_refreshing_answers_a_new_token_pair(client: FlaskClient, user: SignedIn) -> None:
    response = client.post("/api/v1/auth/refresh", headers=user.refresh_headers)
    assert response.status_code == 200
    assert set(response.json) == TOKEN_KEYS
    assert response.json["token_type"] == "Bearer"
    assert response.json["expires_in"] == 900
    assert response.json["refresh_token"] != user.refresh_token
    assert response.json["access_token"] != user.access_token


def test_the_refreshed_access_token_works(client: FlaskClient, user: SignedIn) -> None:
    tokens = client.post("/api/v1/auth/refresh", headers=user.refresh_headers).json
    response = client.get("/api/v1/users/me", headers=bearer(tokens["access_token"]))
    assert response.status_code == 200
    assert response.json["id"] == user.id


def test_the_rotated_refresh_token_works(client: FlaskClient, user: SignedIn) -> None:
    tokens = client.post("/api/v1/auth/refresh", headers=user.refresh_headers).json
    response = client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"]))
    assert response.status_code == 200


def test_a_spent_refresh_token_is_revoked(client: FlaskClient, user: SignedIn) -> None:
    client.post("/api/v1/auth/refresh", headers=user.refresh_headers)
    response = client.post("/api/v1/auth/refresh", headers=user.refresh_headers)
    assert_error(response, 401, "token_revoked")


def test_reusing_a_spent_refresh_token_revokes_the_whole_session(
    client: FlaskClient, user: SignedIn
) -> None:
    tokens = client.post("/api/v1/auth/refresh", headers=user.refresh_headers).json
    client.post("/api/v1/auth/refresh", headers=user.refresh_headers)
    new_refresh = client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"]))
    assert_error(new_refresh, 401, "token_revoked")
    me = client.get("/api/v1/users/me", headers=bearer(tokens["access_token"]))
    assert_error(me, 401, "token_revoked")


def test_theft_detection_leaves_other_sessions_alone(client: FlaskClient, user: SignedIn) -> None:
    second = _login(client, user.user["email"]).json
    client.post("/api/v1/auth/refresh", headers=user.refresh_headers)
    client.post("/api/v1/auth/refresh", headers=user.refresh_headers)
    assert client.get("/api/v1/users/me", headers=bearer(second["access_token"])).status_code == 200


def test_refreshing_without_a_token_is_not_authenticated(client: FlaskClient) -> None:
    assert_error(client.post("/api/v1/auth/refresh"), 401, "not_authenticated")


# Logout


def test_logging_out_answers_a_message(client: FlaskClient, user: SignedIn) -> None:
    response = client.post("/api/v1/auth/logout", headers=user.headers)
    assert response.status_code == 200
    assert set(response.json) == {"message"}
    assert isinstance(response.json["message"], str)


def test_after_logout_the_access_token_is_revoked(client: FlaskClient, user: SignedIn) -> None:
    client.post("/api/v1/auth/logout", headers=user.headers)
    assert_error(client.get("/api/v1/users/me", headers=user.headers), 401, "token_revoked")


def test_after_logout_the_refresh_token_is_revoked(client: FlaskClient, user: SignedIn) -> None:
    client.post("/api/v1/auth/logout", headers=user.headers)
    response = client.post("/api/v1/auth/refresh", headers=user.refresh_headers)
    assert_error(response, 401, "token_revoked")


def test_logging_out_twice_is_refused(client: FlaskClient, user: SignedIn) -> None:
    client.post("/api/v1/auth/logout", headers=user.headers)
    assert_error(client.post("/api/v1/auth/logout", headers=user.headers), 401, "token_revoked")


def test_logging_out_ends_only_that_session(client: FlaskClient, user: SignedIn) -> None:
    second = _login(client, user.user["email"]).json
    client.post("/api/v1/auth/logout", headers=user.headers)
    assert client.get("/api/v1/users/me", headers=bearer(second["access_token"])).status_code == 200


def test_logging_out_without_a_token_is_not_authenticated(client: FlaskClient) -> None:
    assert_error(client.post("/api/v1/auth/logout"), 401, "not_authenticated")


def test_a_logout_with_a_body_answers_for_its_token_first(
    client: FlaskClient, user: SignedIn
) -> None:
    body = {"refresh_token": "x"}
    assert_error(client.post("/api/v1/auth/logout", json=body), 401, "not_authenticated")
    bad = {"Authorization": "Bearer not-a-token"}
    assert_error(client.post("/api/v1/auth/logout", json=body, headers=bad), 401, "token_invalid")
    response = client.post("/api/v1/auth/logout", json=body, headers=user.headers)
    assert_error(response, 400, "validation_error")
    assert client.get("/api/v1/users/me", headers=user.headers).status_code == 200  # still in


def test_logging_out_with_a_refresh_token_is_refused(client: FlaskClient, user: SignedIn) -> None:
    response = client.post("/api/v1/auth/logout", headers=user.refresh_headers)
    assert_error(response, 401, "token_invalid")


# Tokens of the RealWorld API (/api): session-long, so not v1's


def _conduit_token(client: FlaskClient, who: SignedIn) -> str:
    body = {"user": {"email": who.user["email"], "password": who.password}}
    return str(client.post("/api/users/login", json=body).json["user"]["token"])


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/v1/users/me"), ("GET", "/api/v1/feed"), ("POST", "/api/v1/posts")],
)
def test_a_conduit_token_is_invalid_here_and_says_whose_it_is(
    client: FlaskClient, user: SignedIn, method: str, path: str
) -> None:
    response = client.open(path, method=method, headers=bearer(_conduit_token(client, user)))
    body = assert_error(response, 401, "token_invalid")
    assert "RealWorld" in body["message"]
    assert response.headers["WWW-Authenticate"] == 'Bearer error="token_invalid"'


def test_logging_out_with_a_conduit_token_ends_its_session(
    client: FlaskClient, user: SignedIn
) -> None:
    """RealWorld has no logout route: its clients end their session here."""
    token = _conduit_token(client, user)
    assert client.post("/api/v1/auth/logout", headers=bearer(token)).status_code == 200
    refused = client.get("/api/user", headers={"Authorization": f"Token {token}"})
    assert refused.status_code == 401
    assert refused.json == {"errors": {"token": ["has been revoked"]}}
    assert client.get("/api/v1/users/me", headers=user.headers).status_code == 200


def test_a_conduit_token_cannot_be_refreshed(client: FlaskClient, user: SignedIn) -> None:
    token = _conduit_token(client, user)
    assert_error(client.post("/api/v1/auth/refresh", headers=bearer(token)), 401, "token_invalid")


def test_v1_tokens_keep_working_beside_a_conduit_login(client: FlaskClient, user: SignedIn) -> None:
    _conduit_token(client, user)
    assert client.get("/api/v1/users/me", headers=user.headers).status_code == 200
    refreshed = client.post("/api/v1/auth/refresh", headers=user.refresh_headers)
    assert refreshed.json["expires_in"] == 900


# The caller's own account


def test_me_answers_the_callers_full_user(client: FlaskClient, user: SignedIn) -> None:
    response = client.get("/api/v1/users/me", headers=user.headers)
    assert response.status_code == 200
    assert response.json == user.user


def test_me_without_a_token_is_not_authenticated(client: FlaskClient) -> None:
    assert_error(client.get("/api/v1/users/me"), 401, "not_authenticated")


def _change_password(client: FlaskClient, who: SignedIn, current: str, new: str) -> TestResponse:
    return client.post(
        "/api/v1/users/me/password",
        json={"current_password": current, "new_password": new},
        headers=who.headers,
    )


def test_changing_the_password_answers_204_with_no_body(
    client: FlaskClient, user: SignedIn
) -> None:
    response = _change_password(client, user, user.password, NEW_PASSWORD)
    assert response.status_code == 204
    assert response.data == b""


def test_after_a_password_change_the_new_password_logs_in(
    client: FlaskClient, user: SignedIn
) -> None:
    _change_password(client, user, user.password, NEW_PASSWORD)
    assert _login(client, user.user["email"], NEW_PASSWORD).status_code == 200


def test_after_a_password_change_the_old_password_no_longer_logs_in(
    client: FlaskClient, user: SignedIn
) -> None:
    _change_password(client, user, user.password, NEW_PASSWORD)
    assert_error(_login(client, user.user["email"], user.password), 401, "invalid_credentials")


def test_a_wrong_current_password_is_a_validation_error_on_that_field(
    client: FlaskClient, user: SignedIn
) -> None:
    response = _change_password(client, user, "Not-My-Password-1", NEW_PASSWORD)
    assert_field_error(response, "current_password")
    assert _login(client, user.user["email"], user.password).status_code == 200


def test_guessing_the_current_password_is_limited_as_logins_are_with_its_own_count(
    client: FlaskClient, user: SignedIn
) -> None:
    for _ in range(5):
        guessed = _change_password(client, user, "Not-My-Password-1", NEW_PASSWORD)
        assert_field_error(guessed, "current_password")
    response = _change_password(client, user, user.password, NEW_PASSWORD)
    assert_error(response, 429, "rate_limited")
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    assert _login(client, user.user["email"], user.password).status_code == 200


def test_a_weak_new_password_is_a_validation_error_on_that_field(
    client: FlaskClient, user: SignedIn
) -> None:
    response = _change_password(client, user, user.password, "weak")
    assert_field_error(response, "new_password")
    assert _login(client, user.user["email"], user.password).status_code == 200


def test_changing_the_password_needs_both_fields(client: FlaskClient, user: SignedIn) -> None:
    response = client.post(
        "/api/v1/users/me/password", json={"new_password": NEW_PASSWORD}, headers=user.headers
    )
    assert_field_error(response, "current_password")


def test_changing_the_password_revokes_every_other_session(
    client: FlaskClient, user: SignedIn
) -> None:
    second = _login(client, user.user["email"]).json
    _change_password(client, user, user.password, NEW_PASSWORD)
    me = client.get("/api/v1/users/me", headers=bearer(second["access_token"]))
    assert_error(me, 401, "token_revoked")
    refreshed = client.post("/api/v1/auth/refresh", headers=bearer(second["refresh_token"]))
    assert_error(refreshed, 401, "token_revoked")


def test_changing_the_password_keeps_the_current_session(
    client: FlaskClient, user: SignedIn
) -> None:
    _change_password(client, user, user.password, NEW_PASSWORD)
    assert client.get("/api/v1/users/me", headers=user.headers).status_code == 200
    assert client.post("/api/v1/auth/refresh", headers=user.refresh_headers).status_code == 200


def test_changing_the_password_without_a_token_is_not_authenticated(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/users/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert_error(response, 401, "not_authenticated")


def test_an_admin_signs_in_like_anybody(auth: Callable[..., SignedIn]) -> None:
    assert auth(Role.ADMIN).user["role"] == "admin"


def test_waiting_as_long_as_retry_after_says_is_enough(
    client: FlaskClient, user: SignedIn, clock: FixedClock
) -> None:
    _fail_five_times(client, user.user["email"])
    limited = _login(client, user.user["email"])
    clock.advance(seconds=int(limited.headers["Retry-After"]))
    assert _login(client, user.user["email"]).status_code == 200
