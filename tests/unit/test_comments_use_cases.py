"""Commenting on posts one can see, reading, listing and deleting comments (docs/API.md,
"Comments")."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.comments import AddComment, DeleteComment, GetComment, ListComments
from application.paging import PageRequest
from application.posts import GetPost
from domain.errors import CommentNotFound, InvalidInput, NotCommentAuthor, PostNotFound
from domain.posts import Author
from infrastructure.memory import InMemoryCommentRepository, InMemoryUnitOfWork
from tests.factories import T0, FixedClock, actor_for
from tests.unit.conftest import Given, Stored, ids


def at(minutes_ago: int) -> dict[str, object]:
    stamp = T0 - timedelta(minutes=minutes_ago)
    return {"created_at": stamp, "updated_at": stamp}


# --- AddComment -----------------------------------------------------------------------------


def test_a_comment_is_stored_on_the_post_with_the_caller_as_author(
    add_comment: AddComment,
    given: Given,
    stored: Stored,
    uow: InMemoryUnitOfWork,
    clock: FixedClock,
) -> None:
    bob = given.user(name="Bob", username="bob", bio="Reads", image="https://example.com/b.png")
    post = given.post(given.user())
    comment = add_comment(actor_for(bob), post.id, "Nice post.")
    assert (comment.post_id, comment.body) == (post.id, "Nice post.")
    assert comment.author == Author(
        id=bob.id, name="Bob", username="bob", bio="Reads", image="https://example.com/b.png"
    )
    assert comment.created_at == comment.updated_at == clock()
    assert comment.id is not None
    assert stored.comment(comment.id) == comment
    assert uow.committed


def test_a_comment_counts_on_its_post_without_changing_its_etag(
    add_comment: AddComment, given: Given, get_post: GetPost
) -> None:
    post = given.post(given.user())
    add_comment(actor_for(given.user()), post.id, "One.")
    add_comment(actor_for(given.user()), post.id, "Two.")
    shown = get_post(None, post.id)
    assert (shown.comments_count, shown.etag, shown.updated_at) == (2, post.etag, post.updated_at)


def test_the_author_may_comment_on_their_own_draft(add_comment: AddComment, given: Given) -> None:
    ann = given.user()
    draft = given.post(ann, published=False)
    assert add_comment(actor_for(ann), draft.id, "Note to self.").post_id == draft.id


def test_an_admin_may_comment_on_someone_elses_draft(add_comment: AddComment, given: Given) -> None:
    draft = given.post(given.user(), published=False)
    assert add_comment(actor_for(given.admin()), draft.id, "Please fix.").post_id == draft.id


def test_commenting_on_someone_elses_draft_is_not_found_and_stores_nothing(
    add_comment: AddComment, given: Given, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    draft = given.post(given.user(), published=False)
    with pytest.raises(PostNotFound):
        add_comment(actor_for(given.user()), draft.id, "Hello?")
    assert (stored.comments_on(draft.id), uow.committed) == ([], False)


def test_commenting_on_a_missing_post_is_not_found(add_comment: AddComment, given: Given) -> None:
    with pytest.raises(PostNotFound):
        add_comment(actor_for(given.user()), 999, "Hello?")


@pytest.mark.parametrize("body", ["", "x" * 10_001])
def test_an_invalid_body_is_refused_and_nothing_is_stored(
    add_comment: AddComment, given: Given, stored: Stored, uow: InMemoryUnitOfWork, body: str
) -> None:
    post = given.post(given.user())
    with pytest.raises(InvalidInput) as raised:
        add_comment(actor_for(given.user()), post.id, body)
    assert list(raised.value.errors) == ["body"]
    assert (stored.comments_on(post.id), uow.committed) == ([], False)


# --- GetComment -----------------------------------------------------------------------------


def test_a_comment_on_a_published_post_is_read_by_anybody(
    get_comment: GetComment, given: Given
) -> None:
    post = given.post(given.user())
    comment = given.comment(given.user(), post)
    assert get_comment(None, comment.id) == comment


def test_a_comment_on_a_post_one_cannot_see_is_not_found(
    get_comment: GetComment, given: Given
) -> None:
    bob = given.user()
    draft = given.post(given.user(), published=False)
    comment = given.comment(bob, draft)  # written before its author unpublished it
    with pytest.raises(CommentNotFound):
        get_comment(None, comment.id)
    with pytest.raises(CommentNotFound):
        get_comment(actor_for(bob), comment.id)


def test_a_comment_on_a_draft_is_read_by_the_drafts_author_and_admins(
    get_comment: GetComment, given: Given
) -> None:
    ann = given.user()
    comment = given.comment(given.user(), given.post(ann, published=False))
    assert get_comment(actor_for(ann), comment.id) == comment
    assert get_comment(actor_for(given.admin()), comment.id) == comment


def test_a_missing_comment_is_not_found(get_comment: GetComment) -> None:
    with pytest.raises(CommentNotFound):
        get_comment(None, 999)


# --- ListComments ---------------------------------------------------------------------------


def test_a_posts_comments_are_listed_newest_first(
    list_comments: ListComments, given: Given
) -> None:
    post = given.post(given.user())
    old = given.comment(given.user(), post, **at(30))
    new = given.comment(given.user(), post, **at(10))
    middle = given.comment(given.user(), post, **at(20))
    given.comment(given.user(), given.post(given.user()))  # on another post
    page = list_comments(None, post.id, PageRequest())
    assert (ids(page.items), page.total) == ([new.id, middle.id, old.id], 3)


def test_comments_written_at_the_same_time_are_listed_by_id_descending(
    list_comments: ListComments, given: Given
) -> None:
    post = given.post(given.user())
    comments = [given.comment(given.user(), post, **at(5)) for _ in range(3)]
    page = list_comments(None, post.id, PageRequest())
    assert ids(page.items) == sorted(ids(comments), reverse=True)


def test_walking_the_comments_by_cursor_visits_each_once_newest_first(
    list_comments: ListComments, given: Given
) -> None:
    post = given.post(given.user())
    comments = [given.comment(given.user(), post, **at(m)) for m in (5, 1, 3, 3, 9, 3, 7)]
    expected = ids(sorted(comments, key=lambda c: (c.created_at, c.id), reverse=True))
    seen: list[int | None] = []
    cursor = None
    for _ in range(len(comments)):
        page = list_comments(None, post.id, PageRequest(per_page=2, cursor=cursor))
        seen += ids(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == expected


def test_the_comments_page_by_number_too(list_comments: ListComments, given: Given) -> None:
    post = given.post(given.user())
    comments = [given.comment(given.user(), post, **at(m)) for m in range(5)]
    page = list_comments(None, post.id, PageRequest(page=2, per_page=2))
    assert ids(page.items) == ids(comments[2:4])
    assert (page.page, page.total, page.pages) == (2, 5, 3)


def test_a_post_without_comments_lists_none(list_comments: ListComments, given: Given) -> None:
    page = list_comments(None, given.post(given.user()).id, PageRequest())
    assert (page.items, page.total, page.next_cursor) == ([], 0, None)


def test_listing_the_comments_of_a_post_one_cannot_see_is_not_found(
    list_comments: ListComments, given: Given
) -> None:
    draft = given.post(given.user(), published=False)
    given.comment(given.user(), draft)
    with pytest.raises(PostNotFound):
        list_comments(actor_for(given.user()), draft.id, PageRequest())


def test_the_author_lists_the_comments_on_their_draft(
    list_comments: ListComments, given: Given
) -> None:
    ann = given.user()
    draft = given.post(ann, published=False)
    comment = given.comment(given.admin(), draft)
    assert ids(list_comments(actor_for(ann), draft.id, PageRequest()).items) == [comment.id]


def test_listing_the_comments_of_a_missing_post_is_not_found(
    list_comments: ListComments,
) -> None:
    with pytest.raises(PostNotFound):
        list_comments(None, 999, PageRequest())


def test_listing_comments_refuses_bad_paging(list_comments: ListComments, given: Given) -> None:
    post = given.post(given.user())
    with pytest.raises(InvalidInput) as raised:
        list_comments(None, post.id, PageRequest(per_page=101))
    assert list(raised.value.errors) == ["per_page"]


def test_listing_comments_changes_nothing(
    list_comments: ListComments, given: Given, uow: InMemoryUnitOfWork
) -> None:
    post = given.post(given.user())
    given.comment(given.user(), post)
    list_comments(None, post.id, PageRequest())
    assert not uow.committed


# --- DeleteComment --------------------------------------------------------------------------


def test_the_comments_author_deletes_it(
    delete_comment: DeleteComment, given: Given, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    bob = given.user()
    comment = given.comment(bob, given.post(given.user()))
    delete_comment(actor_for(bob), comment.id)
    assert stored.comment(comment.id) is None
    assert uow.committed


def test_the_posts_author_deletes_a_comment_on_it(
    delete_comment: DeleteComment, given: Given, stored: Stored
) -> None:
    ann = given.user()
    comment = given.comment(given.user(), given.post(ann))
    delete_comment(actor_for(ann), comment.id)
    assert stored.comment(comment.id) is None


def test_an_admin_deletes_any_comment(
    delete_comment: DeleteComment, given: Given, stored: Stored
) -> None:
    comment = given.comment(given.user(), given.post(given.user()))
    delete_comment(actor_for(given.admin()), comment.id)
    assert stored.comment(comment.id) is None


def test_a_comment_removed_by_another_since_it_was_read_is_not_found(
    delete_comment: DeleteComment,
    given: Given,
    uow: InMemoryUnitOfWork,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bob = given.user()
    comment = given.comment(bob, given.post(given.user()))
    read = InMemoryCommentRepository.get

    def read_then_lose_it(
        self: InMemoryCommentRepository, comment_id: int, viewer_id: int | None = None
    ) -> object:
        found = read(self, comment_id, viewer_id)
        self._store.comments.pop(comment_id, None)  # another deletion commits meanwhile
        return found

    monkeypatch.setattr(InMemoryCommentRepository, "get", read_then_lose_it)
    with pytest.raises(CommentNotFound):  # not a second 204
        delete_comment(actor_for(bob), comment.id)
    assert not uow.committed


def test_anybody_else_deleting_a_comment_is_forbidden_and_it_stays(
    delete_comment: DeleteComment, given: Given, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    comment = given.comment(given.user(), given.post(given.user()))
    with pytest.raises(NotCommentAuthor):
        delete_comment(actor_for(given.user()), comment.id)
    assert (stored.comment(comment.id), uow.committed) == (comment, False)


def test_deleting_a_comment_on_a_post_one_cannot_see_is_not_found(
    delete_comment: DeleteComment, given: Given, stored: Stored
) -> None:
    bob = given.user()
    comment = given.comment(bob, given.post(given.user(), published=False))
    with pytest.raises(CommentNotFound):
        delete_comment(actor_for(bob), comment.id)  # even its author, once the post is a draft
    assert stored.comment(comment.id) == comment


def test_deleting_a_missing_comment_is_not_found(
    delete_comment: DeleteComment, given: Given
) -> None:
    with pytest.raises(CommentNotFound):
        delete_comment(actor_for(given.admin()), 999)


def test_deleting_a_comment_leaves_the_others_and_the_count_right(
    delete_comment: DeleteComment, given: Given, stored: Stored
) -> None:
    bob = given.user()
    post = given.post(given.user())
    gone, kept = given.comment(bob, post), given.comment(given.user(), post)
    delete_comment(actor_for(bob), gone.id)
    assert ids(stored.comments_on(post.id)) == [kept.id]
    assert stored.post(post.id).comments_count == 1
