"""ListPosts' filters of issue 17: tag, author and favorited_by (usernames), combined with each
other and with the rules on drafts (docs/API.md, "Posts: slugs, summaries, tags, favorites")."""

from __future__ import annotations

import pytest

from application.paging import PageRequest
from application.posts import ListPosts, PostSearch
from domain.errors import InvalidInput
from domain.posts import Post
from tests.factories import actor_for
from tests.unit.conftest import Given


def ids(posts: list[Post]) -> set[int | None]:
    return {p.id for p in posts}


# --- tag ------------------------------------------------------------------------------------


def test_the_tag_filter_keeps_the_posts_carrying_the_tag(
    list_posts: ListPosts, given: Given
) -> None:
    ann = given.user()
    tagged = given.post(ann, tags=("python", "flask"))
    also = given.post(given.user(), tags=("flask",))
    given.post(ann, tags=("rust",))
    given.post(ann)
    page = list_posts(None, PostSearch(tag="flask"), PageRequest())
    assert (ids(page.items), page.total) == ({tagged.id, also.id}, 2)


def test_the_tag_filter_leaves_out_drafts(list_posts: ListPosts, given: Given) -> None:
    ann = given.user()
    given.post(ann, tags=("python",), published=False)
    assert list_posts(actor_for(ann), PostSearch(tag="python"), PageRequest()).items == []


def test_a_tag_nobody_uses_finds_nothing(list_posts: ListPosts, given: Given) -> None:
    given.post(given.user(), tags=("python",))
    page = list_posts(None, PostSearch(tag="pyth"), PageRequest())
    assert (page.items, page.total) == ([], 0)


@pytest.mark.parametrize("tag", ["", "x" * 41])
def test_a_tag_filter_of_0_or_more_than_40_characters_is_refused(
    list_posts: ListPosts, tag: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        list_posts(None, PostSearch(tag=tag), PageRequest())
    assert list(raised.value.errors) == ["tag"]


# --- author ---------------------------------------------------------------------------------


def test_the_author_filter_keeps_the_posts_of_the_user_named(
    list_posts: ListPosts, given: Given
) -> None:
    ann = given.user(username="Ann")
    hers = given.post(ann)
    given.post(given.user())
    page = list_posts(None, PostSearch(author="ann"), PageRequest())
    assert (ids(page.items), page.total) == ({hers.id}, 1)


def test_an_unknown_author_gives_an_empty_page(list_posts: ListPosts, given: Given) -> None:
    given.post(given.user(username="ann"))
    page = list_posts(None, PostSearch(author="bob"), PageRequest())
    assert (page.items, page.total, page.next_cursor) == ([], 0, None)


def test_an_unknown_author_still_checks_the_paging(list_posts: ListPosts) -> None:
    with pytest.raises(InvalidInput) as raised:
        list_posts(None, PostSearch(author="bob"), PageRequest(cursor="forged"))
    assert list(raised.value.errors) == ["cursor"]


def test_an_author_and_an_author_id_naming_different_users_find_nothing(
    list_posts: ListPosts, given: Given
) -> None:
    ann, bob = given.user(username="ann"), given.user()
    given.post(ann)
    given.post(bob)
    assert list_posts(None, PostSearch(author="ann", author_id=bob.id), PageRequest()).items == []


def test_an_author_and_an_author_id_naming_the_same_user_find_their_posts(
    list_posts: ListPosts, given: Given
) -> None:
    ann = given.user(username="ann")
    hers = given.post(ann)
    page = list_posts(None, PostSearch(author="ann", author_id=ann.id), PageRequest())
    assert ids(page.items) == {hers.id}


@pytest.mark.parametrize("field", ["author", "favorited_by"])
@pytest.mark.parametrize("username", ["", "x" * 41])
def test_a_username_filter_of_0_or_more_than_40_characters_is_refused(
    list_posts: ListPosts, field: str, username: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        list_posts(None, PostSearch(**{field: username}), PageRequest())
    assert list(raised.value.errors) == [field]


# --- favorited_by ---------------------------------------------------------------------------


def test_the_favorited_by_filter_keeps_the_posts_the_user_favorited(
    list_posts: ListPosts, given: Given
) -> None:
    ann, fan, other = given.user(), given.user(username="Fan"), given.user()
    liked, liked_by_other = given.post(ann), given.post(ann)
    given.post(ann)  # favorited by nobody
    given.favorite(fan, liked)
    given.favorite(other, liked_by_other)
    page = list_posts(None, PostSearch(favorited_by="fan"), PageRequest())
    assert (ids(page.items), page.total) == ({liked.id}, 1)


def test_an_unknown_favorited_by_gives_an_empty_page(list_posts: ListPosts, given: Given) -> None:
    given.favorite(given.user(username="fan"), given.post(given.user()))
    page = list_posts(None, PostSearch(favorited_by="nobody"), PageRequest())
    assert (page.items, page.total) == ([], 0)


def test_the_favorited_by_filter_does_not_reveal_a_favorited_draft(
    list_posts: ListPosts, given: Given
) -> None:
    ann = given.user(username="ann")
    given.favorite(ann, given.post(ann, published=False))
    assert (
        list_posts(actor_for(given.user()), PostSearch(favorited_by="ann"), PageRequest()).items
        == []
    )


# --- combined -------------------------------------------------------------------------------


def test_tag_author_and_favorited_by_combine(list_posts: ListPosts, given: Given) -> None:
    ann, bob, fan = given.user(username="ann"), given.user(), given.user(username="fan")
    wanted = given.post(ann, tags=("python",))
    others = [
        given.post(ann, tags=("python",)),  # not favorited
        given.post(ann, tags=("rust",)),  # another tag
        given.post(bob, tags=("python",)),  # another author
    ]
    for post in [wanted, *others[1:]]:
        given.favorite(fan, post)
    search = PostSearch(tag="python", author="ann", favorited_by="fan")
    page = list_posts(None, search, PageRequest())
    assert (ids(page.items), page.total) == ({wanted.id}, 1)


def test_the_filters_combine_with_a_text_search(list_posts: ListPosts, given: Given) -> None:
    ann = given.user(username="ann")
    wanted = given.post(ann, title="Flask tips", tags=("python",))
    given.post(ann, title="Django tips", tags=("python",))
    page = list_posts(None, PostSearch(search="flask", tag="python", author="ann"), PageRequest())
    assert ids(page.items) == {wanted.id}


# --- with drafts ----------------------------------------------------------------------------


def test_a_user_asking_for_drafts_with_a_tag_gets_only_their_own_tagged_drafts(
    list_posts: ListPosts, given: Given
) -> None:
    ann, bob = given.user(), given.user()
    wanted = given.post(ann, published=False, tags=("python",))
    given.post(ann, published=False, tags=("rust",))
    given.post(ann, published=True, tags=("python",))
    given.post(bob, published=False, tags=("python",))
    page = list_posts(actor_for(ann), PostSearch(published=False, tag="python"), PageRequest())
    assert ids(page.items) == {wanted.id}


def test_a_user_asking_for_their_own_drafts_by_username_gets_them(
    list_posts: ListPosts, given: Given
) -> None:
    ann = given.user(username="ann")
    draft = given.post(ann, published=False)
    page = list_posts(actor_for(ann), PostSearch(published=False, author="ANN"), PageRequest())
    assert ids(page.items) == {draft.id}


def test_a_user_asking_for_someone_elses_drafts_by_username_gets_none(
    list_posts: ListPosts, given: Given
) -> None:
    given.post(given.user(username="ann"), published=False)
    bob = given.user()
    page = list_posts(actor_for(bob), PostSearch(published=False, author="ann"), PageRequest())
    assert (page.items, page.total) == ([], 0)


def test_an_anonymous_caller_asking_for_drafts_by_username_gets_none(
    list_posts: ListPosts, given: Given
) -> None:
    given.post(given.user(username="ann"), published=False)
    assert list_posts(None, PostSearch(published=False, author="ann"), PageRequest()).items == []


def test_an_admin_asking_for_one_users_drafts_by_username_gets_them(
    list_posts: ListPosts, given: Given
) -> None:
    ann = given.user(username="ann")
    draft = given.post(ann, published=False)
    given.post(given.user(), published=False)
    admin = actor_for(given.admin())
    page = list_posts(admin, PostSearch(published=False, author="ann"), PageRequest())
    assert ids(page.items) == {draft.id}


def test_a_user_asking_for_drafts_they_favorited_gets_only_their_own(
    list_posts: ListPosts, given: Given
) -> None:
    ann = given.user(username="ann")
    mine = given.post(ann, published=False)
    given.favorite(ann, mine)
    theirs = given.post(given.user(), published=False)
    given.favorite(ann, theirs)  # favorited before its author unpublished it
    search = PostSearch(published=False, favorited_by="ann")
    assert ids(list_posts(actor_for(ann), search, PageRequest()).items) == {mine.id}


# --- what each listed post says -------------------------------------------------------------


def test_listed_posts_carry_their_counts_and_whether_the_caller_favorited_them(
    list_posts: ListPosts, given: Given
) -> None:
    ann, fan, other = given.user(), given.user(), given.user()
    liked = given.post(ann)
    plain = given.post(ann)
    given.favorite(fan, liked)
    given.favorite(other, liked)
    given.comment(other, liked)
    page = list_posts(actor_for(fan), PostSearch(), PageRequest())
    shown = {p.id: (p.favorites_count, p.comments_count, p.favorited) for p in page.items}
    assert shown == {liked.id: (2, 1, True), plain.id: (0, 0, False)}


def test_an_anonymous_caller_has_favorited_nothing(list_posts: ListPosts, given: Given) -> None:
    post = given.post(given.user())
    given.favorite(given.user(), post)
    assert [p.favorited for p in list_posts(None, PostSearch(), PageRequest()).items] == [False]
