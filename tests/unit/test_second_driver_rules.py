"""Post, comment and list rules a second driver (the RealWorld API) needs, each in the use case
both APIs share: posts and comments addressed by slug as well as id, a comment deleted through
its post, offset paging, authors read with bio, image and `following`, and the newest tags kept
among equals (the conduit analysis; accounts are in test_second_driver_accounts.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from application.comments import AddComment, DeleteComment, ListComments
from application.paging import OFFSET_MAX, PageRequest, Window
from application.posts import (
    DeletePost,
    EditPost,
    FavoritePost,
    Feed,
    GetPost,
    ListPosts,
    ListTags,
    PostChanges,
    PostRef,
    PostSearch,
)
from domain.errors import (
    CommentNotFound,
    InvalidInput,
    NotCommentAuthor,
    NotPostAuthor,
    PostNotFound,
)
from domain.posts import Author, Post
from domain.users import Actor, User
from infrastructure.memory import InMemoryUnitOfWork
from tests.factories import IMAGE, FixedClock, actor_for, at
from tests.unit.conftest import Given, Stored, ids


def rows(uow: InMemoryUnitOfWork) -> tuple[object, ...]:
    """Everything a post action may change."""
    store = uow.store
    return (store.posts, store.favorites, store.comments, store.users)


# --- posts by slug --------------------------------------------------------------------------


def test_a_string_reference_is_a_slug_even_when_it_looks_like_an_id(
    get_post: GetPost, given: Given
) -> None:
    ann = given.user()
    first = given.post(ann, title="First")
    numbered = given.post(ann, title="1")
    assert (first.id, numbered.slug) == (1, "1")
    assert get_post(None, "1") == numbered
    assert get_post(None, 1) == first


def test_a_locked_edit_by_slug_edits_the_post_with_that_slug(
    edit_post: EditPost, given: Given, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    ann = given.user()
    first = given.post(ann, title="First")
    draft = given.post(ann, title="1", published=False)  # its slug "1" is the first one's id
    edited = edit_post(actor_for(ann), "1", PostChanges(content="Edited."))
    assert (edited.id, edited.version) == (draft.id, 2)
    assert stored.post(draft.id) == edited
    assert stored.post(first.id) == first
    assert uow.committed


def test_the_author_deletes_a_post_by_slug_and_only_that_post(
    delete_post: DeletePost, given: Given, stored: Stored
) -> None:
    ann = given.user()
    gone, kept = given.post(ann, title="Gone"), given.post(ann, title="Kept")
    delete_post(actor_for(ann), "gone")
    assert (stored.post(gone.id), stored.post(kept.id)) == (None, kept)


def test_favoriting_and_unfavoriting_by_slug_answers_the_post_as_the_caller_sees_it(
    favorite_post: FavoritePost, given: Given, stored: Stored
) -> None:
    fan = given.user()
    post = given.post(given.user(), title="Liked")
    shown = favorite_post(actor_for(fan), "liked")
    assert (shown.id, shown.favorited, shown.favorites_count) == (post.id, True, 1)
    assert stored.post_seen_by(post.id, fan.id).favorited
    shown = favorite_post.undo(actor_for(fan), "liked")
    assert (shown.id, shown.favorited, shown.favorites_count) == (post.id, False, 0)
    assert not stored.post_seen_by(post.id, fan.id).favorited


PostAction = Callable[[InMemoryUnitOfWork, FixedClock, Actor, PostRef], object]
BY_REF: dict[str, PostAction] = {
    "get": lambda uow, _, actor, ref: GetPost(uow)(actor, ref),
    "edit": lambda uow, clock, actor, ref: EditPost(uow, clock)(
        actor, ref, PostChanges(title="Mine")
    ),
    "delete": lambda uow, _, actor, ref: DeletePost(uow)(actor, ref),
    "favorite": lambda uow, clock, actor, ref: FavoritePost(uow, clock)(actor, ref),
    "unfavorite": lambda uow, clock, actor, ref: FavoritePost(uow, clock).undo(actor, ref),
    "comment": lambda uow, clock, actor, ref: AddComment(uow, clock)(actor, ref, "Hi."),
    "comments": lambda uow, _, actor, ref: ListComments(uow)(actor, ref, PageRequest()),
}


@pytest.mark.parametrize("action", BY_REF.values(), ids=BY_REF.keys())
@pytest.mark.parametrize("ref", ["secret", "no-such-post"])
def test_someone_elses_drafts_slug_is_as_unknown_as_a_missing_slug(
    uow: InMemoryUnitOfWork, clock: FixedClock, given: Given, action: PostAction, ref: str
) -> None:
    ann, stranger = given.user(), given.user()
    given.comment(ann, given.post(ann, title="Secret", published=False))
    before = rows(uow)
    with pytest.raises(PostNotFound):
        action(uow, clock, actor_for(stranger), ref)
    assert (rows(uow), uow.committed) == (before, False)


@pytest.mark.parametrize("action", [BY_REF["edit"], BY_REF["delete"]], ids=["edit", "delete"])
def test_editing_or_deleting_someone_elses_post_by_slug_is_forbidden(
    uow: InMemoryUnitOfWork, clock: FixedClock, given: Given, stored: Stored, action: PostAction
) -> None:
    post = given.post(given.user(), title="Theirs")
    with pytest.raises(NotPostAuthor):
        action(uow, clock, actor_for(given.user()), "theirs")
    assert stored.post(post.id) == post


# --- comments through their post's slug -----------------------------------------------------


def test_a_comment_added_by_slug_is_stored_on_that_post(
    add_comment: AddComment, given: Given, stored: Stored
) -> None:
    ann = given.user()
    given.post(ann, title="Other")
    post = given.post(ann, title="Hello")
    comment = add_comment(actor_for(given.user()), "hello", "Nice post.")
    assert comment.post_id == post.id
    assert stored.comments_on(post.id) == [comment]


def test_the_comments_listed_by_slug_are_that_posts_only(
    list_comments: ListComments, given: Given
) -> None:
    ann = given.user()
    post, other = given.post(ann, title="Hello"), given.post(ann, title="Other")
    mine = given.comment(ann, post)
    given.comment(ann, other)
    page = list_comments(None, "hello", PageRequest())
    assert (ids(page.items), page.total) == ([mine.id], 1)


@pytest.mark.parametrize("by", ["slug", "id"])
def test_a_comment_is_deleted_through_its_post_by_slug_or_id(
    delete_comment: DeleteComment, given: Given, stored: Stored, uow: InMemoryUnitOfWork, by: str
) -> None:
    bob = given.user()
    post = given.post(given.user(), title="Hello")
    comment = given.comment(bob, post)
    delete_comment(actor_for(bob), comment.id or 0, on=post.slug if by == "slug" else post.id)
    assert stored.comment(comment.id) is None
    assert uow.committed


@pytest.mark.parametrize("by", ["slug", "id"])
def test_a_comment_of_another_post_is_not_found_through_this_one_and_stays(
    delete_comment: DeleteComment, given: Given, stored: Stored, uow: InMemoryUnitOfWork, by: str
) -> None:
    bob = given.user()
    here = given.post(bob, title="Here")
    comment = given.comment(bob, given.post(bob, title="There"))
    with pytest.raises(CommentNotFound):  # even to the one who may delete it
        delete_comment(actor_for(bob), comment.id or 0, on=here.slug if by == "slug" else here.id)
    assert (stored.comment(comment.id), uow.committed) == (comment, False)


@pytest.mark.parametrize("on", ["no-such-post", 999, "secret"])
def test_deleting_a_comment_through_a_post_one_cannot_see_is_post_not_found(
    delete_comment: DeleteComment, given: Given, stored: Stored, on: PostRef
) -> None:
    bob = given.user()
    given.post(given.user(), title="Secret", published=False)
    comment = given.comment(bob, given.post(given.user()))
    with pytest.raises(PostNotFound):
        delete_comment(actor_for(bob), comment.id or 0, on=on)
    assert stored.comment(comment.id) == comment


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("commenter", True), ("post_author", True), ("admin", True), ("stranger", False)],
)
def test_who_may_delete_a_comment_through_its_post_is_as_before(
    delete_comment: DeleteComment, given: Given, stored: Stored, who: str, allowed: bool
) -> None:
    people = {
        "commenter": given.user(),
        "post_author": given.user(),
        "admin": given.admin(),
        "stranger": given.user(),
    }
    post = given.post(people["post_author"], title="Hello")
    comment = given.comment(people["commenter"], post)

    def delete() -> None:
        delete_comment(actor_for(people[who]), comment.id or 0, on="hello")

    if allowed:
        delete()
        assert stored.comment(comment.id) is None
    else:
        with pytest.raises(NotCommentAuthor):
            delete()
        assert stored.comment(comment.id) == comment


# --- offset paging --------------------------------------------------------------------------


def test_an_offset_is_the_windows_offset_whatever_the_page() -> None:
    window = PageRequest(page=4, per_page=5, offset=7).window()
    assert window == Window(after=None, offset=7, limit=6)


@pytest.fixture
def five(given: Given) -> tuple[User, list[Post]]:
    """Five posts of one author, newest first."""
    ann = given.user()
    return ann, [given.post(ann, **at(minutes)) for minutes in range(5)]


@pytest.mark.parametrize(
    ("offset", "per_page", "shown"),
    [(0, 2, [0, 1]), (1, 1, [1]), (1, 3, [1, 2, 3]), (3, 2, [3, 4]), (4, 3, [4]), (7, 2, [])],
)
def test_posts_page_by_any_offset_with_the_total_of_the_whole_list(
    list_posts: ListPosts,
    five: tuple[User, list[Post]],
    offset: int,
    per_page: int,
    shown: list[int],
) -> None:
    ann, posts = five
    request = PageRequest(per_page=per_page, offset=offset)
    page = list_posts(None, PostSearch(author=ann.username), request)
    assert ids(page.items) == [posts[i].id for i in shown]
    assert page.total == 5


@pytest.mark.parametrize("offset", [-1, OFFSET_MAX + 1])
def test_an_offset_below_0_or_past_what_a_database_takes_is_refused_on_offset(
    list_posts: ListPosts, offset: int
) -> None:
    with pytest.raises(InvalidInput) as raised:
        list_posts(None, PostSearch(), PageRequest(offset=offset))
    assert list(raised.value.errors) == ["offset"]


def test_a_cursor_wins_over_an_offset(list_posts: ListPosts, five: tuple[User, list[Post]]) -> None:
    _, posts = five
    first = list_posts(None, PostSearch(), PageRequest(per_page=2))
    after = PageRequest(per_page=2, cursor=first.next_cursor, offset=3)
    assert ids(list_posts(None, PostSearch(), after).items) == ids(posts[2:4])


# --- authors read with bio, image and following ---------------------------------------------

AuthorRead = Callable[[InMemoryUnitOfWork, Actor | None, User], Author]
READERS: dict[str, AuthorRead] = {
    "list": lambda uow, viewer, ann: (
        ListPosts(uow)(viewer, PostSearch(author=ann.username), PageRequest()).items[0].author
    ),
    "feed": lambda uow, viewer, _: Feed(uow)(viewer, PageRequest()).items[0].author,
    "get": lambda uow, viewer, ann: GetPost(uow)(viewer, "anns-post").author,
    "comments": lambda uow, viewer, _: (
        ListComments(uow)(viewer, "carols-post", PageRequest()).items[0].author
    ),
}


@pytest.fixture
def ann_writing(given: Given) -> User:
    """Ann, with a bio and an image, wrote a post and commented on Carol's."""
    ann = given.user(bio="I write.", image=IMAGE)
    given.post(ann, title="Anns post")
    given.comment(ann, given.post(given.user(), title="Carols post"))
    return ann


def _as_read(ann: User, *, following: bool) -> Author:
    return Author(
        id=ann.id or 0,
        name=ann.name,
        username=ann.username,
        bio="I write.",
        image=IMAGE,
        following=following,
    )


@pytest.mark.parametrize("read", READERS.values(), ids=READERS.keys())
def test_an_author_is_read_with_bio_image_and_that_the_reader_follows_them(
    uow: InMemoryUnitOfWork, given: Given, ann_writing: User, read: AuthorRead
) -> None:
    me = given.user()
    given.follow(me, ann_writing)
    assert read(uow, actor_for(me), ann_writing) == _as_read(ann_writing, following=True)


@pytest.mark.parametrize("viewer", ["anonymous", "not_a_follower"])
@pytest.mark.parametrize(
    "read", [r for k, r in READERS.items() if k != "feed"], ids=["list", "get", "comments"]
)
def test_an_author_read_by_whoever_does_not_follow_them_is_not_followed(
    uow: InMemoryUnitOfWork, given: Given, ann_writing: User, read: AuthorRead, viewer: str
) -> None:
    given.follow(given.user(), ann_writing)  # somebody else does
    actor = None if viewer == "anonymous" else actor_for(given.user())
    assert read(uow, actor, ann_writing) == _as_read(ann_writing, following=False)


# --- tags in use ----------------------------------------------------------------------------


def test_among_more_than_100_tags_used_once_the_newest_are_listed(
    given: Given, list_tags: ListTags
) -> None:
    """The rule (equal counts, newest first) is in test_feed_and_tags_use_cases.py; this is
    why it matters: a tag just used is not cut from the 100 listed."""
    ann = given.user()
    for n in range(11):  # 110 tags, t000 first
        given.post(ann, tags=tuple(f"t{n:02}{i}" for i in range(10)))
    given.post(ann, tags=("fresh",))
    names = [tag.name for tag in list_tags()]
    assert (len(names), names[0], names[-1]) == (100, "fresh", "t011")
    assert "t010" not in names
