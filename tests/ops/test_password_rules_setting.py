"""PASSWORD_RULES: read once at start-up; a value it does not know stops the server in one line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from domain.users import PasswordRules
from infrastructure.settings import Settings, SettingsError
from tests.ops.server import ROOT, UNOPENED, environment


def test_the_default_is_the_composed_rules() -> None:
    assert Settings.from_env({}).password_rules is PasswordRules.COMPOSED


@pytest.mark.parametrize(
    ("raw", "rules"), [("length", "length"), (" LENGTH ", "length"), ("composed", "composed")]
)
def test_a_known_value_is_taken_without_regard_to_case_or_spaces(raw: str, rules: str) -> None:
    assert Settings.from_env({"PASSWORD_RULES": raw}).password_rules is PasswordRules(rules)


@pytest.mark.parametrize("raw", ["nist", "lenght", "none"])
def test_an_unknown_value_is_refused_naming_the_setting_and_its_choices(raw: str) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"PASSWORD_RULES": raw})
    assert str(refused.value) == "PASSWORD_RULES must be one of: composed, length."


def test_the_wsgi_entry_point_refuses_an_unknown_value_in_one_line() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import interfaces.wsgi"],
        env=environment(UNOPENED, PASSWORD_RULES="nist"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 4
    assert done.stderr.strip().splitlines() == [
        "quill: PASSWORD_RULES must be one of: composed, length."
    ]
