"""The mail delivery settings, and how long tokens and links may live."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from infrastructure.settings import Settings, SettingsError
from interfaces.container import build_container
from tests.ops.server import BIN, ROOT, UNOPENED, environment


def test_by_default_a_lease_outlasts_ten_exchanges_with_the_mail_server() -> None:
    settings = Settings.from_env({})
    assert settings.mail_lease > 10 * settings.smtp_timeout


@pytest.mark.parametrize(
    ("lease", "timeout"), [("300", "30"), ("301", "31"), ("40", "4"), ("100", "600")]
)
def test_a_lease_no_longer_than_ten_timeouts_is_refused(lease: str, timeout: str) -> None:
    # SMTP_TIMEOUT bounds each exchange (connect, EHLO, STARTTLS, login, MAIL, RCPT, DATA ...)
    # on its own, so one send may take about ten of them.
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"MAIL_LEASE": lease, "SMTP_TIMEOUT": timeout})
    assert str(refused.value).startswith("MAIL_LEASE must be more than 10 times SMTP_TIMEOUT")


def test_a_message_is_started_only_while_ten_timeouts_of_its_lease_are_left() -> None:
    container = build_container({"MAIL_LEASE": "41", "SMTP_TIMEOUT": "4"})
    policy = container.delivery_policy()
    assert (policy.lease, policy.send_time) == (timedelta(seconds=41), timedelta(seconds=40))


def test_the_worker_refuses_to_start_with_too_short_a_lease_in_one_line() -> None:
    env = environment(UNOPENED, MAIL_LEASE="60", SMTP_TIMEOUT="30")
    done = subprocess.run(
        [BIN / "quill", "worker", "--once"], env=env, cwd=ROOT, capture_output=True,
        text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode != 0
    (line,) = done.stderr.strip().splitlines()
    assert "MAIL_LEASE must be more than 10 times SMTP_TIMEOUT (300 s)" in line


@pytest.mark.parametrize(
    ("database", "reason"),
    [
        (
            "sqlite:///{folder}/no-schema.db",
            "missing or older than this release: run `quill db upgrade`",
        ),
        ("postgresql+psycopg://nobody@127.0.0.1:1/nothing", "temporarily unavailable"),
    ],
)
def test_a_worker_run_once_that_cannot_deliver_says_why_in_one_line_and_stops(
    tmp_path: Path, database: str, reason: str
) -> None:
    env = environment(database.format(folder=tmp_path))
    done = subprocess.run(
        [BIN / "quill", "worker", "--once"], env=env, cwd=ROOT, capture_output=True,
        text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    assert reason in line


TTLS = ("ACCESS_TOKEN_TTL", "REFRESH_TOKEN_TTL", "VERIFY_TOKEN_TTL", "RESET_TOKEN_TTL")


@pytest.mark.parametrize("name", TTLS)
def test_a_token_may_live_as_little_as_a_second_so_expiry_can_be_tried_from_outside(
    name: str,
) -> None:
    settings = Settings.from_env({name: "1"})
    assert getattr(settings, name.lower()) == timedelta(seconds=1)


@pytest.mark.parametrize("name", TTLS)
@pytest.mark.parametrize("value", ["0", "-5", "1.5", "soon"])
def test_a_token_lifetime_that_is_not_a_positive_whole_number_is_refused(
    name: str, value: str
) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({name: value})
    assert str(refused.value).startswith(f"{name} must be a whole number from 1 to")
