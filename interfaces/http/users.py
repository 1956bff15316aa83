"""User routes: registration, the caller's own account, and admin management."""

from __future__ import annotations

from typing import Any

from attrs import frozen
from dependency_injector.wiring import Provide, inject
from flask import Blueprint, url_for

from application.users import (
    ChangePassword,
    DeleteUser,
    GetUser,
    ListUsers,
    PasswordChange,
    RegisterUser,
    Registration,
    UpdateUser,
    UserChanges,
)
from interfaces.container import Container
from interfaces.http.auth import current_actor, current_user
from interfaces.http.bodies import no_body, parse_body
from interfaces.http.converter import converter, render_page
from interfaces.http.queries import PagedQuery, parse_query

bp = Blueprint("users", __name__, url_prefix="/api/v1/users")


@frozen(kw_only=True)
class UserListQuery(PagedQuery):
    search: str | None = None


@bp.post("")
@inject
def register(register_user: RegisterUser = Provide[Container.register_user]) -> Any:
    user = register_user(parse_body(Registration))
    location = url_for("users.get_user", user_id=user.id)
    return converter.unstructure(user), 201, {"Location": location}


@bp.get("/me")
def me() -> Any:
    return converter.unstructure(current_user())


@bp.post("/me/password")
@inject
def change_password(change: ChangePassword = Provide[Container.change_password]) -> Any:
    change(current_actor(), parse_body(PasswordChange))
    return "", 204


@bp.get("")
@inject
def list_users(list_all: ListUsers = Provide[Container.list_users]) -> Any:
    actor = current_actor()
    query = parse_query(UserListQuery)
    return render_page(list_all(actor, query.paging(), query.search))


@bp.get("/<id:user_id>")
@inject
def get_user(user_id: int, get_one: GetUser = Provide[Container.get_user]) -> Any:
    return converter.unstructure(get_one(current_actor(), user_id))


@bp.patch("/<id:user_id>")
@inject
def update_user(user_id: int, update: UpdateUser = Provide[Container.update_user]) -> Any:
    return converter.unstructure(update(current_actor(), user_id, parse_body(UserChanges)))


@bp.delete("/<id:user_id>")
@inject
def delete_user(user_id: int, delete: DeleteUser = Provide[Container.delete_user]) -> Any:
    actor = current_actor()
    no_body()
    delete(actor, user_id)
    return "", 204
