"""The ceiling: bare Flask on the same routes, constant JSON bodies of Quill's sizes, no database.

`BENCH_CEILING_BODIES` names a JSON file {scenario: body} captured from Quill in the same run, so
each answer has the size of Quill's. Run it as `gunicorn 'bench.ceiling:create_app()'`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from flask import Flask, request


def create_app(bodies: dict[str, Any] | None = None) -> Flask:
    if bodies is None:
        bodies = json.loads(Path(os.environ["BENCH_CEILING_BODIES"]).read_text())
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
        return bodies["S7" if "cursor" in request.args else "S2"]

    @app.post("/api/v1/posts")
    def create_post() -> Any:
        request.get_json()
        return bodies["S4"], 201

    @app.get("/api/v1/users/me")
    def me() -> Any:
        return bodies["S3"]

    @app.get("/api/v1/users")
    def list_users() -> Any:
        return bodies["S6" if "search" in request.args else "S6-base"]

    @app.post("/api/v1/auth/login")
    def login() -> Any:
        request.get_json()
        return bodies["S5"]

    return app
