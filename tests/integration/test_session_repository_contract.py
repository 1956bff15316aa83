"""Sessions and failed-login records behave the same on every adapter."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from attrs import evolve

from domain.errors import Conflict
from domain.sessions import LoginSession, SessionHolder
from domain.users import Role
from tests.factories import T0, make_session, make_user


def add_session(uow: Any, session_id: str = "s1", **fields: Any) -> tuple[Any, LoginSession]:
    with uow:
        user = uow.users.add(make_user(**fields))
        session = make_session(
            user.id, id=session_id, refresh_token_id="r1", expires_at=T0 + timedelta(days=30)
        )
        uow.sessions.add(session)
        uow.commit()
    return user, session


def test_a_session_is_read_together_with_its_user(any_uow: Any) -> None:
    user, session = add_session(any_uow)
    with any_uow:
        assert any_uow.sessions.get_with_user("s1") == (session, user)
        assert any_uow.sessions.get_with_user("nope") is None


def test_a_sessions_holder_is_read_as_stored_now(any_uow: Any) -> None:
    user, _ = add_session(any_uow, role=Role.ADMIN, name="Ann", username="Ann_1")
    holder = SessionHolder(
        session_id="s1", user_id=user.id, name="Ann", role=Role.ADMIN,
        user_is_active=True, session_revoked=False, username="Ann_1",
    )  # fmt: skip
    with any_uow:
        assert any_uow.sessions.get_holder("s1") == holder
        assert any_uow.sessions.get_holder("nope") is None
        changed = evolve(user, is_active=False, role=Role.USER, name="Ann B.", bio="Hi")
        any_uow.users.save(evolve(changed, image="https://example.com/ann.png"))
        any_uow.sessions.revoke("s1", T0)
        any_uow.commit()
    with any_uow:
        assert any_uow.sessions.get_holder("s1") == evolve(
            holder, name="Ann B.", role=Role.USER, user_is_active=False, session_revoked=True,
            bio="Hi", image="https://example.com/ann.png",
        )  # fmt: skip


def test_rotation_succeeds_once_for_the_current_refresh_token(any_uow: Any) -> None:
    add_session(any_uow)
    later = T0 + timedelta(days=31)
    with any_uow:
        assert any_uow.sessions.rotate("s1", "r1", "r2", later)
        assert not any_uow.sessions.rotate("s1", "r1", "r3", later)
        any_uow.commit()
    with any_uow:
        session, _ = any_uow.sessions.get_with_user("s1")
    assert (session.refresh_token_id, session.expires_at) == ("r2", later)


def test_a_revoked_session_cannot_rotate(any_uow: Any) -> None:
    add_session(any_uow)
    with any_uow:
        any_uow.sessions.revoke("s1", T0)
        assert not any_uow.sessions.rotate("s1", "r1", "r2", T0)
        any_uow.commit()
    with any_uow:
        assert any_uow.sessions.get_with_user("s1")[0].revoked_at == T0


def test_revoking_all_of_a_users_sessions_can_keep_one(any_uow: Any) -> None:
    user, _ = add_session(any_uow)
    with any_uow:
        for sid in ("s2", "s3"):
            any_uow.sessions.add(make_session(user.id, id=sid, refresh_token_id=sid))
        any_uow.sessions.revoke_all_for_user(user.id, T0, keep="s2")
        any_uow.commit()
    with any_uow:
        revoked = {
            sid: any_uow.sessions.get_with_user(sid)[0].is_revoked for sid in ("s1", "s2", "s3")
        }
    assert revoked == {"s1": True, "s2": False, "s3": True}


def test_failed_logins_are_counted_per_email_within_the_window(any_uow: Any) -> None:
    with any_uow:
        for minutes in (0, 5, 20):
            any_uow.login_attempts.add_failure("a@example.com", T0 + timedelta(minutes=minutes))
        any_uow.login_attempts.add_failure("b@example.com", T0)
        any_uow.commit()
    with any_uow:
        since = any_uow.login_attempts.failures_since("a@example.com", T0 + timedelta(minutes=5))
    assert since == [T0 + timedelta(minutes=20)]  # strictly after: a failure ages out on the dot


def test_clearing_and_pruning_forget_failures(any_uow: Any) -> None:
    with any_uow:
        any_uow.login_attempts.add_failure("a@example.com", T0)
        any_uow.login_attempts.add_failure("b@example.com", T0)
        any_uow.login_attempts.add_failure("b@example.com", T0 + timedelta(hours=1))
        any_uow.login_attempts.clear("a@example.com")
        any_uow.login_attempts.prune(before=T0 + timedelta(minutes=30))
        any_uow.commit()
    with any_uow:
        assert any_uow.login_attempts.failures_since("a@example.com", T0) == []
        assert any_uow.login_attempts.failures_since("b@example.com", T0) == [
            T0 + timedelta(hours=1)
        ]


def test_wrong_current_passwords_are_counted_per_user_within_the_window(any_uow: Any) -> None:
    with any_uow:
        ann, bob = any_uow.users.add(make_user()), any_uow.users.add(make_user())
        for minutes in (0, 5, 20):
            any_uow.password_guesses.add(ann.id, T0 + timedelta(minutes=minutes))
        any_uow.password_guesses.add(bob.id, T0)
        any_uow.commit()
    with any_uow:
        since = any_uow.password_guesses.since(ann.id, T0 + timedelta(minutes=5))
        assert since == [T0 + timedelta(minutes=20)]  # strictly after, as failed logins
        assert any_uow.password_guesses.since(bob.id, T0 - timedelta(minutes=1)) == [T0]


def test_forgetting_wrong_current_passwords_keeps_the_newer_and_other_users_ones(
    any_uow: Any,
) -> None:
    with any_uow:
        ann, bob = any_uow.users.add(make_user()), any_uow.users.add(make_user())
        for who in (ann, bob):
            any_uow.password_guesses.add(who.id, T0)
            any_uow.password_guesses.add(who.id, T0 + timedelta(hours=1))
        any_uow.password_guesses.forget(ann.id, before=T0 + timedelta(minutes=30))
        any_uow.commit()
    early = T0 - timedelta(minutes=1)
    with any_uow:
        assert any_uow.password_guesses.since(ann.id, early) == [T0 + timedelta(hours=1)]
        assert len(any_uow.password_guesses.since(bob.id, early)) == 2
        any_uow.password_guesses.forget(bob.id)
        any_uow.users.remove(ann.id)  # a user's guesses go with the user
        any_uow.commit()
    with any_uow:
        assert any_uow.password_guesses.since(ann.id, early) == []
        assert any_uow.password_guesses.since(bob.id, early) == []


def test_removing_expired_sessions_keeps_live_and_other_users_ones(any_uow: Any) -> None:
    user, _ = add_session(any_uow)  # s1 expires at T0 + 30 days
    other, _ = add_session(any_uow, "s9")
    with any_uow:
        any_uow.sessions.add(make_session(user.id, id="s2"))
        any_uow.sessions.remove_expired(user.id, T0 + timedelta(days=2))
        any_uow.sessions.remove_expired(other.id, T0)
        any_uow.commit()
    with any_uow:
        kept = {sid for sid in ("s1", "s2", "s9") if any_uow.sessions.get_with_user(sid)}
    assert kept == {"s1", "s9"}


def test_a_session_id_is_not_given_twice(any_uow: Any) -> None:
    user, session = add_session(any_uow)
    with pytest.raises(Conflict), any_uow:
        any_uow.sessions.add(evolve(session, refresh_token_id="r2"))
        any_uow.commit()
    with any_uow:
        assert any_uow.sessions.get_with_user("s1") == (session, user)


def test_a_session_of_nobody_is_refused(any_uow: Any) -> None:
    with pytest.raises(Conflict), any_uow:
        any_uow.sessions.add(make_session(999, id="s9"))
        any_uow.commit()
