"""RealWorld's comments, under their article's slug."""

from __future__ import annotations

from typing import Any

from attrs import frozen
from dependency_injector.wiring import Provide, inject
from flask import Blueprint

from application.comments import AddComment, DeleteComment, ListComments
from application.paging import PER_PAGE_MAX, PageRequest
from interfaces.conduit import render
from interfaces.conduit.auth import current_actor, optional_actor
from interfaces.conduit.bodies import parse_envelope, required
from interfaces.container import Container

bp = Blueprint("comments", __name__, url_prefix="/articles/<slug:slug>/comments")

# RealWorld lists an article's comments without paging: the newest page Quill serves.
NEWEST = PageRequest(per_page=PER_PAGE_MAX)


@frozen(kw_only=True)
class NewComment:
    body: str = required()


@bp.get("")
@inject
def list_comments(slug: str, list_some: ListComments = Provide[Container.list_comments]) -> Any:
    return render.comments(list_some(optional_actor(), slug, NEWEST))


@bp.post("")
@inject
def add_comment(slug: str, add: AddComment = Provide[Container.add_comment]) -> Any:
    actor = current_actor()
    return render.comment(add(actor, slug, parse_envelope("comment", NewComment).body)), 201


@bp.delete("/<id:comment_id>")
@inject
def delete_comment(
    slug: str, comment_id: int, delete: DeleteComment = Provide[Container.delete_comment]
) -> Any:
    delete(current_actor(), comment_id, slug)
    return "", 204
