"""`quill users list`: a readable table, a case-insensitive search, and JSON for scripts."""

from __future__ import annotations

import json
import re
from datetime import datetime

from flask.testing import FlaskClient

from domain.users import Role
from tests.factories import make_user

FULL_USER = {"id", "email", "username", "name", "role", "is_active", "bio", "image"}
FULL_USER |= {"created_at", "updated_at"}
FULL_USER |= {"email_verified"}  # e-mail verification
HEADER = ["ID", "EMAIL", "USERNAME", "NAME", "ROLE", "ACTIVE", "CREATED"]


def test_users_list_prints_a_table_with_a_header_and_a_row_per_user(quill, auth):
    ada = auth(email="ada@example.com", name="Ada Lovelace")
    alan = auth(email="alan@example.com", name="Alan Turing")

    result = quill("users", "list")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == HEADER
    rows = [line for line in lines if "@" in line]
    assert len(rows) == 2
    assert any(row.split()[:2] == [str(ada.id), "ada@example.com"] for row in rows)
    assert any(row.split()[:2] == [str(alan.id), "alan@example.com"] for row in rows)


def test_users_list_shows_each_users_username_beside_their_email(quill, auth):
    auth(email="ada@example.com", name="Ada Lovelace")
    auth(email="alan@example.com", name="Alan Turing", username="Alan.T")

    rows = {line.split()[1]: line.split() for line in quill("users", "list").stdout.splitlines()}

    assert rows["ada@example.com"][2] == "ada_lovelace"  # derived from the name
    assert rows["alan@example.com"][2] == "Alan.T"  # shown as given


def test_users_list_search_still_matches_name_or_email_and_shows_the_username(quill, auth):
    auth(email="ada@example.com", name="Ada Lovelace")
    auth(email="alan@example.com", name="Alan Turing")

    result = quill("users", "list", "--search", "lovelace")

    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.stdout.splitlines() if "@" in line]
    assert [row[1:3] for row in rows] == [["ada@example.com", "ada_lovelace"]]
    assert result.stdout.splitlines()[-1] == "1 of 1 users"


def test_users_list_aligns_columns_under_the_header(quill, auth):
    auth(email="a@example.com", name="Al")
    auth(email="much.longer.address@example.com", name="Someone With A Long Name")

    header, *rows = quill("users", "list").stdout.splitlines()

    starts = [title.start() for title in re.finditer(r"\S+", header)]
    assert [header[start:].split()[0] for start in starts] == HEADER
    for row in (row for row in rows if "@" in row):
        assert all(row[start] != " " for start in starts), row
        assert all(row[start - 2 : start] == "  " for start in starts[1:]), row


def test_users_list_shows_role_and_activity(quill, auth):
    auth(Role.ADMIN, email="boss@example.com")
    auth(email="gone@example.com")
    quill("users", "deactivate", "gone@example.com")

    rows = {line.split()[1]: line.split() for line in quill("users", "list").stdout.splitlines()}

    assert rows["boss@example.com"][-4:-2] == ["admin", "yes"]
    assert rows["gone@example.com"][-4:-2] == ["user", "no"]


def test_users_list_search_matches_names_without_regard_to_case(quill, auth):
    auth(email="ada@example.com", name="Ada Lovelace")
    auth(email="alan@example.com", name="Alan Turing")

    result = quill("users", "list", "--search", "LOVELACE")

    assert result.exit_code == 0, result.output
    assert "ada@example.com" in result.stdout
    assert "alan@example.com" not in result.stdout


def test_users_list_search_matches_emails_without_regard_to_case(quill, auth):
    auth(email="ada@example.com", name="Ada Lovelace")
    auth(email="alan@example.com", name="Alan Turing")

    result = quill("users", "list", "--search", "ALAN@")

    assert "alan@example.com" in result.stdout
    assert "ada@example.com" not in result.stdout


def test_users_list_json_is_valid_json_with_full_user_fields(quill, auth):
    auth(email="ada@example.com", name="Ada Lovelace")
    auth(Role.ADMIN, email="boss@example.com", name="The Boss")

    result = quill("users", "list", "--json")

    assert result.exit_code == 0, result.output
    users = json.loads(result.stdout)
    assert len(users) == 2
    assert all(set(user) == FULL_USER for user in users)
    by_email = {user["email"]: user for user in users}
    assert by_email["boss@example.com"]["role"] == "admin"
    assert by_email["ada@example.com"]["is_active"] is True
    assert by_email["ada@example.com"]["username"] == "ada_lovelace"
    assert by_email["boss@example.com"]["username"] == "the_boss"


def test_users_list_json_shows_bio_and_image_as_set_or_null(quill, auth, client: FlaskClient):
    ada = auth(email="ada@example.com", name="Ada Lovelace")
    auth(email="alan@example.com", name="Alan Turing")
    changes = {"bio": "First programmer.", "image": "https://example.com/ada.png"}
    assert (
        client.patch(f"/api/v1/users/{ada.id}", json=changes, headers=ada.headers).status_code
        == 200
    )

    users = {u["email"]: u for u in json.loads(quill("users", "list", "--json").stdout)}

    assert (users["ada@example.com"]["bio"], users["ada@example.com"]["image"]) == (
        "First programmer.",
        "https://example.com/ada.png",
    )
    assert (users["alan@example.com"]["bio"], users["alan@example.com"]["image"]) == (None, None)


def test_users_list_json_never_contains_a_password_hash(quill, auth):
    auth()

    result = quill("users", "list", "--json")

    assert "password" not in result.stdout
    assert "$argon2" not in result.stdout


def test_users_list_json_agrees_with_the_http_full_user(quill, auth, client: FlaskClient):
    admin = auth(Role.ADMIN)
    user = auth()
    over_http = client.get(f"/api/v1/users/{user.id}", headers=admin.headers).json

    listed = json.loads(quill("users", "list", "--json", "--search", user.user["email"]).stdout)

    assert len(listed) == 1
    assert _same_instants(listed[0]) == _same_instants(over_http)


def test_users_list_json_honours_the_search(quill, auth):
    auth(email="ada@example.com", name="Ada Lovelace")
    auth(email="alan@example.com", name="Alan Turing")

    users = json.loads(quill("users", "list", "--json", "--search", "turing").stdout)

    assert [user["email"] for user in users] == ["alan@example.com"]


def _same_instants(user: dict) -> dict:
    """Both `Z` and `+00:00` are valid RFC 3339; compare the instants they name."""
    stamps = {key: datetime.fromisoformat(user[key]) for key in ("created_at", "updated_at")}
    return {**user, **stamps}


def test_users_list_pages_through_every_user(quill, auth):
    made = {auth(email=f"u{n}@example.com").id for n in range(5)}

    first, second, third = (quill("users", "list", "--limit", "2", "--page", p) for p in "123")

    assert first.stdout.splitlines()[-1] == "2 of 5 users (page 1 of 3: --page)"
    assert third.stdout.splitlines()[-1] == "1 of 5 users (page 3 of 3: --page)"
    listed = [int(line.split()[0]) for r in (first, second, third) for line in r.stdout.splitlines()
              if "@" in line]  # fmt: skip
    assert sorted(listed) == sorted(made)  # each once, newest first across the pages
    assert listed == sorted(listed, reverse=True)


def test_users_list_json_says_on_stderr_when_more_pages_hold_users(quill, auth):
    for n in range(5):
        auth(email=f"u{n}@example.com")

    first = quill("users", "list", "--json", "--limit", "2")
    whole = quill("users", "list", "--json")

    assert len(json.loads(first.stdout)) == 2  # stdout stays one JSON document
    assert first.stderr.strip() == "2 of 5 users (page 1 of 3: --page)"
    assert len(json.loads(whole.stdout)) == 5 and whole.stderr == ""


def test_users_list_says_at_least_when_a_search_count_stopped_at_its_bound(quill, uow):
    with uow:
        uow.users.add_many(make_user(email=f"many{n}@example.com") for n in range(1001))
        uow.commit()

    table = quill("users", "list", "--search", "many", "--limit", "100")
    listed = quill("users", "list", "--search", "many", "--json", "--limit", "100")

    assert table.stdout.splitlines()[-1] == (
        "100 of at least 1000 users (page 1 of at least 10: --page)"
    )
    assert len(json.loads(listed.stdout)) == 100
    assert listed.stderr.strip() == table.stdout.splitlines()[-1]


def test_users_list_page_zero_is_a_usage_error(quill):
    result = quill("users", "list", "--page", "0")
    assert result.exit_code == 2
    assert "--page" in result.output


def test_users_list_shows_what_has_no_glyph_escaped(quill, uow):
    """An address kept before registration refused them: a C1 control (a terminal's CSI)
    or a direction override must not act on the operator's terminal."""
    with uow:
        uow.users.add(make_user(email="y\u009b2jb@evil.example", name="Ann"))
        uow.users.add(make_user(email="x\u202eb@evil.example", name="Bob"))
        uow.commit()
    table = quill("users", "list").stdout
    assert "y\\x9b2jb@evil.example" in table and "x\\u202eb@evil.example" in table
    assert "\u009b" not in table and "\u202e" not in table
