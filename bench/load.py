"""wrk, driven by a generated Lua script that sets method, body and token, reporting one line."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from attrs import asdict, frozen

from bench.scenarios import Scenario

INSTALL_HINT = "wrk is not installed: `apt-get update && apt-get install -y wrk` (Debian)"
LUA = """
wrk.method = "{method}"
{headers}
{body}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""
FIELDS = ("requests", "duration_us", "p50_us", "p99_us", "connect", "read", "write", "status")


@frozen(kw_only=True)
class Measure:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # socket errors and timeouts
    bad_status: int  # answers of 400 and above

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def wrk_path() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise RuntimeError(INSTALL_HINT)
    return path


def lua_script(scenario: Scenario, folder: Path) -> Path:
    headers = []
    if scenario.token:
        auth = f"{scenario.scheme} {scenario.token}"
        headers.append(f'wrk.headers["Authorization"] = "{auth}"')
    body = ""
    if scenario.body is not None:
        headers.append('wrk.headers["Content-Type"] = "application/json"')
        body = f"wrk.body = [==[{json.dumps(scenario.body)}]==]"
    text = LUA.format(method=scenario.method, headers="\n".join(headers), body=body)
    path = folder / f"{scenario.key}.lua"
    path.write_text(text)
    return path


def run(url: str, script: Path, seconds: int, connections: int) -> Measure:
    command = [wrk_path(), "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout=10s"]
    done = subprocess.run(
        [*command, "-s", str(script), url], capture_output=True, text=True, check=False
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed on {url}: {done.stdout[-1500:]} {done.stderr[-1500:]}")
    values = [float(x) for x in line.split()[1:]]
    n, duration, p50, p99, connect, read, write, status, timeout = values
    return Measure(
        rps=n / (duration / 1e6),
        p50_ms=p50 / 1000,
        p99_ms=p99 / 1000,
        requests=int(n),
        errors=int(connect + read + write + timeout),
        bad_status=int(status),
    )
