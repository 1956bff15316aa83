"""Tag counts behave the same on every adapter: each tag counts the published posts carrying
it, through publishing, unpublishing, retagging, and the removal of posts and of authors.
Among equally used tags the newest (first used last) comes first."""

from __future__ import annotations

from typing import Any

from application.ports import TagUse
from domain.posts import Post
from tests.factories import T0
from tests.integration.stored import add_post, add_user, post_of


def most_used(uow: Any, limit: int = 100) -> list[tuple[str, int]]:
    with uow.read_only() as reader:
        uses: list[TagUse] = reader.tags.most_used(limit)
    return [(use.name, use.posts) for use in uses]


def edit(uow: Any, post: Post, **changes: Any) -> Post:
    with uow:
        current = uow.posts.get(post.id, lock=True)
        fields = {"title": None, "content": None, "published": None, **changes}
        edited = current.edit(now=T0, **fields)
        assert uow.posts.update(edited, previous=current)
        uow.commit()
    return edited  # type: ignore[no-any-return]


def test_tags_are_listed_by_published_posts_most_used_first_newest_among_equals(
    any_uow: Any,
) -> None:
    ann = add_user(any_uow)
    add_post(any_uow, ann, tags=("python", "db"))
    add_post(any_uow, ann, tags=("db", "web"))
    add_post(any_uow, ann, tags=("db", "python", "a-tag"))
    add_post(any_uow, ann, tags=("drafty", "db"), published=False)
    assert most_used(any_uow) == [("db", 3), ("python", 2), ("a-tag", 1), ("web", 1)]
    assert most_used(any_uow, limit=2) == [("db", 3), ("python", 2)]


def test_tags_are_distinct_by_case(any_uow: Any) -> None:
    ann = add_user(any_uow)
    add_post(any_uow, ann, tags=("Python",))
    add_post(any_uow, ann, tags=("python",))
    assert most_used(any_uow) == [("python", 1), ("Python", 1)]


def test_publishing_unpublishing_and_retagging_move_the_counts(any_uow: Any) -> None:
    ann = add_user(any_uow)
    post = add_post(any_uow, ann, tags=("a", "b"), published=False)
    assert most_used(any_uow) == []
    post = edit(any_uow, post, published=True)
    assert most_used(any_uow) == [("b", 1), ("a", 1)]
    post = edit(any_uow, post, tags=["c", "b"])
    assert most_used(any_uow) == [("c", 1), ("b", 1)]
    post = edit(any_uow, post, published=False, tags=["e", "c", "d"])
    assert most_used(any_uow) == []
    edit(any_uow, post, published=True)
    assert most_used(any_uow) == [("d", 1), ("e", 1), ("c", 1)]


def test_removing_posts_and_their_author_uncounts_their_tags(any_uow: Any) -> None:
    ann, bob = add_user(any_uow), add_user(any_uow)
    gone = add_post(any_uow, ann, tags=("x", "y"))
    add_post(any_uow, ann, tags=("x",))
    add_post(any_uow, ann, tags=("y",), published=False)
    add_post(any_uow, bob, tags=("y", "z"))
    with any_uow:
        any_uow.posts.remove(gone.id)
        any_uow.commit()
    assert most_used(any_uow) == [("z", 1), ("y", 1), ("x", 1)]
    with any_uow:
        any_uow.users.remove(ann.id)
        any_uow.commit()
    assert most_used(any_uow) == [("z", 1), ("y", 1)]


def test_tags_of_posts_added_in_bulk_are_counted(any_uow: Any) -> None:
    ann = add_user(any_uow)
    with any_uow:
        any_uow.posts.add_many(
            [
                post_of(ann, tags=("b", "a")),
                post_of(ann, tags=("b",)),
                post_of(ann, tags=("b", "c"), published=False),
                post_of(ann, tags=("d",)),
                post_of(ann),
            ]
        )
        any_uow.commit()
    assert most_used(any_uow) == [("b", 2), ("d", 1), ("a", 1)]
