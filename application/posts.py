"""Writing, publishing, finding and reading posts, with visibility and ownership rules."""

from __future__ import annotations

from attrs import frozen

from application.paging import Page, PageRequest, paginate
from application.ports import Clock, PostFilter, UnitOfWork
from domain.errors import InvalidInput, NotPostAuthor, PostNotFound, StaleVersion
from domain.posts import SEARCH_MAX, Author, Post
from domain.users import Actor


@frozen(kw_only=True)
class NewPost:
    title: str
    content: str
    published: bool = False


@frozen(kw_only=True)
class PostReplacement:
    """PUT: every field is required."""

    title: str
    content: str
    published: bool


@frozen(kw_only=True)
class PostChanges:
    """PATCH: any subset; `None` leaves a field alone."""

    title: str | None = None
    content: str | None = None
    published: bool | None = None


@frozen(kw_only=True)
class PostSearch:
    """Query of GET /posts. `published=False` asks for the drafts the caller may see."""

    author_id: int | None = None
    published: bool = True
    search: str | None = None


Precondition = frozenset[str] | None  # ETags from If-Match; "*" matches any version


@frozen
class CreatePost:
    """The author is always the caller."""

    uow: UnitOfWork
    clock: Clock

    def __call__(self, actor: Actor, new: NewPost) -> Post:
        actor.check_may_write()
        post = Post.write(
            author=Author(id=actor.id, name=actor.name),
            title=new.title,
            content=new.content,
            published=new.published,
            now=self.clock(),
        )
        with self.uow as uow:
            post = uow.posts.add(post)
            uow.commit()
        return post


def _visible(uow: UnitOfWork, actor: Actor | None, post_id: int, *, lock: bool = False) -> Post:
    """A post the caller may not see is reported as missing, hiding that it exists."""
    post = uow.posts.get(post_id, lock=lock)
    if post is None or not post.visible_to(actor):
        raise PostNotFound()
    return post


def _editable(uow: UnitOfWork, actor: Actor, post_id: int, if_match: Precondition) -> Post:
    """The post, locked until the unit ends: concurrent changes apply one after the other,
    each to the latest version (and an If-Match is checked against that version)."""
    post = _visible(uow, actor, post_id, lock=True)
    if not post.editable_by(actor):
        raise NotPostAuthor()
    if if_match is not None and "*" not in if_match and post.etag not in if_match:
        raise StaleVersion()
    return post


@frozen
class GetPost:
    uow: UnitOfWork

    def __call__(self, actor: Actor | None, post_id: int) -> Post:
        with self.uow.read_only() as uow:
            return _visible(uow, actor, post_id)


@frozen
class ListPosts:
    """Published posts by default; drafts only as far as the caller may see them."""

    uow: UnitOfWork

    def __call__(self, actor: Actor | None, search: PostSearch, request: PageRequest) -> Page[Post]:
        filters = self._filters(actor, search)
        with self.uow.read_only() as uow:
            if filters is None:
                request.window()  # still validate paging, then answer with nothing
                return Page(
                    items=[],
                    total=0,
                    page=1 if request.cursor else request.page,
                    per_page=request.per_page,
                    next_cursor=None,
                )
            return paginate(
                request,
                lambda window: uow.posts.find(filters, window),
                lambda at_most: uow.posts.count(filters, at_most),
                searching=filters.search is not None,
            )

    @staticmethod
    def _filters(actor: Actor | None, search: PostSearch) -> PostFilter | None:
        if search.search is not None and len(search.search) > SEARCH_MAX:
            raise InvalidInput.on("search", f"Must be at most {SEARCH_MAX} characters.")
        if search.author_id is not None and search.author_id < 1:
            raise InvalidInput.on("author_id", "Must be a user id (a whole number of at least 1).")
        text = search.search or None
        if search.published or (actor is not None and actor.is_admin):
            return PostFilter(published=search.published, author_id=search.author_id, search=text)
        if actor is None or search.author_id not in (None, actor.id):
            return None
        return PostFilter(published=False, author_id=actor.id, search=text)


@frozen
class EditPost:
    """Only the author or an admin edits. Without If-Match every edit applies, to the latest
    version (the last one wins); with a stale If-Match nothing changes."""

    uow: UnitOfWork
    clock: Clock

    def __call__(
        self, actor: Actor, post_id: int, changes: PostChanges, if_match: Precondition = None
    ) -> Post:
        actor.check_may_write()
        with self.uow as uow:
            post = _editable(uow, actor, post_id, if_match)
            edited = post.edit(
                title=changes.title,
                content=changes.content,
                published=changes.published,
                now=self.clock(),
            )
            if edited is post:
                return post
            if not uow.posts.update(edited, previous=post):
                raise StaleVersion()
            uow.commit()
        return edited

    def replace(
        self, actor: Actor, post_id: int, new: PostReplacement, if_match: Precondition = None
    ) -> Post:
        changes = PostChanges(title=new.title, content=new.content, published=new.published)
        return self(actor, post_id, changes, if_match)


@frozen
class DeletePost:
    uow: UnitOfWork

    def __call__(self, actor: Actor, post_id: int, if_match: Precondition = None) -> None:
        actor.check_may_write()
        with self.uow as uow:
            post = _editable(uow, actor, post_id, if_match)
            uow.posts.remove(post.id or 0)
            uow.commit()
