"""Login sessions: revocation and expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.errors import InvalidToken, TokenRevoked
from domain.sessions import LoginSession, SessionHolder
from domain.users import Actor, Role
from tests.factories import T0, make_user

LATER = T0 + timedelta(minutes=5)


def a_session() -> LoginSession:
    return LoginSession(
        id="s1",
        user_id=1,
        refresh_token_id="r1",
        created_at=T0,
        expires_at=T0 + timedelta(days=30),
    )


def test_a_new_session_is_not_revoked() -> None:
    assert not a_session().is_revoked


def test_revoking_a_session_records_when() -> None:
    revoked = a_session().revoke(LATER)
    assert (revoked.is_revoked, revoked.revoked_at) == (True, LATER)


def test_revoking_a_revoked_session_keeps_the_first_time() -> None:
    revoked = a_session().revoke(LATER)
    assert revoked.revoke(LATER + timedelta(hours=1)) is revoked


def test_a_session_is_live_until_just_before_it_expires() -> None:
    assert not a_session().is_expired(T0 + timedelta(days=30) - timedelta(seconds=1))


def test_a_session_is_expired_from_its_expiry_time_on() -> None:
    assert a_session().is_expired(T0 + timedelta(days=30))


def a_holder(**overrides: object) -> SessionHolder:
    values: dict[str, object] = {
        "session_id": "s1", "user_id": 7, "name": "Ann", "role": Role.ADMIN,
        "user_is_active": True, "session_revoked": False,
    }  # fmt: skip
    return SessionHolder(**{**values, **overrides})  # type: ignore[arg-type]


def test_a_live_sessions_holder_acts_in_the_role_stored_now() -> None:
    assert a_holder().actor(7) == Actor(id=7, name="Ann", role=Role.ADMIN, session_id="s1")


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"user_id": 8}, InvalidToken),  # a token for another user than the session's
        ({"session_revoked": True}, TokenRevoked),
        ({"user_is_active": False}, TokenRevoked),
    ],
)
def test_an_ended_session_or_a_deactivated_user_acts_no_more(
    overrides: dict[str, object], error: type[Exception]
) -> None:
    with pytest.raises(error):
        a_holder(**overrides).actor(7)


def test_a_holder_of_a_session_and_its_user_carries_their_state() -> None:
    session = a_session().revoke(LATER)
    user = make_user(id=1, name="Bo", role=Role.USER, is_active=False, username="bo", bio="Hi")
    assert SessionHolder.of(session, user) == SessionHolder(
        session_id="s1", user_id=1, name="Bo", role=Role.USER,
        user_is_active=False, session_revoked=True, username="bo", bio="Hi",
    )  # fmt: skip
