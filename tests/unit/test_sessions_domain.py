"""Login sessions: revocation and expiry."""

from __future__ import annotations

from datetime import timedelta

from domain.sessions import LoginSession
from tests.factories import T0

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
