"""Comments behave the same on every adapter: counted on their post, paged newest first, read
with their author as they are now."""

from __future__ import annotations

from typing import Any

from attrs import evolve

from application.paging import Cursor, PageRequest, Window
from tests.factories import T0, make_comment
from tests.integration.stored import (
    add_comment,
    add_post,
    add_user,
    comment_on,
    minutes,
    stored_post,
)


def test_a_comment_reads_back_with_its_authors_current_name(any_uow: Any) -> None:
    ann, bob = add_user(any_uow), add_user(any_uow, name="Bob", username="bob")
    post = add_post(any_uow, ann)
    comment = add_comment(any_uow, post, bob, "First!")
    with any_uow:
        any_uow.users.save(bob.change(name="Robert", username="Bobby", now=T0))
        any_uow.commit()
    with any_uow.read_only() as reader:
        stored = reader.comments.get(comment.id)
    assert (stored.id, stored.post_id, stored.body, stored.created_at) == (
        comment.id, post.id, "First!", T0,
    )  # fmt: skip
    assert (stored.author.id, stored.author.name, stored.author.username) == (
        bob.id, "Robert", "Bobby",
    )  # fmt: skip


def test_add_answers_the_comment_as_given_with_its_id(any_uow: Any) -> None:
    """No read after the write (see the posts' contract)."""
    ann, bob = add_user(any_uow), add_user(any_uow, bio="Stored bio")
    given = make_comment(add_post(any_uow, ann), bob)
    with any_uow:
        added = any_uow.comments.add(given)
        any_uow.commit()
    assert added.id is not None and added == evolve(given, id=added.id)
    assert added.author.bio is None


def test_comments_are_paged_newest_first_ties_by_id_and_counted_on_the_post(
    any_uow: Any,
) -> None:
    ann = add_user(any_uow)
    post, other = add_post(any_uow, ann), add_post(any_uow, ann)
    older = [add_comment(any_uow, post, ann, created_at=minutes(-5)) for _ in range(2)]
    newer = [add_comment(any_uow, post, ann, created_at=minutes(5)) for _ in range(2)]
    add_comment(any_uow, other, ann)
    with any_uow.read_only() as reader:
        page = reader.comments.find(post.id, PageRequest(per_page=10).window())
        found = page.items
        assert reader.comments.count(post.id) == page.total == 4
        past_the_end = reader.comments.find(post.id, PageRequest(page=9).window())
        assert (past_the_end.items, past_the_end.total) == ([], None)
    expected = [c.id for c in reversed(newer)] + [c.id for c in reversed(older)]
    assert [c.id for c in found] == expected
    assert stored_post(any_uow, post).comments_count == 4


def test_a_cursor_walk_returns_every_comment_once(any_uow: Any) -> None:
    ann = add_user(any_uow)
    post = add_post(any_uow, ann)
    with any_uow:
        any_uow.comments.add_many(comment_on(post, ann, f"c{n}") for n in range(45))
        any_uow.commit()
    seen: list[int] = []
    after: Cursor | None = None
    with any_uow.read_only() as reader:
        while rows := reader.comments.find(post.id, Window(after=after, offset=0, limit=11)).items:
            seen += [c.id for c in rows[:10]]
            if len(rows) <= 10:
                break
            after = Cursor.after(rows[9])
        assert reader.comments.count(post.id) == 45
    assert len(seen) == 45
    assert seen == sorted(seen, reverse=True)


def test_removing_a_comment_uncounts_it_once_and_says_whether_it_was_there(any_uow: Any) -> None:
    ann = add_user(any_uow)
    post = add_post(any_uow, ann)
    kept, gone = add_comment(any_uow, post, ann), add_comment(any_uow, post, ann)
    with any_uow:
        assert any_uow.comments.remove(gone.id) is True
        assert any_uow.comments.remove(gone.id) is False
        any_uow.commit()
    with any_uow.read_only() as reader:
        assert reader.comments.get(gone.id) is None
        assert reader.comments.get(kept.id) is not None
        assert reader.comments.count(post.id) == 1
    assert stored_post(any_uow, post).comments_count == 1


def test_a_removed_comments_id_is_never_given_again(any_uow: Any) -> None:
    ann = add_user(any_uow)
    post = add_post(any_uow, ann)
    add_comment(any_uow, post, ann)
    newest = add_comment(any_uow, post, ann)
    with any_uow:
        any_uow.comments.remove(newest.id)
        any_uow.commit()
    assert add_comment(any_uow, post, ann).id > newest.id


def test_removing_a_post_removes_its_comments(any_uow: Any) -> None:
    ann = add_user(any_uow)
    post = add_post(any_uow, ann)
    comment = add_comment(any_uow, post, ann)
    with any_uow:
        any_uow.posts.remove(post.id)
        any_uow.commit()
    with any_uow.read_only() as reader:
        assert reader.comments.get(comment.id) is None
        assert reader.comments.count(post.id) == 0


def test_a_comment_changes_nothing_the_author_edits(any_uow: Any) -> None:
    ann = add_user(any_uow)
    post = add_post(any_uow, ann)
    before = stored_post(any_uow, post)
    add_comment(any_uow, post, ann)
    assert stored_post(any_uow, post).etag == before.etag
