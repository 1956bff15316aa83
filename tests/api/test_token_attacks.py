"""Tokens that must not open anything: expired, tampered, forged, misused or revoked."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.api.conftest import Forge, claims_of, timestamp
from tests.api.helpers import assert_error, bearer
from tests.conftest import SignedIn
from tests.factories import PASSWORD, FixedClock

ME = "/api/v1/users/me"
REFRESH = "/api/v1/auth/refresh"


def _me(client: FlaskClient, token: str) -> TestResponse:
    return client.get(ME, headers=bearer(token))


def test_a_protected_route_without_a_header_is_not_authenticated(client: FlaskClient) -> None:
    response = client.get(ME)
    assert_error(response, 401, "not_authenticated")


def test_an_access_token_expires_after_15_minutes(
    client: FlaskClient, user: SignedIn, clock: FixedClock
) -> None:
    clock.advance(minutes=15, seconds=1)
    assert_error(_me(client, user.access_token), 401, "token_expired")


def test_an_access_token_still_works_just_before_it_expires(
    client: FlaskClient, user: SignedIn, clock: FixedClock
) -> None:
    clock.advance(minutes=14, seconds=59)
    assert _me(client, user.access_token).status_code == 200


def test_a_refresh_token_outlives_its_access_token(
    client: FlaskClient, user: SignedIn, clock: FixedClock
) -> None:
    clock.advance(days=29)
    assert client.post(REFRESH, headers=user.refresh_headers).status_code == 200


def test_a_refresh_token_expires_after_30_days(
    client: FlaskClient, user: SignedIn, clock: FixedClock
) -> None:
    clock.advance(days=30, seconds=1)
    assert_error(client.post(REFRESH, headers=user.refresh_headers), 401, "token_expired")


@pytest.mark.parametrize("ended_by", ["logout", "deactivation", "deletion"])
def test_a_token_of_an_ended_session_is_revoked_even_once_expired(
    client: FlaskClient,
    user: SignedIn,
    admin: SignedIn,
    clock: FixedClock,
    ended_by: str,
) -> None:
    """docs/API.md: "a token of a session ended for any reason ... is token_revoked": its
    holder must log in again, which an expired token's answer would not tell them."""
    if ended_by == "logout":
        assert client.post("/api/v1/auth/logout", headers=user.headers).status_code == 200
    elif ended_by == "deactivation":
        change = client.patch(
            f"/api/v1/users/{user.id}", json={"is_active": False}, headers=admin.headers
        )
        assert change.status_code == 200
    else:
        assert client.delete(f"/api/v1/users/{user.id}", headers=admin.headers).status_code == 204
    clock.advance(days=30, seconds=1)  # both tokens expired
    assert_error(_me(client, user.access_token), 401, "token_revoked")
    assert_error(client.post(REFRESH, headers=user.refresh_headers), 401, "token_revoked")


def test_a_token_of_a_session_that_ran_out_stays_expired_once_forgotten(
    client: FlaskClient, user: SignedIn, clock: FixedClock
) -> None:
    """A login forgets its user's expired sessions: one no longer stored is not taken for
    one ended (and nothing tells the token's holder whether its owner logged in since)."""
    clock.advance(days=30, seconds=1)
    login = {"email": user.user["email"], "password": PASSWORD}
    assert client.post("/api/v1/auth/login", json=login).status_code == 200
    assert_error(_me(client, user.access_token), 401, "token_expired")
    assert_error(client.post(REFRESH, headers=user.refresh_headers), 401, "token_expired")


def test_a_token_issued_while_the_server_clock_runs_ahead_is_accepted(
    client: FlaskClient, user: SignedIn, clock: FixedClock
) -> None:
    """Time checks belong to the injected clock: a server (or another instance) whose clock is
    ahead of this machine's must still be able to issue tokens this server accepts."""
    clock.now = datetime.now(UTC) + timedelta(hours=1)
    tokens = client.post(
        "/api/v1/auth/login", json={"email": user.user["email"], "password": PASSWORD}
    ).json
    assert _me(client, tokens["access_token"]).status_code == 200


def _tamper_payload(token: str, **changes: Any) -> str:
    header, _, signature = token.split(".")
    claims = {**claims_of(token), **changes}
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{header}.{payload}.{signature}"


def test_a_token_with_a_tampered_signature_is_invalid(client: FlaskClient, user: SignedIn) -> None:
    head, payload, signature = user.access_token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert_error(_me(client, f"{head}.{payload}.{flipped}"), 401, "token_invalid")


def test_a_token_with_a_tampered_payload_is_invalid(
    client: FlaskClient, user: SignedIn, other: SignedIn
) -> None:
    forged = _tamper_payload(user.access_token, sub=str(other.id))
    assert_error(_me(client, forged), 401, "token_invalid")


def test_a_token_without_a_signature_is_invalid(client: FlaskClient, user: SignedIn) -> None:
    head, payload, _ = user.access_token.split(".")
    assert_error(_me(client, f"{head}.{payload}."), 401, "token_invalid")


def test_a_token_with_alg_none_is_invalid(client: FlaskClient, user: SignedIn) -> None:
    forged = jwt.encode(claims_of(user.access_token), None, algorithm="none")
    assert_error(_me(client, forged), 401, "token_invalid")


def test_a_token_signed_with_a_wrong_key_is_invalid(
    client: FlaskClient, user: SignedIn, forge: Forge
) -> None:
    forged = forge(claims_of(user.access_token), key="a-completely-different-secret-key")
    assert_error(_me(client, forged), 401, "token_invalid")


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_a_token_signed_with_another_algorithm_is_invalid(
    client: FlaskClient, user: SignedIn, forge: Forge
) -> None:
    forged = forge(claims_of(user.access_token), algorithm="HS512")
    assert_error(_me(client, forged), 401, "token_invalid")


def test_a_correctly_forged_copy_of_a_real_token_works(
    client: FlaskClient, user: SignedIn, forge: Forge
) -> None:
    """The control for the forgery tests: re-signing the same claims with the real key works."""
    assert _me(client, forge(claims_of(user.access_token))).status_code == 200


def test_a_token_missing_a_claim_is_invalid(
    client: FlaskClient, user: SignedIn, forge: Forge, subtests: pytest.Subtests
) -> None:
    for missing in ["sub", "sid", "jti", "typ", "aud", "iat", "exp"]:
        with subtests.test(missing=missing):
            claims = claims_of(user.access_token)
            del claims[missing]
            assert_error(_me(client, forge(claims)), 401, "token_invalid")


def test_a_token_with_a_malformed_claim_is_invalid(
    client: FlaskClient, user: SignedIn, forge: Forge, subtests: pytest.Subtests
) -> None:
    for changes in [
        {"sub": 1},
        {"sub": "abc"},
        {"sub": "0"},
        {"typ": "id"},
        {"aud": "conduit"},  # the RealWorld API's, whose tokens live as long as their session
        {"aud": ["v1"]},
        {"exp": "soon"},
        {"sid": ""},
    ]:
        with subtests.test(changes=changes):
            claims = {**claims_of(user.access_token), **changes}
            assert_error(_me(client, forge(claims)), 401, "token_invalid")


def test_a_token_naming_someone_else_on_a_real_session_is_refused(
    client: FlaskClient, user: SignedIn, other: SignedIn, forge: Forge
) -> None:
    claims = {**claims_of(user.access_token), "sub": str(other.id)}
    response = _me(client, forge(claims))
    assert response.status_code == 401
    assert response.json["code"] in {"token_invalid", "token_revoked"}


def test_a_validly_signed_token_that_expired_is_expired(
    client: FlaskClient, user: SignedIn, forge: Forge, clock: FixedClock
) -> None:
    claims = claims_of(user.access_token)
    claims["exp"] = timestamp(clock() - timedelta(seconds=1))
    assert_error(_me(client, forge(claims)), 401, "token_expired")


def test_an_access_token_is_refused_where_a_refresh_token_is_expected(
    client: FlaskClient, user: SignedIn
) -> None:
    assert_error(client.post(REFRESH, headers=user.headers), 401, "token_invalid")


def test_a_refresh_token_is_refused_where_an_access_token_is_expected(
    client: FlaskClient, user: SignedIn
) -> None:
    assert_error(_me(client, user.refresh_token), 401, "token_invalid")


def test_a_token_of_a_revoked_session_is_revoked(client: FlaskClient, user: SignedIn) -> None:
    client.post("/api/v1/auth/logout", headers=user.headers)
    assert_error(_me(client, user.access_token), 401, "token_revoked")


def test_a_basic_authorization_header_is_refused(client: FlaskClient, user: SignedIn) -> None:
    response = client.get(ME, headers={"Authorization": "Basic eHl6OnNlY3JldA=="})
    assert_error(response, 401, "token_invalid")


def test_a_malformed_authorization_header_is_refused(
    client: FlaskClient, subtests: pytest.Subtests
) -> None:
    for header in ["Bearer", "Bearer ", "Bearer    ", "Token abc", "abc"]:
        with subtests.test(header=header):
            assert_error(client.get(ME, headers={"Authorization": header}), 401, "token_invalid")


def test_a_token_that_is_not_a_jwt_is_invalid(
    client: FlaskClient, subtests: pytest.Subtests
) -> None:
    for token in ["garbage", "a.b.c", "x" * 5000, "eyJhbGciOiJIUzI1NiJ9.e30.", "..."]:
        with subtests.test(token=token):
            response = client.get(ME, headers={"Authorization": f"Bearer {token}"})
            assert_error(response, 401, "token_invalid")


def test_a_refused_token_on_a_public_route_is_still_refused(client: FlaskClient) -> None:
    """A token is optional on GET /posts, but one that is sent must be valid."""
    response = client.get("/api/v1/posts", headers={"Authorization": "Bearer garbage"})
    assert_error(response, 401, "token_invalid")


def test_a_refused_token_says_why_in_www_authenticate(client: FlaskClient) -> None:
    response = client.get(ME, headers={"Authorization": "Bearer garbage"})
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
