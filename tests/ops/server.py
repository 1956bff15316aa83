"""A real Quill server for the operations tests: migrated SQLite file, gunicorn, a free port."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bench.servers import held_port

ROOT = Path(__file__).parents[2]
BIN = Path(sys.executable).parent
CHEAP_ARGON2 = {"ARGON2_TIME_COST": "1", "ARGON2_MEMORY_COST": "8", "ARGON2_PARALLELISM": "1"}


# For a process that stops before it opens its database: a file never created.
UNOPENED = "sqlite:///never-opened.db"


def environment(database_url: str, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("QUILL_")}
    env.update(APP_ENV="testing", DATABASE_URL=database_url, LOG_FORMAT="json", **CHEAP_ARGON2)
    env.update(extra)
    return env


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the server did not answer {url} within {seconds} s")


def migrate(database_url: str) -> None:
    env = environment(database_url)
    subprocess.run([BIN / "quill", "db", "upgrade"], env=env, cwd=ROOT, check=True, timeout=60)


@contextmanager
def gunicorn(
    tmp_path: Path, database_url: str | None = None, workers: int = 2
) -> Iterator[tuple[str, Path]]:
    """Gunicorn with the repository's gunicorn.conf.py, as the README runs it.

    Without a database URL, a new SQLite file migrated with `quill db upgrade`. Yields the base
    URL and the file that collects the server's output (its log).
    """
    if database_url is None:
        database_url = f"sqlite:///{tmp_path / 'quill.db'}"
        migrate(database_url)
    env = environment(database_url)
    with held_port() as held:
        port = held.getsockname()[1]
        env.update(BIND=f"fd://{held.fileno()}", WEB_CONCURRENCY=str(workers))
        log = tmp_path / f"server-{port}.log"
        with log.open("wb") as sink:  # the server writes to its own copy
            process = subprocess.Popen(
                [BIN / "gunicorn", "-c", "gunicorn.conf.py"],
                env=env,
                cwd=ROOT,
                stdout=sink,
                stderr=sink,
                pass_fds=(held.fileno(),),
            )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(f"{base}/healthz", process)
            yield base, log
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def call(
    method: str, url: str, body: object = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], Any]:
    """One HTTP request; the status, headers and JSON body, whatever the status."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, dict(answer.headers), json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"null")
