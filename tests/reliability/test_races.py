"""Races on PostgreSQL: requests released together on threads against one app lose nothing."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from application.users import Registration
from domain.users import Role
from interfaces.container import Container
from tests.factories import PASSWORD
from tests.pg import wrong_post_counters
from tests.reliability.conftest import at_once, bearer, promote_to_admin, scalar, sign_up

pytestmark = pytest.mark.postgres

CASES = ["racer@example.com", "RACER@example.com", "Racer@Example.com", "racer@EXAMPLE.COM"]


def test_twenty_simultaneous_registrations_of_one_email_create_exactly_one_user(
    pg_app: Flask, pg_container: Container
) -> None:
    def register(i: int) -> tuple[int, Any]:
        body = {"email": CASES[i % len(CASES)], "name": f"Racer {i}", "password": PASSWORD}
        response = pg_app.test_client().post("/api/v1/users", json=body)
        return response.status_code, response.json

    answers = at_once(20, register)

    statuses = sorted(status for status, _ in answers)
    assert statuses == [201] + [409] * 19, answers
    assert all(body["code"] == "email_taken" for status, body in answers if status == 409)
    count = scalar(
        pg_container, "SELECT count(*) FROM users WHERE lower(email) = 'racer@example.com'"
    )
    assert count == 1
    assert scalar(pg_container, "SELECT email FROM users") == "racer@example.com"


def test_simultaneous_registrations_of_one_name_all_get_a_derived_username(
    pg_app: Flask, pg_container: Container
) -> None:
    """Without a username each is derived from the name, a suffix when taken (docs/API.md):
    one taken by a concurrent registration is derived again, never a 409."""

    def register(i: int) -> tuple[int, Any]:
        body = {"email": f"same{i}@example.com", "name": "Same Name", "password": PASSWORD}
        response = pg_app.test_client().post("/api/v1/users", json=body)
        return response.status_code, response.json

    answers = at_once(12, register)

    assert [status for status, _ in answers] == [201] * 12, answers
    names = {body["username"] for _, body in answers}
    assert names == {"same_name", *(f"same_name_{n}" for n in range(2, 13))}
    assert scalar(pg_container, "SELECT count(*) FROM users") == 12


def test_twenty_simultaneous_patches_with_one_if_match_apply_exactly_once(
    pg_app: Flask, pg_container: Container
) -> None:
    author = sign_up(pg_app, "author@example.com")
    headers = bearer(author["access_token"])
    client = pg_app.test_client()
    created = client.post("/api/v1/posts", json={"title": "v1", "content": "c"}, headers=headers)
    assert created.status_code == 201
    post_id, etag = created.json["id"], created.headers["ETag"]

    def patch(i: int) -> tuple[int, Any]:
        response = pg_app.test_client().patch(
            f"/api/v1/posts/{post_id}",
            json={"title": f"edit {i}"},
            headers={**headers, "If-Match": etag},
        )
        return response.status_code, response.json

    answers = at_once(20, patch)

    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] + [412] * 19, answers
    assert all(body["code"] == "precondition_failed" for s, body in answers if s == 412)
    winner = next(body for status, body in answers if status == 200)
    stored = client.get(f"/api/v1/posts/{post_id}", headers=headers)
    assert stored.json["title"] == winner["title"]  # no lost update: the 200 is what stuck
    assert scalar(pg_container, "SELECT version FROM posts WHERE id = :id", id=post_id) == 2
    assert stored.headers["ETag"] != etag


def write_a_post(app: Flask, headers: dict[str, str]) -> int:
    created = app.test_client().post(
        "/api/v1/posts", json={"title": "v1", "content": "c"}, headers=headers
    )
    assert created.status_code == 201
    return int(created.json["id"])


def test_twenty_simultaneous_patches_without_if_match_all_apply_and_the_last_wins(
    pg_app: Flask, pg_container: Container
) -> None:
    """No precondition was sent, so none can fail: each edit applies whole to the latest."""
    headers = bearer(sign_up(pg_app, "author@example.com")["access_token"])
    post_id = write_a_post(pg_app, headers)

    def patch(i: int) -> tuple[int, Any]:
        response = pg_app.test_client().patch(
            f"/api/v1/posts/{post_id}", json={"title": f"edit {i}"}, headers=headers
        )
        return response.status_code, response.json

    answers = at_once(20, patch)

    assert [status for status, _ in answers] == [200] * 20, answers
    assert scalar(pg_container, "SELECT version FROM posts WHERE id = :id", id=post_id) == 21
    last = max((body for _, body in answers), key=lambda body: body["updated_at"])
    stored = pg_app.test_client().get(f"/api/v1/posts/{post_id}", headers=headers)
    assert (stored.json["title"], stored.json["updated_at"]) == (last["title"], last["updated_at"])


def test_puts_and_a_delete_racing_without_if_match_each_apply_or_find_the_post_gone(
    pg_app: Flask, pg_container: Container
) -> None:
    headers = bearer(sign_up(pg_app, "author@example.com")["access_token"])
    post_id = write_a_post(pg_app, headers)
    body = {"title": "replaced", "content": "c", "published": True}

    def change(i: int) -> int:
        client, path = pg_app.test_client(), f"/api/v1/posts/{post_id}"
        if i == 10:
            return client.delete(path, headers=headers).status_code
        return client.put(path, json=body, headers=headers).status_code

    answers = at_once(20, change)

    assert answers[10] == 204, answers
    assert set(answers[:10] + answers[11:]) <= {200, 404}, answers
    assert scalar(pg_container, "SELECT count(*) FROM posts") == 0
    assert wrong_post_counters(pg_container.engine()) == 0


def test_posts_written_published_and_deleted_at_once_keep_every_counter_exact(
    pg_app: Flask, pg_container: Container
) -> None:
    """Writers take the counters in one order (totals, then authors): none deadlocks, none
    loses a count, whether it writes a new post or moves an old one between states."""
    authors = [bearer(sign_up(pg_app, f"writer{n}@example.com")["access_token"]) for n in range(2)]
    client = pg_app.test_client()
    old = [
        client.post("/api/v1/posts", json={"title": f"old {n}", "content": "c"}, headers=h).json
        for n, h in enumerate(authors * 4)
    ]

    def write(i: int) -> int:
        headers, path = authors[i % 2], f"/api/v1/posts/{old[i % len(old)]['id']}"
        client = pg_app.test_client()
        if i < 16:
            body = {"title": f"new {i}", "content": "c", "published": i % 3 == 0}
            return client.post("/api/v1/posts", json=body, headers=headers).status_code
        if i < 20:
            return client.patch(path, json={"published": True}, headers=headers).status_code
        return client.delete(path, headers=headers).status_code

    answers = at_once(24, write)

    assert sorted(set(answers)) == [200, 201, 204], answers
    assert wrong_post_counters(pg_container.engine()) == 0
    assert scalar(pg_container, "SELECT count(*) FROM posts") == 8 + 16 - 4


def test_two_simultaneous_refreshes_with_one_token_give_at_most_one_pair_and_end_the_session(
    pg_app: Flask, pg_container: Container
) -> None:
    """The second presentation of a refresh token is a replay: docs/API.md revokes the session."""
    for round_ in range(3):  # several rounds, so the two do overlap in the database at least once
        login = sign_up(pg_app, f"refresher{round_}@example.com")

        def refresh(_: int, token: str = login["refresh_token"]) -> tuple[int, Any]:
            response = pg_app.test_client().post("/api/v1/auth/refresh", headers=bearer(token))
            return response.status_code, response.json

        answers = at_once(2, refresh)

        statuses = sorted(status for status, _ in answers)
        assert statuses in ([200, 401], [401, 401]), answers
        assert all(body["code"] == "token_revoked" for s, body in answers if s == 401)
        client = pg_app.test_client()
        for _, body in answers:
            if "refresh_token" in body:
                again = client.post("/api/v1/auth/refresh", headers=bearer(body["refresh_token"]))
                assert again.status_code == 401
                me = client.get("/api/v1/users/me", headers=bearer(body["access_token"]))
                assert me.status_code == 401 and me.json["code"] == "token_revoked"
        old_access = client.get("/api/v1/users/me", headers=bearer(login["access_token"]))
        assert old_access.status_code == 401 and old_access.json["code"] == "token_revoked"
        revoked = scalar(
            pg_container,
            "SELECT bool_and(revoked_at IS NOT NULL) FROM sessions WHERE user_id = :id",
            id=login["user"]["id"],
        )
        assert revoked is True


def make_admin(container: Container, app: Flask, email: str) -> dict[str, Any]:
    container.register_user()(
        Registration(email=email, name=email.split("@")[0], password=PASSWORD), role=Role.ADMIN
    )
    response = app.test_client().post(
        "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
    )
    assert response.status_code == 200
    return response.json  # type: ignore[no-any-return]


ACTIONS = {
    "demote": ("PATCH", {"role": "user"}),
    "deactivate": ("PATCH", {"is_active": False}),
    "delete": ("DELETE", None),
}


@pytest.mark.parametrize("action", ACTIONS)
def test_the_last_two_admins_removing_each_other_at_once_leave_one_active_admin(
    pg_app: Flask, pg_container: Container, action: str
) -> None:
    method, body = ACTIONS[action]
    for round_ in range(3):
        one = make_admin(pg_container, pg_app, f"one{round_}-{action}@example.com")
        two = make_admin(pg_container, pg_app, f"two{round_}-{action}@example.com")

        def remove(i: int, pairs: Any = ((one, two), (two, one))) -> tuple[int, Any]:
            actor, target = pairs[i]
            response = pg_app.test_client().open(
                f"/api/v1/users/{target['user']['id']}",
                method=method,
                json=body,
                headers=bearer(actor["access_token"]),
            )
            return response.status_code, response.json

        answers = at_once(2, remove)

        statuses = sorted(status for status, _ in answers)
        assert statuses[0] in (200, 204) and statuses[1] in (401, 403, 409), answers
        active_admins = scalar(
            pg_container,
            "SELECT count(*) FROM users WHERE role = 'admin' AND is_active",
        )
        assert active_admins == 1, answers
        # Put things back for the next round: the survivor is the only admin now.
        with pg_container.engine().begin() as connection:
            connection.execute(text("DELETE FROM users"))


def test_reset_requests_racing_their_accounts_deletion_are_all_202(
    pg_app: Flask, pg_container: Container
) -> None:
    """A reset request always answers 202 (docs/API.md): one whose account is deleted while it
    runs neither fails its link's foreign key nor leaves a link behind."""
    admin = sign_up(pg_app, "boss@example.com")
    promote_to_admin(pg_container, admin)
    doomed = [sign_up(pg_app, f"doomed{n}@example.com") for n in range(10)]

    def act(i: int) -> int:
        client, person = pg_app.test_client(), doomed[i // 2]
        if i % 2:
            path = f"/api/v1/users/{person['user']['id']}"
            return client.delete(path, headers=bearer(admin["access_token"])).status_code
        body = {"email": person["user"]["email"]}
        return client.post("/api/v1/auth/password-reset", json=body).status_code

    answers = at_once(20, act)

    assert answers[0::2] == [202] * 10 and answers[1::2] == [204] * 10, answers
    assert scalar(pg_container, "SELECT count(*) FROM link_tokens WHERE purpose = 'reset'") == 0
    assert scalar(pg_container, "SELECT count(*) FROM users") == 1
