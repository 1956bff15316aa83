"""The unit-of-work contract, on every adapter: nothing is kept unless `commit()` is called, and
a read-only unit cannot write."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import make_post, make_user


def stored_users(uow: Any) -> int:
    with uow.read_only() as reader:
        return int(reader.users.count(None))


def test_a_unit_left_without_commit_keeps_nothing(any_uow: Any) -> None:
    with any_uow as uow:
        author = uow.users.add(make_user())
        uow.posts.add(make_post(author))
    assert stored_users(any_uow) == 0
    with any_uow.read_only() as reader:
        assert reader.users.get(author.id) is None


def test_a_unit_that_fails_before_commit_keeps_nothing(any_uow: Any) -> None:
    with pytest.raises(ValueError), any_uow as uow:
        uow.users.add(make_user())
        raise ValueError("the use case failed after its write")
    assert stored_users(any_uow) == 0


def test_a_committed_unit_keeps_its_changes(any_uow: Any) -> None:
    with any_uow as uow:
        author = uow.users.add(make_user())
        post = uow.posts.add(make_post(author))
        uow.commit()
    with any_uow.read_only() as reader:
        assert reader.posts.get(post.id) == post


def test_a_read_only_unit_cannot_write(any_uow: Any) -> None:
    with pytest.raises(Exception) as raised, any_uow.read_only() as reader:
        reader.users.add(make_user())
    assert refused_as_read_only(raised.value)
    assert stored_users(any_uow) == 0


def refused_as_read_only(error: BaseException) -> bool:
    return "read-only" in str(error).lower() or "readonly" in str(error).lower()


def test_a_read_only_unit_refuses_a_write_that_would_change_nothing(any_uow: Any) -> None:
    with any_uow as uow:
        user = uow.users.add(make_user())
        uow.commit()
    with pytest.raises(Exception) as raised, any_uow.read_only() as reader:
        reader.follows.remove(user.id, user.id + 1)  # no such follow
    assert refused_as_read_only(raised.value)


# Not on SQLite, which has no row locks: a read there locks nothing, so nothing to refuse.
@pytest.mark.parametrize(
    "any_uow", ["memory", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_a_read_only_unit_refuses_a_lock(any_uow: Any) -> None:
    with any_uow as uow:
        user = uow.users.add(make_user())
        uow.commit()
    with pytest.raises(Exception) as raised, any_uow.read_only() as reader:
        reader.users.get(user.id, lock=True)
    assert refused_as_read_only(raised.value)


def test_a_read_only_unit_reads_what_others_commit_meanwhile(any_uow: Any) -> None:
    """Another unit committing while a read-only one is open is no write of the latter's."""
    with any_uow.read_only() as reader:
        with any_uow as writer:
            writer.users.add(make_user())
            writer.commit()
        reader.users.count(None)


def test_a_read_only_unit_cannot_commit(any_uow: Any) -> None:
    with pytest.raises(RuntimeError, match="cannot commit"), any_uow.read_only() as reader:
        reader.commit()


def test_a_unit_entered_again_works_on_its_new_block(any_uow: Any) -> None:
    """One unit may run several blocks in turn (a worker's loop): each block's repositories
    work on that block's connection and transaction, not on the one before."""
    with any_uow as uow:
        first = uow.users.add(make_user())
        uow.commit()
    with any_uow as uow:
        second = uow.users.add(make_user())
        assert uow.users.get(first.id) == first
    with any_uow as uow:
        assert uow.users.get(second.id) is None  # the block before did not commit
        uow.users.add(make_user())
        uow.commit()
    assert stored_users(any_uow) == 2


def test_a_repository_is_only_had_inside_a_block(any_uow: Any) -> None:
    """Outside its block a unit has no connection to work on: asking for a repository there
    is an error, not a write that goes nowhere."""
    with pytest.raises(AttributeError):
        any_uow.users.add(make_user())
    with any_uow as uow:
        uow.users.add(make_user())
        uow.commit()
    with pytest.raises(AttributeError):
        any_uow.users.add(make_user())
    assert stored_users(any_uow) == 1
