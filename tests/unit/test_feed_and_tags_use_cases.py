"""The feed of followed authors' posts, and the tags in use (docs/API.md, "Feed" and
"Posts: slugs, summaries, tags, favorites")."""

from __future__ import annotations

import pytest

from application.paging import PageRequest
from application.ports import TagUse
from application.posts import Feed, ListTags
from domain.errors import InvalidInput
from infrastructure.memory import InMemoryUnitOfWork
from tests.factories import actor_for, at
from tests.unit.conftest import Given, ids

# --- Feed -----------------------------------------------------------------------------------


def test_the_feed_shows_the_followed_authors_published_posts_newest_first(
    feed: Feed, given: Given
) -> None:
    me, ann, bob = given.user(), given.user(), given.user()
    given.follow(me, ann)
    given.follow(me, bob)
    old, new, middle = (
        given.post(ann, **at(30)),
        given.post(bob, **at(10)),
        given.post(ann, **at(20)),
    )
    page = feed(actor_for(me), PageRequest())
    assert (ids(page.items), page.total) == ([new.id, middle.id, old.id], 3)


def test_the_feed_leaves_out_authors_one_does_not_follow_and_ones_own_posts(
    feed: Feed, given: Given
) -> None:
    me, ann, stranger, fan = given.user(), given.user(), given.user(), given.user()
    given.follow(me, ann)
    given.follow(fan, me)  # being followed puts nothing in one's feed
    wanted = given.post(ann)
    given.post(stranger)
    given.post(me)
    given.post(fan)
    assert ids(feed(actor_for(me), PageRequest()).items) == [wanted.id]


def test_the_feed_leaves_out_the_followed_authors_drafts(feed: Feed, given: Given) -> None:
    me, ann = given.user(), given.user()
    given.follow(me, ann)
    given.post(ann, published=False)
    assert feed(actor_for(me), PageRequest()).items == []


def test_the_feed_leaves_out_drafts_even_for_an_admin(feed: Feed, given: Given) -> None:
    admin, ann = given.admin(), given.user()
    given.follow(admin, ann)
    given.post(ann, published=False)
    assert feed(actor_for(admin), PageRequest()).items == []


def test_following_nobody_gives_an_empty_feed(feed: Feed, given: Given) -> None:
    given.post(given.user())
    page = feed(actor_for(given.user()), PageRequest())
    assert (page.items, page.total, page.next_cursor) == ([], 0, None)


def test_the_feed_is_the_callers_own(feed: Feed, given: Given) -> None:
    me, other, ann = given.user(), given.user(), given.user()
    given.follow(other, ann)
    given.post(ann)
    assert feed(actor_for(me), PageRequest()).items == []


def test_the_feed_walks_by_cursor_visiting_every_post_once_newest_first(
    feed: Feed, given: Given
) -> None:
    me, ann, bob = given.user(), given.user(), given.user()
    given.follow(me, ann)
    given.follow(me, bob)
    when = [(ann, 5), (bob, 1), (ann, 3), (bob, 3), (ann, 9), (bob, 7)]
    posts = [given.post(author, **at(minutes)) for author, minutes in when]
    given.post(given.user(), **at(4))  # not followed: never in the feed
    expected = ids(sorted(posts, key=lambda p: (p.created_at, p.id), reverse=True))
    seen: list[int | None] = []
    cursor = None
    for _ in range(len(posts)):
        page = feed(actor_for(me), PageRequest(per_page=2, cursor=cursor))
        seen += ids(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == expected


def test_the_feed_pages_by_number_too(feed: Feed, given: Given) -> None:
    me, ann = given.user(), given.user()
    given.follow(me, ann)
    posts = [given.post(ann, **at(m)) for m in range(5)]
    page = feed(actor_for(me), PageRequest(page=2, per_page=2))
    assert ids(page.items) == ids(posts[2:4])
    assert (page.page, page.total, page.pages) == (2, 5, 3)


def test_a_forged_feed_cursor_is_refused(feed: Feed, given: Given) -> None:
    with pytest.raises(InvalidInput) as raised:
        feed(actor_for(given.user()), PageRequest(cursor="forged"))
    assert list(raised.value.errors) == ["cursor"]


def test_the_feeds_posts_carry_counts_and_whether_the_caller_favorited_them(
    feed: Feed, given: Given
) -> None:
    me, ann = given.user(), given.user()
    given.follow(me, ann)
    post = given.post(ann)
    given.favorite(me, post)
    given.comment(ann, post)
    [shown] = feed(actor_for(me), PageRequest()).items
    assert (shown.favorited, shown.favorites_count, shown.comments_count) == (True, 1, 1)


def test_reading_the_feed_changes_nothing(
    feed: Feed, given: Given, uow: InMemoryUnitOfWork
) -> None:
    me, ann = given.user(), given.user()
    given.follow(me, ann)
    given.post(ann)
    feed(actor_for(me), PageRequest())
    assert not uow.committed


# --- ListTags -------------------------------------------------------------------------------


def test_tags_are_listed_most_used_first_with_their_number_of_posts(
    list_tags: ListTags, given: Given
) -> None:
    ann, bob = given.user(), given.user()
    given.post(ann, tags=("rust", "python"))
    given.post(bob, tags=("python",))
    given.post(ann, tags=("python", "flask", "rust"))
    assert list_tags() == [
        TagUse(name="python", posts=3),
        TagUse(name="rust", posts=2),
        TagUse(name="flask", posts=1),
    ]


def test_tags_used_equally_are_listed_newest_first(list_tags: ListTags, given: Given) -> None:
    """A tag just used shows even when more than 100 tags are used once each."""
    ann = given.user()
    given.post(ann, tags=("b", "c"))
    given.post(ann, tags=("a",))
    assert [t.name for t in list_tags()] == ["a", "c", "b"]


def test_only_published_posts_count_for_tags(list_tags: ListTags, given: Given) -> None:
    ann = given.user()
    given.post(ann, tags=("python", "secret"), published=False)
    given.post(ann, tags=("python",), published=True)
    assert list_tags() == [TagUse(name="python", posts=1)]


def test_at_most_the_100_most_used_tags_are_listed(list_tags: ListTags, given: Given) -> None:
    ann = given.user()
    for n in range(11):  # 110 tags, each on one post ...
        given.post(ann, tags=tuple(f"t{n:02}{i}" for i in range(10)))
    given.post(ann, tags=("t109",))  # ... but the last one on two
    tags = list_tags()
    assert len(tags) == 100
    assert tags[0] == TagUse(name="t109", posts=2)


def test_no_tags_in_use_gives_an_empty_list(list_tags: ListTags, given: Given) -> None:
    given.post(given.user())
    assert list_tags() == []


def test_listing_tags_changes_nothing(
    list_tags: ListTags, given: Given, uow: InMemoryUnitOfWork
) -> None:
    given.post(given.user(), tags=("python",))
    list_tags()
    assert not uow.committed
