"""The JWT adapter verifies each valid token once per process, and never trusts a lookalike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from application.tokens import TokenClaims, TokenKind
from domain.errors import InvalidToken
from infrastructure import security
from infrastructure.security import JwtTokenService

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def claims(session_id: str = "s1") -> TokenClaims:
    return TokenClaims(
        subject=7,
        session_id=session_id,
        token_id="t1",
        kind=TokenKind.ACCESS,
        issued_at=NOW,
        expires_at=NOW + timedelta(minutes=15),
    )


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every signature check PyJWT is asked to make, by token."""
    seen: list[str] = []
    real = jwt.decode

    def counting(token: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(token)
        return real(token, *args, **kwargs)

    monkeypatch.setattr(security.jwt, "decode", counting)
    return seen


def test_a_valid_token_is_verified_once_and_decodes_alike_every_time(
    tokens: JwtTokenService, verifications: list[str]
) -> None:
    token = tokens.encode(claims())
    assert tokens.decode(token) == tokens.decode(token) == claims()
    assert verifications == [token]


def test_each_valid_token_is_verified_on_its_own(
    tokens: JwtTokenService, verifications: list[str]
) -> None:
    first, second = tokens.encode(claims("s1")), tokens.encode(claims("s2"))
    assert tokens.decode(first).session_id == "s1"
    assert tokens.decode(second).session_id == "s2"
    assert verifications == [first, second]


def test_a_refused_token_is_checked_again_every_time(
    tokens: JwtTokenService, verifications: list[str]
) -> None:
    forged = JwtTokenService("another-key-0123456789abcdefghijkl").encode(claims())
    for _ in range(2):
        with pytest.raises(InvalidToken):
            tokens.decode(forged)
    assert verifications == [forged, forged]


def test_a_tampered_copy_of_a_verified_token_is_still_refused(tokens: JwtTokenService) -> None:
    token = tokens.encode(claims())
    tokens.decode(token)
    head, payload, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    with pytest.raises(InvalidToken):
        tokens.decode(f"{head}.{payload}.{flipped}")


def test_a_token_one_key_verified_is_not_vouched_for_under_another(
    tokens: JwtTokenService,
) -> None:
    token = tokens.encode(claims())
    tokens.decode(token)
    with pytest.raises(InvalidToken):
        JwtTokenService("another-key-0123456789abcdefghijkl").decode(token)
