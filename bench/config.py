"""The benchmark's options: a full run by default, `--quick` for seconds on small data."""

from __future__ import annotations

import argparse
from pathlib import Path

from attrs import evolve, frozen

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@frozen(kw_only=True)
class Options:
    server: str = DEFAULT_SERVER  # a maintenance database on the server; ours is made beside it
    database: str | None = None  # reuse an already loaded database: no create, load or drop
    keep: bool = False  # leave the database made for this run (to reuse it with --database)
    users: int = 100_000
    posts: int = 1_000_000
    rounds: int = 5
    duration: int = 10  # seconds of load per scenario, target and round
    warmup: int = 2  # seconds of unmeasured load per scenario and target, first round only
    # Searches, every round: seconds of unmeasured load before each target's measurement,
    # repeated until each worker has surely run the statement past its prepared, generic plan.
    search_warmup: int = 3
    connections: int = 8
    workers: int = 0  # 0: as many as gunicorn.conf.py would start (else one per CPU)
    search: str | None = None  # S6's search text; by default one that picks a few users
    app: str | None = None  # another WSGI app to measure as Quill (e.g. a patched one to compare)
    out: Path = RESULTS
    quick: bool = False
    profile: bool = False
    profile_seconds: int = 15
    only: tuple[str, ...] = ()  # scenario keys to run (ratios bring their baselines); () all

    @property
    def mode(self) -> str:
        return "profile" if self.profile else "quick" if self.quick else "full"


QUICK = {
    "users": 300,
    "posts": 3000,
    "rounds": 1,
    "duration": 1,
    "warmup": 0,
    "search_warmup": 1,
    "connections": 4,
    "workers": 2,
}


def _keys(text: str) -> tuple[str, ...]:
    return tuple(key.strip().upper() for key in text.split(",") if key.strip())


def parse(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small data, 1 s per scenario")
    parser.add_argument("--profile", action="store_true", help="py-spy the Quill side of S1-S4")
    parser.add_argument("--server", help=f"maintenance database URL (default {DEFAULT_SERVER})")
    parser.add_argument("--database", help="an already loaded database to reuse")
    parser.add_argument("--keep", action="store_true", help="do not drop the database made")
    for name in ("users", "posts", "rounds", "duration", "warmup", "connections", "workers"):
        parser.add_argument(f"--{name}", type=int)
    parser.add_argument("--profile-seconds", type=int, dest="profile_seconds")
    parser.add_argument("--search-warmup", type=int, dest="search_warmup")
    parser.add_argument("--search", help="S6's search text")
    parser.add_argument("--app", help="WSGI app to measure instead of Quill's own, MODULE:APP")
    parser.add_argument(
        "--only",
        type=_keys,
        help="comma-separated scenarios to run, any case, e.g. S1,u-search-all (a partial run)",
    )
    parser.add_argument("--out", type=Path, help=f"results folder (default {RESULTS})")
    args = {k: v for k, v in vars(parser.parse_args(argv)).items() if v not in (None, False)}
    preset = QUICK if args.get("quick") else {}
    return evolve(Options(), **{**preset, **args})
