"""The benchmark's quick mode and its in-process measure run end to end, so they cannot rot.

Never a timing or ratio check.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, make_url, text

ROOT = Path(__file__).resolve().parents[2]
SEARCHES = {"S6", "P-search-common", "P-search-selective", "U-search-all", "U-search-selective"}
LISTS = {"S8", "S9", "S9-deep", "S10"}
CONDUIT = {"C1", "C2", "C3"}
SCENARIOS = {"S1", "S2", "S3", "S4", "S5", "S6-base", "S7", *SEARCHES, *LISTS, *CONDUIT}


IN_PROCESS = ["S1", "S2", "S3", "S4", "S8", "S9", "S10", "C1", "C2", "C3", "P-search-common",
              "P-search-selective"]  # fmt: skip


def positive(value: float) -> bool:
    return math.isfinite(value) and value > 0


def drop(server: str, database: str) -> None:
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    engine.dispose()


@pytest.mark.postgres
def test_the_quick_benchmark_produces_a_table_of_every_scenario(
    pg_url: str, tmp_path: Path
) -> None:
    if shutil.which("wrk") is None:
        pytest.fail("wrk is not installed (make test installs it): apt-get install -y wrk")
    server = make_url(pg_url).set(database="postgres").render_as_string(hide_password=False)
    command = [sys.executable, "-m", "bench", "--quick", f"--server={server}", f"--out={tmp_path}"]
    done = subprocess.run(
        [*command, "--keep"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    kept = re.search(r"kept database (\w+)", done.stdout)
    try:
        assert done.returncode == 0, done.stderr[-3000:]
        assert kept, done.stdout[-3000:]
        in_process = [sys.executable, "-m", "bench.inprocess", f"--server={server}"]
        in_process += [f"--database={kept[1]}", "--requests=20"]
        measured = subprocess.run(in_process, cwd=ROOT, capture_output=True, text=True, timeout=120)
    finally:
        if kept:
            drop(server, kept[1])
    assert measured.returncode == 0, measured.stderr[-3000:]
    line = r"([\w-]+): Quill +([0-9.]+) us(?: +PostgreSQL +([0-9.]+) us +sum +[0-9.]+ us)?"
    lines = re.findall(line + r"(?: +ceiling +([0-9.]+) us)?", measured.stdout)
    assert [key for key, *_ in lines] == IN_PROCESS, measured.stdout
    assert all(positive(float(quill)) for _, quill, _, _ in lines), measured.stdout
    assert all(float(database) >= 0 for _, _, database, _ in lines if database), measured.stdout
    ceilings = [bare for key, _, _, bare in lines if key in IN_PROCESS[:4]]
    assert all(bare and positive(float(bare)) for bare in ceilings), measured.stdout
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
    matched = result["matches"]
    assert set(matched) == SEARCHES
    assert not any(m["total_is_lower_bound"] for m in matched.values())  # few rows: all counted
    # Anonymous lists show published posts: 9 in 10, a third of which hold the common word.
    assert matched["P-search-common"]["total"] * 10 == result["data"]["posts"] * 3
    assert matched["U-search-all"]["total"] >= result["data"]["users"]  # and the run's own
    for key in ("S6", "P-search-selective", "U-search-selective"):
        assert 1 <= matched[key]["total"] <= 11, matched
    # The tag, feed and comment pages are full pages of a seeded list, not empty answers.
    pages = result["pages"]
    assert set(pages) == LISTS | {"C1", "C2"}
    assert all(page["items"] == 20 for key, page in pages.items() if key != "S10"), pages
    assert pages["S8"]["total"] * 6 >= result["data"]["posts"]  # the most used tag
    assert pages["S9"]["total"] >= 50 * 20  # a feed deep enough for the page walked to
    assert pages["S10"]["items"] == min(20, pages["S10"]["total"]) > 0
    assert "S9-deep GET /feed?cursor=<page 50>" in done.stdout
    assert "S9-deep p50 / S9 p50" in done.stdout
    assert "C1 Quill/ceiling req/s" in done.stdout
    captured = json.loads((tmp_path / "logs" / "ceiling_bodies.json").read_text())["bodies"]
    the_conduit_answers_are_v1s_as_the_bench_user_sees_them(captured, result["data"])


def the_conduit_answers_are_v1s_as_the_bench_user_sees_them(
    bodies: dict[str, Any], data: dict[str, Any]
) -> None:
    """C1-C3 hold the posts S2, S9 and S1 hold, with the bench user's `following` of each
    author (the 100 it follows). The post S4's capture wrote is a draft, which no list shows."""
    followed = set(data["feed_authors"])
    listed, feed, one = bodies["C1"], bodies["C2"], bodies["C3"]["article"]
    assert bodies["S4"]["published"] is False
    assert [a["slug"] for a in listed["articles"]] == [p["slug"] for p in bodies["S2"]["items"]]
    assert listed["articlesCount"] == bodies["S2"]["total"]
    for article in listed["articles"]:
        assert article["author"]["following"] is (article["author"]["username"] in followed)
        assert article["favorited"] is False  # the bench user favorites nothing
        assert "body" not in article
    assert [a["slug"] for a in feed["articles"]] == [p["slug"] for p in bodies["S9"]["items"]]
    assert feed["articlesCount"] == bodies["S9"]["total"]
    assert all(a["author"]["following"] for a in feed["articles"])
    assert {a["author"]["username"] for a in feed["articles"]} <= followed
    post = bodies["S1"]
    assert one["slug"] == data["post_slug"] == post["slug"]
    assert (one["title"], one["body"]) == (post["title"], post["content"])
    assert one["favoritesCount"] == post["favorites_count"]
    assert one["author"]["following"] is (post["author"]["username"] in followed)
