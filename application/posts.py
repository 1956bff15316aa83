"""Writing, publishing, finding, reading and favoriting posts, with visibility and ownership
rules; the feed and the tags in use."""

from __future__ import annotations

from attrs import converters, field, frozen

from application.paging import Page, PageRequest, paginate
from application.ports import Clock, PostFilter, TagUse, UnitOfWork
from domain.errors import InvalidInput, NotPostAuthor, PostNotFound, StaleVersion
from domain.ids import stored
from domain.posts import SEARCH_MAX, TAG_MAX, Author, Post, composed_tag
from domain.text import is_blank
from domain.users import USERNAME_MAX, Actor

TAGS_LISTED = 100  # GET /tags: the most used ones


@frozen(kw_only=True)
class NewPost:
    title: str
    content: str
    published: bool = False
    summary: str = ""
    tags: tuple[str, ...] = ()


@frozen(kw_only=True)
class PostReplacement:
    """PUT: title, content and published are required; absent summary and tags stay."""

    title: str
    content: str
    published: bool
    summary: str | None = None
    tags: tuple[str, ...] | None = None


@frozen(kw_only=True)
class PostChanges:
    """PATCH: any subset; `None` leaves a field alone."""

    title: str | None = None
    content: str | None = None
    published: bool | None = None
    summary: str | None = None
    tags: tuple[str, ...] | None = None


@frozen(kw_only=True)
class PostSearch:
    """Query of GET /posts. `published=False` asks for the drafts the caller may see.
    `author` and `favorited_by` are usernames; an unknown one selects nothing. `tag` is
    looked up as tags are kept (composed_tag)."""

    author_id: int | None = None
    published: bool = True
    search: str | None = None
    tag: str | None = field(default=None, converter=converters.optional(composed_tag))
    author: str | None = None
    favorited_by: str | None = None


Precondition = frozenset[str] | None  # ETags from If-Match; "*" matches any version
PostRef = int | str  # a post's id, or its slug (the RealWorld API addresses posts so)


@frozen
class CreatePost:
    """The author is always the caller."""

    uow: UnitOfWork
    clock: Clock

    def __call__(self, actor: Actor, new: NewPost) -> Post:
        actor.check_may_write()
        post = Post.write(
            author=Author.acting(actor),
            title=new.title,
            content=new.content,
            published=new.published,
            summary=new.summary,
            tags=new.tags,
            now=self.clock(),
        )
        with self.uow as uow:
            post = uow.posts.add(post)
            uow.commit()
        return post


def _viewer(actor: Actor | None) -> int | None:
    return None if actor is None else actor.id


def visible_post(uow: UnitOfWork, actor: Actor | None, ref: PostRef, *, lock: bool = False) -> Post:
    """A post the caller may not see is reported as missing, hiding that it exists."""
    viewer = _viewer(actor)
    if isinstance(ref, str):
        found = uow.posts.get_by_slug(ref, viewer_id=viewer)
        if found is None or found.id is None or not lock:
            return _seen(found, actor)
        ref = found.id  # slugs never change: the post locked by id is the one found
    return _seen(uow.posts.get(ref, lock=lock, viewer_id=viewer), actor)


def _seen(post: Post | None, actor: Actor | None) -> Post:
    if post is None or not post.visible_to(actor):
        raise PostNotFound()
    return post


def _editable(uow: UnitOfWork, actor: Actor, ref: PostRef, if_match: Precondition) -> Post:
    """The post, locked until the unit ends: concurrent changes apply one after the other,
    each to the latest version (and an If-Match is checked against that version)."""
    post = visible_post(uow, actor, ref, lock=True)
    if not post.editable_by(actor):
        raise NotPostAuthor()
    if if_match is not None and "*" not in if_match and post.etag not in if_match:
        raise StaleVersion()
    return post


@frozen
class GetPost:
    """A published post to anybody; a draft to its author and admins, else missing."""

    uow: UnitOfWork

    def __call__(self, actor: Actor | None, ref: PostRef) -> Post:
        with self.uow.read_only() as uow:
            return visible_post(uow, actor, ref)

    def by_slug(self, actor: Actor | None, slug: str) -> Post:
        return self(actor, slug)


@frozen
class ListPosts:
    """Published posts by default; drafts only as far as the caller may see them."""

    uow: UnitOfWork

    def __call__(self, actor: Actor | None, search: PostSearch, request: PageRequest) -> Page[Post]:
        _check(search)
        with self.uow.read_only() as uow:
            filters = self._filters(uow, actor, search)
            if filters is None:
                return _nothing(request)
            return _page_of(uow, actor, filters, request)

    @staticmethod
    def _filters(uow: UnitOfWork, actor: Actor | None, search: PostSearch) -> PostFilter | None:
        author_id = search.author_id
        if search.author is not None:
            author = uow.users.get_by_username(search.author)
            if author is None or author_id not in (None, author.id):
                return None
            author_id = author.id
        favorited_by = None
        if search.favorited_by is not None:
            fan = uow.users.get_by_username(search.favorited_by)
            if fan is None:
                return None
            favorited_by = fan.id
        text = search.search or None
        if not search.published and not (actor is not None and actor.is_admin):
            if actor is None or author_id not in (None, actor.id):
                return None
            author_id = actor.id
        return PostFilter(
            published=search.published,
            author_id=author_id,
            search=text,
            tag=search.tag,
            favorited_by=favorited_by,
        )


def _check(search: PostSearch) -> None:
    problems: dict[str, list[str]] = {}
    if search.search is not None and len(search.search) > SEARCH_MAX:
        problems["search"] = [f"Must be at most {SEARCH_MAX} characters."]
    if search.author_id is not None and search.author_id < 1:
        problems["author_id"] = ["Must be a user id (a whole number of at least 1)."]
    if search.tag is not None and (not 1 <= len(search.tag) <= TAG_MAX or is_blank(search.tag)):
        problems["tag"] = [f"Must be 1 to {TAG_MAX} characters, not all blank, as a tag is."]
    for name, value in (("author", search.author), ("favorited_by", search.favorited_by)):
        if value is not None and not 1 <= len(value) <= USERNAME_MAX:
            problems[name] = [f"Must be a username (1 to {USERNAME_MAX} characters)."]
    if problems:
        raise InvalidInput(problems)


def _nothing(request: PageRequest) -> Page[Post]:
    request.window()  # still validate paging, then answer with nothing
    return Page(
        items=[],
        total=0,
        page=1 if request.cursor else request.page,
        per_page=request.per_page,
        next_cursor=None,
    )


def _page_of(
    uow: UnitOfWork, actor: Actor | None, filters: PostFilter, request: PageRequest
) -> Page[Post]:
    viewer = _viewer(actor)
    return paginate(
        request,
        lambda window: uow.posts.find(filters, window, viewer),
        lambda at_most: uow.posts.count(filters, at_most),
        searching=filters.search is not None,
    )


@frozen
class Feed:
    """Published posts by the authors the caller follows, newest first."""

    uow: UnitOfWork

    def __call__(self, actor: Actor, request: PageRequest) -> Page[Post]:
        with self.uow.read_only() as uow:
            return _page_of(uow, actor, PostFilter(published=True, followed_by=actor.id), request)


@frozen
class EditPost:
    """Only the author or an admin edits. Without If-Match every edit applies, to the latest
    version (the last one wins); with a stale If-Match nothing changes."""

    uow: UnitOfWork
    clock: Clock

    def __call__(
        self, actor: Actor, ref: PostRef, changes: PostChanges, if_match: Precondition = None
    ) -> Post:
        actor.check_may_write()
        with self.uow as uow:
            post = _editable(uow, actor, ref, if_match)
            edited = post.edit(
                title=changes.title,
                content=changes.content,
                published=changes.published,
                summary=changes.summary,
                tags=changes.tags,
                now=self.clock(),
            )
            if edited is post:
                return post
            if not uow.posts.update(edited, previous=post):
                raise StaleVersion()
            uow.commit()
        return edited

    def replace(
        self, actor: Actor, ref: PostRef, new: PostReplacement, if_match: Precondition = None
    ) -> Post:
        changes = PostChanges(
            title=new.title,
            content=new.content,
            published=new.published,
            summary=new.summary,
            tags=new.tags,
        )
        return self(actor, ref, changes, if_match)


@frozen
class DeletePost:
    """Only the author or an admin deletes, with its comments and favorites; a stale If-Match
    deletes nothing."""

    uow: UnitOfWork

    def __call__(self, actor: Actor, ref: PostRef, if_match: Precondition = None) -> None:
        actor.check_may_write()
        with self.uow as uow:
            post = _editable(uow, actor, ref, if_match)
            uow.posts.remove(stored(post.id))
            uow.commit()


@frozen
class FavoritePost:
    """Favoriting and unfavoriting: idempotent, on a post the caller can see."""

    uow: UnitOfWork
    clock: Clock

    def __call__(self, actor: Actor, ref: PostRef) -> Post:
        with self.uow as uow:
            post_id = stored(visible_post(uow, actor, ref).id)
            uow.favorites.add(actor.id, post_id, self.clock())
            post = visible_post(uow, actor, post_id)
            uow.commit()
        return post

    def undo(self, actor: Actor, ref: PostRef) -> Post:
        with self.uow as uow:
            post_id = stored(visible_post(uow, actor, ref).id)
            uow.favorites.remove(actor.id, post_id)
            post = visible_post(uow, actor, post_id)
            uow.commit()
        return post


@frozen
class ListTags:
    """The tags on most published posts, most used first."""

    uow: UnitOfWork

    def __call__(self) -> list[TagUse]:
        with self.uow.read_only() as uow:
            return uow.tags.most_used(TAGS_LISTED)
