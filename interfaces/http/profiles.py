"""Profile routes: a user's public profile by username, and following them."""

from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject
from flask import Blueprint

from application.profiles import FollowUser, GetProfile
from interfaces.container import Container
from interfaces.http.auth import current_actor, optional_actor
from interfaces.http.bodies import no_body
from interfaces.http.converter import converter

bp = Blueprint("profiles", __name__, url_prefix="/api/v1/profiles")


@bp.get("/<username:username>")
@inject
def get_profile(username: str, get_one: GetProfile = Provide[Container.get_profile]) -> Any:
    return converter.unstructure(get_one(optional_actor(), username))


@bp.put("/<username:username>/follow")
@inject
def follow(username: str, follow_user: FollowUser = Provide[Container.follow_user]) -> Any:
    actor = current_actor()
    no_body()
    return converter.unstructure(follow_user(actor, username))


@bp.delete("/<username:username>/follow")
@inject
def unfollow(username: str, follow_user: FollowUser = Provide[Container.follow_user]) -> Any:
    actor = current_actor()
    no_body()
    return converter.unstructure(follow_user.undo(actor, username))
