"""Each API accepts only the tokens it issued: v1's 15-minute access tokens, and the Conduit
adapter's session-long ones. A token carries its API as its signed audience (`aud`)."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest

from application.auth import Authenticate, Credentials, LogIn, RefreshTokens, TokenIssuer
from application.tokens import TokenAudience, TokenClaims, TokenKind, TokenPolicy
from domain.errors import InvalidToken
from domain.users import User
from infrastructure.security import JwtTokenService
from tests.factories import PASSWORD, FixedClock
from tests.unit.conftest import TEST_SIGNING_KEY, Given

CONDUIT = TokenAudience.CONDUIT


@pytest.fixture
def ann(given: Given) -> User:
    return given.user(password=PASSWORD)


def _credentials(user: User) -> Credentials:
    return Credentials(email=user.email, password=PASSWORD)


def test_a_login_issues_v1_tokens_unless_asked_for_another_audience(
    log_in: LogIn, tokens: JwtTokenService, ann: User
) -> None:
    v1 = log_in(_credentials(ann)).tokens
    conduit = log_in(_credentials(ann), audience=CONDUIT).tokens
    assert tokens.decode(v1.access_token).audience is TokenAudience.V1
    assert tokens.decode(v1.refresh_token).audience is TokenAudience.V1
    assert tokens.decode(conduit.access_token).audience is CONDUIT


def test_the_audience_sets_the_lifetime(log_in: LogIn, ann: User) -> None:
    """v1's contract promises short access tokens; Conduit's clients never refresh."""
    assert log_in(_credentials(ann)).tokens.expires_in == 15 * 60
    conduit = log_in(_credentials(ann), audience=CONDUIT).tokens
    assert conduit.expires_in == int(TokenPolicy().refresh_ttl.total_seconds())


def test_v1_refuses_a_conduit_token_saying_whose_it_is(
    log_in: LogIn, authenticate: Authenticate, ann: User
) -> None:
    token = log_in(_credentials(ann), audience=CONDUIT).tokens.access_token
    for check in (authenticate, authenticate.with_user):
        with pytest.raises(InvalidToken, match="RealWorld"):
            check(token)


def test_conduit_refuses_a_v1_token(log_in: LogIn, authenticate: Authenticate, ann: User) -> None:
    token = log_in(_credentials(ann)).tokens.access_token
    for check in (authenticate, authenticate.with_user):
        with pytest.raises(InvalidToken, match="v1"):
            check(token, audience=CONDUIT)


def test_each_api_accepts_its_own(log_in: LogIn, authenticate: Authenticate, ann: User) -> None:
    v1 = log_in(_credentials(ann)).tokens.access_token
    conduit = log_in(_credentials(ann), audience=CONDUIT).tokens.access_token
    assert authenticate(v1).id == ann.id
    assert authenticate.with_user(conduit, audience=CONDUIT)[1] == ann


def test_refreshing_takes_v1_refresh_tokens_only(
    log_in: LogIn, refresh: RefreshTokens, issuer: TokenIssuer, ann: User
) -> None:
    """A Conduit login's refresh token is never shown to its client; were it leaked, it still
    could not be turned into v1 tokens."""
    conduit = log_in(_credentials(ann), audience=CONDUIT).tokens
    with pytest.raises(InvalidToken):
        refresh(conduit.refresh_token)
    assert refresh(log_in(_credentials(ann)).tokens.refresh_token).expires_in == 15 * 60


def test_the_audience_is_checked_before_the_expiry(
    log_in: LogIn, authenticate: Authenticate, clock: FixedClock, ann: User
) -> None:
    """Signature, kind, audience, expiry: a v1 token at Conduit is invalid even when expired."""
    token = log_in(_credentials(ann)).tokens.access_token
    clock.advance(minutes=15)
    with pytest.raises(InvalidToken):
        authenticate(token, audience=CONDUIT)


# --- the JWT adapter ------------------------------------------------------------------------


def _claims(clock: FixedClock, audience: TokenAudience) -> TokenClaims:
    return TokenClaims(
        subject=7,
        session_id="s1",
        token_id="t1",
        kind=TokenKind.ACCESS,
        audience=audience,
        issued_at=clock(),
        expires_at=clock() + timedelta(minutes=15),
    )


def _payload(token: str) -> dict[str, object]:
    """The claims as signed, read with PyJWT itself (the clock of these tests is long past)."""
    options = {"verify_exp": False, "verify_iat": False}
    claims: dict[str, object] = jwt.decode(
        token, TEST_SIGNING_KEY, algorithms=["HS256"], audience=list(TokenAudience), options=options
    )
    return claims


@pytest.mark.parametrize("audience", list(TokenAudience))
def test_the_audience_is_signed_in_the_aud_claim(
    tokens: JwtTokenService, clock: FixedClock, audience: TokenAudience
) -> None:
    token = tokens.encode(_claims(clock, audience))
    assert _payload(token)["aud"] == audience.value
    assert tokens.decode(token) == _claims(clock, audience)


@pytest.mark.parametrize("aud", [None, "", "api", "V1", ["v1"], ["v1", "conduit"], 1])
def test_a_token_without_one_known_audience_is_invalid(
    tokens: JwtTokenService, clock: FixedClock, aud: object
) -> None:
    payload = _payload(tokens.encode(_claims(clock, TokenAudience.V1)))
    if aud is None:
        del payload["aud"]
    else:
        payload["aud"] = aud
    with pytest.raises(InvalidToken):
        tokens.decode(jwt.encode(payload, TEST_SIGNING_KEY, algorithm="HS256"))
