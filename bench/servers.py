"""Quill and the ceiling under gunicorn, side by side, with the same workers and worker class."""

from __future__ import annotations

import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
from attrs import frozen

from bench.config import ROOT

QUILL_CONF = ROOT / "gunicorn.conf.py"
CEILING_CONF = ROOT / "bench" / "gunicorn_ceiling_conf.py"


@frozen(kw_only=True)
class Server:
    name: str
    url: str
    process: subprocess.Popen[bytes]

    def worker_rss_mb(self) -> list[float]:
        children = psutil.Process(self.process.pid).children()
        return sorted(round(child.memory_info().rss / 2**20, 1) for child in children)

    def worker_pids(self) -> list[int]:
        return [child.pid for child in psutil.Process(self.process.pid).children()]


def quill_app() -> str:
    """The production WSGI module when there is one, else the application factory."""
    if (ROOT / "interfaces" / "wsgi.py").exists():
        return "interfaces.wsgi:app"
    return "interfaces.http.app:create_app()"


def conf_settings() -> dict[str, object]:
    return runpy.run_path(str(QUILL_CONF)) if QUILL_CONF.exists() else {}


def conf_workers() -> int:
    """As many workers as Quill's gunicorn.conf.py would start here, else one per CPU."""
    return int(str(conf_settings().get("workers", os.cpu_count() or 2)))


def conf_threads() -> int:
    """Threads per worker in Quill's gunicorn.conf.py (the ceiling copies them); each thread
    keeps its own database connection."""
    return int(str(conf_settings().get("threads", 1)))


def worker_model() -> list[str]:
    """Quill's own gunicorn.conf.py decides the worker class and threads; the ceiling copies it."""
    conf = conf_settings()
    return [
        f"--worker-class={conf.get('worker_class', 'sync')}",
        f"--threads={conf.get('threads', 1)}",
    ]


@contextmanager
def held_port() -> Iterator[socket.socket]:
    """A listening socket on a free port, handed to gunicorn as `fd://<fileno>`: a port picked,
    freed and bound again could be taken in between by any connection on the machine."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen(1024)
        yield held


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up in 60 s")


@contextmanager
def gunicorn(
    name: str, app: str, conf: Path, workers: int, env: dict[str, str], log: Path
) -> Iterator[Server]:
    with held_port() as held, log.open("wb") as output:
        port = held.getsockname()[1]
        command = [sys.executable, "-m", "gunicorn", f"--config={conf}", *worker_model()]
        command += [f"--bind=fd://{held.fileno()}", f"--workers={workers}", "--log-level=warning"]
        process = subprocess.Popen(
            [*command, app], cwd=ROOT, env=env, stdout=output, stderr=output,
            pass_fds=(held.fileno(),),
        )  # fmt: skip
    server = Server(name=name, url=f"http://127.0.0.1:{port}", process=process)
    try:
        _wait_ready(server.url, process, log)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def quill_conf() -> Path:
    return QUILL_CONF if QUILL_CONF.exists() else CEILING_CONF
