"""The reset and verification pages in a real browser: headless Chromium against Quill under
gunicorn, driven with the keyboard; the new password then logs in (docs/API.md)."""

from __future__ import annotations

import email
import email.policy
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.factories import PASSWORD
from tests.ops.cdp import Browser
from tests.ops.server import BIN, ROOT, call, environment, gunicorn, migrate

NEW_PASSWORD = "Typed-In-Browser-3"
TAB, ENTER = ("Tab", 9), ("Enter", 13)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    folder = tmp_path_factory.mktemp("server")
    url = f"sqlite:///{folder / 'quill.db'}"
    migrate(url)
    with gunicorn(folder, database_url=url) as (base, _):
        yield base, url


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    opened = Browser(tmp_path / "profile")
    yield opened
    opened.close()


def deliver(database_url: str, folder: Path) -> list[email.message.EmailMessage]:
    """`quill worker --once` with MAIL_DIR: every queued message as an .eml file."""
    env = environment(database_url, MAIL_DIR=str(folder))
    subprocess.run(
        [BIN / "quill", "worker", "--once"], env=env, cwd=ROOT, check=True,
        capture_output=True, timeout=60,
    )  # fmt: skip
    return [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
        for path in sorted(folder.glob("*.eml"))
    ]


def link_to(messages: list[email.message.EmailMessage], to: str, page: str) -> str:
    for message in messages:
        text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
        found = re.search(rf"http://127\.0\.0\.1:8000(/{page}\?token=[A-Za-z0-9_-]+)", text)
        if str(message["To"]) == to and found:
            return found.group(1)
    raise AssertionError(f"no {page} link to {to}")


def test_the_reset_form_sets_a_password_with_the_keyboard_alone_and_it_then_logs_in(
    server: tuple[str, str], browser: Browser, tmp_path: Path
) -> None:
    base, database_url = server
    body = {"email": "kim@example.com", "name": "Kim", "password": PASSWORD}
    assert call("POST", f"{base}/api/v1/users", body)[0] == 201
    assert call("POST", f"{base}/api/v1/auth/password-reset", {"email": body["email"]})[0] == 202
    path = link_to(deliver(database_url, tmp_path / "mail"), body["email"], "reset-password")

    browser.open(base + path)
    assert browser.evaluate("document.documentElement.lang") == "en"
    assert browser.evaluate("document.querySelector('h1').textContent") == "Choose a new password"
    labels = browser.evaluate(
        "[...document.querySelectorAll('input:not([type=hidden])')]"
        ".map(i => i.labels.length && i.labels[0].textContent)"
    )
    assert labels == ["New password", "The same password again"]
    browser.press(*TAB)
    assert browser.focused() == "new-password"
    browser.type("Not-The-Same-1")
    browser.press(*TAB)
    assert browser.focused() == "repeat-password"
    browser.type("Something-Else-2")
    browser.press(*ENTER)  # two different passwords: said, and nothing sent
    browser.wait_for("document.getElementById('password-problem').textContent !== ''")
    assert "not the same" in browser.evaluate(
        "document.getElementById('password-problem').textContent"
    )
    assert browser.focused() == "repeat-password"
    browser.evaluate("document.getElementById('new-password').value = ''")
    browser.evaluate("document.getElementById('repeat-password').value = ''")
    browser.evaluate("document.getElementById('new-password').focus()")
    browser.type(NEW_PASSWORD)
    browser.press(*TAB)
    browser.type(NEW_PASSWORD)
    browser.press(*TAB)
    assert browser.evaluate("document.activeElement.tagName") == "BUTTON"
    browser.press(*ENTER)
    browser.wait_for("document.getElementById('outcome').textContent !== ''")
    outcome = browser.evaluate("document.getElementById('outcome').textContent")
    assert "Your new password is set" in outcome
    assert browser.focused() == "outcome"  # a screen reader reads the outcome out
    assert browser.evaluate("document.getElementById('reset-form').hidden") is True
    assert not [line for line in browser.console() if "Content Security Policy" in line]

    login = {"email": body["email"], "password": NEW_PASSWORD}
    assert call("POST", f"{base}/api/v1/auth/login", login)[0] == 200
    browser.open(base + path)  # the link is used: the page says so
    assert "This link does not work" in browser.evaluate("document.body.innerText")


def test_a_bad_reset_link_and_a_good_verification_link_say_so_in_the_browser(
    server: tuple[str, str], browser: Browser, tmp_path: Path
) -> None:
    base, database_url = server
    body = {"email": "lee@example.com", "name": "Lee", "password": PASSWORD}
    assert call("POST", f"{base}/api/v1/users", body)[0] == 201
    path = link_to(deliver(database_url, tmp_path / "mail"), body["email"], "verify-email")

    browser.open(f"{base}/reset-password?token=made-up")
    assert browser.evaluate("document.querySelector('[role=alert]').textContent") == (
        "This link is invalid, already used or expired."
    )
    browser.open(base + path)
    assert "lee@example.com is now verified" in browser.evaluate("document.body.innerText")
    assert not [line for line in browser.console() if "Content Security Policy" in line]
