"""RealWorld's users: registration, login, the current user and changing it."""

from __future__ import annotations

from typing import Any

from attrs import frozen
from dependency_injector.wiring import Provide, inject
from flask import Blueprint

from application.auth import Credentials, LogIn, SignUp
from application.users import Registration, UpdateUser, UserChanges
from interfaces.conduit import render
from interfaces.conduit.auth import current_actor, current_user
from interfaces.conduit.bodies import optional, parse_envelope, required
from interfaces.container import Container

bp = Blueprint("users", __name__)


@frozen(kw_only=True)
class NewUser:
    username: str = required()
    email: str = required()
    password: str = required()


@frozen(kw_only=True)
class Login:
    email: str = required()
    password: str = required()


@frozen(kw_only=True)
class UserUpdate:
    email: str | None = optional()
    password: str | None = optional()


@bp.post("/users")
@inject
def register(sign_up: SignUp = Provide[Container.sign_up]) -> Any:
    new = parse_envelope("user", NewUser)
    # RealWorld has no display name: the username stands for it.
    result = sign_up(Registration(email=new.email, name=new.username, password=new.password))
    return render.user(result.user, result.tokens.access_token), 201


@bp.post("/users/login")
@inject
def login(log_in: LogIn = Provide[Container.log_in]) -> Any:
    given = parse_envelope("user", Login)
    result = log_in(Credentials(email=given.email, password=given.password), session_long=True)
    return render.user(result.user, result.tokens.access_token)


@bp.get("/user")
def me() -> Any:
    return render.user(*current_user())


@bp.put("/user")
@inject
def update_me(update: UpdateUser = Provide[Container.update_user]) -> Any:
    account, token = current_user()
    wanted = parse_envelope("user", UserUpdate)
    changes = UserChanges(email=wanted.email)
    changed = update(current_actor(), account.id or 0, changes, new_password=wanted.password)
    return render.user(changed, token)
