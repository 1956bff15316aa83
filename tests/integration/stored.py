"""Arranging stored state for the repository contract suite: each helper is one committed unit."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from domain.comments import Comment
from domain.posts import Author, Post, slug_of
from domain.users import User
from tests.factories import T0, make_post, make_user


def add_user(uow: Any, **fields: Any) -> User:
    with uow:
        user = uow.users.add(make_user(**fields))
        uow.commit()
    return user  # type: ignore[no-any-return]


def post_of(author: User, **fields: Any) -> Post:
    """A post whose slug is made from its title, as Post.write makes it."""
    post = make_post(author, **fields)
    return post if "slug" in fields else make_post(author, slug=slug_of(post.title), **fields)


def add_post(uow: Any, author: User, **fields: Any) -> Post:
    with uow:
        post = uow.posts.add(post_of(author, **fields))
        uow.commit()
    return post  # type: ignore[no-any-return]


def follow(uow: Any, follower: User, followed: User, at: datetime = T0) -> None:
    with uow:
        uow.follows.add(follower.id, followed.id, at)
        uow.commit()


def favorite(uow: Any, user: User, post: Post, at: datetime = T0) -> None:
    with uow:
        uow.favorites.add(user.id, post.id, at)
        uow.commit()


def comment_on(post: Post, author: User, body: str = "Nice.", **fields: Any) -> Comment:
    at = fields.pop("created_at", T0)
    who = Author(id=author.id or 0, name=author.name, username=author.username)
    values: dict[str, Any] = {"id": None, "post_id": post.id, "author": who, "body": body}
    return Comment(**{**values, "created_at": at, "updated_at": at, **fields})


def add_comment(uow: Any, post: Post, author: User, body: str = "Nice.", **fields: Any) -> Any:
    with uow:
        stored = uow.comments.add(comment_on(post, author, body, **fields))
        uow.commit()
    return stored


def stored_post(uow: Any, post: Post, viewer: User | None = None) -> Post:
    with uow.read_only() as reader:
        found = reader.posts.get(post.id, viewer_id=None if viewer is None else viewer.id)
    assert found is not None
    return found  # type: ignore[no-any-return]


def minutes(n: int) -> datetime:
    return T0 + timedelta(minutes=n)
