"""`--profile`: py-spy on the gunicorn workers while wrk drives S1-S4: where requests spend time."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

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
    return "\n".join(lines)


def profile(options: Options, scenarios: list[Scenario], server: Server) -> None:
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    folder = options.out / "profile"
    folder.mkdir(parents=True, exist_ok=True)
    for s in (s for s in scenarios if s.key in PROFILED):
        raw, seconds = folder / f"{s.key}.txt", options.profile_seconds
        command = [spy, "record", f"--pid={server.process.pid}", "--subprocesses", "--idle"]
        command += ["--format=raw", "--rate=200", f"--duration={seconds + 2}", f"--output={raw}"]
        recorder = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(1)  # let py-spy attach to every worker first
        got = load.run(server.url + s.path, load.lua_script(s, folder), seconds, 8)
        _, errors = recorder.communicate(timeout=seconds + 60)
        if recorder.returncode != 0 or not raw.exists():
            raise RuntimeError(f"py-spy failed: {errors.decode()[-1500:]}")
        print(f"\n## {s.key} {s.label}: {got.rps:.0f} req/s while profiled\n{summary(raw)}")
