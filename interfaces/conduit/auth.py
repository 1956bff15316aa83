"""The caller of a Conduit route: `Authorization: Token <jwt>` (RealWorld's scheme) or
`Bearer <jwt>`, turned into the caller by the same Authenticate use case as v1, which takes
only the Conduit adapter's own (session-long) tokens here, whichever the scheme."""

from __future__ import annotations

from dependency_injector.wiring import Provide, inject
from flask import g, request

from application.auth import Authenticate
from application.tokens import TokenAudience
from domain.errors import InvalidToken
from domain.users import Actor, User
from interfaces.container import Container
from interfaces.http.auth import remember

SCHEMES = ("token", "bearer")
AUDIENCE = TokenAudience.CONDUIT


def presented_token() -> str | None:
    """None when there is no Authorization header; another scheme, or none, is invalid."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() not in SCHEMES or not token.strip():
        raise InvalidToken("Send the token as 'Authorization: Token <token>'.")
    return token.strip()


@inject
def current_actor(authenticate: Authenticate = Provide[Container.authenticate]) -> Actor:
    """The caller, required: 401 with the reason when there is none."""
    if "actor" not in g:
        remember(authenticate(presented_token(), AUDIENCE))
    actor: Actor = g.actor
    return actor


def optional_actor() -> Actor | None:
    """The caller when a token is sent (and then it must be valid), else None."""
    return None if "Authorization" not in request.headers else current_actor()


@inject
def current_user(
    authenticate: Authenticate = Provide[Container.authenticate],
) -> tuple[User, str]:
    """The caller's account with the token they presented: RealWorld's user object carries it,
    and it stays theirs as long as its session lives."""
    token = presented_token()
    actor, user = authenticate.with_user(token, AUDIENCE)
    remember(actor)
    assert token is not None  # with_user refused a missing one
    return user, token
