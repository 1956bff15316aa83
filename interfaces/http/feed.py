"""The feed: published posts by the authors the caller follows."""

from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject
from flask import Blueprint

from application.posts import Feed
from interfaces.container import Container
from interfaces.http.auth import current_actor
from interfaces.http.converter import render_page
from interfaces.http.queries import PagedQuery, parse_query

bp = Blueprint("feed", __name__, url_prefix="/api/v1/feed")


@bp.get("")
@inject
def feed(read_feed: Feed = Provide[Container.feed]) -> Any:
    actor = current_actor()
    return render_page(read_feed(actor, parse_query(PagedQuery).paging()))
