"""Post routes: list, write, read (by id or slug), replace, change and delete, with ETag
preconditions; favoriting."""

from __future__ import annotations

from typing import Any

from attrs import fields, frozen
from dependency_injector.wiring import Provide, inject
from flask import Blueprint, Response, jsonify, request

from application.posts import (
    CreatePost,
    DeletePost,
    EditPost,
    FavoritePost,
    GetPost,
    ListPosts,
    NewPost,
    PostChanges,
    PostReplacement,
    PostSearch,
    Precondition,
)
from domain.posts import Post
from interfaces.container import Container
from interfaces.http.auth import current_actor, optional_actor
from interfaces.http.bodies import no_body, parse_body
from interfaces.http.converter import converter, render_page
from interfaces.http.queries import PagedQuery, parse_query

bp = Blueprint("posts", __name__, url_prefix="/api/v1/posts")


@frozen(kw_only=True)
class PostListQuery(PagedQuery):
    """The query of GET /posts: paging and PostSearch's filters under the same names (a
    filter added to PostSearch is added here, and passes through search_of by its name)."""

    author_id: int | None = None
    published: bool = True
    search: str | None = None
    tag: str | None = None
    author: str | None = None
    favorited_by: str | None = None

    def search_of(self) -> PostSearch:
        return PostSearch(**{name: getattr(self, name) for name in SEARCH_FILTERS})


SEARCH_FILTERS = tuple(field.name for field in fields(PostSearch))  # read once, not per request


def render(post: Post, status: int = 200) -> Response:
    response = jsonify(converter.unstructure(post))
    response.status_code = status
    response.set_etag(post.etag)
    return response


def if_match() -> Precondition:
    """The ETags of If-Match; None when the header is absent."""
    if "If-Match" not in request.headers:
        return None
    tags = request.if_match
    return frozenset({"*"}) if tags.star_tag else frozenset(tags.as_set())


@bp.get("")
@inject
def list_posts(list_some: ListPosts = Provide[Container.list_posts]) -> Any:
    query = parse_query(PostListQuery)
    return render_page(list_some(optional_actor(), query.search_of(), query.paging()))


@bp.post("")
@inject
def create_post(create: CreatePost = Provide[Container.create_post]) -> Any:
    post = create(current_actor(), parse_body(NewPost))
    response = render(post, 201)
    # The path url_for("posts.get_post") gives, written directly: a post lives under the
    # collection it was posted to, and url_for is a noticeable cost on this hot path.
    response.headers["Location"] = f"{request.script_root}{bp.url_prefix}/{post.id}"
    return response


@bp.get("/<id:post_id>")
@inject
def get_post(post_id: int, get_one: GetPost = Provide[Container.get_post]) -> Any:
    return render(get_one(optional_actor(), post_id))


@bp.put("/<id:post_id>")
@inject
def replace_post(post_id: int, edit: EditPost = Provide[Container.edit_post]) -> Any:
    return render(edit.replace(current_actor(), post_id, parse_body(PostReplacement), if_match()))


@bp.patch("/<id:post_id>")
@inject
def change_post(post_id: int, edit: EditPost = Provide[Container.edit_post]) -> Any:
    return render(edit(current_actor(), post_id, parse_body(PostChanges), if_match()))


@bp.delete("/<id:post_id>")
@inject
def delete_post(post_id: int, delete: DeletePost = Provide[Container.delete_post]) -> Any:
    actor = current_actor()
    no_body()
    delete(actor, post_id, if_match())
    return "", 204


@bp.get("/by-slug/<slug:slug>")
@inject
def get_post_by_slug(slug: str, get_one: GetPost = Provide[Container.get_post]) -> Any:
    return render(get_one.by_slug(optional_actor(), slug))


@bp.put("/<id:post_id>/favorite")
@inject
def favorite_post(post_id: int, favorite: FavoritePost = Provide[Container.favorite_post]) -> Any:
    actor = current_actor()
    no_body()
    return render(favorite(actor, post_id))


@bp.delete("/<id:post_id>/favorite")
@inject
def unfavorite_post(post_id: int, favorite: FavoritePost = Provide[Container.favorite_post]) -> Any:
    actor = current_actor()
    no_body()
    return render(favorite.undo(actor, post_id))
