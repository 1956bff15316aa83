"""The same situation has the same outcome through the CLI and through HTTP."""

from __future__ import annotations

from flask.testing import FlaskClient

from domain.users import Role
from tests.cli.expect import one_line_error

VALID = "Admin-Secret-42"


def _still_active_admin(client: FlaskClient, headers: dict[str, str]) -> bool:
    me = client.get("/api/v1/users/me", headers=headers).json
    return me["role"] == "admin" and me["is_active"] is True


def test_the_last_active_admin_cannot_be_demoted_through_either_door(quill, auth, client):
    admin = auth(Role.ADMIN)

    line = one_line_error(quill("users", "set-role", admin.user["email"], "user"))
    response = client.patch(
        f"/api/v1/users/{admin.id}", json={"role": "user"}, headers=admin.headers
    )

    assert "last active admin" in line
    assert (response.status_code, response.json["code"]) == (409, "last_admin")
    assert response.json["message"] in line
    assert _still_active_admin(client, admin.headers)


def test_the_last_active_admin_cannot_be_deactivated_through_either_door(quill, auth, client):
    admin = auth(Role.ADMIN)

    line = one_line_error(quill("users", "deactivate", admin.user["email"]))
    response = client.patch(
        f"/api/v1/users/{admin.id}", json={"is_active": False}, headers=admin.headers
    )

    assert "last active admin" in line
    assert (response.status_code, response.json["code"]) == (409, "last_admin")
    assert _still_active_admin(client, admin.headers)


def test_the_last_active_admin_cannot_be_deleted_through_either_door(quill, auth, client):
    admin = auth(Role.ADMIN)

    line = one_line_error(quill("users", "delete", admin.user["email"], "--yes"))
    response = client.delete(f"/api/v1/users/{admin.id}", headers=admin.headers)

    assert "last active admin" in line
    assert (response.status_code, response.json["code"]) == (409, "last_admin")
    assert _still_active_admin(client, admin.headers)


def test_an_inactive_admin_does_not_count_towards_keeping_one(quill, auth, client):
    admin, other = auth(Role.ADMIN), auth(Role.ADMIN)
    assert quill("users", "deactivate", other.user["email"]).exit_code == 0

    line = one_line_error(quill("users", "set-role", admin.user["email"], "user"))
    response = client.patch(
        f"/api/v1/users/{admin.id}", json={"role": "user"}, headers=admin.headers
    )

    assert "last active admin" in line
    assert response.json["code"] == "last_admin"


def test_the_cli_may_remove_an_admin_while_another_stays(quill, auth, client):
    admin, other = auth(Role.ADMIN), auth(Role.ADMIN)

    result = quill("users", "delete", other.user["email"], "--yes")

    assert result.exit_code == 0, result.output
    assert client.get(f"/api/v1/users/{other.id}", headers=admin.headers).status_code == 404


def test_an_unknown_user_is_not_found_through_either_door(quill, auth, client):
    admin = auth(Role.ADMIN)

    line = one_line_error(quill("users", "deactivate", "nobody@example.com"))
    response = client.patch(
        "/api/v1/users/999999", json={"is_active": False}, headers=admin.headers
    )

    assert (response.status_code, response.json["code"]) == (404, "not_found")
    assert response.json["message"] in line


def test_create_admin_enforces_the_same_password_policy_as_registration(quill, client, uow):
    body = {"email": "weak@example.com", "name": "Weak", "password": "short"}
    response = client.post("/api/v1/users", json=body)

    line = one_line_error(quill("create-admin", *_options(body)))

    assert (response.status_code, response.json["code"]) == (400, "validation_error")
    problems = response.json["errors"]["password"]
    assert problems
    assert all(problem in line for problem in problems)
    assert uow.store.users == {}


def test_create_admin_accepts_what_registration_accepts(quill, client):
    first = {"email": "one@example.com", "name": "One", "password": "Abcdefg1"}
    second = {"email": "two@example.com", "name": "Two", "password": "Abcdefg1"}

    assert client.post("/api/v1/users", json=first).status_code == 201
    assert quill("create-admin", *_options(second)).exit_code == 0


def test_create_admin_enforces_the_same_email_rule_as_registration(quill, client):
    body = {"email": "no-at-sign.example.com", "name": "Nobody", "password": VALID}
    response = client.post("/api/v1/users", json=body)

    line = one_line_error(quill("create-admin", *_options(body)))

    assert response.status_code == 400
    assert all(problem in line for problem in response.json["errors"]["email"])


def test_a_taken_email_is_refused_alike_through_either_door(quill, client):
    body = {"email": "taken@example.com", "name": "First", "password": VALID}
    assert client.post("/api/v1/users", json=body).status_code == 201
    again = {**body, "email": "TAKEN@example.com"}

    response = client.post("/api/v1/users", json=again)
    line = one_line_error(quill("create-admin", *_options(again)))

    assert (response.status_code, response.json["code"]) == (409, "email_taken")
    assert response.json["message"] in line


def _options(body: dict[str, str]) -> list[str]:
    return ["--email", body["email"], "--name", body["name"], "--password", body["password"]]
