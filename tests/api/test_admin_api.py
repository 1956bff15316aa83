"""What only admins may do: list users, change roles and activity, delete users."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from domain.users import Role
from tests.api.conftest import Write
from tests.api.helpers import FULL_USER_KEYS, PAGE_KEYS, assert_error, assert_field_error
from tests.conftest import SignedIn
from tests.factories import FixedClock, registration


def _patch(
    client: FlaskClient, who: SignedIn, user_id: int, body: dict[str, object]
) -> TestResponse:
    return client.patch(f"/api/v1/users/{user_id}", json=body, headers=who.headers)


def _login(client: FlaskClient, who: SignedIn) -> TestResponse:
    return client.post(
        "/api/v1/auth/login", json={"email": who.user["email"], "password": who.password}
    )


# GET /users


def test_listing_users_needs_a_token(client: FlaskClient) -> None:
    assert_error(client.get("/api/v1/users"), 401, "not_authenticated")


def test_listing_users_is_forbidden_to_a_plain_user(client: FlaskClient, user: SignedIn) -> None:
    assert_error(client.get("/api/v1/users", headers=user.headers), 403, "forbidden")


def test_an_admin_lists_users_as_a_page_of_full_users(
    client: FlaskClient, admin: SignedIn, user: SignedIn
) -> None:
    response = client.get("/api/v1/users", headers=admin.headers)
    assert response.status_code == 200
    page = response.json
    assert set(page) == PAGE_KEYS
    assert page["total"] == 2
    assert page["page"] == 1
    assert page["per_page"] == 20
    assert page["pages"] == 1
    assert page["next_cursor"] is None
    assert all(set(item) == FULL_USER_KEYS for item in page["items"])
    assert {item["id"] for item in page["items"]} == {admin.id, user.id}


def test_users_are_listed_newest_first_whatever_their_ids(
    client: FlaskClient, admin: SignedIn, auth: Callable[..., SignedIn], clock: FixedClock
) -> None:
    clock.advance(minutes=1)
    newest = auth()
    clock.advance(minutes=-1)
    older_with_higher_id = auth()
    items = client.get("/api/v1/users", headers=admin.headers).json["items"]
    assert older_with_higher_id.id > newest.id
    assert [item["id"] for item in items][:2] == [newest.id, older_with_higher_id.id]


def test_users_created_at_the_same_moment_are_listed_by_id_descending(
    client: FlaskClient, admin: SignedIn, auth: Callable[..., SignedIn]
) -> None:
    for _ in range(3):
        auth()
    ids = [item["id"] for item in client.get("/api/v1/users", headers=admin.headers).json["items"]]
    assert ids == sorted(ids, reverse=True)


def test_users_are_paged(
    client: FlaskClient, admin: SignedIn, auth: Callable[..., SignedIn]
) -> None:
    for _ in range(4):
        auth()
    page = client.get("/api/v1/users?page=2&per_page=2", headers=admin.headers).json
    everyone = client.get("/api/v1/users", headers=admin.headers).json["items"]
    assert [item["id"] for item in page["items"]] == [item["id"] for item in everyone[2:4]]
    assert (page["total"], page["page"], page["per_page"], page["pages"]) == (5, 2, 2, 3)


def test_a_user_page_past_the_end_is_empty(client: FlaskClient, admin: SignedIn) -> None:
    page = client.get("/api/v1/users?page=5", headers=admin.headers).json
    assert page["items"] == []
    assert page["total"] == 1
    assert page["next_cursor"] is None


def test_walking_users_by_cursor_visits_everyone_once(
    client: FlaskClient, admin: SignedIn, auth: Callable[..., SignedIn], clock: FixedClock
) -> None:
    for minutes in (3, 0, 5, 0, 1):
        clock.advance(minutes=minutes)
        auth()
    expected = [i["id"] for i in client.get("/api/v1/users", headers=admin.headers).json["items"]]
    seen, cursor = [], None
    while True:
        query = {"per_page": 2} if cursor is None else {"per_page": 2, "cursor": cursor}
        page = client.get("/api/v1/users", query_string=query, headers=admin.headers).json
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == expected
    assert len(seen) == 6


def test_users_are_searched_by_name_without_regard_to_case(
    client: FlaskClient, admin: SignedIn, auth: Callable[..., SignedIn]
) -> None:
    wanted = auth(name="Grace Hopper")
    auth(name="Alan Turing")
    page = client.get("/api/v1/users?search=hOPPer", headers=admin.headers).json
    assert [item["id"] for item in page["items"]] == [wanted.id]
    assert page["total"] == 1


def test_users_are_searched_by_email(
    client: FlaskClient, admin: SignedIn, auth: Callable[..., SignedIn]
) -> None:
    wanted = auth(email="ada@analytical.example")
    auth()
    page = client.get("/api/v1/users?search=ANALYTICAL", headers=admin.headers).json
    assert [item["id"] for item in page["items"]] == [wanted.id]


def test_a_user_search_too_long_to_match_is_a_400_not_an_outage(
    client: FlaskClient, admin: SignedIn
) -> None:
    """SQLite refuses a LIKE pattern of more than 50,000 bytes, which read as an outage."""
    response = client.get(f"/api/v1/users?search={'a' * 100_000}", headers=admin.headers)
    assert response.status_code == 400
    assert response.json["errors"] == {"search": ["Must be at most 254 characters."]}


# PATCH /users/<id> as an admin


def test_an_admin_renames_another_user(
    client: FlaskClient, admin: SignedIn, user: SignedIn
) -> None:
    response = _patch(client, admin, user.id, {"name": "Renamed By Admin"})
    assert response.status_code == 200
    assert response.json["name"] == "Renamed By Admin"


def test_an_admin_sees_another_users_full_record(
    client: FlaskClient, admin: SignedIn, user: SignedIn
) -> None:
    response = client.get(f"/api/v1/users/{user.id}", headers=admin.headers)
    assert response.json == user.user


def test_an_admin_promotes_a_user_who_then_has_admin_rights_at_once(
    client: FlaskClient, admin: SignedIn, user: SignedIn
) -> None:
    response = _patch(client, admin, user.id, {"role": "admin"})
    assert response.status_code == 200
    assert response.json["role"] == "admin"
    assert client.get("/api/v1/users", headers=user.headers).status_code == 200


def test_a_demoted_admin_is_refused_admin_routes_at_once(
    client: FlaskClient, admin: SignedIn, auth: Callable[..., SignedIn]
) -> None:
    second = auth(Role.ADMIN)
    assert client.get("/api/v1/users", headers=second.headers).status_code == 200
    assert _patch(client, admin, second.id, {"role": "user"}).status_code == 200
    assert_error(client.get("/api/v1/users", headers=second.headers), 403, "forbidden")


def test_an_admin_may_demote_themself_while_another_admin_remains(
    client: FlaskClient, admin: SignedIn, auth: Callable[..., SignedIn]
) -> None:
    auth(Role.ADMIN)
    response = _patch(client, admin, admin.id, {"role": "user"})
    assert response.status_code == 200
    assert response.json["role"] == "user"


def test_the_last_admin_cannot_be_demoted(client: FlaskClient, admin: SignedIn) -> None:
    assert_error(_patch(client, admin, admin.id, {"role": "user"}), 409, "last_admin")
    assert client.get("/api/v1/users/me", headers=admin.headers).json["role"] == "admin"


def test_the_last_admin_cannot_be_deactivated(client: FlaskClient, admin: SignedIn) -> None:
    assert_error(_patch(client, admin, admin.id, {"is_active": False}), 409, "last_admin")
    assert client.get("/api/v1/users/me", headers=admin.headers).status_code == 200


def test_an_inactive_admin_does_not_count_as_the_remaining_admin(
    client: FlaskClient, admin: SignedIn, auth: Callable[..., SignedIn]
) -> None:
    second = auth(Role.ADMIN)
    assert _patch(client, admin, second.id, {"is_active": False}).status_code == 200
    assert_error(_patch(client, admin, admin.id, {"role": "user"}), 409, "last_admin")


def test_deactivating_a_user_revokes_their_sessions(
    client: FlaskClient, admin: SignedIn, user: SignedIn
) -> None:
    response = _patch(client, admin, user.id, {"is_active": False})
    assert response.status_code == 200
    assert response.json["is_active"] is False
    me = client.get("/api/v1/users/me", headers=user.headers)
    assert_error(me, 401, "token_revoked")
    refreshed = client.post("/api/v1/auth/refresh", headers=user.refresh_headers)
    assert_error(refreshed, 401, "token_revoked")


def test_a_deactivated_user_cannot_log_in(
    client: FlaskClient, admin: SignedIn, user: SignedIn
) -> None:
    _patch(client, admin, user.id, {"is_active": False})
    assert_error(_login(client, user), 403, "account_inactive")


def test_a_reactivated_user_logs_in_again(
    client: FlaskClient, admin: SignedIn, user: SignedIn
) -> None:
    _patch(client, admin, user.id, {"is_active": False})
    _patch(client, admin, user.id, {"is_active": True})
    assert _login(client, user).status_code == 200


def test_an_admin_changing_to_a_taken_email_is_a_conflict(
    client: FlaskClient, admin: SignedIn, user: SignedIn, other: SignedIn
) -> None:
    response = _patch(client, admin, user.id, {"email": other.user["email"]})
    assert_error(response, 409, "email_taken")


def test_patching_an_unknown_user_is_not_found(client: FlaskClient, admin: SignedIn) -> None:
    assert_error(_patch(client, admin, 999_999, {"name": "Nobody"}), 404, "not_found")


def test_an_unknown_role_is_a_validation_error(
    client: FlaskClient, admin: SignedIn, user: SignedIn, subtests: pytest.Subtests
) -> None:
    for role in ["superuser", "ADMIN", "", 1, True]:
        with subtests.test(role=role):
            assert_field_error(_patch(client, admin, user.id, {"role": role}), "role")


def test_is_active_takes_only_a_boolean(
    client: FlaskClient, admin: SignedIn, user: SignedIn, subtests: pytest.Subtests
) -> None:
    for value in ["false", 0, "no"]:
        with subtests.test(value=value):
            assert_field_error(_patch(client, admin, user.id, {"is_active": value}), "is_active")


# DELETE /users/<id>


def test_an_admin_deletes_a_user(client: FlaskClient, admin: SignedIn, user: SignedIn) -> None:
    response = client.delete(f"/api/v1/users/{user.id}", headers=admin.headers)
    assert response.status_code == 204
    assert response.data == b""
    gone = client.get(f"/api/v1/users/{user.id}", headers=admin.headers)
    assert_error(gone, 404, "not_found")


def test_a_deleted_users_token_is_revoked(
    client: FlaskClient, admin: SignedIn, user: SignedIn
) -> None:
    client.delete(f"/api/v1/users/{user.id}", headers=admin.headers)
    assert_error(client.get("/api/v1/users/me", headers=user.headers), 401, "token_revoked")
    refreshed = client.post("/api/v1/auth/refresh", headers=user.refresh_headers)
    assert_error(refreshed, 401, "token_revoked")


def test_a_deleted_users_posts_go_with_them(
    client: FlaskClient,
    admin: SignedIn,
    user: SignedIn,
    other: SignedIn,
    write_post: Write,
) -> None:
    doomed = write_post(user)
    kept = write_post(other)
    client.delete(f"/api/v1/users/{user.id}", headers=admin.headers)
    assert_error(client.get(f"/api/v1/posts/{doomed['id']}"), 404, "not_found")
    listed = client.get("/api/v1/posts").json
    assert [item["id"] for item in listed["items"]] == [kept["id"]]
    assert listed["total"] == 1


def test_a_deleted_users_email_can_register_again(
    client: FlaskClient, admin: SignedIn, user: SignedIn
) -> None:
    client.delete(f"/api/v1/users/{user.id}", headers=admin.headers)
    again = client.post("/api/v1/users", json=registration(email=user.user["email"]))
    assert again.status_code == 201


def test_a_plain_user_may_not_delete_anybody(
    client: FlaskClient, user: SignedIn, other: SignedIn
) -> None:
    response = client.delete(f"/api/v1/users/{other.id}", headers=user.headers)
    assert_error(response, 403, "forbidden")
    assert client.get("/api/v1/users/me", headers=other.headers).status_code == 200


def test_a_plain_user_may_not_delete_themself(client: FlaskClient, user: SignedIn) -> None:
    response = client.delete(f"/api/v1/users/{user.id}", headers=user.headers)
    assert_error(response, 403, "forbidden")


def test_deleting_needs_a_token(client: FlaskClient, user: SignedIn) -> None:
    assert_error(client.delete(f"/api/v1/users/{user.id}"), 401, "not_authenticated")


def test_deleting_an_unknown_user_is_not_found(client: FlaskClient, admin: SignedIn) -> None:
    response = client.delete("/api/v1/users/999999", headers=admin.headers)
    assert_error(response, 404, "not_found")


def test_the_last_admin_cannot_be_deleted(client: FlaskClient, admin: SignedIn) -> None:
    response = client.delete(f"/api/v1/users/{admin.id}", headers=admin.headers)
    assert_error(response, 409, "last_admin")
    assert client.get("/api/v1/users/me", headers=admin.headers).status_code == 200


def test_an_admin_may_delete_another_admin(
    client: FlaskClient, admin: SignedIn, auth: Callable[..., SignedIn]
) -> None:
    second = auth(Role.ADMIN)
    response = client.delete(f"/api/v1/users/{second.id}", headers=admin.headers)
    assert response.status_code == 204
