"""The RealWorld API suite against Quill, end to end: the real server on each database.

    .venv/bin/python .ci/realworld_suite.py            # SQLite, and PostgreSQL when
                                                       # TEST_DATABASE_URL is set
    .venv/bin/python .ci/realworld_suite.py sqlite     # one database only
    FOLDERS="auth articles" .venv/bin/python .ci/realworld_suite.py   # some folders only

For each database: a fresh one (a new SQLite file; a new PostgreSQL database next to
TEST_DATABASE_URL's, dropped afterwards), migrated with `quill db upgrade`, served by gunicorn
(gunicorn.conf.py, as in production) on a free port with PASSWORD_RULES=length, then
`run-bruno.sh` from the RealWorld material against it. Exit status: 0 when every request passed
on every database, 1 when one failed, 2 when the suite could not run (missing, no npm...).

The suite lives outside the repository: REALWORLD_DIR, by default ../shared/realworld next to the
repository's root. Asked for and missing is a failure, never a skip.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DATABASES = ("sqlite", "postgresql")


def suite_dir() -> Path:
    found = Path(os.environ.get("REALWORLD_DIR") or ROOT.parent / "shared" / "realworld")
    if not (found / "run-bruno.sh").is_file():
        print(
            f"realworld-suite: no RealWorld suite at {found} (run-bruno.sh missing); set"
            " REALWORLD_DIR to the folder holding run-bruno.sh and bruno/",
            file=sys.stderr,
        )
        sys.exit(2)
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def server_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "CORS_ORIGINS")}
    env.update(
        APP_ENV="testing",
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_hex(32),
        JWT_SECRET_KEY=secrets.token_hex(32),
        PASSWORD_RULES="length",  # what RealWorld expects (README, "Which password rules?")
        LOG_FORMAT="json",
    )
    return env


@contextmanager
def sqlite_database(workdir: Path) -> Iterator[str]:
    yield f"sqlite:///{workdir / 'quill.db'}"


@contextmanager
def postgresql_database(base_url: str) -> Iterator[str]:
    """A new database beside TEST_DATABASE_URL's, dropped afterwards (created through psycopg,
    so unreachable is a failure)."""
    from sqlalchemy import create_engine, make_url, text

    base = make_url(base_url)
    name = f"{base.database}_realworld_{os.getpid()}"
    admin_url = base.set(database="postgres").render_as_string(hide_password=False)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def quill_server(database_url: str, log: Path) -> Iterator[str]:
    env = server_env(database_url)
    migrated = subprocess.run(
        [BIN / "quill", "db", "upgrade"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if migrated.returncode != 0:
        raise RuntimeError(f"quill db upgrade failed: {migrated.stderr.strip()}")
    port = free_port()
    env.update(BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="2")
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [BIN / "gunicorn", "-c", "gunicorn.conf.py"],
            env=env,
            cwd=ROOT,
            stdout=sink,
            stderr=sink,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(f"{base}/readyz", process)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer {url} within {seconds} s")


def run_suite(suite: Path, base: str) -> tuple[int, str]:
    done = subprocess.run(
        ["bash", str(suite / "run-bruno.sh"), base], capture_output=True, text=True, check=False
    )
    return done.returncode, (done.stdout + done.stderr).strip()


def server_errors(log: Path) -> list[str]:
    """The server's own error lines (a 500's traceback is logged, never answered)."""
    lines = log.read_text(errors="replace").splitlines()
    return [line for line in lines if '"level": "ERROR"' in line or "Traceback" in line][-10:]


def on(database: str, suite: Path, workdir: Path) -> int:
    if database == "sqlite":
        chosen = sqlite_database(workdir)
    else:
        chosen = postgresql_database(os.environ["TEST_DATABASE_URL"])
    log = workdir / f"server-{database}.log"
    started = time.monotonic()
    with chosen as url, quill_server(url, log) as base:
        status, output = run_suite(suite, base)
    print(f"== RealWorld suite on {database} ({time.monotonic() - started:.0f} s)")
    print(output)
    for line in server_errors(log):
        print(f"   server: {line[:300]}")
    return status


def main(argv: list[str]) -> int:
    suite = suite_dir()
    wanted = argv or [d for d in DATABASES if d == "sqlite" or os.environ.get("TEST_DATABASE_URL")]
    unknown = [d for d in wanted if d not in DATABASES]
    if unknown:
        print(f"realworld-suite: unknown database {unknown[0]!r}: {', '.join(DATABASES)}")
        return 2
    if "postgresql" in wanted and not os.environ.get("TEST_DATABASE_URL"):
        print("realworld-suite: postgresql needs TEST_DATABASE_URL")
        return 2
    worst = 0
    with tempfile.TemporaryDirectory(prefix="quill-realworld-") as tmp:
        for database in wanted:
            try:
                status = on(database, suite, Path(tmp))
            except RuntimeError as error:
                print(f"== RealWorld suite on {database}: could not run: {error}")
                status = 2
            worst = max(worst, status)
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
