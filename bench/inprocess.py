"""CPU per request inside the worker: Quill's and the ceiling's WSGI apps called in a loop.

    .venv/bin/python -m bench.inprocess --database <a kept, loaded database> [--requests N]

No gunicorn, no wrk, no other process on the CPU but PostgreSQL: the cost of the app itself,
in microseconds of this process's CPU (time.process_time) per request, for S1-S4. The figures
in the performance commits come from it; a change is compared by running it before and after
on the same database, minutes apart, never by an absolute number.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import secrets
import time
from collections.abc import Callable
from typing import Any

from flask import Flask
from interfaces.http.app import create_app
from sqlalchemy import make_url
from werkzeug.test import EnvironBuilder

from bench.ceiling import create_app as ceiling_app
from bench.config import DEFAULT_SERVER
from bench.database import probe, production_env
from bench.scenarios import NEW_POST, PASSWORD

Call = Callable[[], tuple[str, bytes]]


def caller(app: Flask, method: str, path: str, body: Any = None, token: str | None = None) -> Call:
    """One request, built once and replayed: the environ is copied, the body re-read."""
    headers = {"Host": "127.0.0.1:8000", "User-Agent": "bench"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
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


def cpu_us(call: Call, requests: int) -> float:
    for _ in range(min(200, requests)):  # warm: prepared statements, caches
        call()
    start = time.process_time()
    for _ in range(requests):
        call()
    return (time.process_time() - start) / requests * 1e6


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.inprocess", description=__doc__)
    parser.add_argument("--database", required=True, help="a kept, loaded database")
    parser.add_argument("--server", default=DEFAULT_SERVER)
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args(argv)
    url = make_url(args.server).set(database=args.database).render_as_string(hide_password=False)
    os.environ.update(production_env(url))  # create_app reads its settings from there
    quill, found = create_app(), probe(url)
    email = f"inprocess-{secrets.token_hex(4)}@bench.example"
    caller(quill, "POST", "/api/v1/users", {"email": email, "name": "In", "password": PASSWORD})()
    _, raw = caller(quill, "POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD})()
    token = json.loads(raw)["access_token"]
    scenarios = {
        "S1": ("GET", f"/api/v1/posts/{found['post_id']}", None, token),
        "S2": ("GET", "/api/v1/posts?per_page=20", None, None),
        "S3": ("GET", "/api/v1/users/me", None, token),
        "S4": ("POST", "/api/v1/posts", NEW_POST, token),
    }
    bodies: dict[str, Any] = {}
    for key, (method, path, body, who) in scenarios.items():
        status, raw = caller(quill, method, path, body, who)()
        if not status.startswith("20"):
            raise SystemExit(f"{key}: Quill answered {status}")
        bodies[key] = json.loads(raw)
    ceiling = ceiling_app({**bodies, "S5": {}, "S6": {}, "S6-base": {}, "S7": bodies["S2"]})
    print(f"CPU per request in this process, {args.requests} requests each:")
    for key, (method, path, body, who) in scenarios.items():
        app_us = cpu_us(caller(quill, method, path, body, who), args.requests)
        bare_us = cpu_us(caller(ceiling, method, path, body, who), args.requests)
        print(f"  {key}: Quill {app_us:7.1f} us   ceiling {bare_us:6.1f} us", flush=True)


if __name__ == "__main__":
    main()
