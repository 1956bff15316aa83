"""CLI fixtures: the `quill` group on the shared container, a real SQLite container, the binary."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from flask.testing import FlaskClient

from interfaces.cli import cli
from interfaces.container import Container, build_container
from tests.pg import dispose_pools

QUILL_BIN = Path(sys.executable).with_name("quill")
CHEAP_ARGON2_ENV = {"ARGON2_TIME_COST": "1", "ARGON2_MEMORY_COST": "8", "ARGON2_PARALLELISM": "1"}

Quill = Callable[..., Result]


@pytest.fixture
def quill(runner: CliRunner, container: Container) -> Quill:
    """Run `quill ARGS...` in-process on the same container as the HTTP `client`."""

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(cli, list(args), obj=container, input=input)

    return invoke


@pytest.fixture
def sqlite_container(tmp_path: Path) -> Iterator[Container]:
    """The production wiring on a real, initially empty SQLite file."""
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/q.db", "APP_ENV": "testing", **CHEAP_ARGON2_ENV}
    container = build_container(env=env)
    yield container
    dispose_pools(container)
    container.unwire()


@pytest.fixture
def sqlite_quill(runner: CliRunner, sqlite_container: Container) -> Quill:
    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(cli, list(args), obj=sqlite_container, input=input)

    return invoke


@pytest.fixture
def sqlite_file(tmp_path: Path, sqlite_container: Container) -> Path:
    return tmp_path / "q.db"


@pytest.fixture
def quill_process(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the installed `quill` with only PATH, HOME and the given environment variables."""

    def run(*args: str, input: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(QUILL_BIN), *args],
            env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), **env},
            cwd=tmp_path,
            input=input,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            start_new_session=True,  # no terminal: prompts read the piped input
        )

    return run


@pytest.fixture
def log_in(client: FlaskClient) -> Callable[[str, str], Any]:
    """POST /auth/login; returns the test response."""

    def post(email: str, password: str) -> Any:
        return client.post("/api/v1/auth/login", json={"email": email, "password": password})

    return post
