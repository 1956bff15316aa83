"""Follows behave the same on every adapter; the counts follow the rows."""

from __future__ import annotations

from typing import Any

import pytest

from application.ports import FollowStats
from domain.errors import Conflict
from tests.factories import T0
from tests.integration.stored import add_user, follow


def stats(uow: Any, user: Any, viewer: Any = None) -> FollowStats:
    with uow.read_only() as reader:
        return reader.follows.stats(user.id, None if viewer is None else viewer.id)  # type: ignore[no-any-return]


def test_following_is_idempotent_and_counted_once(any_uow: Any) -> None:
    ann, bob = add_user(any_uow), add_user(any_uow)
    follow(any_uow, ann, bob)
    follow(any_uow, ann, bob)
    assert stats(any_uow, bob, ann) == FollowStats(following=True, followers=1, follows=0)
    assert stats(any_uow, ann, bob) == FollowStats(following=False, followers=0, follows=1)


def test_following_is_false_for_an_anonymous_viewer_and_for_others(any_uow: Any) -> None:
    ann, bob, cid = add_user(any_uow), add_user(any_uow), add_user(any_uow)
    follow(any_uow, ann, bob)
    assert stats(any_uow, bob).following is False
    assert stats(any_uow, bob, cid).following is False


def test_a_follow_and_its_reverse_are_two_follows(any_uow: Any) -> None:
    ann, bob = add_user(any_uow), add_user(any_uow)
    follow(any_uow, ann, bob)
    follow(any_uow, bob, ann)
    assert stats(any_uow, ann, bob) == FollowStats(following=True, followers=1, follows=1)
    assert stats(any_uow, bob, ann) == FollowStats(following=True, followers=1, follows=1)


def test_unfollowing_is_idempotent_and_uncounts(any_uow: Any) -> None:
    ann, bob, cid = add_user(any_uow), add_user(any_uow), add_user(any_uow)
    follow(any_uow, ann, bob)
    follow(any_uow, cid, bob)
    with any_uow:
        any_uow.follows.remove(ann.id, bob.id)
        any_uow.follows.remove(ann.id, bob.id)
        any_uow.follows.remove(bob.id, ann.id)  # never followed: nothing changes
        any_uow.commit()
    assert stats(any_uow, bob, ann) == FollowStats(following=False, followers=1, follows=0)
    assert stats(any_uow, ann) == FollowStats(following=False, followers=0, follows=0)


def test_nothing_is_followed_without_commit(any_uow: Any) -> None:
    ann, bob = add_user(any_uow), add_user(any_uow)
    with any_uow:
        any_uow.follows.add(ann.id, bob.id, T0)
    assert stats(any_uow, bob, ann) == FollowStats(following=False, followers=0, follows=0)


def test_follows_added_in_bulk_are_counted(any_uow: Any) -> None:
    ann, bob, cid = add_user(any_uow), add_user(any_uow), add_user(any_uow)
    with any_uow:
        any_uow.follows.add_many([(ann.id, cid.id, T0), (bob.id, cid.id, T0), (cid.id, ann.id, T0)])
        any_uow.commit()
    assert stats(any_uow, cid, ann) == FollowStats(following=True, followers=2, follows=1)
    assert stats(any_uow, ann, cid) == FollowStats(following=True, followers=1, follows=1)
    assert stats(any_uow, bob) == FollowStats(following=False, followers=0, follows=1)


def test_the_stats_of_nobody_are_zero(any_uow: Any) -> None:
    with any_uow.read_only() as reader:
        assert reader.follows.stats(999, None) == FollowStats(
            following=False, followers=0, follows=0
        )


@pytest.mark.parametrize("stored", [True, False], ids=["stored-before", "twice-in-one-call"])
def test_the_bulk_path_refuses_a_pair_twice(any_uow: Any, stored: bool) -> None:
    ann, bob = add_user(any_uow), add_user(any_uow)
    if stored:
        follow(any_uow, ann, bob)
    pairs = [(ann.id, bob.id, T0)] * (1 if stored else 2)
    with pytest.raises(Conflict), any_uow:
        any_uow.follows.add_many(pairs)
        any_uow.commit()
    assert stats(any_uow, bob).followers == (1 if stored else 0)
