"""Mailed links' tokens and the requests for them behave the same on every adapter."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from domain.errors import Conflict
from domain.links import LinkPurpose, token_hash
from domain.users import User
from tests.factories import T0, make_link, make_user


def a_user(uow: Any, **fields: Any) -> User:
    with uow:
        user = uow.users.add(make_user(**fields))
        uow.commit()
    return user


def test_a_token_is_found_by_its_hash_only(any_uow: Any) -> None:
    user = a_user(any_uow)
    link = make_link(user, "secret-token")
    with any_uow:
        any_uow.link_tokens.add(link)
        any_uow.commit()
    with any_uow:
        found = any_uow.link_tokens.get_by_hash(token_hash("secret-token"))
        assert any_uow.link_tokens.get_by_hash("secret-token") is None
        assert any_uow.link_tokens.get_by_hash(token_hash("other")) is None
    assert found is not None and found.id is not None
    assert found.token_hash == token_hash("secret-token")
    assert (found.purpose, found.user_id, found.email) == (LinkPurpose.RESET, user.id, user.email)
    assert (found.created_at, found.expires_at, found.used_at) == (
        T0,
        T0 + timedelta(minutes=30),
        None,
    )


def test_a_token_added_not_to_be_kept_is_not_stored_even_without_a_user(any_uow: Any) -> None:
    user = a_user(any_uow)
    with any_uow:
        any_uow.link_tokens.add(make_link(user, "kept-not"), keep=False)
        any_uow.link_tokens.add(make_link(user, "nobody", user_id=None), keep=False)
        any_uow.commit()
    with any_uow:
        assert any_uow.link_tokens.get_by_hash(token_hash("kept-not")) is None
        assert any_uow.link_tokens.get_by_hash(token_hash("nobody")) is None


def test_a_token_is_used_once(any_uow: Any) -> None:
    user = a_user(any_uow)
    with any_uow:
        any_uow.link_tokens.add(make_link(user, "once"))
        any_uow.commit()
    with any_uow:
        link = any_uow.link_tokens.get_by_hash(token_hash("once"))
        assert any_uow.link_tokens.use(link.id, T0)
        assert not any_uow.link_tokens.use(link.id, T0 + timedelta(seconds=1))
        any_uow.commit()
    with any_uow:
        assert any_uow.link_tokens.get_by_hash(token_hash("once")).used_at == T0


def test_using_all_of_a_users_tokens_of_a_purpose_leaves_the_others(any_uow: Any) -> None:
    user, other = a_user(any_uow), a_user(any_uow)
    with any_uow:
        any_uow.link_tokens.add(make_link(user, "r1"))
        any_uow.link_tokens.add(make_link(user, "r2"))
        any_uow.link_tokens.add(make_link(user, "v1", purpose=LinkPurpose.VERIFY))
        any_uow.link_tokens.add(make_link(other, "o1"))
        any_uow.link_tokens.use_all(user.id, LinkPurpose.RESET, T0)
        any_uow.commit()
    with any_uow:
        used = {
            name: any_uow.link_tokens.get_by_hash(token_hash(name)).used_at
            for name in ("r1", "r2", "v1", "o1")
        }
    assert used == {"r1": T0, "r2": T0, "v1": None, "o1": None}


def test_pruning_forgets_tokens_expired_before_the_time_given(any_uow: Any) -> None:
    user = a_user(any_uow)
    with any_uow:
        any_uow.link_tokens.add(make_link(user, "short", ttl=timedelta(minutes=5)))
        any_uow.link_tokens.add(make_link(user, "long", ttl=timedelta(hours=1)))
        any_uow.link_tokens.prune(before=T0 + timedelta(minutes=10))
        any_uow.commit()
    with any_uow:
        assert any_uow.link_tokens.get_by_hash(token_hash("short")) is None
        assert any_uow.link_tokens.get_by_hash(token_hash("long")) is not None


def test_a_users_tokens_go_with_the_user(any_uow: Any) -> None:
    user = a_user(any_uow)
    with any_uow:
        any_uow.link_tokens.add(make_link(user, "gone"))
        any_uow.commit()
    with any_uow:
        any_uow.users.remove(user.id)
        any_uow.commit()
    with any_uow:
        assert any_uow.link_tokens.get_by_hash(token_hash("gone")) is None


def test_requests_are_counted_per_purpose_and_key_strictly_after_a_time(any_uow: Any) -> None:
    reset, verify = LinkPurpose.RESET, LinkPurpose.VERIFY
    with any_uow:
        any_uow.link_requests.lock(reset, "a@example.com")
        for minutes in (30, 10, 20):
            any_uow.link_requests.add(reset, "a@example.com", T0 + timedelta(minutes=minutes))
        any_uow.link_requests.add(reset, "b@example.com", T0 + timedelta(minutes=15))
        any_uow.link_requests.add(verify, "a@example.com", T0 + timedelta(minutes=15))
        any_uow.commit()
    with any_uow:
        since = any_uow.link_requests.since(reset, "a@example.com", T0 + timedelta(minutes=10))
    assert since == [T0 + timedelta(minutes=20), T0 + timedelta(minutes=30)]


def test_pruning_forgets_requests_older_than_the_time_given(any_uow: Any) -> None:
    with any_uow:
        for minutes in (0, 61):
            any_uow.link_requests.add(LinkPurpose.VERIFY, "7", T0 + timedelta(minutes=minutes))
        any_uow.link_requests.prune(before=T0 + timedelta(minutes=60))
        any_uow.commit()
    with any_uow:
        found = any_uow.link_requests.since(LinkPurpose.VERIFY, "7", T0 - timedelta(days=1))
    assert found == [T0 + timedelta(minutes=61)]


def test_a_token_hash_is_stored_once(any_uow: Any) -> None:
    ann, bob = a_user(any_uow), a_user(any_uow)
    with any_uow:
        any_uow.link_tokens.add(make_link(ann, "same-token"))
        any_uow.commit()
    with pytest.raises(Conflict), any_uow:
        any_uow.link_tokens.add(make_link(bob, "same-token"))
        any_uow.commit()
    with any_uow:
        found = any_uow.link_tokens.get_by_hash(token_hash("same-token"))
    assert found is not None and found.user_id == ann.id
