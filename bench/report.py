"""Medians over rounds, the table, the issue's targets, and the files in bench/results/."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any

# The performance work's targets (Quill ÷ ceiling requests per second); shown, never asserted.
RPS_TARGETS = {"S1": 0.40, "S2": 0.30, "S3": 0.40, "S4": 0.25}
# The social lists: a tag's posts, the feed (first and deep page), a post's comments.
RPS_TARGETS |= {"S8": 0.30, "S9": 0.30, "S9-deep": 0.30, "S10": 0.30}
# The RealWorld adapter's reads: the article list, the feed, one article.
RPS_TARGETS |= {"C1": 0.30, "C2": 0.30, "C3": 0.30}
# p50 at most this many times its baseline's: a search's first page, measured after its
# statement is prepared, against the unfiltered first page of the same list.
LATENCY_TARGETS = {
    "S6": 3.0,
    "S7": 1.5,
    "S9-deep": 1.5,
    "P-search-common": 3.0,
    "P-search-selective": 3.0,
    "U-search-all": 3.0,
    "U-search-selective": 3.0,
}
BASELINES = {
    "S6": "S6-base",
    "S7": "S2",
    "S9-deep": "S9",
    "P-search-common": "S2",
    "P-search-selective": "S2",
    "U-search-all": "S6-base",
    "U-search-selective": "S6-base",
}


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def summarise(rounds: list[dict[str, Any]], keys: list[str]) -> dict[str, Any]:
    """Per scenario: medians of each target's numbers and of the ratio within each round."""
    table = {}
    for key in keys:
        rows = [r[key] for r in rounds if key in r]
        table[key] = {
            target: {
                metric: median([row[target][metric] for row in rows])
                for metric in ("rps", "p50_ms", "p99_ms")
            }
            for target in ("quill", "ceiling")
        }
        table[key]["ratio"] = median([row["quill"]["rps"] / row["ceiling"]["rps"] for row in rows])
        table[key]["errors"] = sum(
            row[t]["errors"] + row[t]["bad_status"] for row in rows for t in ("quill", "ceiling")
        )
    return table


def checks(
    table: dict[str, Any], rounds: list[dict[str, Any]], rss: list[float], peak: float
) -> list[str]:
    """Each target whose scenarios were run (`--only` may leave some out)."""
    lines = [
        f"{key} Quill/ceiling req/s {table[key]['ratio']:.2f} (target >= {goal:.2f}): "
        + ("met" if table[key]["ratio"] >= goal else "NOT met")
        for key, goal in RPS_TARGETS.items()
        if key in table
    ]
    if "S5" in table:
        login = median([r["S5"]["quill"]["rps"] / r["argon2_rate"] for r in rounds])
        argon = median([r["argon2_rate"] for r in rounds])
        lines.append(
            f"S5 login req/s / argon2 verify loop ({argon:.1f}/s) {login:.2f} (target >= 0.80): "
            + ("met" if login >= 0.80 else "NOT met")
        )
    for key, goal in LATENCY_TARGETS.items():
        if key not in table:
            continue
        base = BASELINES[key]
        ratio = median([r[key]["quill"]["p50_ms"] / r[base]["quill"]["p50_ms"] for r in rounds])
        lines.append(
            f"{key} p50 / {base} p50 {ratio:.2f} (target <= {goal}): "
            + ("met" if ratio <= goal else "NOT met")
        )
    worst = max(rss, default=0.0)
    lines.append(
        f"gunicorn worker RSS after the run: {', '.join(f'{x:.0f}' for x in rss)} MB "
        f"(target < 100 each): {'met' if worst < 100 else 'NOT met'}; largest seen between "
        f"measurements {peak:.0f} MB (a login in flight holds argon2's memory_cost on top)"
    )
    return lines


def render(result: dict[str, Any]) -> str:
    head = (
        "| scenario | Quill req/s | p50 ms | p99 ms | ceiling req/s | p50 ms | p99 ms | ratio |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [head]
    for key, row in result["table"].items():
        q, c = row["quill"], row["ceiling"]
        lines.append(
            f"| {key} {result['labels'][key]} | {q['rps']:.0f} | {q['p50_ms']:.2f} | "
            f"{q['p99_ms']:.2f} | {c['rps']:.0f} | {c['p50_ms']:.2f} | {c['p99_ms']:.2f} | "
            f"{row['ratio']:.2f} |"
        )
    parts = [_preamble(result), "\n".join(lines), "Against the issue's targets:"]
    parts.append("\n".join(f"- {line}" for line in result["checks"]))
    if result.get("matches"):
        parts.append("What each search matched (the total on Quill's first page):")
        parts.append("\n".join(_matched(key, m) for key, m in result["matches"].items()))
    if result.get("pages"):
        parts.append("What each list page held (Quill's first answer):")
        parts.append(
            "\n".join(
                f"- {key}: {page['items']} items of {page['total']}"
                for key, page in result["pages"].items()
            )
        )
    parts.append("Data load and set-up (seconds):")
    parts.append("\n".join(f"- {k}: {v:.1f}" for k, v in result["timings"].items()))
    return "\n\n".join(parts) + "\n"


def _matched(key: str, found: dict[str, Any]) -> str:
    bound = "at least " if found["total_is_lower_bound"] else ""
    return (
        f"- {key} `{found['search']}`: {bound}{found['total']} "
        f"({found['first_page']} on the first page)"
    )


def _preamble(result: dict[str, Any]) -> str:
    o = result["options"]
    return (
        f"# Quill benchmark, {result['mode']} mode, {result['started']}\n\n"
        f"{result['data']['users']} users, {result['data']['posts']} posts; "
        f"{o['workers']} gunicorn workers each ({result['worker_model']}), app {result['app']}; "
        f"wrk -t1 -c{o['connections']}, {o['duration']} s per scenario and target, "
        f"{o['rounds']} round(s), targets alternated, medians shown; ratio = median over rounds "
        f"of Quill ÷ ceiling req/s in the same round. {result['machine']} Code: {result['code']}."
    )


def write(result: dict[str, Any], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{result['mode']}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2, default=str))
    stem.with_suffix(".md").write_text(render(result))
    return stem.with_suffix(".md")
