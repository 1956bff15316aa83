"""RealWorld's articles (Quill's published posts, by slug): lists, the feed, one article,
writing, changing and deleting them, favorites."""

from __future__ import annotations

from typing import Any

from attrs import frozen
from dependency_injector.wiring import Provide, inject
from flask import Blueprint

from application.paging import PageRequest
from application.posts import (
    CreatePost,
    DeletePost,
    EditPost,
    FavoritePost,
    Feed,
    GetPost,
    ListPosts,
    NewPost,
    PostChanges,
    PostSearch,
)
from interfaces.conduit import render
from interfaces.conduit.auth import current_actor, optional_actor
from interfaces.conduit.bodies import optional, parse_envelope, query_number, query_text, required
from interfaces.container import Container

bp = Blueprint("articles", __name__, url_prefix="/articles")

LIMIT = 20  # RealWorld's default page size


@frozen(kw_only=True)
class NewArticle:
    title: str = required()
    description: str = required()
    body: str = required()
    tags: tuple[str, ...] | None = optional(key="tagList")


@frozen(kw_only=True)
class ArticleUpdate:
    """Any of the fields; absent ones (tagList too) stay as they are."""

    title: str | None = optional()
    description: str | None = optional()
    body: str | None = optional()
    tags: tuple[str, ...] | None = optional(key="tagList")


def paging() -> PageRequest:
    """`limit` and `offset`; their bounds are the use case's (a limit of 1 to 100)."""
    return PageRequest(per_page=query_number("limit", LIMIT), offset=query_number("offset", 0))


@bp.get("")
@inject
def list_articles(list_some: ListPosts = Provide[Container.list_posts]) -> Any:
    search = PostSearch(
        tag=query_text("tag"), author=query_text("author"), favorited_by=query_text("favorited")
    )
    return render.articles(list_some(optional_actor(), search, paging()))


@bp.get("/feed")
@inject
def feed(feed_of: Feed = Provide[Container.feed]) -> Any:
    return render.articles(feed_of(current_actor(), paging()))


@bp.post("")
@inject
def create_article(create: CreatePost = Provide[Container.create_post]) -> Any:
    actor = current_actor()
    new = parse_envelope("article", NewArticle)
    post = NewPost(
        title=new.title,
        content=new.body,
        summary=new.description,
        tags=new.tags or (),
        published=True,  # a Conduit article is a published post
    )
    return render.article(create(actor, post)), 201


@bp.get("/<slug:slug>")
@inject
def get_article(slug: str, get_one: GetPost = Provide[Container.get_post]) -> Any:
    return render.article(get_one.by_slug(optional_actor(), slug))


@bp.put("/<slug:slug>")
@inject
def update_article(slug: str, edit: EditPost = Provide[Container.edit_post]) -> Any:
    actor = current_actor()
    wanted = parse_envelope("article", ArticleUpdate)
    changes = PostChanges(
        title=wanted.title, content=wanted.body, summary=wanted.description, tags=wanted.tags
    )
    return render.article(edit(actor, slug, changes))


@bp.delete("/<slug:slug>")
@inject
def delete_article(slug: str, delete: DeletePost = Provide[Container.delete_post]) -> Any:
    delete(current_actor(), slug)
    return "", 204


@bp.post("/<slug:slug>/favorite")
@inject
def favorite(slug: str, favorite_post: FavoritePost = Provide[Container.favorite_post]) -> Any:
    return render.article(favorite_post(current_actor(), slug))


@bp.delete("/<slug:slug>/favorite")
@inject
def unfavorite(slug: str, favorite_post: FavoritePost = Provide[Container.favorite_post]) -> Any:
    return render.article(favorite_post.undo(current_actor(), slug))
