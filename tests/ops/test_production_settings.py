"""Production refuses development secrets, and the WSGI entry point says so in one line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from infrastructure.settings import DEV_SECRET, Settings, SettingsError
from tests.ops.server import ROOT, UNOPENED, environment

GOOD = {
    "APP_ENV": "production",
    "DATABASE_URL": "postgresql+psycopg://quill:pw@db:5432/quill",
    "SECRET_KEY": "k" * 48,
    "JWT_SECRET_KEY": "j" * 48,
}


def test_production_starts_with_real_secrets() -> None:
    settings = Settings.from_env(GOOD)
    assert settings.app_env == "production" and settings.log_format == "json"


@pytest.mark.parametrize("name", ["DATABASE_URL", "SECRET_KEY", "JWT_SECRET_KEY"])
def test_production_refuses_to_start_without_a_setting(name: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({key: value for key, value in GOOD.items() if key != name})


@pytest.mark.parametrize("name", ["SECRET_KEY", "JWT_SECRET_KEY"])
@pytest.mark.parametrize("secret", [DEV_SECRET, "short-secret"])
def test_production_refuses_a_development_or_short_secret(name: str, secret: str) -> None:
    with pytest.raises(SettingsError, match=name) as refused:
        Settings.from_env({**GOOD, name: secret})
    assert secret not in str(refused.value)


def test_the_wsgi_entry_point_refuses_in_one_line_and_tells_gunicorn_to_stop() -> None:
    env = environment(
        UNOPENED, APP_ENV="production", SECRET_KEY=DEV_SECRET, JWT_SECRET_KEY="j" * 48
    )
    done = subprocess.run(
        [sys.executable, "-c", "import interfaces.wsgi"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 4  # gunicorn's "the app cannot load": the master stops
    assert done.stderr.strip().splitlines() == [
        "quill: SECRET_KEY is the development secret, which is in the source: set a secret of"
        " your own, of at least 32 characters, in production."
    ]
