"""RealWorld's tags: the names of those in use, most used first."""

from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject
from flask import Blueprint

from application.posts import ListTags
from interfaces.conduit import render
from interfaces.container import Container

bp = Blueprint("tags", __name__, url_prefix="/tags")


@bp.get("")
@inject
def list_tags(list_all: ListTags = Provide[Container.list_tags]) -> Any:
    return render.tags(list_all())
