"""`quill db upgrade|current|downgrade` and the other commands on a real SQLite file."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from interfaces.container import Container
from interfaces.http.app import create_app

BASE = "base (empty)"


def _revisions(sqlite_quill) -> dict[str, str]:
    result = sqlite_quill("db", "current")
    assert result.exit_code == 0, result.output
    pairs = (line.split(":", 1) for line in result.stdout.splitlines())
    return {key.strip(): value.strip() for key, value in pairs}


def _query(path: Path, sql: str) -> list[Any]:
    with closing(sqlite3.connect(path)) as connection:
        return [row[0] for row in connection.execute(sql)]


def _tables(path: Path) -> set[str]:
    names = _query(path, "SELECT name FROM sqlite_master WHERE type = 'table'")
    return set(names) - {"alembic_version", "sqlite_sequence"}


def test_db_current_on_an_empty_database_shows_base_and_the_head(sqlite_quill):
    revisions = _revisions(sqlite_quill)

    assert revisions["current"] == BASE
    assert revisions["head"]
    assert revisions["head"] != BASE


def test_db_upgrade_migrates_to_the_head_revision(sqlite_quill):
    head = _revisions(sqlite_quill)["head"]

    result = sqlite_quill("db", "upgrade")

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"Database at revision {head}."
    assert _revisions(sqlite_quill)["current"] == head


def test_db_upgrade_creates_the_schema(sqlite_quill, sqlite_file):
    sqlite_quill("db", "upgrade")

    assert {"users", "posts"} <= _tables(sqlite_file)


def test_db_upgrade_twice_changes_nothing(sqlite_quill, sqlite_file):
    sqlite_quill("db", "upgrade")
    tables = _tables(sqlite_file)

    result = sqlite_quill("db", "upgrade")

    assert result.exit_code == 0, result.output
    assert _tables(sqlite_file) == tables


def test_db_downgrade_steps_back_one_revision(sqlite_quill):
    sqlite_quill("db", "upgrade")
    head = _revisions(sqlite_quill)["head"]

    result = sqlite_quill("db", "downgrade")

    assert result.exit_code == 0, result.output
    current = _revisions(sqlite_quill)["current"]
    assert current not in (head, BASE)
    assert result.stdout.strip() == f"Database at revision {current}."


def test_db_downgrade_to_base_empties_the_schema(sqlite_quill, sqlite_file):
    sqlite_quill("db", "upgrade")

    result = sqlite_quill("db", "downgrade", "--revision", "base")

    assert result.exit_code == 0, result.output
    assert BASE in result.stdout
    assert _revisions(sqlite_quill)["current"] == BASE
    assert _tables(sqlite_file) == set()


@pytest.mark.parametrize(("answer", "dropped"), [("n\n", False), ("\n", False), ("y\n", True)])
def test_db_downgrade_reads_an_answer_already_given(sqlite_quill, sqlite_file, answer, dropped):
    """`echo n | quill db downgrade --revision base` keeps every table, as `users delete` keeps
    its user; only yes drops them."""
    sqlite_quill("db", "upgrade")
    tables = _tables(sqlite_file)

    result = sqlite_quill("db", "downgrade", "--revision", "base", input=answer)

    assert result.exit_code == (0 if dropped else 1), result.output
    assert ("revisions hold? [y/N]" in result.output) is bool(answer.strip())  # as answered
    assert _tables(sqlite_file) == (set() if dropped else tables)


@pytest.mark.parametrize(
    ("args", "question"),
    [((), "down one revision,"), (("--revision", "base"), "down to base,")],
)
def test_db_downgrade_asks_in_words_where_it_goes(sqlite_quill, args, question):
    """The default revision is alembic's `-1`: "down to -1" read as a revision's name."""
    sqlite_quill("db", "upgrade")
    result = sqlite_quill("db", "downgrade", *args, input="n\n")
    assert f"Migrate the database {question} dropping" in result.output


def test_db_downgrade_with_yes_does_not_ask(sqlite_quill, sqlite_file):
    sqlite_quill("db", "upgrade")

    result = sqlite_quill("db", "downgrade", "--revision", "base", "--yes", input="n\n")

    assert result.exit_code == 0 and "[y/N]" not in result.output
    assert _tables(sqlite_file) == set()


@pytest.mark.parametrize(
    ("command", "revision"),
    [("downgrade", "zzz"), ("upgrade", "zzz"), ("upgrade", "0999"), ("upgrade", "-1")],
)
def test_a_revision_that_does_not_exist_changes_nothing_and_says_so(
    sqlite_quill, sqlite_file, command, revision
):
    sqlite_quill("db", "upgrade")
    head, tables = _revisions(sqlite_quill)["head"], _tables(sqlite_file)

    result = sqlite_quill("db", command, "--revision", revision)

    assert result.exit_code != 0
    assert str(result.exception).startswith(
        f"migration {command.removesuffix('grade')} to {revision} failed (CommandError: "
    )
    assert f"nothing was applied, the database is still at {head}" in str(result.exception)
    assert _revisions(sqlite_quill)["current"] == head and _tables(sqlite_file) == tables


def test_an_admin_created_by_the_cli_logs_in_to_the_server_on_the_same_database(
    sqlite_quill, sqlite_container: Container
):
    sqlite_quill("db", "upgrade")
    options = ["--email", "root@example.com", "--name", "Root", "--password", "Admin-Secret-42"]
    assert sqlite_quill("create-admin", *options).exit_code == 0

    client = create_app(sqlite_container).test_client()
    response = client.post(
        "/api/v1/auth/login", json={"email": "root@example.com", "password": "Admin-Secret-42"}
    )

    assert response.status_code == 200, response.json
    assert response.json["user"]["role"] == "admin"


def test_seeding_a_real_database_twice_adds_nothing_the_second_time(sqlite_quill):
    sqlite_quill("db", "upgrade")
    first = sqlite_quill("seed")
    listed = sqlite_quill("users", "list").stdout

    second = sqlite_quill("seed")

    assert first.exit_code == second.exit_code == 0, second.output
    assert "nothing added" in second.stdout
    assert sqlite_quill("users", "list").stdout == listed


def test_seed_volumes_on_a_real_database_add_exactly_that_many(sqlite_quill, sqlite_file):
    sqlite_quill("db", "upgrade")

    result = sqlite_quill("seed", "--users", "3", "--posts", "20")

    assert result.exit_code == 0, result.output
    assert _query(sqlite_file, "SELECT count(*) FROM users") == [3]
    assert _query(sqlite_file, "SELECT count(*) FROM posts") == [20]


def test_deleting_a_user_on_a_real_database_deletes_their_posts(sqlite_quill, sqlite_file):
    sqlite_quill("db", "upgrade")
    sqlite_quill("seed")

    result = sqlite_quill("users", "delete", "ada@quill.example", "--yes")

    assert result.exit_code == 0, result.output
    assert _query(sqlite_file, "SELECT email FROM users WHERE email LIKE 'ada@%'") == []
    orphans = "SELECT count(*) FROM posts WHERE author_id NOT IN (SELECT id FROM users)"
    assert _query(sqlite_file, orphans) == [0]
    assert _query(sqlite_file, "SELECT count(*) FROM posts") != [0]  # Alan's posts stay
