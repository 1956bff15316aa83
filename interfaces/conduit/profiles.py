"""RealWorld's profiles: reading one by username, following and unfollowing its owner."""

from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject
from flask import Blueprint

from application.profiles import FollowUser, GetProfile
from interfaces.conduit import render
from interfaces.conduit.auth import current_actor, optional_actor
from interfaces.container import Container

bp = Blueprint("profiles", __name__, url_prefix="/profiles")


@bp.get("/<username:username>")
@inject
def get_profile(username: str, get_one: GetProfile = Provide[Container.get_profile]) -> Any:
    return render.profile(get_one(optional_actor(), username))


# Follow takes no body: whatever a client sends with it is not read.
@bp.post("/<username:username>/follow")
@inject
def follow(username: str, follow_user: FollowUser = Provide[Container.follow_user]) -> Any:
    return render.profile(follow_user(current_actor(), username))


@bp.delete("/<username:username>/follow")
@inject
def unfollow(username: str, follow_user: FollowUser = Provide[Container.follow_user]) -> Any:
    return render.profile(follow_user.undo(current_actor(), username))
