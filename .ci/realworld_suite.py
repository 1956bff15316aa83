"""The RealWorld API suite against Quill, end to end: the real server on each database.

    .venv/bin/python .ci/realworld_suite.py            # SQLite, and PostgreSQL when
                                                       # TEST_DATABASE_URL is set
    .venv/bin/python .ci/realworld_suite.py sqlite     # one database only
    FOLDERS="auth articles" .venv/bin/python .ci/realworld_suite.py   # some folders only

For each database: a fresh one (a new SQLite file; a new PostgreSQL database next to
TEST_DATABASE_URL's, dropped afterwards), migrated with `quill db upgrade`, served by gunicorn
(gunicorn.conf.py, as in production) on a free port with PASSWORD_RULES=length, then
`run-bruno.sh` from the RealWorld material against it (154 requests), then the older Postman
suite (`legacy/`, 32 requests) with newman. The databases run side by side, each with its own
server: the runners' Node.js start-ups are most of the time. Both runners come from the npm
registry into caches (~/.cache/realworld-bruno, the one run-bruno.sh uses, and
~/.cache/realworld-newman), installed here first, once, so that two runs never install at
once. Exit status: 0 when every request passed on every database, 1 when one failed, 2 when
the suite could not run (missing, no npm...).

The suite is vendored, unchanged, in tests/realworld/ (see its README); REALWORLD_DIR runs another
copy. Asked for and missing is a failure, never a skip.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DATABASES = ("sqlite", "postgresql")


class NpmTool(NamedTuple):
    """An npm package a suite runs with, and the cache it is installed in (`variable`, else
    ~/.cache/`folder`)."""

    package: str
    version: str  # `6` takes any 6.x.y
    folder: str
    command: str
    variable: str

    @property
    def cache(self) -> Path:
        return Path(os.environ.get(self.variable) or Path.home() / ".cache" / self.folder)


# Bruno's CLI at run-bruno.sh's own default version (or BRU_VERSION's), in the cache it looks in.
BRUNO = NpmTool(
    "@usebruno/cli", os.environ.get("BRU_VERSION") or "4.1.0", "realworld-bruno", "bru",
    "BRUNO_CACHE",
)  # fmt: skip
NEWMAN = NpmTool("newman", "6", "realworld-newman", "newman", "NEWMAN_CACHE")  # the Postman suite


def suite_dir() -> Path:
    found = Path(os.environ.get("REALWORLD_DIR") or ROOT / "tests" / "realworld")
    if not (found / "run-bruno.sh").is_file():
        print(
            f"realworld-suite: no RealWorld suite at {found} (run-bruno.sh missing); set"
            " REALWORLD_DIR to the folder holding run-bruno.sh and bruno/",
            file=sys.stderr,
        )
        sys.exit(2)
    return found


@contextmanager
def held_port() -> Iterator[socket.socket]:
    """A listening socket on a free port, handed to gunicorn as `fd://<fileno>`: a port picked,
    freed and bound again could be taken in between by any connection on the machine."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen(128)
        yield held


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
    with held_port() as held, log.open("wb") as sink:
        port = held.getsockname()[1]
        env.update(BIND=f"fd://{held.fileno()}", WEB_CONCURRENCY="2")
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


def run_suite(suite: Path, base: str, reports: Path) -> tuple[int, str]:
    env = {
        **os.environ, "BRUNO_CACHE": str(BRUNO.cache), "BRU_VERSION": BRUNO.version,
        "BRUNO_REPORTS": str(reports),
    }  # fmt: skip
    done = subprocess.run(
        ["bash", str(suite / "run-bruno.sh"), base],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return done.returncode, (done.stdout + done.stderr).strip()


def npm_tool(tool: NpmTool) -> Path:
    """The tool's command, installed from the npm registry into its cache unless a version
    that `tool.version` names is there already."""
    package, version, name, command, _ = tool
    cache = tool.cache
    found = cache / "node_modules" / ".bin" / command
    manifest = cache / "node_modules" / package / "package.json"
    if found.exists() and manifest.exists():
        have = json.loads(manifest.read_text()).get("version", "")
        if have == version or have.startswith(f"{version}."):
            return found
    if shutil.which("npm") is None:
        raise RuntimeError("npm is needed (Debian: apt-get install -y nodejs npm)")
    cache.mkdir(parents=True, exist_ok=True)
    if not (cache / "package.json").exists():
        (cache / "package.json").write_text(f'{{"name": "{name}", "private": true}}\n')
    installed = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", f"{package}@{version}"],
        cwd=cache,
        capture_output=True,
        text=True,
        check=False,
    )
    if installed.returncode != 0 or not found.exists():
        raise RuntimeError(f"could not install {package}: {installed.stderr.strip()[-500:]}")
    return found


def run_legacy(suite: Path, base: str, workdir: Path) -> tuple[int, str]:
    """The older Postman suite (32 requests), with a user of its own for this run."""
    collection = suite / "legacy" / "Conduit.postman_collection.json"
    if not collection.is_file():
        return 2, f"no legacy suite at {collection}"
    report = workdir / "newman.json"
    who = f"legacy_{secrets.token_hex(4)}"
    done = subprocess.run(
        [
            str(npm_tool(NEWMAN)), "run", str(collection), "--reporters", "json",
            "--reporter-json-export", str(report),
            "--env-var", f"APIURL={base}/api", "--env-var", f"USERNAME={who}",
            "--env-var", f"EMAIL={who}@example.com", "--env-var", "PASSWORD=password123",
        ],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if not report.exists():
        return 2, f"newman did not run: {(done.stdout + done.stderr).strip()[-500:]}"
    run = json.loads(report.read_text())["run"]
    by_request: dict[str, list[str]] = {}
    for failure in run["failures"]:
        error = failure["error"]
        said = f"{error.get('test', '')} {error['message']}".strip()
        by_request.setdefault(failure["source"]["name"], []).append(said)
    lines = [
        f"FAILED {name}: {said[0][:200]}" + (f" (+{len(said) - 1} more)" if len(said) > 1 else "")
        for name, said in by_request.items()
    ]
    requests, assertions = run["stats"]["requests"], run["stats"]["assertions"]
    lines.append(
        f"{requests['total'] - len(by_request)} passed, {len(by_request)} failed (requests);"
        f" {assertions['total'] - assertions['failed']} of {assertions['total']} assertions"
    )
    return (1 if run["failures"] else 0), "\n".join(lines)


def server_errors(log: Path) -> list[str]:
    """The server's own error lines (a 500's traceback is logged, never answered)."""
    lines = log.read_text(errors="replace").splitlines()
    return [line for line in lines if '"level": "ERROR"' in line or "Traceback" in line][-10:]


def on(database: str, suite: Path, workdir: Path) -> tuple[int, str]:
    """The suites' status and report on one database, in a folder of its own."""
    workdir.mkdir()
    if database == "sqlite":
        chosen = sqlite_database(workdir)
    else:
        chosen = postgresql_database(os.environ["TEST_DATABASE_URL"])
    log = workdir / "server.log"
    # BRUNO_REPORTS, when set, keeps each database's reports in a folder of its own.
    kept = os.environ.get("BRUNO_REPORTS")
    reports = Path(kept) / database if kept else workdir / "bruno"
    started = time.monotonic()
    try:
        with chosen as url, quill_server(url, log) as base:
            status, output = run_suite(suite, base, reports)
            legacy_status, legacy_output = run_legacy(suite, base, workdir)
    except Exception as error:  # an unreachable database too: said beside the other's report
        return 2, f"== RealWorld suite on {database}: could not run: {error!r}"
    lines = [
        f"== RealWorld suite on {database} ({time.monotonic() - started:.0f} s)",
        output,
        f"-- the older Postman suite on {database}",
        legacy_output,
        *(f"   server: {line[:300]}" for line in server_errors(log)),
    ]
    return max(status, legacy_status), "\n".join(lines)


def main(argv: list[str]) -> int:
    suite = suite_dir()
    asked = argv or [d for d in DATABASES if d == "sqlite" or os.environ.get("TEST_DATABASE_URL")]
    wanted = list(dict.fromkeys(asked))  # each database once
    unknown = [d for d in wanted if d not in DATABASES]
    if unknown:
        print(f"realworld-suite: unknown database {unknown[0]!r}: {', '.join(DATABASES)}")
        return 2
    if "postgresql" in wanted and not os.environ.get("TEST_DATABASE_URL"):
        print("realworld-suite: postgresql needs TEST_DATABASE_URL")
        return 2
    try:
        npm_tool(BRUNO)
        npm_tool(NEWMAN)
    except RuntimeError as error:
        print(f"realworld-suite: {error}")
        return 2
    with (
        tempfile.TemporaryDirectory(prefix="quill-realworld-") as tmp,
        ThreadPoolExecutor(len(wanted)) as pool,
    ):
        runs = [pool.submit(on, database, suite, Path(tmp) / database) for database in wanted]
        done = [run.result() for run in runs]
    for _, report in done:  # in the order asked, whichever finished first
        print(report, flush=True)
    return max(status for status, _ in done)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
