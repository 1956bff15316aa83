"""Operational routes: liveness and readiness."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dependency_injector.wiring import Provide, inject
from flask import Blueprint

from interfaces.container import Container

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@bp.get("/readyz")
@inject
def readyz(probe: Callable[[], None] = Provide[Container.readiness]) -> Any:
    probe()  # ServiceUnavailable (503) when the database does not answer
    return {"status": "ready"}
