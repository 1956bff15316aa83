"""A write that refers to a row deleted while its request ran is answered as the same request
would be a moment later: the caller's own account gone is their session ended (401
token_revoked), the post or user acted on is gone (404), on every adapter. Each is met here
by writing against a row already deleted, as a race would leave it: the rows the write locks
first are not found, or (PostgreSQL) the foreign key's check names its key.

A link token is the exception on SQLite, whose foreign-key error names no key: there its
write stays a Conflict. Only use cases that read the user in the same unit write one, and
SQLite runs units one at a time, so no request meets it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from domain.errors import CallerDeleted, Conflict, PostNotFound, ProfileNotFound
from tests.factories import T0, make_comment, make_link
from tests.integration.stored import add_post, add_user, post_of


def remove_user(uow: Any, user_id: int) -> None:
    with uow:
        uow.users.remove(user_id)
        uow.commit()


def remove_post(uow: Any, post_id: int) -> None:
    with uow:
        uow.posts.remove(post_id)
        uow.commit()


def refusals(uow: Any, writes: dict[str, Callable[[Any], object]]) -> dict[str, type]:
    """What each write, in a unit of its own, is refused with."""
    return {name: refused(uow, write) for name, write in writes.items()}


def refused(uow: Any, write: Callable[[Any], object]) -> type[Exception]:
    try:
        with uow:
            write(uow)
            uow.commit()
    except Exception as error:  # the unit's own translation is what is tested
        return type(error)
    raise AssertionError("the write was kept")


def test_writes_by_a_caller_deleted_meanwhile_end_with_their_session(
    any_uow: Any, request: pytest.FixtureRequest
) -> None:
    gone, other = add_user(any_uow), add_user(any_uow)
    post = add_post(any_uow, other)
    remove_user(any_uow, gone.id)
    writes = {
        "post": lambda uow: uow.posts.add(post_of(gone, title="Late")),
        "comment": lambda uow: uow.comments.add(make_comment(post, gone)),
        "favorite": lambda uow: uow.favorites.add(gone.id, post.id, T0),
        "follow": lambda uow: uow.follows.add(gone.id, other.id, T0),
        "verification link": lambda uow: uow.link_tokens.add(make_link(gone)),
    }
    unnamed = request.node.callspec.params["any_uow"] == "sqlite"
    assert refusals(any_uow, writes) == {
        **dict.fromkeys(writes, CallerDeleted),
        "verification link": Conflict if unnamed else CallerDeleted,
    }


def test_writes_on_a_post_or_user_deleted_meanwhile_find_it_gone(any_uow: Any) -> None:
    caller, gone_user = add_user(any_uow), add_user(any_uow)
    post = add_post(any_uow, caller)
    remove_post(any_uow, post.id)
    remove_user(any_uow, gone_user.id)
    writes = {
        "comment": lambda uow: uow.comments.add(make_comment(post, caller)),
        "favorite": lambda uow: uow.favorites.add(caller.id, post.id, T0),
        "follow": lambda uow: uow.follows.add(caller.id, gone_user.id, T0),
    }
    assert refusals(any_uow, writes) == {
        "comment": PostNotFound,
        "favorite": PostNotFound,
        "follow": ProfileNotFound,
    }
