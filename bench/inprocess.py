"""CPU per request inside the worker: Quill's and the ceiling's WSGI apps called in a loop.

    .venv/bin/python -m bench.inprocess --database <a kept, loaded database> [--requests N]
        [--only S2,C1,...]

No gunicorn, no wrk, no other process on the CPU but PostgreSQL: the cost of the app itself,
in microseconds of this process's CPU (time.process_time) per request, and (when PostgreSQL
runs on this machine) of the database's backends serving it (bench.profile's user + system),
for S1-S4, the lists S8-S10, the post searches and the RealWorld reads C1-C3 (the feed's
reader follows the bench's FEED_AUTHORS, as S9's does). The backends' time comes in clock
ticks (10 ms): it means something over thousands of requests. The figures in the performance
commits come from it; a change is compared by running it before and after on the same
database, minutes apart, never by an absolute number. The ceiling's CPU is shown for S1-S4,
whose answers it replays.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import secrets
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from application.seed import COMMON_TAG
from flask import Flask
from interfaces.http.app import create_app
from sqlalchemy import make_url
from werkzeug.test import EnvironBuilder

from bench.ceiling import create_app as ceiling_app
from bench.config import DEFAULT_SERVER
from bench.database import probe, production_env
from bench.profile import backends, cpu_seconds, cpu_since
from bench.scenarios import NEW_POST, PASSWORD, searches

Call = Callable[[], tuple[str, bytes]]


def caller(
    app: Flask,
    method: str,
    path: str,
    body: Any = None,
    token: str | None = None,
    scheme: str = "Bearer",
) -> Call:
    """One request, built once and replayed: the environ is copied, the body re-read."""
    headers = {"Host": "127.0.0.1:8000", "User-Agent": "bench"}
    if token:
        headers["Authorization"] = f"{scheme} {token}"
    data = None if body is None else json.dumps(body).encode()
    environ = EnvironBuilder(
        path=path,
        method=method,
        headers=headers,
        data=data,
        content_type="application/json" if data else None,
    ).get_environ()
    raw = environ["wsgi.input"].read()
    status: list[str] = []

    def start_response(line: str, _headers: Any, _exc: Any = None) -> None:
        status[:] = [line]

    def once() -> tuple[str, bytes]:
        answer = b"".join(app({**environ, "wsgi.input": io.BytesIO(raw)}, start_response))
        return status[0], answer

    return once


def cpu_us(
    call: Call, requests: int, database_url: str | None = None
) -> tuple[float, float | None]:
    """This process's CPU per request, and that of the PostgreSQL backends serving
    `database_url` when it is on this machine (else None)."""
    for _ in range(min(200, requests)):  # warm: prepared statements, caches, connections
        call()
    pids = backends(database_url) if database_url else []
    before = cpu_seconds(pids)
    start = time.process_time()
    for _ in range(requests):
        call()
    app_us = (time.process_time() - start) / requests * 1e6
    if not pids:
        return app_us, None
    return app_us, sum(cpu_since(before, pids)) / requests * 1e6


def sign_up(app: Flask, name: str) -> tuple[str, str]:
    """A new account's v1 access token and RealWorld token."""
    login = {"email": f"{name}-{secrets.token_hex(4)}@bench.example", "password": PASSWORD}
    caller(app, "POST", "/api/v1/users", {**login, "name": name})()
    _, raw = caller(app, "POST", "/api/v1/auth/login", login)()
    _, conduit = caller(app, "POST", "/api/users/login", {"user": login})()
    return json.loads(raw)["access_token"], json.loads(conduit)["user"]["token"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.inprocess", description=__doc__)
    parser.add_argument("--database", required=True, help="a kept, loaded database")
    parser.add_argument("--server", default=DEFAULT_SERVER)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--only", help="comma-separated scenarios, e.g. S2,C1 (default: all)")
    args = parser.parse_args(argv)
    url = make_url(args.server).set(database=args.database).render_as_string(hide_password=False)
    os.environ.update(production_env(url))  # create_app reads its settings from there
    quill, found = create_app(), probe(url)
    token, conduit = sign_up(quill, "In")
    for username in found["feed_authors"]:  # S9's and C2's reader follows them, as in the bench
        caller(quill, "PUT", f"/api/v1/profiles/{username}/follow", None, token)()
    slug, post = found["post_slug"], found["post_id"]
    scenarios: dict[str, tuple[str, str, Any, str | None, str]] = {
        "S1": ("GET", f"/api/v1/posts/{post}", None, token, "Bearer"),
        "S2": ("GET", "/api/v1/posts?per_page=20", None, None, "Bearer"),
        "S3": ("GET", "/api/v1/users/me", None, token, "Bearer"),
        "S4": ("POST", "/api/v1/posts", NEW_POST, token, "Bearer"),
        "S8": ("GET", f"/api/v1/posts?per_page=20&tag={COMMON_TAG}", None, None, "Bearer"),
        "S9": ("GET", "/api/v1/feed?per_page=20", None, token, "Bearer"),
        "S10": (
            "GET",
            f"/api/v1/posts/{found['commented_post_id']}/comments",
            None,
            None,
            "Bearer",
        ),
        "C1": ("GET", "/api/articles?limit=20", None, conduit, "Token"),
        "C2": ("GET", "/api/articles/feed?limit=20", None, conduit, "Token"),
        "C3": ("GET", f"/api/articles/{slug}", None, conduit, "Token"),
    }
    for key, text in searches(found["users"], found["posts"]).items():
        if key.startswith("P-"):
            query = urllib.parse.urlencode({"per_page": 20, "search": text})
            scenarios[key] = ("GET", f"/api/v1/posts?{query}", None, None, "Bearer")
    if args.only:
        wanted = {key.strip().upper() for key in args.only.split(",")}
        scenarios = {key: value for key, value in scenarios.items() if key.upper() in wanted}
    bodies: dict[str, Any] = {}
    for key, (method, path, body, who, scheme) in scenarios.items():
        status, raw = caller(quill, method, path, body, who, scheme)()
        if not status.startswith("20"):
            raise SystemExit(f"{key}: Quill answered {status}")
        bodies[key] = json.loads(raw)
    replayed = {key: bodies.get(key, {}) for key in ("S1", "S2", "S3", "S4")}
    ceiling = ceiling_app({**replayed, "S5": {}, "S6": {}, "S6-base": {}, "S7": replayed["S2"]})
    local = make_url(url).host in (None, "", "localhost", "127.0.0.1", "::1")
    print(f"CPU per request in this process (and PostgreSQL's), {args.requests} requests each:")
    for key, (method, path, body, who, scheme) in scenarios.items():
        app_us, db_us = cpu_us(
            caller(quill, method, path, body, who, scheme), args.requests, url if local else None
        )
        line = f"  {key:>3}: Quill {app_us:7.1f} us"
        if db_us is not None:
            line += f"   PostgreSQL {db_us:7.1f} us   sum {app_us + db_us:7.1f} us"
        if key in replayed and key in bodies:
            bare_us, _ = cpu_us(caller(ceiling, method, path, body, who), args.requests)
            line += f"   ceiling {bare_us:6.1f} us"
        print(line, flush=True)


if __name__ == "__main__":
    main()
