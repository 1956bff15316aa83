"""The benchmark's quick mode runs end to end, so it cannot rot. Never a timing or ratio check."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import make_url

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = {"S1", "S2", "S3", "S4", "S5", "S6", "S6-base", "S7"}


def positive(value: float) -> bool:
    return math.isfinite(value) and value > 0


@pytest.mark.postgres
def test_the_quick_benchmark_produces_a_table_of_every_scenario(
    pg_url: str, tmp_path: Path
) -> None:
    if shutil.which("wrk") is None:
        pytest.fail("wrk is not installed (make test installs it): apt-get install -y wrk")
    server = make_url(pg_url).set(database="postgres").render_as_string(hide_password=False)
    command = [sys.executable, "-m", "bench", "--quick", f"--server={server}", f"--out={tmp_path}"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    (result_file,) = tmp_path.glob("*-quick.json")
    result = json.loads(result_file.read_text())
    assert set(result["table"]) == SCENARIOS
    for row in result["table"].values():
        for target in ("quill", "ceiling"):
            assert all(positive(row[target][m]) for m in ("rps", "p50_ms", "p99_ms")), row
        assert positive(row["ratio"])
    assert positive(result["rounds"][0]["argon2_rate"])
    assert result["worker_rss_mb"] and all(positive(x) for x in result["worker_rss_mb"])
    assert "| S7 " in done.stdout
