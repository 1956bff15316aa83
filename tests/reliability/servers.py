"""Quill under gunicorn on a free port, and a plain HTTP client for it."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.servers import held_port
from tests.reliability.conftest import app_env
from tests.reliability.throwaway import children

ROOT = Path(__file__).resolve().parents[2]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Server:
    def __init__(self, process: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.process, self.port, self.log = process, port, log

    @property
    def workers(self) -> list[int]:
        return children(self.process.pid)

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
        timeout: float = 30,
    ) -> tuple[int, Any]:
        """One request on a new connection: the status and the parsed JSON body (or None)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            data = raw if raw is not None else None if body is None else json.dumps(body).encode()
            sent = {"Content-Type": "application/json"} if data is not None else {}
            connection.request(method, path, body=data, headers={**sent, **(headers or {})})
            response = connection.getresponse()
            content = response.read()
            try:
                parsed = json.loads(content) if content else None
            except ValueError:
                parsed = content[:200]
            return response.status, parsed
        finally:
            connection.close()

    def wait_until_serving(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log.read_text()[-2000:]}")
            try:
                if self.call("GET", "/healthz", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(
            f"gunicorn did not serve within {seconds} s: {self.log.read_text()[-2000:]}"
        )


def wsgi_target() -> str:
    """The WSGI entry point when it exists, else the application factory called by gunicorn."""
    if (ROOT / "interfaces" / "wsgi.py").exists():
        return "interfaces.wsgi:app"
    return "interfaces.http.app:create_app()"


@contextmanager
def gunicorn(database_url: str, workers: int = 2, **env: str) -> Iterator[Server]:
    """gunicorn with `workers` sync workers on a free port; stopped (only it) on the way out."""
    log = Path(tempfile.mkstemp(prefix="quill-gunicorn-", suffix=".log")[1])
    with held_port() as held:
        port = held.getsockname()[1]
        command = [
            str(Path(sys.executable).parent / "gunicorn"),
            "-w", str(workers),
            "-b", f"fd://{held.fileno()}",
            "--graceful-timeout", "5",
            wsgi_target(),
        ]  # fmt: skip
        with log.open("wb") as sink:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**os.environ, **app_env(database_url), **env},
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                pass_fds=(held.fileno(),),
            )
    server = Server(process, port, log)
    try:
        server.wait_until_serving()
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.unlink(missing_ok=True)
