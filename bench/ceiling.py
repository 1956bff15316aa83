"""The ceiling: bare Flask on the same routes, constant JSON bodies of Quill's sizes, no database.

`BENCH_CEILING_BODIES` names a JSON file {"bodies": {scenario: body}, "searches": {path:
{search text: scenario}}} captured from Quill in the same run, so each answer has the size of
Quill's. Run it as `gunicorn 'bench.ceiling:create_app()'`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from flask import Flask, request


def create_app(
    bodies: dict[str, Any] | None = None, searches: dict[str, dict[str, str]] | None = None
) -> Flask:
    if bodies is None:
        captured = json.loads(Path(os.environ["BENCH_CEILING_BODIES"]).read_text())
        bodies, searches = captured["bodies"], captured["searches"]
    # A list's search text names its scenario; an unknown text is a 500, which the run reports.
    post_searches = (searches or {}).get("/api/v1/posts", {})
    user_searches = (searches or {}).get("/api/v1/users", {})
    app = Flask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]

    @app.get("/healthz")
    def healthz() -> Any:
        return {"status": "ok"}

    @app.get("/api/v1/posts/<int:post_id>")
    def get_post(post_id: int) -> Any:
        return bodies["S1"]

    @app.get("/api/v1/posts")
    def list_posts() -> Any:
        if "cursor" in request.args:
            return bodies["S7"]
        if "tag" in request.args:
            return bodies["S8"]
        search = request.args.get("search")
        return bodies[post_searches[search] if search else "S2"]

    @app.get("/api/v1/feed")
    def feed() -> Any:
        return bodies["S9-deep" if "cursor" in request.args else "S9"]

    @app.get("/api/v1/posts/<int:post_id>/comments")
    def comments(post_id: int) -> Any:
        return bodies["S10"]

    @app.post("/api/v1/posts")
    def create_post() -> Any:
        request.get_json()
        return bodies["S4"], 201

    @app.get("/api/v1/users/me")
    def me() -> Any:
        return bodies["S3"]

    @app.get("/api/v1/users")
    def list_users() -> Any:
        search = request.args.get("search")
        return bodies[user_searches[search] if search else "S6-base"]

    @app.post("/api/v1/auth/login")
    def login() -> Any:
        request.get_json()
        return bodies["S5"]

    @app.get("/api/articles")
    def articles() -> Any:
        return bodies["C1"]

    @app.get("/api/articles/feed")
    def articles_feed() -> Any:
        return bodies["C2"]

    @app.get("/api/articles/<slug>")
    def article(slug: str) -> Any:
        return bodies["C3"]

    return app
