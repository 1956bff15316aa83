"""Profiles by username, and following their owners (docs/API.md, "Usernames and profiles")."""

from __future__ import annotations

import pytest

from application.profiles import FollowUser, GetProfile
from application.users import UpdateUser, UserChanges
from domain.errors import InvalidInput, ProfileNotFound
from domain.users import Profile
from infrastructure.memory import InMemoryUnitOfWork
from tests.factories import actor_for
from tests.unit.conftest import Given, Stored

# --- GetProfile -----------------------------------------------------------------------------


def test_a_profile_shows_the_users_public_fields_to_anybody(
    get_profile: GetProfile, given: Given
) -> None:
    ann = given.user(username="ann", name="Ann", bio="I write.", image="https://e.com/a.png")
    assert get_profile(None, "ann") == Profile(
        user_id=ann.id, username="ann", name="Ann", bio="I write.", image="https://e.com/a.png",
        following=False, followers=0, follows=0,
    )  # fmt: skip


def test_a_profile_is_found_without_regard_to_case_and_shows_the_username_as_given(
    get_profile: GetProfile, given: Given
) -> None:
    given.user(username="Ann.Smith")
    assert get_profile(None, "ANN.smith").username == "Ann.Smith"


def test_an_unknown_username_has_no_profile(get_profile: GetProfile, given: Given) -> None:
    given.user(username="ann")
    with pytest.raises(ProfileNotFound):
        get_profile(None, "bob")


def test_a_deactivated_user_has_no_profile(get_profile: GetProfile, given: Given) -> None:
    given.user(username="ann", is_active=False)
    with pytest.raises(ProfileNotFound):
        get_profile(actor_for(given.admin()), "ann")


def test_a_profile_counts_followers_and_follows(get_profile: GetProfile, given: Given) -> None:
    ann, bob, cy, di = given.user(username="ann"), given.user(), given.user(), given.user()
    given.follow(bob, ann)
    given.follow(cy, ann)
    given.follow(ann, di)
    profile = get_profile(None, "ann")
    assert (profile.followers, profile.follows) == (2, 1)


def test_following_says_whether_the_viewer_follows_the_user(
    get_profile: GetProfile, given: Given
) -> None:
    ann, fan, other = given.user(username="ann"), given.user(), given.user()
    given.follow(fan, ann)
    assert get_profile(actor_for(fan), "ann").following
    assert not get_profile(actor_for(other), "ann").following
    assert not get_profile(None, "ann").following


def test_a_user_following_the_viewer_is_not_followed_by_them(
    get_profile: GetProfile, given: Given
) -> None:
    ann, bob = given.user(username="ann"), given.user()
    given.follow(ann, bob)
    assert not get_profile(actor_for(bob), "ann").following


def test_a_profile_shows_a_changed_username(
    get_profile: GetProfile, given: Given, update_user: UpdateUser
) -> None:
    ann = given.user(username="ann")
    update_user(actor_for(ann), ann.id, UserChanges(username="annie"))
    assert get_profile(None, "annie").user_id == ann.id
    with pytest.raises(ProfileNotFound):
        get_profile(None, "ann")


def test_reading_a_profile_changes_nothing(
    get_profile: GetProfile, given: Given, uow: InMemoryUnitOfWork
) -> None:
    given.user(username="ann")
    get_profile(None, "ann")
    assert not uow.committed


# --- FollowUser -----------------------------------------------------------------------------


def test_following_a_user_stores_it_and_answers_their_profile(
    follow_user: FollowUser, given: Given, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    ann, bob = given.user(username="ann"), given.user()
    profile = follow_user(actor_for(bob), "ann")
    assert (profile.user_id, profile.following, profile.followers) == (ann.id, True, 1)
    assert stored.follow_stats(ann.id, bob.id).following
    assert uow.committed


def test_following_counts_on_the_followers_side_too(
    follow_user: FollowUser, given: Given, stored: Stored
) -> None:
    given.user(username="ann")
    bob = given.user()
    follow_user(actor_for(bob), "ann")
    assert stored.follow_stats(bob.id).follows == 1


def test_following_is_idempotent(follow_user: FollowUser, given: Given, stored: Stored) -> None:
    ann, bob = given.user(username="ann"), given.user()
    follow_user(actor_for(bob), "ann")
    again = follow_user(actor_for(bob), "ann")
    assert (again.following, again.followers) == (True, 1)
    assert stored.follow_stats(bob.id).follows == 1
    assert stored.follow_stats(ann.id).followers == 1


def test_following_a_user_by_username_ignores_case(follow_user: FollowUser, given: Given) -> None:
    given.user(username="Ann")
    assert follow_user(actor_for(given.user()), "aNN").following


def test_following_oneself_is_invalid_and_stores_nothing(
    follow_user: FollowUser, given: Given, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    ann = given.user(username="ann")
    with pytest.raises(InvalidInput) as raised:
        follow_user(actor_for(ann), "ANN")
    assert list(raised.value.errors) == ["username"]
    assert (stored.follow_stats(ann.id).followers, uow.committed) == (0, False)


def test_following_an_unknown_user_is_not_found(follow_user: FollowUser, given: Given) -> None:
    with pytest.raises(ProfileNotFound):
        follow_user(actor_for(given.user()), "nobody")


def test_following_a_deactivated_user_is_not_found_and_stores_nothing(
    follow_user: FollowUser, given: Given, stored: Stored
) -> None:
    ann = given.user(username="ann", is_active=False)
    with pytest.raises(ProfileNotFound):
        follow_user(actor_for(given.user()), "ann")
    assert stored.follow_stats(ann.id).followers == 0


# --- FollowUser.undo ------------------------------------------------------------------------


def test_unfollowing_removes_the_follow_and_answers_the_profile(
    follow_user: FollowUser, given: Given, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    ann, bob, cy = given.user(username="ann"), given.user(), given.user()
    given.follow(bob, ann)
    given.follow(cy, ann)
    profile = follow_user.undo(actor_for(bob), "ann")
    assert (profile.following, profile.followers) == (False, 1)
    assert stored.follow_stats(bob.id).follows == 0
    assert uow.committed


def test_unfollowing_someone_one_does_not_follow_is_idempotent(
    follow_user: FollowUser, given: Given, stored: Stored
) -> None:
    ann, bob, cy = given.user(username="ann"), given.user(), given.user()
    given.follow(cy, ann)
    profile = follow_user.undo(actor_for(bob), "ann")
    assert (profile.following, profile.followers) == (False, 1)
    assert stored.follow_stats(ann.id).followers == 1


def test_unfollowing_oneself_changes_nothing_and_answers_ones_profile(
    follow_user: FollowUser, given: Given, stored: Stored
) -> None:
    ann, bob = given.user(username="ann"), given.user()
    given.follow(bob, ann)
    given.follow(ann, bob)
    profile = follow_user.undo(actor_for(ann), "ANN")
    assert (profile.username, profile.following, profile.followers, profile.follows) == (
        "ann",
        False,
        1,
        1,
    )
    assert (stored.follow_stats(ann.id).followers, stored.follow_stats(ann.id).follows) == (1, 1)


def test_unfollowing_an_unknown_user_is_not_found(follow_user: FollowUser, given: Given) -> None:
    with pytest.raises(ProfileNotFound):
        follow_user.undo(actor_for(given.user()), "nobody")


def test_unfollowing_a_deactivated_user_is_not_found(follow_user: FollowUser, given: Given) -> None:
    given.user(username="ann", is_active=False)
    with pytest.raises(ProfileNotFound):
        follow_user.undo(actor_for(given.user()), "ann")


def test_unfollowing_a_deactivated_user_still_ends_the_follow(
    follow_user: FollowUser, given: Given, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    """Their profile stays missing, but the follower's feed must not keep them for good."""
    ann, bob = given.user(username="ann", is_active=False), given.user()
    given.follow(bob, ann)  # followed while active
    with pytest.raises(ProfileNotFound):
        follow_user.undo(actor_for(bob), "ann")
    assert uow.committed
    assert stored.follow_stats(bob.id).follows == 0
    assert stored.follow_stats(ann.id).followers == 0
