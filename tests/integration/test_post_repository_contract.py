"""The post repository behaves the same on every adapter, paging and search included."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from application.paging import Cursor, PageRequest, Window
from application.ports import PostFilter
from domain.users import User
from tests.factories import T0, make_post, make_session, make_user

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
        ids = [p.id for p in any_uow.posts.find(PUBLISHED, window())]
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
        drafts = any_uow.posts.find(PostFilter(published=False, author_id=bob.id), window())
    assert drafts == []


def test_search_matches_title_or_content_without_regard_to_case(any_uow: Any) -> None:
    author = add_author(any_uow)
    add_posts(any_uow, author, 1, title="About Gardens", content="plain")
    add_posts(any_uow, author, 1, title="Other", content="my GARDEN grows")
    add_posts(any_uow, author, 1, title="Unrelated", content="nothing")
    with any_uow:
        found = any_uow.posts.find(PostFilter(published=True, search="garden"), window())
        assert {p.title for p in found} == {"About Gardens", "Other"}
        assert any_uow.posts.count(PostFilter(published=True, search="gArDeN")) == 2


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
            p.title for p in any_uow.posts.find(PostFilter(published=True, search="0%"), window())
        ] == ["100% sure"]
        assert any_uow.posts.count(PostFilter(published=True, search="a_b")) == 1
        assert any_uow.posts.count(PostFilter(published=True, search="\\")) == 0


def test_offset_pages_partition_the_list(any_uow: Any) -> None:
    author = add_author(any_uow)
    add_posts(any_uow, author, 7)
    with any_uow:
        pages = [
            any_uow.posts.find(PUBLISHED, PageRequest(page=n, per_page=3).window())
            for n in (1, 2, 3, 4)
        ]
    # each window asks for one extra row, to tell whether another page follows
    assert [len(p) for p in pages] == [4, 4, 1, 0]


def test_a_cursor_walk_over_equal_timestamps_returns_every_post_once_in_order(
    any_uow: Any,
) -> None:
    author = add_author(any_uow)
    with any_uow:
        any_uow.posts.add_many(make_post(author) for _ in range(250))  # all at T0
        any_uow.commit()
    seen: list[int] = []
    after: Cursor | None = None
    with any_uow:
        while True:
            rows = any_uow.posts.find(PUBLISHED, Window(after=after, offset=0, limit=31))
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
        any_uow.posts.add_many(make_post(bob) for _ in range(4))
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
