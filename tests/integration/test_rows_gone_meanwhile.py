"""A write that refers to a row deleted while its request ran is answered as the same request
would be a moment later: the caller's own account gone is their session ended (401
token_revoked), the post or user acted on is gone (404). Each is met here by writing against
a row already deleted: the foreign key's check is what fails, as it does in a race. SQLite's
error names no key, so there each stays a Conflict (unit_of_work.GONE)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from domain.errors import CallerDeleted, Conflict, PostNotFound, ProfileNotFound
from tests.factories import T0, make_comment, make_link
from tests.integration.stored import add_post, add_user, post_of


def named_or_conflict(request: pytest.FixtureRequest, error: type[Exception]) -> type[Exception]:
    return Conflict if request.node.callspec.params["any_uow"] == "sqlite" else error


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
    assert refusals(any_uow, writes) == dict.fromkeys(
        writes, named_or_conflict(request, CallerDeleted)
    )


def test_writes_on_a_post_or_user_deleted_meanwhile_find_it_gone(
    any_uow: Any, request: pytest.FixtureRequest
) -> None:
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
        "comment": named_or_conflict(request, PostNotFound),
        "favorite": named_or_conflict(request, PostNotFound),
        "follow": named_or_conflict(request, ProfileNotFound),
    }
