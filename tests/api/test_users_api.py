"""Reading and changing user accounts as their owner or as anybody else."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.api.helpers import FULL_USER_KEYS, PUBLIC_USER_KEYS, assert_error, assert_field_error
from tests.conftest import SignedIn
from tests.factories import FixedClock, registration


def _patch(
    client: FlaskClient, who: SignedIn, user_id: int, body: dict[str, object]
) -> TestResponse:
    return client.patch(f"/api/v1/users/{user_id}", json=body, headers=who.headers)


# GET /users/<id>


def test_a_user_sees_their_own_full_record(client: FlaskClient, user: SignedIn) -> None:
    response = client.get(f"/api/v1/users/{user.id}", headers=user.headers)
    assert response.status_code == 200
    assert set(response.json) == FULL_USER_KEYS
    assert response.json == user.user


def test_another_user_sees_only_the_public_profile(
    client: FlaskClient, user: SignedIn, other: SignedIn
) -> None:
    response = client.get(f"/api/v1/users/{other.id}", headers=user.headers)
    assert response.status_code == 200
    assert set(response.json) == PUBLIC_USER_KEYS
    assert response.json == {
        "id": other.id,
        "name": other.user["name"],
        "created_at": other.user["created_at"],
    }


def test_an_unknown_user_is_not_found(client: FlaskClient, user: SignedIn) -> None:
    assert_error(client.get("/api/v1/users/999999", headers=user.headers), 404, "not_found")


def test_reading_a_user_needs_a_token(client: FlaskClient, user: SignedIn) -> None:
    assert_error(client.get(f"/api/v1/users/{user.id}"), 401, "not_authenticated")


# PATCH /users/<id> on one's own account


def test_a_user_renames_themself(client: FlaskClient, user: SignedIn) -> None:
    response = _patch(client, user, user.id, {"name": "New Name"})
    assert response.status_code == 200
    assert set(response.json) == FULL_USER_KEYS
    assert response.json["name"] == "New Name"
    assert client.get("/api/v1/users/me", headers=user.headers).json["name"] == "New Name"


def test_a_change_moves_updated_at_but_not_created_at(
    client: FlaskClient, user: SignedIn, clock: FixedClock
) -> None:
    clock.advance(minutes=5)
    changed = _patch(client, user, user.id, {"name": "Later Name"}).json
    assert changed["created_at"] == user.user["created_at"]
    assert changed["updated_at"] == "2026-11-24T10:05:00Z"


def test_a_user_changes_their_email_which_is_stored_lower_cased(
    client: FlaskClient, user: SignedIn
) -> None:
    response = _patch(client, user, user.id, {"email": "Fresh.Address@Example.com"})
    assert response.status_code == 200
    assert response.json["email"] == "fresh.address@example.com"


def test_after_an_email_change_the_new_email_logs_in(client: FlaskClient, user: SignedIn) -> None:
    _patch(client, user, user.id, {"email": "moved@example.com"})
    response = client.post(
        "/api/v1/auth/login", json={"email": "moved@example.com", "password": user.password}
    )
    assert response.status_code == 200


def test_changing_to_a_taken_email_is_a_conflict(
    client: FlaskClient, user: SignedIn, other: SignedIn
) -> None:
    response = _patch(client, user, user.id, {"email": other.user["email"].upper()})
    assert_error(response, 409, "email_taken")
    assert client.get("/api/v1/users/me", headers=user.headers).json == user.user


def test_changing_to_ones_own_email_in_another_case_is_no_conflict(
    client: FlaskClient, user: SignedIn
) -> None:
    response = _patch(client, user, user.id, {"email": user.user["email"].upper()})
    assert response.status_code == 200
    assert response.json["email"] == user.user["email"]


def test_an_empty_patch_changes_nothing_and_answers_200(
    client: FlaskClient, user: SignedIn, clock: FixedClock
) -> None:
    clock.advance(minutes=5)
    response = _patch(client, user, user.id, {})
    assert response.status_code == 200
    assert response.json == user.user


@pytest.mark.parametrize("content_type", [None, "application/json", "text/plain"])
def test_a_patch_of_no_bytes_or_of_an_empty_object_is_an_empty_body_whatever_its_type(
    client: FlaskClient, user: SignedIn, clock: FixedClock, content_type: str | None
) -> None:
    """ "An empty body changes nothing and answers 200": a body of no bytes, or `{}`, is one,
    whatever type a client gives it (many send none with no body; `fetch` sends text)."""
    clock.advance(minutes=5)
    response = client.patch(
        f"/api/v1/users/{user.id}", data=b"", content_type=content_type, headers=user.headers
    )
    assert (response.status_code, response.json) == (200, user.user)
    response = client.patch(
        f"/api/v1/users/{user.id}", data=b"x", content_type="text/plain", headers=user.headers
    )
    assert_error(response, 415, "unsupported_media_type")  # a body sent must be JSON still
    response = client.patch(
        f"/api/v1/users/{user.id}", data=b" {} ", content_type="text/plain", headers=user.headers
    )
    assert (response.status_code, response.json) == (200, user.user)  # `fetch` sends text
    response = client.patch(
        f"/api/v1/users/{user.id}", data=b"\x0b{}", content_type="text/plain", headers=user.headers
    )
    assert_error(response, 415, "unsupported_media_type")  # \v is no JSON blank: not `{}`
    response = client.patch(
        f"/api/v1/users/{user.id}", data=b" ", content_type="application/json", headers=user.headers
    )
    assert_error(response, 400, "invalid_json")  # blanks are not an empty body


@pytest.mark.parametrize("method", ["post", "put"])
def test_a_post_or_put_of_no_bytes_is_no_json_body(
    client: FlaskClient, user: SignedIn, method: str
) -> None:
    """Only a PATCH has a meaning for nothing: a POST or PUT needs its fields."""
    path = "/api/v1/posts" if method == "post" else "/api/v1/posts/1"
    response = getattr(client, method)(path, data=b"", headers=user.headers)
    assert_error(response, 415, "unsupported_media_type")


def test_a_user_may_not_change_their_own_role(client: FlaskClient, user: SignedIn) -> None:
    response = _patch(client, user, user.id, {"role": "admin"})
    assert_error(response, 403, "forbidden")
    assert client.get("/api/v1/users/me", headers=user.headers).json["role"] == "user"


def test_a_user_may_not_change_their_own_activity(client: FlaskClient, user: SignedIn) -> None:
    response = _patch(client, user, user.id, {"is_active": False})
    assert_error(response, 403, "forbidden")
    assert client.get("/api/v1/users/me", headers=user.headers).status_code == 200


def test_a_user_may_not_send_role_even_unchanged(client: FlaskClient, user: SignedIn) -> None:
    assert_error(_patch(client, user, user.id, {"role": "user"}), 403, "forbidden")


def test_a_user_may_not_change_someone_elses_account(
    client: FlaskClient, user: SignedIn, other: SignedIn
) -> None:
    response = _patch(client, user, other.id, {"name": "Hijacked"})
    assert_error(response, 403, "forbidden")
    assert client.get("/api/v1/users/me", headers=other.headers).json["name"] == other.user["name"]


def test_patching_an_unknown_field_is_a_validation_error(
    client: FlaskClient, user: SignedIn
) -> None:
    assert_field_error(_patch(client, user, user.id, {"password_hash": "x"}), "password_hash")


def test_patching_with_a_bad_name_is_a_validation_error(
    client: FlaskClient, user: SignedIn
) -> None:
    assert_field_error(_patch(client, user, user.id, {"name": " x "}), "name")


def test_patching_with_a_bad_email_is_a_validation_error(
    client: FlaskClient, user: SignedIn
) -> None:
    assert_field_error(_patch(client, user, user.id, {"email": "not-an-address"}), "email")


def test_patching_needs_a_token(client: FlaskClient, user: SignedIn) -> None:
    response = client.patch(f"/api/v1/users/{user.id}", json={"name": "Anon"})
    assert_error(response, 401, "not_authenticated")


def test_a_registered_user_is_a_plain_user(client: FlaskClient) -> None:
    response = client.post("/api/v1/users", json=registration())
    assert response.json["role"] == "user"
