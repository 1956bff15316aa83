"""Creating, reading, editing and deleting posts: visibility, ownership and If-Match."""

from __future__ import annotations

import pytest

from application.posts import (
    CreatePost,
    DeletePost,
    EditPost,
    GetPost,
    NewPost,
    PostChanges,
    PostReplacement,
)
from application.users import UpdateUser, UserChanges
from domain.errors import InvalidInput, NotPostAuthor, PostNotFound, StaleVersion
from domain.posts import Author
from infrastructure.memory import InMemoryUnitOfWork
from tests.factories import LATER, T0, FixedClock, actor_for
from tests.unit.conftest import Given, Stored

# --- CreatePost -----------------------------------------------------------------------------


def test_a_new_post_is_stored_with_the_caller_as_author(
    create_post: CreatePost, given: Given, stored: Stored
) -> None:
    ann = given.user(name="Ann", bio="Writes", image="https://example.com/ann.png")
    post = create_post(actor_for(ann), NewPost(title="Hello", content="World"))
    assert post.author == Author(
        id=ann.id,
        name="Ann",
        username=ann.username,
        bio="Writes",
        image="https://example.com/ann.png",
    )
    assert stored.post(post.id) == post  # the answer is what a read gives


def test_creating_a_post_commits(
    create_post: CreatePost, given: Given, uow: InMemoryUnitOfWork
) -> None:
    create_post(actor_for(given.user()), NewPost(title="Hello", content="World"))
    assert uow.committed


def test_a_new_post_is_a_draft_by_default(create_post: CreatePost, given: Given) -> None:
    post = create_post(actor_for(given.user()), NewPost(title="Hello", content="World"))
    assert (post.published, post.published_at) == (False, None)


def test_a_new_published_post_is_published_now(
    create_post: CreatePost, given: Given, clock: FixedClock
) -> None:
    post = create_post(
        actor_for(given.user()), NewPost(title="Hi", content="There", published=True)
    )
    assert (post.published, post.published_at) == (True, clock())


def test_a_new_post_is_at_version_1_with_equal_timestamps(
    create_post: CreatePost, given: Given, clock: FixedClock
) -> None:
    post = create_post(actor_for(given.user()), NewPost(title="Hello", content="World"))
    assert post.version == 1
    assert post.created_at == post.updated_at == clock()


def test_an_invalid_new_post_is_refused_and_nothing_is_stored(
    create_post: CreatePost, given: Given, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    with pytest.raises(InvalidInput):
        create_post(actor_for(given.user()), NewPost(title="  ", content="World"))
    assert (stored.post_count(), uow.committed) == (0, False)


# --- GetPost --------------------------------------------------------------------------------


def test_a_published_post_is_visible_to_an_anonymous_caller(
    get_post: GetPost, given: Given
) -> None:
    post = given.post(given.user(), published=True)
    assert get_post(None, post.id) == post


def test_a_draft_is_hidden_from_an_anonymous_caller_as_not_found(
    get_post: GetPost, given: Given
) -> None:
    draft = given.post(given.user(), published=False)
    with pytest.raises(PostNotFound):
        get_post(None, draft.id)


def test_a_draft_is_hidden_from_another_user_as_not_found(get_post: GetPost, given: Given) -> None:
    draft = given.post(given.user(), published=False)
    with pytest.raises(PostNotFound):
        get_post(actor_for(given.user()), draft.id)


def test_a_draft_is_visible_to_its_author(get_post: GetPost, given: Given) -> None:
    ann = given.user()
    draft = given.post(ann, published=False)
    assert get_post(actor_for(ann), draft.id) == draft


def test_a_draft_is_visible_to_an_admin(get_post: GetPost, given: Given) -> None:
    draft = given.post(given.user(), published=False)
    assert get_post(actor_for(given.admin()), draft.id) == draft


def test_a_missing_post_is_not_found(get_post: GetPost) -> None:
    with pytest.raises(PostNotFound):
        get_post(None, 999)


def test_a_post_shows_its_authors_name_as_it_is_now(
    get_post: GetPost, given: Given, update_user: UpdateUser
) -> None:
    ann = given.user(name="Ann")
    post = given.post(ann)
    update_user(actor_for(ann), ann.id, UserChanges(name="Annie"))
    assert get_post(None, post.id).author.name == "Annie"


# --- EditPost -------------------------------------------------------------------------------


def test_the_author_edits_their_post(
    edit_post: EditPost, given: Given, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    ann = given.user()
    post = given.post(ann, title="Old")
    edited = edit_post(actor_for(ann), post.id, PostChanges(title="New"))
    assert edited.title == "New"
    assert stored.post(post.id) == edited
    assert uow.committed


def test_an_edit_bumps_the_version_and_updated_at_and_changes_the_etag(
    edit_post: EditPost, given: Given, clock: FixedClock
) -> None:
    ann = given.user()
    post = given.post(ann)
    clock.advance(hours=1)
    edited = edit_post(actor_for(ann), post.id, PostChanges(content="More"))
    assert (edited.version, edited.updated_at, edited.created_at) == (2, LATER, T0)
    assert edited.etag != post.etag


def test_publishing_a_draft_through_an_edit_stamps_published_at(
    edit_post: EditPost, given: Given, clock: FixedClock
) -> None:
    ann = given.user()
    draft = given.post(ann, published=False)
    clock.advance(hours=1)
    edited = edit_post(actor_for(ann), draft.id, PostChanges(published=True))
    assert (edited.published, edited.published_at) == (True, LATER)


def test_unpublishing_through_an_edit_clears_published_at(
    edit_post: EditPost, given: Given
) -> None:
    ann = given.user()
    post = given.post(ann, published=True)
    edited = edit_post(actor_for(ann), post.id, PostChanges(published=False))
    assert (edited.published, edited.published_at) == (False, None)


def test_an_edit_changing_nothing_stores_nothing_and_does_not_commit(
    edit_post: EditPost, given: Given, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    ann = given.user()
    post = given.post(ann, title="Same")
    assert edit_post(actor_for(ann), post.id, PostChanges(title="Same")) == post
    assert (stored.post(post.id), uow.committed) == (post, False)


def test_an_invalid_edit_is_refused_and_changes_nothing(
    edit_post: EditPost, given: Given, stored: Stored
) -> None:
    ann = given.user()
    post = given.post(ann)
    with pytest.raises(InvalidInput):
        edit_post(actor_for(ann), post.id, PostChanges(title="x" * 201))
    assert stored.post(post.id) == post


def test_editing_someone_elses_post_is_forbidden(
    edit_post: EditPost, given: Given, stored: Stored
) -> None:
    post = given.post(given.user(), published=True)
    with pytest.raises(NotPostAuthor):
        edit_post(actor_for(given.user()), post.id, PostChanges(title="Mine now"))
    assert stored.post(post.id) == post


def test_editing_someone_elses_draft_is_not_found(edit_post: EditPost, given: Given) -> None:
    draft = given.post(given.user(), published=False)
    with pytest.raises(PostNotFound):
        edit_post(actor_for(given.user()), draft.id, PostChanges(title="Mine now"))


def test_editing_a_missing_post_is_not_found(edit_post: EditPost, given: Given) -> None:
    with pytest.raises(PostNotFound):
        edit_post(actor_for(given.user()), 999, PostChanges(title="Ghost"))


def test_an_admin_may_edit_someone_elses_post(edit_post: EditPost, given: Given) -> None:
    draft = given.post(given.user(), published=False)
    edited = edit_post(actor_for(given.admin()), draft.id, PostChanges(title="Moderated"))
    assert edited.title == "Moderated"


def test_an_admins_edit_keeps_the_original_author(edit_post: EditPost, given: Given) -> None:
    ann = given.user()
    post = given.post(ann)
    edited = edit_post(actor_for(given.admin()), post.id, PostChanges(title="Moderated"))
    assert edited.author.id == ann.id


def test_an_edit_with_a_stale_if_match_is_refused_and_changes_nothing(
    edit_post: EditPost, given: Given, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    ann = given.user()
    post = given.post(ann)
    edit_post(actor_for(ann), post.id, PostChanges(title="First"))
    uow.committed = False
    with pytest.raises(StaleVersion):
        edit_post(actor_for(ann), post.id, PostChanges(title="Second"), frozenset({post.etag}))
    assert stored.post(post.id).title == "First"
    assert not uow.committed


def test_a_stale_if_match_is_refused_even_for_an_edit_changing_nothing(
    edit_post: EditPost, given: Given
) -> None:
    ann = given.user()
    post = given.post(ann, title="Same")
    with pytest.raises(StaleVersion):
        edit_post(actor_for(ann), post.id, PostChanges(title="Same"), frozenset({"nope"}))


def test_an_edit_with_the_current_etag_succeeds(edit_post: EditPost, given: Given) -> None:
    ann = given.user()
    post = given.post(ann)
    edited = edit_post(actor_for(ann), post.id, PostChanges(title="New"), frozenset({post.etag}))
    assert edited.title == "New"


def test_an_edit_with_if_match_star_matches_any_version(edit_post: EditPost, given: Given) -> None:
    ann = given.user()
    post = given.post(ann, version=7)
    edited = edit_post(actor_for(ann), post.id, PostChanges(title="New"), frozenset({"*"}))
    assert edited.version == 8


def test_an_edit_succeeds_if_any_of_several_etags_matches(
    edit_post: EditPost, given: Given
) -> None:
    ann = given.user()
    post = given.post(ann)
    if_match = frozenset({"1-99", post.etag, "x"})
    assert edit_post(actor_for(ann), post.id, PostChanges(title="New"), if_match).title == "New"


def test_an_if_match_does_not_reveal_a_post_one_cannot_see(
    edit_post: EditPost, given: Given
) -> None:
    draft = given.post(given.user(), published=False)
    with pytest.raises(PostNotFound):
        edit_post(actor_for(given.user()), draft.id, PostChanges(title="x"), frozenset({"nope"}))


# --- EditPost.replace -----------------------------------------------------------------------


def test_replacing_a_post_sets_all_three_fields(
    edit_post: EditPost, given: Given, stored: Stored
) -> None:
    ann = given.user()
    post = given.post(ann, title="Old", content="Old body", published=False)
    replaced = edit_post.replace(
        actor_for(ann),
        post.id,
        PostReplacement(title="New", content="New body", published=True),
    )
    assert (replaced.title, replaced.content, replaced.published) == ("New", "New body", True)
    assert stored.post(post.id) == replaced


def test_replacing_someone_elses_post_is_forbidden(edit_post: EditPost, given: Given) -> None:
    post = given.post(given.user(), published=True)
    with pytest.raises(NotPostAuthor):
        edit_post.replace(
            actor_for(given.user()),
            post.id,
            PostReplacement(title="T", content="C", published=True),
        )


def test_replacing_with_a_stale_if_match_changes_nothing(
    edit_post: EditPost, given: Given, stored: Stored
) -> None:
    ann = given.user()
    post = given.post(ann)
    with pytest.raises(StaleVersion):
        edit_post.replace(
            actor_for(ann),
            post.id,
            PostReplacement(title="T", content="C", published=False),
            frozenset({"stale"}),
        )
    assert stored.post(post.id) == post


def test_replacing_with_an_invalid_field_changes_nothing(
    edit_post: EditPost, given: Given, stored: Stored
) -> None:
    ann = given.user()
    post = given.post(ann)
    with pytest.raises(InvalidInput):
        edit_post.replace(
            actor_for(ann),
            post.id,
            PostReplacement(title="Fine", content="", published=True),
        )
    assert stored.post(post.id) == post


# --- DeletePost -----------------------------------------------------------------------------


def test_the_author_deletes_their_post(
    delete_post: DeletePost, given: Given, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    ann = given.user()
    post = given.post(ann)
    delete_post(actor_for(ann), post.id)
    assert stored.post(post.id) is None
    assert uow.committed


def test_an_admin_deletes_someone_elses_draft(
    delete_post: DeletePost, given: Given, stored: Stored
) -> None:
    draft = given.post(given.user(), published=False)
    delete_post(actor_for(given.admin()), draft.id)
    assert stored.post(draft.id) is None


def test_deleting_someone_elses_post_is_forbidden(
    delete_post: DeletePost, given: Given, stored: Stored
) -> None:
    post = given.post(given.user(), published=True)
    with pytest.raises(NotPostAuthor):
        delete_post(actor_for(given.user()), post.id)
    assert stored.post(post.id) == post


def test_deleting_someone_elses_draft_is_not_found(
    delete_post: DeletePost, given: Given, stored: Stored
) -> None:
    draft = given.post(given.user(), published=False)
    with pytest.raises(PostNotFound):
        delete_post(actor_for(given.user()), draft.id)
    assert stored.post(draft.id) == draft


def test_deleting_a_missing_post_is_not_found(delete_post: DeletePost, given: Given) -> None:
    with pytest.raises(PostNotFound):
        delete_post(actor_for(given.user()), 999)


def test_deleting_with_a_stale_if_match_is_refused_and_keeps_the_post(
    delete_post: DeletePost, given: Given, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    ann = given.user()
    post = given.post(ann, version=2)
    with pytest.raises(StaleVersion):
        delete_post(actor_for(ann), post.id, frozenset({f"{post.id}-1"}))
    assert (stored.post(post.id), uow.committed) == (post, False)


def test_deleting_with_the_current_etag_succeeds(
    delete_post: DeletePost, given: Given, stored: Stored
) -> None:
    ann = given.user()
    post = given.post(ann)
    delete_post(actor_for(ann), post.id, frozenset({post.etag}))
    assert stored.post(post.id) is None
