"""PASSWORD_RULES on the command line: the same rules as over HTTP, read from the environment."""

from __future__ import annotations

import pytest

from tests.cli.conftest import CHEAP_ARGON2_ENV
from tests.cli.expect import one_line_error, process_one_line_error

EMAIL = "root@quill.example"
PLAIN = "bonjour1"  # no upper-case letter: only the `length` rules take it


@pytest.fixture
def migrated(quill_process, tmp_path) -> str:
    url = f"sqlite:///{tmp_path}/q.db"
    assert quill_process("db", "upgrade", DATABASE_URL=url).returncode == 0
    return url


def test_create_admin_under_length_rules_takes_a_plain_password(quill_process, migrated):
    done = quill_process(
        "create-admin", "--email", EMAIL, "--name", "Root", "--password", PLAIN,
        DATABASE_URL=migrated, PASSWORD_RULES="length", **CHEAP_ARGON2_ENV,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert EMAIL in done.stdout


def test_create_admin_under_length_rules_refuses_a_short_password_in_one_line(
    quill_process, migrated
):
    done = quill_process(
        "create-admin", "--email", EMAIL, "--name", "Root", "--password", "short7c",
        DATABASE_URL=migrated, PASSWORD_RULES="length", **CHEAP_ARGON2_ENV,
    )  # fmt: skip

    assert done.returncode != 0
    assert "8 to 128 characters" in process_one_line_error(done.stderr)


def test_create_admin_under_the_default_rules_refuses_a_plain_password(quill):
    result = quill("create-admin", "--email", EMAIL, "--name", "Root", "--password", PLAIN)

    assert "upper-case letter" in one_line_error(result)


def test_an_unknown_password_rules_value_is_refused_at_start_in_one_line(quill_process, tmp_path):
    done = quill_process(
        "users", "list", DATABASE_URL=f"sqlite:///{tmp_path}/q.db", PASSWORD_RULES="nist"
    )

    assert done.returncode != 0
    line = process_one_line_error(done.stderr)
    assert "PASSWORD_RULES must be one of: composed, length." in line
