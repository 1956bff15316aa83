"""`python -m bench`: load, start Quill and the ceiling, drive both with wrk, report medians."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from attrs import asdict, evolve
from interfaces.http.cursors import CursorSeal

from bench import load
from bench.argon2_loop import verify_rate
from bench.config import Options, parse
from bench.database import load as load_data
from bench.database import probe, production_env, throwaway
from bench.report import BASELINES, checks, render, summarise, write
from bench.scenarios import (
    LISTED,
    Scenario,
    accounts,
    build,
    capture,
    default_search,
    follow_and_walk,
)
from bench.servers import (
    CEILING_CONF,
    Server,
    conf_threads,
    conf_workers,
    gunicorn,
    quill_app,
    quill_conf,
    worker_model,
)


def code_version() -> str:
    """The commit measured, and whether the work tree differed from it."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True)
    return head.stdout.strip() + (" (work tree modified)" if dirty.stdout.strip() else "")


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# psycopg prepares a statement at its 6th execution on a connection, and PostgreSQL may give a
# prepared statement its generic plan from its 6th execution on: the 11th on each connection
# (one per worker thread). Under load each worker takes connections as it frees up, about its
# share, so this many per thread on average leaves none anywhere near 11.
WARM_PER_THREAD = 50


def warm_up(url: str, script: Path, options: Options, connections: int) -> None:
    """A search's unmeasured load before each measurement, in every round: `--search-warmup`
    seconds at a time until it sent WARM_PER_THREAD requests per worker thread."""
    wanted, sent = WARM_PER_THREAD * options.workers * conf_threads(), 0
    while sent < wanted:
        got = load.run(url, script, max(options.search_warmup, 1), connections)
        if got.requests == 0:
            raise RuntimeError(f"warm-up of {url}: no answer in {options.search_warmup} s")
        sent += got.requests


def measure(
    options: Options, scenarios: list[Scenario], servers: list[Server], env: dict[str, str]
) -> tuple[list[dict[str, Any]], float]:
    """Every scenario on both targets, one after the other, the order swapped each round.

    Also the largest RSS of a Quill worker (servers[0]) seen after any measurement: gunicorn's
    max_requests may recycle workers, so the RSS at the end alone could flatter.

    A search is warmed up before each measurement, in every round (`warm_up`), so that it is
    measured on its prepared statement's plan even on a worker that max_requests replaced since
    the last round (its new connection starts unprepared).
    """
    folder = options.out / "lua"
    folder.mkdir(parents=True, exist_ok=True)
    scripts = {s.key: load.lua_script(s, folder) for s in scenarios}
    rounds, peak = [], 0.0
    for number in range(options.rounds):
        order = servers if number % 2 == 0 else servers[::-1]
        row: dict[str, Any] = {}
        for s in scenarios:
            row[s.key] = {}
            for server in order:
                url, conns = server.url + s.path, s.connections or options.connections
                if s.search is not None:
                    warm_up(url, scripts[s.key], options, conns)
                elif number == 0 and options.warmup:
                    load.run(url, scripts[s.key], options.warmup, conns)
                got = load.run(url, scripts[s.key], options.duration, conns)
                row[s.key][server.name] = got.as_dict()
                say(f"round {number + 1} {s.key:18} {server.name:8} {got.rps:8.1f} req/s "
                    f"p50 {got.p50_ms:7.2f} ms p99 {got.p99_ms:7.2f} ms")  # fmt: skip
            peak = max(peak, *servers[0].worker_rss_mb())
            if s.key == "S5":
                row["argon2_rate"] = verify_rate(env, options.workers, options.duration)
                say(f"round {number + 1} argon2 verify loop {row['argon2_rate']:.1f}/s")
        rounds.append(row)
    return rounds, peak


def chosen(scenarios: list[Scenario], only: tuple[str, ...]) -> list[Scenario]:
    """The scenarios asked for, in any case, with the baseline each p50 ratio is taken against."""
    if not only:
        return scenarios
    keys = {s.key.upper(): s.key for s in scenarios}
    unknown = {key for key in only if key.upper() not in keys}
    if unknown:
        sys.exit(f"--only: no scenario {', '.join(sorted(unknown))}")
    wanted = {keys[key.upper()] for key in only}
    wanted |= {BASELINES[key] for key in wanted if key in BASELINES}
    return [s for s in scenarios if s.key in wanted]


def matches(scenarios: list[Scenario], bodies: dict[str, Any]) -> dict[str, Any]:
    """What each search found, from Quill's first page: its text does what its label says."""
    return {
        s.key: {
            "search": s.search,
            "total": bodies[s.key]["total"],
            "total_is_lower_bound": bool(bodies[s.key].get("total_is_lower_bound", False)),
            "first_page": len(bodies[s.key]["items"]),
        }
        for s in scenarios
        if s.search is not None
    }


def listed(bodies: dict[str, Any]) -> dict[str, Any]:
    """What the tag, feed, comment and Conduit article pages held on Quill's first answer: not
    empty pages."""
    return {
        key: {"total": bodies[key][total], "items": len(bodies[key][items])}
        for key, (items, total) in LISTED.items()
        if key in bodies
    }


def searches_by_route(scenarios: list[Scenario]) -> dict[str, dict[str, str]]:
    """{list path: {search text: scenario}}: how the ceiling tells the searches apart."""
    routes: dict[str, dict[str, str]] = {}
    for s in scenarios:
        if s.search is not None:
            routes.setdefault(s.path.partition("?")[0], {})[s.search] = s.key
    return routes


def load_and_probe(options: Options, url: str, timings: dict[str, float]) -> dict[str, Any]:
    if not options.database:
        say(f"loading {options.users} users and {options.posts} posts through `quill seed` ...")
        load_data(options, production_env(url), timings)
        say(", ".join(f"{k}: {v:.1f} s" for k, v in timings.items()))
    return probe(url)


def serve_and_measure(options: Options, url: str, found: dict[str, Any]) -> dict[str, Any]:
    env, logs = production_env(url), options.out / "logs"
    # Quill's cursors are sealed with its SECRET_KEY (interfaces/http/cursors.py)
    found = {**found, "deep_cursor": CursorSeal(env["SECRET_KEY"]).seal(found["deep_cursor"])}
    logs.mkdir(parents=True, exist_ok=True)
    app, workers = options.app or quill_app(), options.workers
    with gunicorn("quill", app, quill_conf(), workers, env, logs / "quill.log") as q:
        who = accounts(q.url, env)
        who |= follow_and_walk(q.url, who["user_token"], found["feed_authors"])
        scenarios = build(found, who, options.search or default_search(options.users))
        scenarios = chosen(scenarios, options.only)
        bodies, bodies_file = capture(q.url, scenarios), logs / "ceiling_bodies.json"
        captured = {"bodies": bodies, "searches": searches_by_route(scenarios)}
        bodies_file.write_text(json.dumps(captured))
        ceiling_env = {**os.environ, "BENCH_CEILING_BODIES": str(bodies_file)}
        ceiling, log = "bench.ceiling:create_app()", logs / "ceiling.log"
        with gunicorn("ceiling", ceiling, CEILING_CONF, workers, ceiling_env, log) as c:
            if options.profile:
                from bench.profile import profile

                profile(options, scenarios, q, url, c)
                return {}
            rounds, peak = measure(options, scenarios, [q, c], env)
            rss = q.worker_rss_mb()
    labels = {s.key: s.label for s in scenarios}
    matched, pages = matches(scenarios, bodies), listed(bodies)
    return {
        "rounds": rounds,
        "rss": rss,
        "rss_peak": peak,
        "labels": labels,
        "matches": matched,
        "pages": pages,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    options = parse(argv)
    options = evolve(options, workers=options.workers or conf_workers())
    load.wrk_path()  # fail at once, with the install hint, when wrk is missing
    started, timings, code = time.strftime("%Y-%m-%d %H:%M:%S"), {}, code_version()
    with throwaway(options, timings) as url:
        found = load_and_probe(options, url, timings)
        measured = serve_and_measure(options, url, found)
    if options.profile:
        return {}
    rounds, keys = measured["rounds"], list(measured["labels"])
    table = summarise(rounds, keys)
    wrong = [key for key, row in table.items() if row["errors"]]
    result = {
        "mode": options.mode,
        "started": started,
        "options": {**asdict(options), "out": str(options.out)},
        "app": options.app or quill_app(),
        "worker_model": " ".join(worker_model()),
        "machine": f"{os.cpu_count()} CPUs, load average at the end {os.getloadavg()[0]:.2f}.",
        "code": code,  # as it was when the run started
        "data": found,
        "timings": timings,
        "labels": measured["labels"],
        "matches": measured["matches"],
        "pages": measured["pages"],
        "table": table,
        "rounds": rounds,
        "worker_rss_mb": measured["rss"],
        "worker_rss_peak_mb": measured["rss_peak"],
        "checks": checks(table, rounds, measured["rss"], measured["rss_peak"]),
    }
    path = write(result, options.out)
    print(render(result))
    say(f"written to {path} and {path.with_suffix('.json')}")
    if wrong:  # a run that measured error answers or dropped connections measured nothing
        sys.exit(f"errors under load in {', '.join(wrong)}: see {path.with_suffix('.json')}")
    return result
