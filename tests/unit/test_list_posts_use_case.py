"""ListPosts: published by default, drafts as far as the caller may see, filters, order, cursors."""

from __future__ import annotations

import pytest

from application.paging import PageRequest
from application.posts import ListPosts, PostSearch
from domain.errors import InvalidInput
from infrastructure.memory import InMemoryUnitOfWork
from tests.factories import actor_for, at
from tests.unit.conftest import Given, ids

DRAFTS = PostSearch(published=False)


# --- published and drafts -------------------------------------------------------------------


def test_the_list_shows_published_posts_by_default(list_posts: ListPosts, given: Given) -> None:
    ann = given.user()
    published = given.post(ann, published=True)
    given.post(ann, published=False)
    page = list_posts(None, PostSearch(), PageRequest())
    assert (ids(page.items), page.total) == ([published.id], 1)


def test_the_default_list_leaves_out_drafts_even_for_their_author(
    list_posts: ListPosts, given: Given
) -> None:
    ann = given.user()
    given.post(ann, published=False)
    assert list_posts(actor_for(ann), PostSearch(), PageRequest()).items == []


def test_an_anonymous_caller_asking_for_drafts_gets_none(
    list_posts: ListPosts, given: Given
) -> None:
    given.post(given.user(), published=False)
    page = list_posts(None, DRAFTS, PageRequest())
    assert (page.items, page.total, page.next_cursor) == ([], 0, None)


def test_an_anonymous_request_for_drafts_still_checks_its_paging(list_posts: ListPosts) -> None:
    with pytest.raises(InvalidInput):
        list_posts(None, DRAFTS, PageRequest(per_page=0))


def test_a_user_asking_for_drafts_gets_only_their_own(list_posts: ListPosts, given: Given) -> None:
    ann, bob = given.user(), given.user()
    mine = given.post(ann, published=False)
    given.post(bob, published=False)
    given.post(ann, published=True)
    page = list_posts(actor_for(ann), DRAFTS, PageRequest())
    assert (ids(page.items), page.total) == ([mine.id], 1)


def test_a_user_asking_for_someone_elses_drafts_gets_none(
    list_posts: ListPosts, given: Given
) -> None:
    ann, bob = given.user(), given.user()
    given.post(bob, published=False)
    search = PostSearch(published=False, author_id=bob.id)
    assert list_posts(actor_for(ann), search, PageRequest()).total == 0


def test_a_user_asking_for_their_own_drafts_by_author_gets_them(
    list_posts: ListPosts, given: Given
) -> None:
    ann = given.user()
    mine = given.post(ann, published=False)
    search = PostSearch(published=False, author_id=ann.id)
    assert ids(list_posts(actor_for(ann), search, PageRequest()).items) == [mine.id]


def test_an_admin_asking_for_drafts_gets_everybodys(list_posts: ListPosts, given: Given) -> None:
    ann, bob = given.user(), given.user()
    drafts = {given.post(ann, published=False).id, given.post(bob, published=False).id}
    given.post(ann, published=True)
    page = list_posts(actor_for(given.admin()), DRAFTS, PageRequest())
    assert (set(ids(page.items)), page.total) == (drafts, 2)


def test_an_admin_asking_for_one_authors_drafts_gets_only_those(
    list_posts: ListPosts, given: Given
) -> None:
    ann, bob = given.user(), given.user()
    anns = given.post(ann, published=False)
    given.post(bob, published=False)
    search = PostSearch(published=False, author_id=ann.id)
    assert ids(list_posts(actor_for(given.admin()), search, PageRequest()).items) == [anns.id]


# --- filters --------------------------------------------------------------------------------


def test_the_author_filter_keeps_one_authors_posts(list_posts: ListPosts, given: Given) -> None:
    ann, bob = given.user(), given.user()
    anns = given.post(ann)
    given.post(bob)
    page = list_posts(None, PostSearch(author_id=ann.id), PageRequest())
    assert ids(page.items) == [anns.id]


def test_an_author_filter_naming_nobody_finds_nothing(list_posts: ListPosts, given: Given) -> None:
    given.post(given.user())
    assert list_posts(None, PostSearch(author_id=999), PageRequest()).total == 0


def test_search_matches_the_title_without_regard_to_case(
    list_posts: ListPosts, given: Given
) -> None:
    ann = given.user()
    hit = given.post(ann, title="Winter GARDEN notes", content="plain")
    given.post(ann, title="Summer", content="plain")
    assert ids(list_posts(None, PostSearch(search="garden"), PageRequest()).items) == [hit.id]


def test_search_matches_the_content_without_regard_to_case(
    list_posts: ListPosts, given: Given
) -> None:
    ann = given.user()
    hit = given.post(ann, title="Plain", content="All about RIVERS")
    given.post(ann, title="Plain", content="mountains")
    assert ids(list_posts(None, PostSearch(search="rivers"), PageRequest()).items) == [hit.id]


def test_search_treats_percent_as_a_plain_character(list_posts: ListPosts, given: Given) -> None:
    ann = given.user()
    hit = given.post(ann, title="100% pure", content="x")
    given.post(ann, title="100 pure", content="x")
    given.post(ann, title="1000 pure", content="x")
    assert ids(list_posts(None, PostSearch(search="100%"), PageRequest()).items) == [hit.id]


def test_search_treats_underscore_as_a_plain_character(list_posts: ListPosts, given: Given) -> None:
    ann = given.user()
    hit = given.post(ann, title="snake_case", content="x")
    given.post(ann, title="snakeXcase", content="x")
    assert ids(list_posts(None, PostSearch(search="e_c"), PageRequest()).items) == [hit.id]


def test_an_empty_search_matches_everything(list_posts: ListPosts, given: Given) -> None:
    ann = given.user()
    given.post(ann)
    given.post(ann)
    assert list_posts(None, PostSearch(search=""), PageRequest()).total == 2


def test_a_search_longer_than_200_characters_is_refused(list_posts: ListPosts) -> None:
    with pytest.raises(InvalidInput) as raised:
        list_posts(None, PostSearch(search="x" * 201), PageRequest())
    assert list(raised.value.errors) == ["search"]


def test_search_combines_with_the_drafts_a_user_may_see(
    list_posts: ListPosts, given: Given
) -> None:
    ann, bob = given.user(), given.user()
    hit = given.post(ann, published=False, title="Needle")
    given.post(ann, published=False, title="Hay")
    given.post(bob, published=False, title="Needle too")
    search = PostSearch(published=False, search="needle")
    assert ids(list_posts(actor_for(ann), search, PageRequest()).items) == [hit.id]


# --- order and paging -----------------------------------------------------------------------


def test_posts_are_listed_newest_first(list_posts: ListPosts, given: Given) -> None:
    ann = given.user()
    old = given.post(ann, **at(30))
    new = given.post(ann, **at(10))
    middle = given.post(ann, **at(20))
    page = list_posts(None, PostSearch(), PageRequest())
    assert ids(page.items) == [new.id, middle.id, old.id]


def test_posts_created_at_the_same_time_are_listed_by_id_descending(
    list_posts: ListPosts, given: Given
) -> None:
    ann = given.user()
    posts = [given.post(ann, **at(5)) for _ in range(3)]
    page = list_posts(None, PostSearch(), PageRequest())
    assert ids(page.items) == sorted(ids(posts), reverse=True)


def test_walking_the_cursors_visits_every_post_once_newest_first(
    list_posts: ListPosts, given: Given
) -> None:
    ann = given.user()
    posts = [given.post(ann, **at(minutes)) for minutes in (5, 1, 3, 3, 9, 3, 7)]
    expected = ids(sorted(posts, key=lambda p: (p.created_at, p.id), reverse=True))
    seen: list[int | None] = []
    cursor = None
    for _ in range(len(posts)):
        page = list_posts(None, PostSearch(), PageRequest(per_page=2, cursor=cursor))
        assert page.total == len(posts)
        seen += ids(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == expected


def test_the_last_page_has_no_next_cursor(list_posts: ListPosts, given: Given) -> None:
    ann = given.user()
    for _ in range(3):
        given.post(ann)
    assert list_posts(None, PostSearch(), PageRequest(per_page=3)).next_cursor is None


def test_numbered_pages_split_the_list(list_posts: ListPosts, given: Given) -> None:
    ann = given.user()
    posts = [given.post(ann, **at(minutes)) for minutes in range(5)]
    page = list_posts(None, PostSearch(), PageRequest(page=2, per_page=2))
    assert ids(page.items) == ids(posts[2:4])
    assert (page.page, page.pages, page.total) == (2, 3, 5)


def test_a_page_past_the_end_is_empty(list_posts: ListPosts, given: Given) -> None:
    given.post(given.user())
    page = list_posts(None, PostSearch(), PageRequest(page=5))
    assert (page.items, page.total) == ([], 1)


def test_a_forged_cursor_is_refused(list_posts: ListPosts) -> None:
    with pytest.raises(InvalidInput) as raised:
        list_posts(None, PostSearch(), PageRequest(cursor="forged"))
    assert list(raised.value.errors) == ["cursor"]


def test_listing_posts_changes_nothing(
    list_posts: ListPosts, given: Given, uow: InMemoryUnitOfWork
) -> None:
    given.post(given.user())
    list_posts(None, PostSearch(), PageRequest())
    assert not uow.committed
