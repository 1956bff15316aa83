"""The caller of a Conduit route: `Authorization: Token <jwt>` (RealWorld's scheme) or
`Bearer <jwt>`, turned into the caller as v1's are (`interfaces.http.auth`), taking only the
Conduit adapter's own (session-long) tokens, whichever the scheme."""

from __future__ import annotations

from application.tokens import TokenAudience
from domain.users import Actor, User
from interfaces.http.auth import authorization, authorization_token, caller, caller_account

SCHEMES = ("token", "bearer")
AUDIENCE = TokenAudience.CONDUIT


def presented_token() -> str | None:
    return authorization_token(SCHEMES, "Send the token as 'Authorization: Token <token>'.")


def current_actor() -> Actor:
    return caller(presented_token, AUDIENCE)


def optional_actor() -> Actor | None:
    """The caller when a token is sent (and then it must be valid), else None. A header of
    another scheme is not a token of this API: a proxy's `Basic` credentials, which a browser
    sends with every request to a site behind one, leave the page anonymous, as RealWorld's
    Node back end reads them."""
    given = authorization()
    return current_actor() if given is not None and given[0] in SCHEMES else None


def current_user() -> tuple[User, str]:
    """The caller's account with the token they presented: RealWorld's user object carries it,
    and it stays theirs as long as its session lives."""
    token = presented_token()
    user = caller_account(token, AUDIENCE)
    assert token is not None  # refused above without one
    return user, token
