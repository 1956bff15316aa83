"""`quill users set-role|deactivate|activate|delete`: effective at once over HTTP."""

from __future__ import annotations

import contextlib
import os
import pty
import select
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from domain.users import Role
from infrastructure.memory import InMemoryUnitOfWork
from tests.cli.conftest import CHEAP_ARGON2_ENV, QUILL_BIN
from tests.cli.expect import one_line_error

UNKNOWN = "nobody@example.com"


def _me(client: FlaskClient, headers: dict[str, str]) -> dict:
    return client.get("/api/v1/users/me", headers=headers).json


def test_set_role_admin_gives_admin_rights_to_the_existing_token(quill, auth, client):
    user = auth()

    result = quill("users", "set-role", user.user["email"], "admin")

    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/users", headers=user.headers).status_code == 200


def test_set_role_user_takes_admin_rights_away_at_once(quill, auth, client):
    auth(Role.ADMIN)
    demoted = auth(Role.ADMIN)

    result = quill("users", "set-role", demoted.user["email"], "user")

    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/users", headers=demoted.headers).status_code == 403


def test_set_role_says_what_the_role_now_is(quill, auth):
    user = auth()

    result = quill("users", "set-role", user.user["email"], "admin")

    assert user.user["email"] in result.stdout
    assert "admin" in result.stdout


def test_users_commands_find_the_email_without_regard_to_case(quill, auth, client):
    user = auth()

    result = quill("users", "set-role", user.user["email"].upper(), "admin")

    assert result.exit_code == 0, result.output
    assert _me(client, user.headers)["role"] == "admin"


def test_an_invalid_role_is_a_usage_error(quill, auth, client):
    user = auth()

    result = quill("users", "set-role", user.user["email"], "superuser")

    assert result.exit_code == 2
    assert "superuser" in one_line_error(result)
    assert _me(client, user.headers)["role"] == "user"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("nosuch",), "No such command 'nosuch'"),
        (("users", "set-role"), "Missing argument 'EMAIL'"),
        (("users", "set-role", "a@example.com"), "Choose from: user, admin."),
        (("users", "list", "--limit", "0"), "Invalid value for '--limit'"),
        (("seed", "--users", "abc"), "'abc' is not a valid integer"),
        (("mail", "retry", "abc"), "Invalid value for 'ID'"),
        (("users", "list", "--bogus"), "No such option '--bogus'"),
    ],
)
def test_a_usage_error_is_one_line_with_the_help_to_read_and_exit_code_2(quill, args, says):
    result = quill(*args)
    line = one_line_error(result)
    assert result.exit_code == 2
    assert says in line and "--help" in line


def test_deactivating_a_user_revokes_their_access_token_at_once(quill, auth, client):
    user = auth()

    result = quill("users", "deactivate", user.user["email"])

    assert result.exit_code == 0, result.output
    response = client.get("/api/v1/users/me", headers=user.headers)
    assert response.status_code == 401
    assert response.json["code"] == "token_revoked"


def test_deactivating_a_user_revokes_their_refresh_token_at_once(quill, auth, client):
    user = auth()

    quill("users", "deactivate", user.user["email"])

    response = client.post("/api/v1/auth/refresh", headers=user.refresh_headers)
    assert response.status_code == 401
    assert response.json["code"] == "token_revoked"


def test_a_deactivated_user_cannot_log_in(quill, auth, log_in):
    user = auth()

    quill("users", "deactivate", user.user["email"])

    response = log_in(user.user["email"], user.password)
    assert response.status_code == 403
    assert response.json["code"] == "account_inactive"


def test_activating_a_deactivated_user_lets_them_log_in_again(quill, auth, log_in):
    user = auth()
    quill("users", "deactivate", user.user["email"])

    result = quill("users", "activate", user.user["email"])

    assert result.exit_code == 0, result.output
    response = log_in(user.user["email"], user.password)
    assert response.status_code == 200, response.json
    assert response.json["user"]["is_active"] is True


def test_activating_does_not_bring_back_the_revoked_tokens(quill, auth, client):
    user = auth()
    quill("users", "deactivate", user.user["email"])

    quill("users", "activate", user.user["email"])

    assert client.get("/api/v1/users/me", headers=user.headers).status_code == 401


def test_delete_in_a_script_deletes_without_asking(quill, auth, uow: InMemoryUnitOfWork):
    """No terminal, no question: `quill users delete EMAIL` as docs/API.md writes it."""
    user = auth()

    result = quill("users", "delete", user.user["email"])

    assert result.exit_code == 0, result.output
    assert "[y/N]" not in result.output
    assert user.id not in uow.store.users


@pytest.mark.parametrize(("answer", "kept"), [("n\n", True), ("\n", True), ("y\n", False)])
def test_delete_reads_an_answer_already_given(quill, auth, client, answer: str, kept: bool):
    """`echo n | quill users delete EMAIL`: the answer waiting is read, and only yes deletes."""
    user = auth()

    result = quill("users", "delete", user.user["email"], input=answer)

    assert result.exit_code == (1 if kept else 0), result.output
    assert "Traceback" not in result.output
    still = client.get("/api/v1/users/me", headers=user.headers).status_code == 200
    assert still is kept


@pytest.mark.parametrize(("answer", "kept"), [("n", True), ("y", False)])
def test_delete_at_a_terminal_asks_first(
    quill_process, seeded_file, tmp_path, answer: str, kept: bool
):
    """A person at a terminal is asked, and only yes deletes (the installed command, on a
    pseudo-terminal)."""
    env = _seeded(seeded_file, tmp_path)
    primary, secondary = pty.openpty()
    deleting = subprocess.Popen(
        [str(QUILL_BIN), "users", "delete", "ada@quill.example"],
        stdin=secondary, stdout=secondary, stderr=secondary,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), **env},
        cwd=tmp_path,
    )  # fmt: skip
    try:
        os.close(secondary)
        asked = _read_until(primary, b"[y/N]: ")
        os.write(primary, answer.encode() + b"\n")
        assert deleting.wait(timeout=60) == (1 if kept else 0)
    finally:  # a failed step leaves no process waiting on the terminal
        deleting.kill()
        deleting.wait(timeout=10)
        os.close(primary)
    assert b"Delete ada@quill.example with all their posts?" in asked
    listed = quill_process("users", "list", "--search", "ada@", **env).stdout
    assert ("ada@quill.example" in listed) is kept


def test_delete_with_nothing_to_read_deletes_and_never_waits(quill_process, seeded_file, tmp_path):
    """No terminal and no answer (cron's /dev/null, a supervisor that closes stdin, a parent
    that keeps a pipe open and writes nothing): as written, at once; a piped no keeps."""
    env = _seeded(seeded_file, tmp_path)
    run_env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), **env}

    def delete(email: str, **how: Any) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [str(QUILL_BIN), "users", "delete", email], env=run_env, cwd=tmp_path,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **how,
        )  # fmt: skip

    closed = delete("ada@quill.example", stdin=None, preexec_fn=lambda: os.close(0))
    empty = delete("alan@quill.example", stdin=subprocess.DEVNULL)
    held = delete("grace@quill.example", stdin=subprocess.PIPE)  # never written to
    refused = delete("admin@quill.example", stdin=subprocess.PIPE)  # Aborted! says why kept
    refused.stdin.write("n\n")  # type: ignore[union-attr]
    refused.stdin.flush()  # type: ignore[union-attr]
    try:
        for email, done in [("ada", closed), ("alan", empty), ("grace", held)]:
            out, err = done.communicate(timeout=60) if done is not held else _ended(done)
            assert (done.returncode, err, out) == (0, "", f"Deleted {email}@quill.example.\n")
        _, err = _ended(refused)
        assert (refused.returncode, err) == (1, "Aborted!\n")
    finally:
        for process in (closed, empty, held, refused):
            process.kill()
            process.wait(timeout=10)
    listed = quill_process("users", "list", "--search", "quill.example", **env).stdout
    assert "admin@quill.example" in listed and "grace@quill.example" not in listed


def _ended(process: subprocess.Popen[str]) -> tuple[str, str]:
    """Its output once it ends, its stdin still open (a parent that writes nothing more)."""
    process.wait(timeout=60)
    return process.stdout.read(), process.stderr.read()  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated and seeded (Ada, Alan...) by the installed `quill`, once for the
    module: each test works on a copy of its own."""
    folder = tmp_path_factory.mktemp("seeded")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(folder), "APP_ENV": "testing"}
    env |= {"DATABASE_URL": f"sqlite:///{folder}/q.db", **CHEAP_ARGON2_ENV}
    for step in (("db", "upgrade"), ("seed",)):
        done = subprocess.run([str(QUILL_BIN), *step], env=env, cwd=folder, capture_output=True)
        assert done.returncode == 0, done.stderr
    return folder / "q.db"


def test_a_command_leaves_its_sqlite_file_whole(seeded_file: Path, tmp_path: Path) -> None:
    """Its connections closed as it ends, SQLite folds the write-ahead log into the file: the
    file alone, copied, holds what `quill seed` wrote."""
    assert not seeded_file.with_name("q.db-wal").exists()
    copy = tmp_path / "copy.db"
    shutil.copy(seeded_file, copy)
    with contextlib.closing(sqlite3.connect(copy)) as database:
        (users,) = database.execute("SELECT count(*) FROM users").fetchone()
    assert users >= 4  # the admin, Ada, Alan, Grace


def _seeded(seeded_file: Path, tmp_path: Path) -> dict[str, str]:
    """The environment of this test's copy of the seeded SQLite file."""
    for part in seeded_file.parent.glob("q.db*"):  # the write-ahead log too, if one is left
        shutil.copy(part, tmp_path / part.name)
    return {"DATABASE_URL": f"sqlite:///{tmp_path}/q.db", "APP_ENV": "testing", **CHEAP_ARGON2_ENV}


def _read_until(fd: int, end: bytes) -> bytes:
    seen = b""
    while not seen.endswith(end):
        ready, _, _ = select.select([fd], [], [], 30)
        assert ready, seen
        chunk = os.read(fd, 1024)
        assert chunk, seen  # the command ended without asking
        seen += chunk
    return seen


def test_delete_with_the_yes_option_does_not_ask(quill, auth, uow: InMemoryUnitOfWork):
    user = auth()

    result = quill("users", "delete", user.user["email"], "--yes")

    assert result.exit_code == 0, result.output
    assert "[y/N]" not in result.output
    assert user.id not in uow.store.users


def test_deleting_a_user_deletes_their_posts(quill, auth, client):
    author, reader = auth(), auth()
    body = {"title": "Mine", "content": "Soon gone", "published": True}
    post = client.post("/api/v1/posts", json=body, headers=author.headers).json

    quill("users", "delete", author.user["email"], "--yes")

    assert client.get(f"/api/v1/posts/{post['id']}", headers=reader.headers).status_code == 404
    assert client.get("/api/v1/posts").json["total"] == 0


def test_deleting_a_user_keeps_other_users_posts(quill, auth, client):
    author, other = auth(), auth()
    body = {"title": "Theirs", "content": "Stays", "published": True}
    kept = client.post("/api/v1/posts", json=body, headers=other.headers).json

    quill("users", "delete", author.user["email"], "--yes")

    assert client.get(f"/api/v1/posts/{kept['id']}").status_code == 200


def test_deleting_a_user_revokes_their_tokens_at_once(quill, auth, client):
    user = auth()

    quill("users", "delete", user.user["email"], "--yes")

    response = client.get("/api/v1/users/me", headers=user.headers)
    assert response.status_code == 401
    assert response.json["code"] == "token_revoked"


@pytest.mark.parametrize(
    "command",
    [
        ["set-role", UNKNOWN, "admin"],
        ["deactivate", UNKNOWN],
        ["activate", UNKNOWN],
        ["delete", UNKNOWN, "--yes"],
    ],
    ids=["set-role", "deactivate", "activate", "delete"],
)
def test_an_unknown_email_is_a_one_line_error(quill, auth, command):
    auth()

    line = one_line_error(quill("users", *command))

    assert "not found" in line.lower()


@pytest.mark.parametrize("args", [(), ("users",), ("mail",)])
def test_a_group_named_alone_shows_its_help(quill, args):
    result = quill(*args)
    assert "Usage:" in result.output and "Commands:" in result.output
