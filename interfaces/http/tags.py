"""Tags: the ones on most published posts."""

from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject
from flask import Blueprint

from application.posts import ListTags
from interfaces.container import Container
from interfaces.http.converter import TagList, converter
from interfaces.http.queries import NoQuery, parse_query

bp = Blueprint("tags", __name__, url_prefix="/api/v1/tags")


@bp.get("")
@inject
def list_tags(list_all: ListTags = Provide[Container.list_tags]) -> Any:
    parse_query(NoQuery)
    return converter.unstructure(TagList(tags=list_all()))
