"""Authentication routes, and the caller behind a request's Bearer token."""

from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject
from flask import Blueprint, g, request

from application.auth import Authenticate, Credentials, LogIn, LoginResult, LogOut, RefreshTokens
from application.tokens import TokenPair
from domain.errors import InvalidToken
from domain.users import Actor, User
from interfaces.container import Container
from interfaces.http.converter import converter, no_body, parse_body
from interfaces.http.logs import USER_ID_KEY

bp = Blueprint("auth", __name__, url_prefix="/api/v1/auth")


def bearer_token() -> str | None:
    """None when there is no Authorization header; a header that is not Bearer is invalid."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("Send the token as 'Authorization: Bearer <token>'.")
    return token.strip()


def remember(actor: Actor) -> None:
    """The caller, for the rest of the request; their id also in the WSGI environ, where the
    request's log line, written at the WSGI edge, reads it."""
    g.actor = actor
    request.environ[USER_ID_KEY] = actor.id


@inject
def current_actor(authenticate: Authenticate = Provide[Container.authenticate]) -> Actor:
    """The caller, required; 401 with the reason when there is none."""
    if "actor" not in g:
        remember(authenticate(bearer_token()))
    actor: Actor = g.actor
    return actor


@inject
def current_user(authenticate: Authenticate = Provide[Container.authenticate]) -> User:
    """The caller's own account, read with their session: no second query for it."""
    actor, user = authenticate.with_user(bearer_token())
    remember(actor)
    return user


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
    token = bearer_token()
    no_body()
    log_out(token)
    return {"message": "Logged out."}
