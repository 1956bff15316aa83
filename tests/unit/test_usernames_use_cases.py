"""Usernames at registration (given or derived from the name), and changing a username, bio
and image (docs/API.md, "Usernames and profiles")."""

from __future__ import annotations

import pytest

from application.posts import GetPost
from application.users import RegisterUser, UpdateUser, UserChanges
from domain.errors import InvalidInput, NotAccountOwner, UsernameTaken
from domain.users import User, check_username
from infrastructure.memory import InMemoryUnitOfWork, InMemoryUserRepository
from tests.factories import IMAGE, actor_for, make_registration
from tests.unit.conftest import Given, Stored

# --- RegisterUser with a username -----------------------------------------------------------


def test_a_given_username_is_stored_as_given(register_user: RegisterUser, stored: Stored) -> None:
    user = register_user(make_registration(username="Ann.Smith"))
    assert user.username == "Ann.Smith"
    assert stored.user(user.id) == user


def test_a_taken_username_is_refused_and_nothing_is_stored(
    register_user: RegisterUser, given: Given, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    given.user(username="ann")
    with pytest.raises(UsernameTaken):
        register_user(make_registration(username="ann"))
    assert (stored.user_count(), uow.committed) == (1, False)


def test_a_taken_username_is_refused_without_regard_to_case(
    register_user: RegisterUser, given: Given
) -> None:
    given.user(username="Ann.Smith")
    with pytest.raises(UsernameTaken):
        register_user(make_registration(username="ann.SMITH"))


def test_an_invalid_username_is_reported_with_the_other_fields(register_user: RegisterUser) -> None:
    with pytest.raises(InvalidInput) as raised:
        register_user(make_registration(email="nope", username="ann smith"))
    assert set(raised.value.errors) == {"email", "username"}


def test_without_a_name_the_username_must_make_one(register_user: RegisterUser) -> None:
    """RealWorld registers no name: the username is the name too, held to the name's rule."""
    with pytest.raises(InvalidInput) as raised:
        register_user(make_registration(name=None, username="a"))
    assert list(raised.value.errors) == ["username"]
    assert register_user(make_registration(name=None, username="ab")).name == "ab"
    named = make_registration(email="b@example.com", name="Bea", username="b")
    assert register_user(named).username == "b"  # a name given: any valid username


@pytest.mark.parametrize("dots", [".", ".."])
def test_a_username_of_dots_alone_is_refused_as_unreachable(dots: str) -> None:
    """A browser or an HTTP client drops `.` and `..` from a path: /profiles/.. is no profile."""
    with pytest.raises(InvalidInput) as raised:
        check_username(dots)
    assert raised.value.errors == {"username": ["Must not be '.' or '..': no address reaches it."]}


@pytest.mark.parametrize("username", ["...", ".a", "a.", "a..b", "_.", "-..", ".-"])
def test_other_usernames_with_dots_are_kept(username: str) -> None:
    assert check_username(username) == username


@pytest.mark.parametrize("dots", [".", ".."])
def test_a_dots_username_is_refused_at_registration_and_on_change(
    register_user: RegisterUser, update_user: UpdateUser, given: Given, dots: str
) -> None:
    with pytest.raises(InvalidInput):
        register_user(make_registration(username=dots))
    ann = given.user(username="ann")
    with pytest.raises(InvalidInput):
        update_user(actor_for(ann), ann.id, UserChanges(username=dots))


# --- RegisterUser deriving a username -------------------------------------------------------


def test_without_a_username_one_is_derived_from_the_name(register_user: RegisterUser) -> None:
    assert register_user(make_registration(name="José Müller")).username == "jose_muller"


def test_a_derived_username_that_is_taken_gets_the_first_free_suffix(
    register_user: RegisterUser, given: Given
) -> None:
    given.user(username="ann_smith")
    given.user(username="ann_smith_2")
    assert register_user(make_registration(name="Ann Smith")).username == "ann_smith_3"


def test_a_derived_username_is_taken_without_regard_to_case(
    register_user: RegisterUser, given: Given
) -> None:
    given.user(username="Ann_Smith")
    assert register_user(make_registration(name="Ann Smith")).username == "ann_smith_2"


def test_a_derived_username_skips_a_gap_only_if_it_is_taken(
    register_user: RegisterUser, given: Given
) -> None:
    given.user(username="ann_smith")
    given.user(username="ann_smith_3")
    assert register_user(make_registration(name="Ann Smith")).username == "ann_smith_2"


def test_a_derived_username_is_found_past_many_taken_ones(
    register_user: RegisterUser, given: Given
) -> None:
    given.user(username="ann_smith")
    for n in range(2, 31):
        given.user(username=f"ann_smith_{n}")
    assert register_user(make_registration(name="Ann Smith")).username == "ann_smith_31"


def test_a_name_with_nothing_ascii_left_gives_user_and_a_free_number(
    register_user: RegisterUser, given: Given
) -> None:
    given.user(username="user_1")
    assert register_user(make_registration(name="日本語")).username == "user_2"


def test_two_registrations_with_the_same_name_get_different_usernames(
    register_user: RegisterUser,
) -> None:
    first = register_user(make_registration(email="ann1@example.com", name="Ann Smith"))
    second = register_user(make_registration(email="ann2@example.com", name="Ann Smith"))
    assert (first.username, second.username) == ("ann_smith", "ann_smith_2")


def test_a_derived_username_taken_by_a_concurrent_registration_is_derived_again(
    register_user: RegisterUser, given: Given, monkeypatch: pytest.MonkeyPatch
) -> None:
    given.user(username="ann_smith")
    stale = [set()]  # the first look at the store misses it: it was not committed yet
    looked_up = InMemoryUserRepository.taken_usernames

    def taken(self: InMemoryUserRepository, keys: list[str]) -> set[str]:
        return stale.pop() if stale else looked_up(self, keys)

    monkeypatch.setattr(InMemoryUserRepository, "taken_usernames", taken)
    user = register_user(make_registration(email="ann2@example.com", name="Ann Smith"))
    assert user.username == "ann_smith_2"


def test_a_chosen_username_taken_meanwhile_is_refused_not_changed(
    register_user: RegisterUser, given: Given, monkeypatch: pytest.MonkeyPatch
) -> None:
    given.user(username="ann")
    missed = [None]  # the use case's look misses it; the store's own check at add does not
    looked_up = InMemoryUserRepository.get_by_username

    def by_username(self: InMemoryUserRepository, username: str) -> User | None:
        return missed.pop() if missed else looked_up(self, username)

    units = []
    enter = InMemoryUnitOfWork.__enter__

    def counted_enter(self: InMemoryUnitOfWork) -> InMemoryUnitOfWork:
        units.append(self)
        return enter(self)

    monkeypatch.setattr(InMemoryUserRepository, "get_by_username", by_username)
    monkeypatch.setattr(InMemoryUnitOfWork, "__enter__", counted_enter)
    with pytest.raises(UsernameTaken):  # the unique index's refusal, on the first try
        register_user(make_registration(email="ann2@example.com", username="ann"))
    assert len(units) == 1  # not tried again: a chosen name is the caller's to change


# --- UpdateUser: username -------------------------------------------------------------------


def test_a_user_changes_their_own_username(
    update_user: UpdateUser, given: Given, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    ann = given.user(username="ann")
    changed = update_user(actor_for(ann), ann.id, UserChanges(username="Ann.S"))
    assert changed.username == "Ann.S"
    assert stored.user(ann.id) == changed
    assert uow.committed


def test_an_admin_changes_another_users_username(update_user: UpdateUser, given: Given) -> None:
    ann = given.user(username="ann")
    changed = update_user(actor_for(given.admin()), ann.id, UserChanges(username="annie"))
    assert changed.username == "annie"


def test_a_user_may_not_change_another_users_username(
    update_user: UpdateUser, given: Given, stored: Stored
) -> None:
    ann = given.user(username="ann")
    with pytest.raises(NotAccountOwner):
        update_user(actor_for(given.user()), ann.id, UserChanges(username="mine"))
    assert stored.user(ann.id) == ann


def test_changing_to_a_taken_username_is_refused_without_regard_to_case(
    update_user: UpdateUser, given: Given, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    given.user(username="Bob")
    ann = given.user(username="ann")
    with pytest.raises(UsernameTaken):
        update_user(actor_for(ann), ann.id, UserChanges(username="bob"))
    assert (stored.user(ann.id), uow.committed) == (ann, False)


def test_a_user_may_change_only_the_case_of_their_username(
    update_user: UpdateUser, given: Given
) -> None:
    ann = given.user(username="ann")
    assert update_user(actor_for(ann), ann.id, UserChanges(username="ANN")).username == "ANN"


def test_an_invalid_username_is_refused(update_user: UpdateUser, given: Given) -> None:
    ann = given.user()
    with pytest.raises(InvalidInput) as raised:
        update_user(actor_for(ann), ann.id, UserChanges(username="x" * 41))
    assert list(raised.value.errors) == ["username"]


def test_a_post_shows_its_authors_username_as_it_is_now(
    update_user: UpdateUser, given: Given, get_post: GetPost
) -> None:
    ann = given.user(username="ann")
    post = given.post(ann)
    update_user(actor_for(ann), ann.id, UserChanges(username="annie"))
    shown = get_post(None, post.id)
    assert shown.author.username == "annie"
    assert shown.etag == post.etag  # the post itself was not edited


# --- UpdateUser: bio and image --------------------------------------------------------------


def test_a_user_sets_their_bio_and_image(
    update_user: UpdateUser, given: Given, stored: Stored
) -> None:
    ann = given.user()
    changed = update_user(actor_for(ann), ann.id, UserChanges(bio="I write.", image=IMAGE))
    assert (changed.bio, changed.image) == ("I write.", IMAGE)
    assert stored.user(ann.id) == changed


def test_an_admin_sets_another_users_bio(update_user: UpdateUser, given: Given) -> None:
    ann = given.user()
    assert update_user(actor_for(given.admin()), ann.id, UserChanges(bio="Hi.")).bio == "Hi."


def test_an_empty_bio_or_image_clears_it(
    update_user: UpdateUser, given: Given, stored: Stored
) -> None:
    ann = given.user(bio="I write.", image=IMAGE)
    changed = update_user(actor_for(ann), ann.id, UserChanges(bio="", image=""))
    assert (changed.bio, changed.image) == (None, None)
    assert stored.user(ann.id) == changed


def test_leaving_out_bio_and_image_keeps_them(update_user: UpdateUser, given: Given) -> None:
    ann = given.user(bio="I write.", image=IMAGE)
    changed = update_user(actor_for(ann), ann.id, UserChanges(name="Annie"))
    assert (changed.bio, changed.image) == ("I write.", IMAGE)


def test_clearing_an_empty_bio_changes_nothing_and_does_not_commit(
    update_user: UpdateUser, given: Given, uow: InMemoryUnitOfWork
) -> None:
    ann = given.user()
    assert update_user(actor_for(ann), ann.id, UserChanges(bio="", image="")) == ann
    assert not uow.committed


def test_an_invalid_username_bio_and_image_are_reported_together(
    update_user: UpdateUser, given: Given, stored: Stored
) -> None:
    ann = given.user()
    changes = UserChanges(username="a b", bio="x" * 1001, image="javascript:alert(1)")
    with pytest.raises(InvalidInput) as raised:
        update_user(actor_for(ann), ann.id, changes)
    assert set(raised.value.errors) == {"username", "bio", "image"}
    assert stored.user(ann.id) == ann
