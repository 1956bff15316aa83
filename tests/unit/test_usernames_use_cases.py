"""Usernames at registration (given or derived from the name), and changing a username, bio
and image (docs/API.md, "Usernames and profiles")."""

from __future__ import annotations

import pytest

from application.posts import GetPost
from application.users import RegisterUser, Registration, UpdateUser, UserChanges
from domain.errors import InvalidInput, NotAccountOwner, UsernameTaken
from infrastructure.memory import InMemoryUnitOfWork
from infrastructure.security import Argon2PasswordHasher
from tests.factories import PASSWORD, FixedClock, actor_for
from tests.unit.conftest import Given, Stored

IMAGE = "https://example.com/ann.png"


@pytest.fixture
def register(
    uow: InMemoryUnitOfWork, hasher: Argon2PasswordHasher, clock: FixedClock
) -> RegisterUser:
    return RegisterUser(uow, hasher, clock)


@pytest.fixture
def update(uow: InMemoryUnitOfWork, clock: FixedClock) -> UpdateUser:
    return UpdateUser(uow, clock)


def registration(**overrides: str) -> Registration:
    values = {"email": "ann@example.com", "name": "Ann Smith", "password": PASSWORD}
    values.update(overrides)
    return Registration(**values)


# --- RegisterUser with a username -----------------------------------------------------------


def test_a_given_username_is_stored_as_given(register: RegisterUser, stored: Stored) -> None:
    user = register(registration(username="Ann.Smith"))
    assert user.username == "Ann.Smith"
    assert stored.user(user.id) == user


def test_a_taken_username_is_refused_and_nothing_is_stored(
    register: RegisterUser, given: Given, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    given.user(username="ann")
    with pytest.raises(UsernameTaken):
        register(registration(username="ann"))
    assert (stored.user_count(), uow.committed) == (1, False)


def test_a_taken_username_is_refused_without_regard_to_case(
    register: RegisterUser, given: Given
) -> None:
    given.user(username="Ann.Smith")
    with pytest.raises(UsernameTaken):
        register(registration(username="ann.SMITH"))


def test_an_invalid_username_is_reported_with_the_other_fields(register: RegisterUser) -> None:
    with pytest.raises(InvalidInput) as raised:
        register(registration(email="nope", username="ann smith"))
    assert set(raised.value.errors) == {"email", "username"}


# --- RegisterUser deriving a username -------------------------------------------------------


def test_without_a_username_one_is_derived_from_the_name(register: RegisterUser) -> None:
    assert register(registration(name="José Müller")).username == "jose_muller"


def test_a_derived_username_that_is_taken_gets_the_first_free_suffix(
    register: RegisterUser, given: Given
) -> None:
    given.user(username="ann_smith")
    given.user(username="ann_smith_2")
    assert register(registration(name="Ann Smith")).username == "ann_smith_3"


def test_a_derived_username_is_taken_without_regard_to_case(
    register: RegisterUser, given: Given
) -> None:
    given.user(username="Ann_Smith")
    assert register(registration(name="Ann Smith")).username == "ann_smith_2"


def test_a_derived_username_skips_a_gap_only_if_it_is_taken(
    register: RegisterUser, given: Given
) -> None:
    given.user(username="ann_smith")
    given.user(username="ann_smith_3")
    assert register(registration(name="Ann Smith")).username == "ann_smith_2"


def test_a_derived_username_is_found_past_many_taken_ones(
    register: RegisterUser, given: Given
) -> None:
    given.user(username="ann_smith")
    for n in range(2, 31):
        given.user(username=f"ann_smith_{n}")
    assert register(registration(name="Ann Smith")).username == "ann_smith_31"


def test_a_name_with_nothing_ascii_left_gives_user_and_a_free_number(
    register: RegisterUser, given: Given
) -> None:
    given.user(username="user_1")
    assert register(registration(name="日本語")).username == "user_2"


def test_two_registrations_with_the_same_name_get_different_usernames(
    register: RegisterUser,
) -> None:
    first = register(registration(email="ann1@example.com", name="Ann Smith"))
    second = register(registration(email="ann2@example.com", name="Ann Smith"))
    assert (first.username, second.username) == ("ann_smith", "ann_smith_2")


# --- UpdateUser: username -------------------------------------------------------------------


def test_a_user_changes_their_own_username(
    update: UpdateUser, given: Given, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    ann = given.user(username="ann")
    changed = update(actor_for(ann), ann.id, UserChanges(username="Ann.S"))
    assert changed.username == "Ann.S"
    assert stored.user(ann.id) == changed
    assert uow.committed


def test_an_admin_changes_another_users_username(update: UpdateUser, given: Given) -> None:
    ann = given.user(username="ann")
    changed = update(actor_for(given.admin()), ann.id, UserChanges(username="annie"))
    assert changed.username == "annie"


def test_a_user_may_not_change_another_users_username(
    update: UpdateUser, given: Given, stored: Stored
) -> None:
    ann = given.user(username="ann")
    with pytest.raises(NotAccountOwner):
        update(actor_for(given.user()), ann.id, UserChanges(username="mine"))
    assert stored.user(ann.id) == ann


def test_changing_to_a_taken_username_is_refused_without_regard_to_case(
    update: UpdateUser, given: Given, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    given.user(username="Bob")
    ann = given.user(username="ann")
    with pytest.raises(UsernameTaken):
        update(actor_for(ann), ann.id, UserChanges(username="bob"))
    assert (stored.user(ann.id), uow.committed) == (ann, False)


def test_a_user_may_change_only_the_case_of_their_username(
    update: UpdateUser, given: Given
) -> None:
    ann = given.user(username="ann")
    assert update(actor_for(ann), ann.id, UserChanges(username="ANN")).username == "ANN"


def test_an_invalid_username_is_refused(update: UpdateUser, given: Given) -> None:
    ann = given.user()
    with pytest.raises(InvalidInput) as raised:
        update(actor_for(ann), ann.id, UserChanges(username="x" * 41))
    assert list(raised.value.errors) == ["username"]


def test_a_post_shows_its_authors_username_as_it_is_now(
    update: UpdateUser, given: Given, uow: InMemoryUnitOfWork
) -> None:
    ann = given.user(username="ann")
    post = given.post(ann)
    update(actor_for(ann), ann.id, UserChanges(username="annie"))
    shown = GetPost(uow)(None, post.id)
    assert shown.author.username == "annie"
    assert shown.etag != post.etag


# --- UpdateUser: bio and image --------------------------------------------------------------


def test_a_user_sets_their_bio_and_image(update: UpdateUser, given: Given, stored: Stored) -> None:
    ann = given.user()
    changed = update(actor_for(ann), ann.id, UserChanges(bio="I write.", image=IMAGE))
    assert (changed.bio, changed.image) == ("I write.", IMAGE)
    assert stored.user(ann.id) == changed


def test_an_admin_sets_another_users_bio(update: UpdateUser, given: Given) -> None:
    ann = given.user()
    assert update(actor_for(given.admin()), ann.id, UserChanges(bio="Hi.")).bio == "Hi."


def test_an_empty_bio_or_image_clears_it(update: UpdateUser, given: Given, stored: Stored) -> None:
    ann = given.user(bio="I write.", image=IMAGE)
    changed = update(actor_for(ann), ann.id, UserChanges(bio="", image=""))
    assert (changed.bio, changed.image) == (None, None)
    assert stored.user(ann.id) == changed


def test_leaving_out_bio_and_image_keeps_them(update: UpdateUser, given: Given) -> None:
    ann = given.user(bio="I write.", image=IMAGE)
    changed = update(actor_for(ann), ann.id, UserChanges(name="Annie"))
    assert (changed.bio, changed.image) == ("I write.", IMAGE)


def test_clearing_an_empty_bio_changes_nothing_and_does_not_commit(
    update: UpdateUser, given: Given, uow: InMemoryUnitOfWork
) -> None:
    ann = given.user()
    assert update(actor_for(ann), ann.id, UserChanges(bio="", image="")) == ann
    assert not uow.committed


def test_an_invalid_username_bio_and_image_are_reported_together(
    update: UpdateUser, given: Given, stored: Stored
) -> None:
    ann = given.user()
    changes = UserChanges(username="a b", bio="x" * 1001, image="javascript:alert(1)")
    with pytest.raises(InvalidInput) as raised:
        update(actor_for(ann), ann.id, changes)
    assert set(raised.value.errors) == {"username", "bio", "image"}
    assert stored.user(ann.id) == ann
