"""`--profile`: py-spy on the gunicorn workers while wrk drives S1-S4: where requests spend time."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path

import psutil
from sqlalchemy import create_engine, text

from bench import load
from bench.config import ROOT, Options
from bench.scenarios import Scenario
from bench.servers import Server

PROFILED = ("S1", "S2", "S3", "S4")
FRAME = re.compile(r"^(?P<name>.*) \((?P<path>[^()]*?)(?::\d+)?\)$")
LAYERS = (  # first match of the leaf frame's file wins
    ("psycopg", "database driver and waiting on PostgreSQL"),
    ("sqlalchemy", "SQLAlchemy"),
    ("dependency_injector", "dependency-injector"),
    ("werkzeug", "werkzeug"),
    ("flask", "flask"),
    ("jwt", "PyJWT"),
    ("cattrs", "cattrs"),
    ("attr", "attrs"),
    ("gunicorn", "gunicorn"),
    ("json", "json"),
    ("logging", "logging"),
    ("domain/", "Quill: domain"),
    ("application/", "Quill: application"),
    ("infrastructure/", "Quill: infrastructure"),
    ("interfaces/", "Quill: interfaces"),
)


def short(path: str) -> str:
    for marker in ("site-packages/", f"{ROOT}/", "lib/python3.11/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def frames(stack: str) -> list[tuple[str, str]]:
    found = []
    for frame in stack.split(";"):
        match = FRAME.match(frame)
        if match:
            found.append((match["name"], short(match["path"])))
    return found


def read_requests(raw: Path) -> list[tuple[list[tuple[str, str]], int]]:
    """Samples taken inside a request (below gunicorn's handle_request), with their counts."""
    samples = []
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        parsed = frames(stack)
        if any(name.endswith("handle_request") for name, _ in parsed):
            samples.append((parsed, int(count)))
    return samples


WAITING = ("Connection.wait", "wait_conn", "select (selectors.py)", "EpollSelector.select")


def on_cpu(samples: list[tuple[list[tuple[str, str]], int]]) -> str:
    """Inclusive shares among the samples not waiting for PostgreSQL: Python's own work."""
    busy = [(p, n) for p, n in samples if not any(w in p[-1][0] for w in WAITING)]
    total = sum(count for _, count in busy) or 1
    inclusive: Counter[str] = Counter()
    for parsed, count in busy:
        for key in {f"{name} ({path})" for name, path in parsed}:
            inclusive[key] += count
    shown = [(k, n) for k, n in inclusive.most_common() if n / total < 0.95][:25]
    lines = [f"on CPU, not waiting for PostgreSQL ({total} samples), inclusive below 95%:"]
    return "\n".join(lines + [f"  {n / total:6.1%}  {key}" for key, n in shown])


def summary(raw: Path, top: int = 25) -> str:
    samples = read_requests(raw)
    total = sum(count for _, count in samples) or 1
    inclusive: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    layer: Counter[str] = Counter()
    for parsed, count in samples:
        for key in {f"{name} ({path})" for name, path in parsed}:
            inclusive[key] += count
        name, path = parsed[-1]
        leaf[f"{name} ({path})"] += count
        layer[next((label for mark, label in LAYERS if mark in path), "other")] += count
    lines = [f"{total} samples inside requests", "by the leaf frame's library:"]
    lines += [f"  {n / total:6.1%}  {key}" for key, n in layer.most_common()]
    lines.append("inclusive (a function and everything it calls), below 95%:")
    shown = [(k, n) for k, n in inclusive.most_common() if n / total < 0.95][:top]
    lines += [f"  {n / total:6.1%}  {key}" for key, n in shown]
    lines.append("self (the leaf frame):")
    lines += [f"  {n / total:6.1%}  {key}" for key, n in leaf.most_common(top // 2)]
    return "\n".join([*lines, on_cpu(samples)])


def cpu_seconds(pids: list[int]) -> dict[int, tuple[float, float]]:
    """User and system CPU seconds of each of these processes so far."""
    times: dict[int, tuple[float, float]] = {}
    for pid in pids:
        try:
            got = psutil.Process(pid).cpu_times()
        except psutil.Error:
            continue  # gone since (a recycled worker): its share is lost
        times[pid] = got.user, got.system
    return times


def cpu_since(before: dict[int, tuple[float, float]], pids: list[int]) -> tuple[float, float]:
    """User and system CPU seconds these processes spent since `before`.

    Only processes alive at the end count, each against its own earlier reading (none: it
    started since), so a process that exits in between cannot make the sum negative.
    """
    user = system = 0.0
    for pid, (u, s) in cpu_seconds(pids).items():
        was_u, was_s = before.get(pid, (0.0, 0.0))
        user, system = user + u - was_u, system + s - was_s
    return user, system


def backends(database_url: str) -> list[int]:
    """PostgreSQL server processes serving our database (not other people's)."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        query = (  # not this connection's own backend: it exits with the engine below
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        pids = list(connection.scalars(text(query)))
    engine.dispose()
    return pids


def cpu_split(server: Server, database_url: str, run: Callable[[], load.Measure]) -> str:
    """CPU milliseconds per request spent by Quill's workers and by PostgreSQL during `run`."""
    workers, pg = server.worker_pids(), backends(database_url)
    before = cpu_seconds(workers), cpu_seconds(pg)
    got = run()
    workers, pg = sorted({*workers, *server.worker_pids()}), sorted({*pg, *backends(database_url)})
    spent = [
        per_request(cpu_since(earlier, now), got.requests)
        for now, earlier in zip((workers, pg), before, strict=True)
    ]
    return (
        f"{got.rps:.0f} req/s; CPU per request: Quill workers {spent[0]}, "
        f"PostgreSQL {spent[1]} (CPUs available: {psutil.cpu_count()})"
    )


def per_request(spent: tuple[float, float], requests: int) -> str:
    user, system = (seconds * 1000 / max(requests, 1) for seconds in spent)
    return f"{user + system:.2f} ms (user {user:.2f}, system {system:.2f})"


def profile(
    options: Options, scenarios: list[Scenario], server: Server, database_url: str, ceiling: Server
) -> None:
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    folder = options.out / "profile"
    folder.mkdir(parents=True, exist_ok=True)
    for s in (s for s in scenarios if s.key in PROFILED):
        raw, seconds = folder / f"{s.key}.txt", options.profile_seconds
        command = [spy, "record", f"--pid={server.process.pid}", "--subprocesses", "--idle"]
        command += ["--format=raw", "--rate=200", f"--duration={seconds + 2}", f"--output={raw}"]
        recorder = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(1)  # let py-spy attach to every worker first
        url = server.url + s.path
        got = load.run(url, load.lua_script(s, folder), seconds, 8)
        _, errors = recorder.communicate(timeout=seconds + 60)
        if recorder.returncode != 0 or not raw.exists():
            raise RuntimeError(f"py-spy failed: {errors.decode()[-1500:]}")
        print(f"\n## {s.key} {s.label}: {got.rps:.0f} req/s while profiled\n{summary(raw)}")
        script = load.lua_script(s, folder)
        measured = cpu_split(server, database_url, partial(load.run, url, script, seconds, 8))
        print(f"without the profiler: {measured}", flush=True)
        run = partial(load.run, ceiling.url + s.path, script, seconds, 8)
        before = cpu_seconds(ceiling.worker_pids())
        got = run()
        spent = per_request(cpu_since(before, ceiling.worker_pids()), got.requests)
        print(f"the ceiling: {got.rps:.0f} req/s; CPU per request: workers {spent}")
