"""Comment routes: a post's comments (list, write), and one comment (read, delete)."""

from __future__ import annotations

from typing import Any

from attrs import frozen
from dependency_injector.wiring import Provide, inject
from flask import Blueprint, url_for

from application.comments import AddComment, DeleteComment, GetComment, ListComments
from interfaces.container import Container
from interfaces.http.auth import current_actor, optional_actor
from interfaces.http.bodies import no_body, parse_body
from interfaces.http.converter import converter, render_page
from interfaces.http.queries import PagedQuery, parse_query

bp = Blueprint("comments", __name__, url_prefix="/api/v1")


@frozen(kw_only=True)
class NewComment:
    body: str


@bp.get("/posts/<id:post_id>/comments")
@inject
def list_comments(post_id: int, list_some: ListComments = Provide[Container.list_comments]) -> Any:
    query = parse_query(PagedQuery)
    return render_page(list_some(optional_actor(), post_id, query.paging()))


@bp.post("/posts/<id:post_id>/comments")
@inject
def add_comment(post_id: int, add: AddComment = Provide[Container.add_comment]) -> Any:
    comment = add(current_actor(), post_id, parse_body(NewComment).body)
    location = url_for("comments.get_comment", comment_id=comment.id)
    return converter.unstructure(comment), 201, {"Location": location}


@bp.get("/comments/<id:comment_id>")
@inject
def get_comment(comment_id: int, get_one: GetComment = Provide[Container.get_comment]) -> Any:
    return converter.unstructure(get_one(optional_actor(), comment_id))


@bp.delete("/comments/<id:comment_id>")
@inject
def delete_comment(
    comment_id: int, delete: DeleteComment = Provide[Container.delete_comment]
) -> Any:
    actor = current_actor()
    no_body()
    delete(actor, comment_id)
    return "", 204
