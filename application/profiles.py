"""Public profiles by username, and following their owners."""

from __future__ import annotations

from attrs import frozen

from application.ports import Clock, UnitOfWork
from domain.errors import ProfileNotFound
from domain.ids import stored
from domain.users import Actor, Profile, User, check_follow


def _profile_owner(uow: UnitOfWork, username: str) -> User:
    """Only active users have a profile: a deactivated one is as missing as an unknown one."""
    user = uow.users.get_by_username(username)
    if user is None or user.id is None or not user.is_active:
        raise ProfileNotFound()
    return user


def _profile(uow: UnitOfWork, user: User, viewer: Actor | None) -> Profile:
    assert user.id is not None
    stats = uow.follows.stats(user.id, None if viewer is None else viewer.id)
    return Profile(
        user_id=user.id, username=user.username, name=user.name, bio=user.bio, image=user.image,
        following=stats.following, followers=stats.followers, follows=stats.follows,
    )  # fmt: skip


@frozen
class GetProfile:
    """Anybody's public profile, by username; `following` for the viewer, false without one."""

    uow: UnitOfWork

    def __call__(self, viewer: Actor | None, username: str) -> Profile:
        with self.uow.read_only() as uow:
            return _profile(uow, _profile_owner(uow, username), viewer)


@frozen
class FollowUser:
    """Following and unfollowing: idempotent; nobody follows themself, so unfollowing
    oneself changes nothing and answers one's profile, as any unfollow of someone not
    followed does."""

    uow: UnitOfWork
    clock: Clock

    def __call__(self, actor: Actor, username: str) -> Profile:
        with self.uow as uow:
            user = _profile_owner(uow, username)
            check_follow(actor.id, stored(user.id))
            uow.follows.add(actor.id, stored(user.id), self.clock())  # locks both users' rows
            # As a change of the user that committed meanwhile left them: none kept if gone.
            user = _profile_owner(uow, username)
            profile = _profile(uow, user, actor)
            uow.commit()
        return profile

    def undo(self, actor: Actor, username: str) -> Profile:
        """A deactivated user has no profile (404), yet whoever follows them may stop: else
        their posts would stay in the follower's feed for good."""
        with self.uow as uow:
            user = uow.users.get_by_username(username)
            if user is None or user.id is None:
                raise ProfileNotFound()
            uow.follows.remove(actor.id, user.id)  # waits for a change of the user in progress
            user = uow.users.get(user.id)  # so this reads them as that change left them
            profile = _profile(uow, user, actor) if user and user.is_active else None
            uow.commit()
        if profile is None:
            raise ProfileNotFound()
        return profile
