"""Commenting on posts one can see, reading and deleting comments."""

from __future__ import annotations

from attrs import frozen

from application.paging import Page, PageRequest, paginate
from application.ports import Clock, UnitOfWork
from application.posts import PostRef, visible_post
from domain.comments import Comment
from domain.errors import CommentNotFound, NotCommentAuthor
from domain.ids import stored
from domain.posts import Author, Post
from domain.users import Actor


def _visible_comment(uow: UnitOfWork, actor: Actor | None, comment_id: int) -> tuple[Comment, Post]:
    """A comment on a post the caller cannot see is as missing as the post."""
    comment = uow.comments.get(comment_id, None if actor is None else actor.id)
    post = None if comment is None else uow.posts.get(comment.post_id)
    if comment is None or post is None or not post.visible_to(actor):
        raise CommentNotFound()
    return comment, post


@frozen
class AddComment:
    """On a post the caller can see (another's draft is as missing as an unknown post), by a
    caller who may write (REQUIRE_VERIFIED_EMAIL)."""

    uow: UnitOfWork
    clock: Clock

    def __call__(self, actor: Actor, ref: PostRef, body: str) -> Comment:
        actor.check_may_write()
        with self.uow as uow:
            post = visible_post(uow, actor, ref)
            comment = uow.comments.add(
                Comment.write(post=post, author=Author.acting(actor), body=body, now=self.clock())
            )
            uow.commit()
        return comment


@frozen
class GetComment:
    """A comment on a post the caller can see; on another's draft, missing."""

    uow: UnitOfWork

    def __call__(self, actor: Actor | None, comment_id: int) -> Comment:
        with self.uow.read_only() as uow:
            return _visible_comment(uow, actor, comment_id)[0]


@frozen
class ListComments:
    """A post's comments, newest first, if the caller can see the post."""

    uow: UnitOfWork

    def __call__(self, actor: Actor | None, ref: PostRef, request: PageRequest) -> Page[Comment]:
        with self.uow.read_only() as uow:
            post_id = stored(visible_post(uow, actor, ref).id)
            viewer = None if actor is None else actor.id
            return paginate(
                request,
                lambda window: uow.comments.find(post_id, window, viewer),
                lambda _at_most: uow.comments.count(post_id),
            )


@frozen
class DeleteComment:
    """By the comment's author, the post's author or an admin. Given `on` (the RealWorld API
    names the post too), a comment on another post is as missing as an unknown one."""

    uow: UnitOfWork

    def __call__(self, actor: Actor, comment_id: int, on: PostRef | None = None) -> None:
        actor.check_may_write()
        with self.uow as uow:
            if on is not None:
                visible_post(uow, actor, on)  # an unknown post is reported as such
            comment, post = _visible_comment(uow, actor, comment_id)
            if on is not None and on not in (post.id, post.slug):
                raise CommentNotFound()
            if not comment.deletable_by(actor, post):
                raise NotCommentAuthor()
            if not uow.comments.remove(comment_id):  # removed by another since it was read
                raise CommentNotFound()
            uow.commit()
