"""The post repository behaves the same on every adapter, paging and search included."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from attrs import evolve

from application.paging import OFFSET_MAX, Cursor, PageRequest, Window
from application.ports import PostFilter
from domain.errors import Conflict
from domain.posts import SLUG_MAX
from domain.users import User
from tests.factories import T0, make_post, make_session, make_user
from tests.integration.stored import add_post, favorite, follow, minutes, post_of

PUBLISHED = PostFilter(published=True)


def add_author(uow: Any, **fields: Any) -> User:
    with uow:
        user = uow.users.add(make_user(**fields))
        uow.commit()
    return user


def add_posts(uow: Any, author: User, count: int, **fields: Any) -> list[Any]:
    with uow:
        posts = [uow.posts.add(make_post(author, **fields)) for _ in range(count)]
        uow.commit()
    return posts


def window(per_page: int = 20, **kw: Any) -> Window:
    return PageRequest(per_page=per_page, **kw).window()


def test_a_post_reads_back_with_its_authors_current_name(any_uow: Any) -> None:
    author = add_author(any_uow, name="Ann")
    [post] = add_posts(any_uow, author, 1)
    with any_uow:
        any_uow.users.save(author.change(name="Ann B.", now=T0))
        any_uow.commit()
    with any_uow:
        stored = any_uow.posts.get(post.id)
    assert stored.author.name == "Ann B."
    assert (stored.title, stored.content, stored.version) == (post.title, post.content, 1)
    assert stored.created_at == T0


def test_add_answers_the_post_as_given_with_its_id_and_slug(any_uow: Any) -> None:
    """No read after the write: the use case's post, numbered (its author as the use case
    made them, which a fake must not fill in from the users it holds)."""
    author = add_author(any_uow, bio="Stored bio")
    given = make_post(author, title="As given")
    with any_uow:
        added = any_uow.posts.add(given)
        any_uow.commit()
    assert added == evolve(given, id=added.id, slug="as-given")
    assert added.author.bio is None


def test_the_bulk_path_stores_slugs_as_given_and_refuses_a_taken_one(any_uow: Any) -> None:
    author = add_author(any_uow)
    with any_uow:
        ids = any_uow.posts.add_many([make_post(author, slug=s) for s in ("feed", "bulk")])
        any_uow.commit()
    with any_uow:
        assert [any_uow.posts.get(i).slug for i in ids] == ["feed", "bulk"]  # not numbered
    with pytest.raises(Conflict), any_uow:
        any_uow.posts.add_many([make_post(author, slug="bulk")])
        any_uow.commit()


def test_update_is_a_compare_and_set_on_the_version(any_uow: Any) -> None:
    author = add_author(any_uow)
    [post] = add_posts(any_uow, author, 1)
    edited = post.edit(title="New", content=None, published=None, now=T0 + timedelta(minutes=1))
    with any_uow:
        assert any_uow.posts.update(edited, previous=post)
        any_uow.commit()
    with any_uow:
        assert not any_uow.posts.update(edited, previous=post)  # stale now
        assert any_uow.posts.get(post.id).title == "New"


def test_removing_a_post_deletes_it(any_uow: Any) -> None:
    author = add_author(any_uow)
    [post] = add_posts(any_uow, author, 1)
    with any_uow:
        any_uow.posts.remove(post.id)
        any_uow.commit()
    with any_uow:
        assert any_uow.posts.get(post.id) is None


def test_a_removed_posts_id_is_never_given_again(any_uow: Any) -> None:
    """Not even the newest's (SQLite would give max(id) + 1 again without AUTOINCREMENT):
    an old link or If-Match never reaches another post."""
    author = add_author(any_uow)
    [_, newest] = add_posts(any_uow, author, 2)
    with any_uow:
        any_uow.posts.remove(newest.id)
        any_uow.commit()
    [after] = add_posts(any_uow, author, 1)
    assert after.id > newest.id


def test_removing_a_user_removes_their_posts_and_sessions(any_uow: Any) -> None:

    author = add_author(any_uow)
    [post] = add_posts(any_uow, author, 1)
    with any_uow:
        any_uow.sessions.add(make_session(author.id))
        any_uow.commit()
    with any_uow:
        any_uow.users.remove(author.id)
        any_uow.commit()
    with any_uow:
        assert any_uow.posts.get(post.id) is None
        assert any_uow.sessions.get_with_user("s1") is None


def test_lists_are_newest_first_with_ties_broken_by_id_descending(any_uow: Any) -> None:
    author = add_author(any_uow)
    older = add_posts(any_uow, author, 2, created_at=T0 - timedelta(hours=1))
    newer = add_posts(any_uow, author, 2)
    with any_uow:
        ids = [p.id for p in any_uow.posts.find(PUBLISHED, window()).items]
    expected = sorted((p.id for p in newer), reverse=True) + sorted(
        (p.id for p in older), reverse=True
    )
    assert ids == expected


def test_filters_select_published_state_and_author(any_uow: Any) -> None:
    ann, bob = add_author(any_uow), add_author(any_uow)
    add_posts(any_uow, ann, 2)
    add_posts(any_uow, ann, 1, published=False)
    add_posts(any_uow, bob, 3)
    with any_uow:
        assert any_uow.posts.count(PUBLISHED) == 5
        assert any_uow.posts.count(PostFilter(published=False)) == 1
        assert any_uow.posts.count(PostFilter(published=True, author_id=ann.id)) == 2
        drafts = any_uow.posts.find(PostFilter(published=False, author_id=bob.id), window()).items
    assert drafts == []


def test_search_matches_title_or_content_without_regard_to_case(any_uow: Any) -> None:
    author = add_author(any_uow)
    add_posts(any_uow, author, 1, title="About Gardens", content="plain")
    add_posts(any_uow, author, 1, title="Other", content="my GARDEN grows")
    add_posts(any_uow, author, 1, title="Unrelated", content="nothing")
    with any_uow:
        found = any_uow.posts.find(PostFilter(published=True, search="garden"), window()).items
        assert {p.title for p in found} == {"About Gardens", "Other"}
        assert any_uow.posts.count(PostFilter(published=True, search="gArDeN")) == 2


def test_search_ignores_the_case_of_letters_beyond_ascii(any_uow: Any) -> None:
    author = add_author(any_uow)
    add_posts(any_uow, author, 1, title="Ünïcode CONTENT", content="plain")
    add_posts(any_uow, author, 1, title="Other", content="Crème BRÛLÉE")
    add_posts(any_uow, author, 1, title="ΟΔΟΣΑ", content="a Greek word")
    with any_uow:
        for text, title in [("ünïcode", "Ünïcode CONTENT"), ("ÜNÏCODE", "Ünïcode CONTENT"),
                            ("brûlée", "Other"), ("CRÈME", "Other"),
                            ("ΟΔΟΣ", "ΟΔΟΣΑ"), ("οδοσα", "ΟΔΟΣΑ")]:  # fmt: skip
            found = any_uow.posts.find(PostFilter(published=True, search=text), window()).items
            assert [p.title for p in found] == [title], text
            assert any_uow.posts.count(PostFilter(published=True, search=text)) == 1, text


def test_a_search_of_several_words_matches_them_together_in_one_field(any_uow: Any) -> None:
    """Its longest words are asked for alone too (lists.search_words): that finds nothing the
    whole text would not. Not the words apart, nor each in a different field."""
    author = add_author(any_uow)
    add_posts(any_uow, author, 1, title="Post 42420: ink", content="plain")
    add_posts(any_uow, author, 1, title="plain", content="see POST 42420, again")
    add_posts(any_uow, author, 1, title="42420 post", content="post 4242")
    add_posts(any_uow, author, 1, title="Post 42", content="42420")
    add_posts(any_uow, author, 1, title="Post_42420", content="Post%42420")
    with any_uow:
        for text, titles in [("Post 42420", {"Post 42420: ink", "plain"}),
                             ("post 42420:", {"Post 42420: ink"}),
                             ("t_4242", {"Post_42420"}), ("t%4242", {"Post_42420"}),
                             ("42420 post 4242", set()), ("Ink post", set())]:  # fmt: skip
            searching = PostFilter(published=True, search=text)
            found = any_uow.posts.find(searching, window()).items
            assert {p.title for p in found} == titles, text
            assert any_uow.posts.count(searching, at_most=1001) == len(titles), text


def test_counts_stop_at_the_bound_they_are_given(any_uow: Any) -> None:
    author = add_author(any_uow)
    add_posts(any_uow, author, 4, title="garden")
    with any_uow:
        searching = PostFilter(published=True, search="garden")
        assert any_uow.posts.count(searching, at_most=3) == 3
        assert any_uow.posts.count(searching, at_most=5) == 4
        assert any_uow.posts.count(PUBLISHED, at_most=2) == 2


def test_search_treats_percent_and_underscore_as_plain_characters(any_uow: Any) -> None:
    author = add_author(any_uow)
    add_posts(any_uow, author, 1, title="100% sure", content="a_b")
    add_posts(any_uow, author, 1, title="1000 sure", content="axb")
    with any_uow:
        assert [
            p.title
            for p in any_uow.posts.find(PostFilter(published=True, search="0%"), window()).items
        ] == ["100% sure"]
        assert any_uow.posts.count(PostFilter(published=True, search="a_b")) == 1
        assert any_uow.posts.count(PostFilter(published=True, search="\\")) == 0


def test_offset_pages_partition_the_list(any_uow: Any) -> None:
    author = add_author(any_uow)
    add_posts(any_uow, author, 7)
    with any_uow:
        pages = [
            any_uow.posts.find(PUBLISHED, PageRequest(page=n, per_page=3).window()).items
            for n in (1, 2, 3, 4)
        ]
    # each window asks for one extra row, to tell whether another page follows
    assert [len(p) for p in pages] == [4, 4, 1, 0]


def test_a_cursor_walk_over_equal_timestamps_returns_every_post_once_in_order(
    any_uow: Any,
) -> None:
    author = add_author(any_uow)
    with any_uow:
        any_uow.posts.add_many(post_of(author) for _ in range(250))  # all at T0
        any_uow.commit()
    seen: list[int] = []
    after: Cursor | None = None
    with any_uow:
        while True:
            rows = any_uow.posts.find(PUBLISHED, Window(after=after, offset=0, limit=31)).items
            page = rows[:30]
            seen += [p.id for p in page]
            if len(rows) <= 30:
                break
            after = Cursor.after(page[-1])
    assert len(seen) == 250
    assert seen == sorted(seen, reverse=True)


def test_counts_follow_publishing_removal_and_author_deletion(any_uow: Any) -> None:
    ann, bob = add_author(any_uow), add_author(any_uow)
    [draft, *_] = add_posts(any_uow, ann, 3, published=False)
    [gone, *_] = add_posts(any_uow, ann, 2)
    with any_uow:
        any_uow.posts.add_many(post_of(bob) for _ in range(4))
        published = draft.edit(title=None, content=None, published=True, now=T0)
        assert any_uow.posts.update(published, previous=draft)
        any_uow.posts.remove(gone.id)
        any_uow.commit()

    def counts() -> tuple[int, ...]:
        with any_uow:
            return tuple(
                any_uow.posts.count(PostFilter(published=state, author_id=author))
                for state in (True, False)
                for author in (None, ann.id, bob.id)
            )

    assert counts() == (6, 2, 4, 2, 2, 0)
    with any_uow:
        any_uow.users.remove(bob.id)
        any_uow.commit()
    assert counts() == (2, 2, 0, 2, 2, 0)


# Slugs, summaries, tags, favorites and the filters of issue 17 (docs/API.md, "Additions").


def test_a_post_reads_back_with_its_slug_summary_tags_and_counts(any_uow: Any) -> None:
    author = add_author(any_uow, username="Ann")
    post = add_post(any_uow, author, title="Hello, World", summary="Short.", tags=("b", "a"))
    with any_uow.read_only() as reader:
        stored = reader.posts.get(post.id)
        by_slug = reader.posts.get_by_slug("hello-world")
        assert reader.posts.get_by_slug("no-such-post") is None
    assert (stored.slug, stored.summary, stored.tags) == ("hello-world", "Short.", ("b", "a"))
    assert (stored.favorites_count, stored.comments_count, stored.favorited) == (0, 0, False)
    assert (stored.author.username, stored.author.following) == ("Ann", False)
    assert by_slug == stored
    assert post.slug == "hello-world"


def test_slugs_are_numbered_in_turn_and_a_deleted_posts_slug_is_not_given_again(
    any_uow: Any,
) -> None:
    author = add_author(any_uow)
    posts = [add_post(any_uow, author, title="Same title") for _ in range(3)]
    assert [p.slug for p in posts] == ["same-title", "same-title-2", "same-title-3"]
    with any_uow:
        any_uow.posts.remove(posts[0].id)
        any_uow.posts.remove(posts[1].id)
        any_uow.commit()
    assert add_post(any_uow, author, title="Same title").slug == "same-title-4"
    with any_uow.read_only() as reader:
        assert reader.posts.get_by_slug("same-title") is None


def test_a_numbered_slug_is_not_given_again_to_another_title(any_uow: Any) -> None:
    author = add_author(any_uow)
    add_post(any_uow, author, title="Notes")
    numbered = add_post(any_uow, author, title="Notes")
    with any_uow:
        any_uow.posts.remove(numbered.id)
        any_uow.commit()
    assert numbered.slug == "notes-2"
    assert add_post(any_uow, author, title="Notes 2").slug == "notes-2-2"


def test_a_slug_given_to_another_title_is_not_given_as_a_number(any_uow: Any) -> None:
    author = add_author(any_uow)
    other = add_post(any_uow, author, title="Draft 2")
    with any_uow:
        any_uow.posts.remove(other.id)
        any_uow.commit()
    slugs = [add_post(any_uow, author, title="Draft").slug for _ in range(2)]
    assert (other.slug, slugs) == ("draft-2", ["draft", "draft-3"])


def test_slugs_added_in_bulk_count_as_given(any_uow: Any) -> None:
    author = add_author(any_uow)
    with any_uow:
        any_uow.posts.add_many([post_of(author, title="Bulk")])
        any_uow.commit()
    assert add_post(any_uow, author, title="Bulk").slug == "bulk-2"


def test_a_slug_number_taken_in_a_unit_not_committed_is_given_again(any_uow: Any) -> None:
    author = add_author(any_uow)
    add_post(any_uow, author, title="Draft idea")
    with any_uow:
        any_uow.posts.add(post_of(author, title="Draft idea"))  # never committed
    assert add_post(any_uow, author, title="Draft idea").slug == "draft-idea-2"


def test_a_slug_taken_by_another_title_is_passed_over(any_uow: Any) -> None:
    author = add_author(any_uow)
    add_post(any_uow, author, title="Notes 2")  # "notes-2"
    add_post(any_uow, author, title="Notes")
    assert add_post(any_uow, author, title="Notes!").slug == "notes-3"


def test_a_slug_at_its_longest_keeps_its_length_when_numbered(any_uow: Any) -> None:
    author = add_author(any_uow)
    title = " ".join(["word"] * 30)
    first, second = add_post(any_uow, author, title=title), add_post(any_uow, author, title=title)
    assert len(first.slug) == len(second.slug) - 1 == SLUG_MAX - 1
    assert second.slug == first.slug[: SLUG_MAX - 2].rstrip("-") + "-2"


def test_the_reserved_slug_feed_is_never_given(any_uow: Any) -> None:
    author = add_author(any_uow)
    slugs = [add_post(any_uow, author, title="Feed").slug for _ in range(3)]
    assert slugs == ["feed-2", "feed-3", "feed-4"]
    with any_uow.read_only() as reader:
        assert reader.posts.get_by_slug("feed") is None


def test_slugs_of_many_posts_of_one_title_stay_unique(any_uow: Any) -> None:
    author = add_author(any_uow)
    slugs = {add_post(any_uow, author, title="Popular").slug for _ in range(25)}
    assert slugs == {"popular", *(f"popular-{n}" for n in range(2, 26))}


def test_favorited_and_following_are_the_readers_own(any_uow: Any) -> None:
    ann, bob, cid = add_author(any_uow), add_author(any_uow), add_author(any_uow)
    post = add_post(any_uow, ann)
    favorite(any_uow, bob, post)
    follow(any_uow, bob, ann)
    with any_uow.read_only() as reader:
        for viewer, expected in ((bob, True), (cid, False), (None, False)):
            viewer_id = None if viewer is None else viewer.id
            read = reader.posts.get(post.id, viewer_id=viewer_id)
            assert (read.favorited, read.author.following) == (expected, expected)
            [listed] = reader.posts.find(PUBLISHED, window(), viewer_id).items
            assert listed == read
            assert reader.posts.get_by_slug(post.slug, viewer_id=viewer_id) == read


def test_a_post_reads_its_authors_bio_and_image_as_they_are_now(any_uow: Any) -> None:
    ann = add_author(any_uow)
    post = add_post(any_uow, ann)
    with any_uow:
        any_uow.users.save(ann.change(bio="Writes.", image="https://x.example/a.png", now=T0))
        any_uow.commit()
    with any_uow.read_only() as reader:
        author = reader.posts.get(post.id).author
    assert (author.bio, author.image) == ("Writes.", "https://x.example/a.png")


def test_the_tag_filter_pages_newest_first_and_counts(any_uow: Any) -> None:
    ann, bob = add_author(any_uow), add_author(any_uow)
    older = add_post(any_uow, ann, tags=("x", "y"), created_at=minutes(-10))
    newer = add_post(any_uow, bob, tags=("x",))
    add_post(any_uow, ann, tags=("y",))
    draft = add_post(any_uow, ann, tags=("x",), published=False)
    tagged = PostFilter(published=True, tag="x")
    with any_uow.read_only() as reader:
        assert [p.id for p in reader.posts.find(tagged, window()).items] == [newer.id, older.id]
        assert reader.posts.count(tagged) == 2
        assert reader.posts.count(PostFilter(published=True, tag="nothing")) == 0
        by_ann = PostFilter(published=True, tag="x", author_id=ann.id)
        assert [p.id for p in reader.posts.find(by_ann, window()).items] == [older.id]
        assert reader.posts.count(by_ann) == 1
        drafts = PostFilter(published=False, tag="x")
        assert [p.id for p in reader.posts.find(drafts, window()).items] == [draft.id]
        assert reader.posts.count(drafts) == 1
        searching = PostFilter(published=True, tag="x", search=newer.title)
        assert [p.id for p in reader.posts.find(searching, window()).items] == [newer.id]
        assert reader.posts.count(searching, at_most=1001) == 1


def test_a_page_brings_the_total_of_its_list_but_a_users_favorites(any_uow: Any) -> None:
    """Where a kept count answers the filter, the page's read gives it (no count of its own);
    it is the count's value. A search's page gives its matches, counted up to one past the
    cap (SEARCH_COUNTED); a search in a feed and a user's favorites are counted apart."""
    ann, bob, reader_ = (add_author(any_uow) for _ in range(3))
    for n in range(3):
        add_post(any_uow, ann, tags=("x",), created_at=minutes(-n))
    add_post(any_uow, bob, tags=("y",))
    add_post(any_uow, ann, published=False)
    follow(any_uow, reader_, ann)
    kept = [
        PUBLISHED,
        PostFilter(published=False),
        PostFilter(published=True, author_id=ann.id),
        PostFilter(published=False, author_id=ann.id),
        PostFilter(published=True, tag="x"),
        PostFilter(published=True, followed_by=reader_.id),
    ]
    searching = PostFilter(published=True, search="post")
    counted_apart = [
        PostFilter(published=True, search="post", followed_by=reader_.id),
        PostFilter(published=True, favorited_by=reader_.id),
    ]
    with any_uow.read_only() as reader:
        for filters in kept:
            found = reader.posts.find(filters, window(per_page=1), reader_.id)
            assert found.items, filters
            assert found.total == reader.posts.count(filters), filters
        assert reader.posts.find(searching, window(per_page=1)).total == 4
        assert reader.posts.count(searching) == 4
        assert [reader.posts.find(f, window(per_page=1)).total for f in counted_apart] == [None] * 2
        # Past the end nothing is read, the total neither: the use case counts.
        assert reader.posts.find(PUBLISHED, window(page=9)).total is None


def test_the_tag_filter_follows_retagging_and_publishing(any_uow: Any) -> None:
    ann = add_author(any_uow)
    post = add_post(any_uow, ann, tags=("x",))
    with any_uow:
        current = any_uow.posts.get(post.id, lock=True)
        edited = current.edit(title=None, content=None, published=False, tags=["y"], now=T0)
        assert any_uow.posts.update(edited, previous=current)
        any_uow.commit()
    with any_uow.read_only() as reader:
        assert reader.posts.find(PostFilter(published=True, tag="x"), window()).items == []
        assert reader.posts.find(PostFilter(published=True, tag="y"), window()).items == []
        [draft] = reader.posts.find(PostFilter(published=False, tag="y"), window()).items
    assert (draft.id, draft.tags) == (post.id, ("y",))


def test_a_tag_page_walked_by_cursor_returns_every_post_once(any_uow: Any) -> None:
    ann = add_author(any_uow)
    with any_uow:
        any_uow.posts.add_many(post_of(ann, tags=("t",)) for _ in range(35))
        any_uow.posts.add_many(post_of(ann) for _ in range(5))
        any_uow.commit()
    assert walk(any_uow, PostFilter(published=True, tag="t")) == 35


def test_the_feed_holds_the_followed_authors_published_posts_and_counts_them(
    any_uow: Any,
) -> None:
    ann, bob, cid, reader_ = (add_author(any_uow) for _ in range(4))
    for n, author in enumerate((ann, bob, cid)):
        add_post(any_uow, author, created_at=minutes(n))
        add_post(any_uow, author, created_at=minutes(n - 10))
        add_post(any_uow, author, published=False)
    follow(any_uow, reader_, ann)
    follow(any_uow, reader_, cid)
    follow(any_uow, ann, bob)
    feed = PostFilter(published=True, followed_by=reader_.id)
    with any_uow.read_only() as reader:
        found = reader.posts.find(feed, window(), reader_.id).items
        assert reader.posts.count(feed) == 4
        assert reader.posts.count(PostFilter(published=True, followed_by=bob.id)) == 0
        assert (
            reader.posts.find(PostFilter(published=True, followed_by=bob.id), window()).items == []
        )
        second = reader.posts.find(feed, PageRequest(page=2, per_page=3).window(), reader_.id).items
    assert [p.author.id for p in found] == [cid.id, ann.id, cid.id, ann.id]
    assert [p.created_at for p in found] == sorted((p.created_at for p in found), reverse=True)
    assert all(p.author.following for p in found)
    assert [p.id for p in second] == [found[3].id]


def test_a_feed_read_by_someone_else_says_whom_that_reader_follows(any_uow: Any) -> None:
    """Only in one's own feed is every author followed; another reader's view of it looks
    each author up."""
    ann, cid, fan, other = (add_author(any_uow) for _ in range(4))
    add_post(any_uow, ann, created_at=minutes(1))
    add_post(any_uow, cid)
    for followed in (ann, cid):
        follow(any_uow, fan, followed)
    follow(any_uow, other, cid)
    feed = PostFilter(published=True, followed_by=fan.id)
    with any_uow.read_only() as reader:
        seen = reader.posts.find(feed, window(), other.id).items
        own = reader.posts.find(feed, window(), fan.id).items
    assert [(p.author.id, p.author.following) for p in seen] == [(ann.id, False), (cid.id, True)]
    assert [(p.author.id, p.author.following) for p in own] == [(ann.id, True), (cid.id, True)]


def test_a_feed_walked_by_cursor_returns_every_post_once_across_authors(any_uow: Any) -> None:
    authors = [add_author(any_uow) for _ in range(4)]
    reader_ = add_author(any_uow)
    with any_uow:
        for n in range(60):  # equal times across authors: ties are broken by id
            any_uow.posts.add_many([post_of(authors[n % 4], created_at=minutes(n // 8))])
        any_uow.commit()
    for author in authors[:3]:
        follow(any_uow, reader_, author)
    assert walk(any_uow, PostFilter(published=True, followed_by=reader_.id)) == 45


@pytest.mark.parametrize("others", [0, 5, 120, 500])
def test_the_feed_is_the_same_whether_the_followed_authors_wrote_most_or_little_of_the_news(
    any_uow: Any, others: int
) -> None:
    """On PostgreSQL the feed walks the newest posts of everyone (WALK_PER_ROW per row the
    page reaches down to) when the followed authors wrote at least 1 in WALK_PER_ROW of all
    posts, and falls back to each followed author's own newest when that walk found too few:
    with 120 newer posts by someone else, a page of 1 (depth 2, a walk of 100) finds none of
    theirs in its walk; with 500, 9 of 509 is too few to try. Pages by cursor and by offset
    are the same every way."""
    ann, cid, bob, reader_ = (add_author(any_uow) for _ in range(4))
    with any_uow:
        any_uow.posts.add_many(
            post_of((ann, cid)[n % 2], created_at=minutes(n // 3 - 100)) for n in range(9)
        )
        any_uow.posts.add_many(post_of(bob, created_at=minutes(n)) for n in range(others))
        any_uow.commit()
    follow(any_uow, reader_, ann)
    follow(any_uow, reader_, cid)
    feed = PostFilter(published=True, followed_by=reader_.id)
    with any_uow.read_only() as reader:
        everything = reader.posts.find(feed, window(per_page=20)).items
        by_offset = [
            reader.posts.find(feed, window(per_page=1, page=n)).items[:1] for n in range(1, 11)
        ]
    assert {p.author.id for p in everything} == {ann.id, cid.id} and len(everything) == 9
    keys = [(p.created_at, p.id) for p in everything]
    assert keys == sorted(keys, reverse=True)
    assert [p.id for page in by_offset for p in page] == [p.id for p in everything]
    for per_page in (1, 2, 4):
        assert walk(any_uow, feed, per_page=per_page) == 9


def test_a_search_with_other_filters_counts_its_matches_in_the_page(any_uow: Any) -> None:
    """A search by a tag, an author, in someone's favorites or among drafts chooses its page
    from the matches it counts, as a search alone does, and brings their count."""
    ann, bob, reader_ = (add_author(any_uow) for _ in range(3))
    for n in range(5):
        add_post(any_uow, ann, title=f"Match {n}", tags=("x",), created_at=minutes(n))
        add_post(any_uow, bob, title=f"Match {n} by bob", created_at=minutes(n))
    drafts = [add_post(any_uow, ann, title=f"Match draft {n}", published=False) for n in range(2)]
    liked = add_post(any_uow, bob, title="Match liked")
    favorite(any_uow, reader_, liked)
    favorite(any_uow, reader_, drafts[0])  # a draft among the favorites: not published
    filters = {
        PostFilter(published=True, search="match", tag="x"): 5,
        PostFilter(published=True, search="match", author_id=bob.id): 6,
        PostFilter(published=True, search="match", favorited_by=reader_.id): 1,
        PostFilter(published=False, search="match"): 2,
    }
    with any_uow.read_only() as reader:
        for searching, matches in filters.items():
            found = reader.posts.find(searching, window(per_page=1), reader_.id)
            assert (len(found.items), found.total) == (min(matches, 2), matches), searching
            assert reader.posts.count(searching, at_most=1001) == matches, searching


def test_the_feed_combines_with_the_other_filters(any_uow: Any) -> None:
    ann, bob, reader_ = add_author(any_uow), add_author(any_uow), add_author(any_uow)
    tagged = add_post(any_uow, ann, tags=("x",))
    liked = add_post(any_uow, ann, title="Liked")
    add_post(any_uow, bob, tags=("x",))
    follow(any_uow, reader_, ann)
    favorite(any_uow, reader_, liked)
    by_tag = PostFilter(published=True, followed_by=reader_.id, tag="x")
    liked_by = PostFilter(published=True, followed_by=reader_.id, favorited_by=reader_.id)
    searching = PostFilter(published=True, followed_by=reader_.id, search="liked")
    with any_uow.read_only() as reader:
        assert [p.id for p in reader.posts.find(by_tag, window()).items] == [tagged.id]
        assert [p.id for p in reader.posts.find(liked_by, window()).items] == [liked.id]
        assert [p.id for p in reader.posts.find(searching, window()).items] == [liked.id]
        assert [reader.posts.count(f) for f in (by_tag, liked_by)] == [1, 1]
        assert reader.posts.count(searching, at_most=1001) == 1


def test_posts_added_in_bulk_keep_their_slugs_and_tags_with_ids_in_order(any_uow: Any) -> None:
    ann = add_author(any_uow)
    new = [post_of(ann, title=f"Bulk {n}", tags=("bulk",) if n % 2 else ()) for n in range(6)]
    with any_uow:
        ids = any_uow.posts.add_many(new)
        any_uow.commit()
    with any_uow.read_only() as reader:
        stored = [reader.posts.get(post_id) for post_id in ids]
        assert reader.posts.count(PostFilter(published=True, tag="bulk")) == 3
    assert [(p.title, p.slug, p.tags) for p in stored] == [
        (f"Bulk {n}", f"bulk-{n}", ("bulk",) if n % 2 else ()) for n in range(6)
    ]


@pytest.mark.parametrize("matches", [15, 1000, 1001, 1010])
def test_a_search_walked_by_cursor_returns_every_match_once(any_uow: Any, matches: int) -> None:
    """A search's page comes from the 1,001 matches it counts, found alone
    (lists.searched_page); a page after a cursor is taken from them when they are all the
    matches (15, 1,000), else by the walk after the cursor (1,001, 1,010). Each page also
    carries the matches' count; a page by number past them is counted apart."""
    ann = add_author(any_uow)
    with any_uow:
        any_uow.posts.add_many(
            post_of(ann, title=f"Walk {n}" if n % 3 else f"Other {n}", created_at=minutes(n // 4))
            for n in range(matches * 3 // 2 + 1)
        )
        any_uow.commit()
    searching = PostFilter(published=True, search="walk")
    for per_page in (4, 100):
        assert walk(any_uow, searching, per_page=per_page) == matches
    with any_uow.read_only() as reader:
        first = reader.posts.find(searching, window(per_page=4))
        after = Window(after=Cursor.after(first.items[3]), offset=0, limit=5)
        assert first.total == reader.posts.find(searching, after).total == min(matches, 1001)
        deep = reader.posts.find(searching, window(per_page=100, page=11))  # past 1,001
        assert deep.total is None and len(deep.items) == max(matches - 1000, 0)


def walk(uow: Any, filters: PostFilter, per_page: int = 7) -> int:
    """Walk a list by cursor; how many posts it held, checking each came once, in order."""
    seen: list[tuple[Any, int]] = []
    after: Cursor | None = None
    with uow.read_only() as reader:
        while True:
            rows = reader.posts.find(
                filters, Window(after=after, offset=0, limit=per_page + 1)
            ).items
            seen += [(p.created_at, p.id) for p in rows[:per_page]]
            if len(rows) <= per_page:
                break
            after = Cursor.after(rows[per_page - 1])
    assert seen == sorted(set(seen), reverse=True)
    return len(seen)


def test_pages_at_the_largest_offset_are_empty_on_every_list(any_uow: Any) -> None:
    ann, reader_ = add_author(any_uow), add_author(any_uow)
    add_post(any_uow, ann, tags=("x",))
    follow(any_uow, reader_, ann)
    deepest = PageRequest(per_page=100, offset=OFFSET_MAX).window()
    lists = [
        PUBLISHED,
        PostFilter(published=True, tag="x"),
        PostFilter(published=True, followed_by=reader_.id),
        PostFilter(published=True, favorited_by=reader_.id),
    ]
    with any_uow.read_only() as reader:
        assert [reader.posts.find(filters, deepest, reader_.id).items for filters in lists] == [
            []
        ] * 4


def test_every_count_is_a_whole_number(any_uow: Any) -> None:
    """Kept or counted, on every filter (a sum on PostgreSQL is numeric unless cast)."""
    ann, bob, reader_ = add_author(any_uow), add_author(any_uow), add_author(any_uow)
    for author in (ann, bob):
        add_post(any_uow, author, tags=("x",))
    follow(any_uow, reader_, ann)
    follow(any_uow, reader_, bob)
    every = [
        PUBLISHED,
        PostFilter(published=True, author_id=ann.id),
        PostFilter(published=True, tag="x"),
        PostFilter(published=True, followed_by=reader_.id),
        PostFilter(published=True, favorited_by=reader_.id),
        PostFilter(published=True, tag="x", author_id=bob.id),
        PostFilter(published=True, search="content"),
    ]
    with any_uow.read_only() as reader:
        counts = [reader.posts.count(filters) for filters in every]
    assert counts == [2, 1, 2, 2, 0, 1, 2]
    assert {type(n) for n in counts} == {int}
