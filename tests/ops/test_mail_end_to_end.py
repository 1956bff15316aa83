"""End to end with a real SMTP server on loopback: the mail of registration and reset arrives
through `quill worker`, and its link does what it says (docs/API.md)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from interfaces.container import build_container
from interfaces.http.app import create_app
from tests.factories import PASSWORD
from tests.mailserver import Mailbox, smtp_server, text_of
from tests.ops.server import BIN, ROOT, environment, migrate
from tests.pg import dispose_pools

NEW_PASSWORD = "Brand-New-Pass-7"
LINK = re.compile(r"http://quill\.test(/[a-z-]+\?token=[A-Za-z0-9_-]+)")


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, dict[str, str]]]:
    """The mail server, and the environment of a Quill that sends to it."""
    box = Mailbox()
    with smtp_server(box) as port:
        yield (
            box,
            {
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": str(port),
                "SMTP_SECURITY": "none",
                "MAIL_FROM": "Quill <quill@quill.test>",
                "PUBLIC_URL": "http://quill.test",
            },
        )


@pytest.fixture
def env(tmp_path: Path, mailbox: tuple[Mailbox, dict[str, str]]) -> dict[str, str]:
    database_url = f"sqlite:///{tmp_path / 'quill.db'}"
    migrate(database_url)
    return environment(database_url, **mailbox[1])


@pytest.fixture
def app(env: dict[str, str]) -> Iterator[Flask]:
    container = build_container(env)
    yield create_app(container)
    container.unwire()
    dispose_pools(container)


def run_worker(env: dict[str, str]) -> str:
    """`quill worker --once`, as an operator would run it; its closing line."""
    done = subprocess.run(
        [BIN / "quill", "worker", "--once"], env=env, cwd=ROOT, capture_output=True,
        text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def link_in(box: Mailbox, to: str, kind: str) -> str:
    """The path of the last link of `kind` mailed to `to`."""
    (*_, message) = [m for m in box.to(to) if kind in text_of(m)]
    found = LINK.search(text_of(message))
    assert found is not None, text_of(message)
    return found.group(1)


def test_a_registration_s_mail_arrives_and_its_link_verifies(
    client: FlaskClient, mailbox: tuple[Mailbox, dict[str, str]], env: dict[str, str]
) -> None:
    box, _ = mailbox
    body = {"email": "ann@example.com", "name": "Ann", "password": PASSWORD}
    assert client.post("/api/v1/users", json=body).status_code == 201
    assert "1 sent" in run_worker(env)
    (message,) = box.to("ann@example.com")
    assert str(message["Subject"]) == "Verify your e-mail address for Quill"
    assert str(message["From"]) == "Quill <quill@quill.test>"
    assert re.fullmatch(r"<[0-9a-f]{32}@quill\.test>", str(message["Message-ID"]))
    assert message.get_body(preferencelist=("html",)) is not None
    path = link_in(box, "ann@example.com", "verify-email")
    page = client.get(path)
    assert page.status_code == 200 and "is verified" in page.get_data(as_text=True)
    login = client.post("/api/v1/auth/login", json={"email": body["email"], "password": PASSWORD})
    assert login.json["user"]["email_verified"] is True


def test_a_reset_s_mail_arrives_its_token_sets_a_password_ends_sessions_and_works_once(
    client: FlaskClient,
    mailbox: tuple[Mailbox, dict[str, str]],
    env: dict[str, str],
    tmp_path: Path,
) -> None:
    box, _ = mailbox
    body = {"email": "bo@example.com", "name": "Bo", "password": PASSWORD}
    assert client.post("/api/v1/users", json=body).status_code == 201
    credentials = {"email": body["email"], "password": PASSWORD}
    sessions = [client.post("/api/v1/auth/login", json=credentials).json for _ in range(2)]
    asked = client.post("/api/v1/auth/password-reset", json={"email": "bo@example.com"})
    assert asked.status_code == 202
    assert "2 sent" in run_worker(env)  # the verification link, then the reset link
    path = link_in(box, "bo@example.com", "reset-password")
    assert urlsplit(path).path == "/reset-password"
    assert client.get(path).status_code == 200  # the form; the link is not used yet
    token = path.split("token=", 1)[1]
    # Nowhere in the database's files, freed pages included: a hash in link_tokens, and a
    # message body sealed in the outbox until it was sent and dropped.
    stored = b"".join(file.read_bytes() for file in tmp_path.glob("quill.db*"))
    assert token.encode() not in stored
    confirm = {"token": token, "new_password": NEW_PASSWORD}
    assert client.post("/api/v1/auth/password-reset/confirm", json=confirm).status_code == 204
    for tokens in sessions:
        me = client.get(
            "/api/v1/users/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        )
        assert (me.status_code, me.json["code"]) == (401, "token_revoked")
    again = client.post("/api/v1/auth/password-reset/confirm", json=confirm)
    assert (again.status_code, again.json["code"]) == (400, "token_invalid")
    new = {"email": body["email"], "password": NEW_PASSWORD}
    assert client.post("/api/v1/auth/login", json=new).status_code == 200


def test_an_unknown_address_asking_for_a_reset_gets_the_same_answer_and_no_mail(
    client: FlaskClient, mailbox: tuple[Mailbox, dict[str, str]], env: dict[str, str]
) -> None:
    box, _ = mailbox
    answer = client.post("/api/v1/auth/password-reset", json={"email": "ghost@example.com"})
    assert answer.status_code == 202
    assert "0 sent" in run_worker(env)
    assert box.message_ids() == []
