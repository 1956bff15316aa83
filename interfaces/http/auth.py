"""Authentication routes, and the caller behind a request's Bearer token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dependency_injector.wiring import Provide, inject
from flask import Blueprint, g, request

from application.auth import Authenticate, Credentials, LogIn, LoginResult, LogOut, RefreshTokens
from application.tokens import TokenAudience, TokenPair
from domain.errors import InvalidToken
from domain.users import Actor, User
from interfaces.container import Container
from interfaces.http.bodies import no_body, parse_body
from interfaces.http.converter import converter
from interfaces.http.logs import USER_ID_KEY

bp = Blueprint("auth", __name__, url_prefix="/api/v1/auth")


def authorization() -> tuple[str, str] | None:
    """The Authorization header as its scheme (lower case) and the rest, None without one."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    return scheme.lower(), token.strip()


def authorization_token(schemes: tuple[str, ...], hint: str) -> str | None:
    """The token of the Authorization header, None without one; another scheme (`schemes` in
    lower case), or no token, is invalid, and `hint` says how to send it."""
    given = authorization()
    if given is None:
        return None
    scheme, token = given
    if scheme not in schemes or not token:
        raise InvalidToken(hint)
    return token


def bearer_token() -> str | None:
    return authorization_token(("bearer",), "Send the token as 'Authorization: Bearer <token>'.")


def remember(actor: Actor) -> None:
    """The caller, for the rest of the request; their id also in the WSGI environ, where the
    request's log line, written at the WSGI edge, reads it."""
    g.actor = actor
    request.environ[USER_ID_KEY] = actor.id


@inject
def caller(
    token: Callable[[], str | None],
    audience: TokenAudience,
    authenticate: Authenticate = Provide[Container.authenticate],
) -> Actor:
    """The caller of an API whose tokens are for `audience`, read once a request; 401 with
    the reason when there is none."""
    if "actor" not in g:
        remember(authenticate(token(), audience))
    actor: Actor = g.actor
    return actor


@inject
def caller_account(
    token: str | None,
    audience: TokenAudience,
    authenticate: Authenticate = Provide[Container.authenticate],
) -> User:
    """The caller's own account, read with their session: no second query for it."""
    actor, user = authenticate.with_user(token, audience)
    remember(actor)
    return user


def current_actor() -> Actor:
    return caller(bearer_token, TokenAudience.V1)


def current_user() -> User:
    return caller_account(bearer_token(), TokenAudience.V1)


def optional_actor() -> Actor | None:
    """The caller when a token is sent (and then it must be valid), else None."""
    return None if "Authorization" not in request.headers else current_actor()


def render_tokens(tokens: TokenPair) -> dict[str, Any]:
    return converter.unstructure(tokens)  # type: ignore[no-any-return]


@bp.post("/login")
@inject
def login(log_in: LogIn = Provide[Container.log_in]) -> tuple[dict[str, Any], int]:
    result: LoginResult = log_in(parse_body(Credentials))
    return {**render_tokens(result.tokens), "user": converter.unstructure(result.user)}, 200


@bp.post("/refresh")
@inject
def refresh(refresh_tokens: RefreshTokens = Provide[Container.refresh_tokens]) -> dict[str, Any]:
    token = bearer_token()
    no_body()
    return render_tokens(refresh_tokens(token))


@bp.post("/logout")
@inject
def logout(log_out: LogOut = Provide[Container.log_out]) -> dict[str, str]:
    log_out(bearer_token(), check_request=no_body)  # takes no body: 400 after the token's 401
    return {"message": "Logged out."}
