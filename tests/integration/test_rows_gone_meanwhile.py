"""A write that refers to a row deleted while its request ran (PostgreSQL, where units run
side by side) is answered as the same request would be a moment later: the caller's own
account gone is their session ended (401 token_revoked), the post or user acted on is gone
(404). Each is met here by writing against a row already deleted: the foreign key's check
is what fails, as it does in a race."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from domain.errors import CallerDeleted, PostNotFound, ProfileNotFound
from infrastructure.db.unit_of_work import SqlUnitOfWork
from tests.factories import T0, make_comment, make_link
from tests.integration.stored import add_post, add_user, post_of

pytestmark = pytest.mark.postgres


def remove_user(uow: SqlUnitOfWork, user_id: int) -> None:
    with uow:
        uow.users.remove(user_id)
        uow.commit()


def remove_post(uow: SqlUnitOfWork, post_id: int) -> None:
    with uow:
        uow.posts.remove(post_id)
        uow.commit()


def refused(uow: SqlUnitOfWork, write: Callable[[Any], object]) -> type[Exception]:
    try:
        with uow:
            write(uow)
            uow.commit()
    except Exception as error:  # the unit's own translation is what is tested
        return type(error)
    raise AssertionError("the write was kept")


def test_writes_by_a_caller_deleted_meanwhile_end_with_their_session(
    pg_uow: SqlUnitOfWork,
) -> None:
    gone, other = add_user(pg_uow), add_user(pg_uow)
    post = add_post(pg_uow, other)
    remove_user(pg_uow, gone.id)
    writes = {
        "post": lambda uow: uow.posts.add(post_of(gone, title="Late")),
        "comment": lambda uow: uow.comments.add(make_comment(post, gone)),
        "favorite": lambda uow: uow.favorites.add(gone.id, post.id, T0),
        "follow": lambda uow: uow.follows.add(gone.id, other.id, T0),
        "verification link": lambda uow: uow.link_tokens.add(make_link(gone)),
    }
    assert {name: refused(pg_uow, write) for name, write in writes.items()} == dict.fromkeys(
        writes, CallerDeleted
    )


def test_writes_on_a_post_or_user_deleted_meanwhile_find_it_gone(pg_uow: SqlUnitOfWork) -> None:
    caller, gone_user = add_user(pg_uow), add_user(pg_uow)
    post = add_post(pg_uow, caller)
    remove_post(pg_uow, post.id)
    remove_user(pg_uow, gone_user.id)
    writes = {
        "comment": lambda uow: uow.comments.add(make_comment(post, caller)),
        "favorite": lambda uow: uow.favorites.add(caller.id, post.id, T0),
        "follow": lambda uow: uow.follows.add(caller.id, gone_user.id, T0),
    }
    assert {name: refused(pg_uow, write) for name, write in writes.items()} == {
        "comment": PostNotFound,
        "favorite": PostNotFound,
        "follow": ProfileNotFound,
    }
