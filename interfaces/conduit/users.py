"""RealWorld's users: registration, login, the current user and changing it."""

from __future__ import annotations

from typing import Any, ClassVar

from attrs import frozen
from dependency_injector.wiring import Provide, inject
from flask import Blueprint

from application.auth import Credentials, LogIn, RegisterAndLogIn
from application.users import Registration, UpdateOwnAccount, UserChanges
from interfaces.conduit import render
from interfaces.conduit.auth import AUDIENCE, current_actor, current_user, presented_token
from interfaces.conduit.bodies import optional, parse_envelope, required
from interfaces.container import Container

bp = Blueprint("users", __name__)


@frozen(kw_only=True)
class NewUser:
    username: str = required()
    email: str = required()
    password: str = required(secret=True)


@frozen(kw_only=True)
class Login:
    email: str = required()
    password: str = required(secret=True)


@frozen(kw_only=True)
class UserUpdate:
    at_least_one: ClassVar[bool] = True  # RealWorld: "At least one field is required."
    email: str | None = optional()
    username: str | None = optional()
    password: str | None = optional()
    bio: str | None = optional(null_as="")  # "" clears, in Quill's words
    image: str | None = optional(null_as="")


@bp.post("/users")
@inject
def register(
    register_and_log_in: RegisterAndLogIn = Provide[Container.register_and_log_in],
) -> Any:
    new = parse_envelope("user", NewUser)
    # RealWorld has no display name: Quill's name is then the username.
    registration = Registration(
        email=new.email, name=None, password=new.password, username=new.username
    )
    result = register_and_log_in(registration, audience=AUDIENCE)
    return render.user(result.user, result.tokens.access_token), 201


@bp.post("/users/login")
@inject
def login(log_in: LogIn = Provide[Container.log_in]) -> Any:
    given = parse_envelope("user", Login)
    result = log_in(Credentials(email=given.email, password=given.password), audience=AUDIENCE)
    return render.user(result.user, result.tokens.access_token)


@bp.get("/user")
def me() -> Any:
    return render.user(*current_user())


@bp.put("/user")
@inject
def update_me(update: UpdateOwnAccount = Provide[Container.update_own_account]) -> Any:
    actor, token = current_actor(), presented_token()
    wanted = parse_envelope("user", UserUpdate)
    changes = UserChanges(
        email=wanted.email, username=wanted.username, bio=wanted.bio, image=wanted.image
    )
    return render.user(update(actor, changes, wanted.password), token)
