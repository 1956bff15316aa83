"""Commenting on posts one can see, reading and deleting comments."""

from __future__ import annotations

from attrs import frozen

from application.paging import Page, PageRequest, paginate
from application.ports import Clock, UnitOfWork
from domain.comments import Comment
from domain.errors import CommentNotFound, NotCommentAuthor, PostNotFound
from domain.posts import Author, Post
from domain.users import Actor


def _visible_post(uow: UnitOfWork, actor: Actor | None, post_id: int) -> Post:
    post = uow.posts.get(post_id)
    if post is None or not post.visible_to(actor):
        raise PostNotFound()
    return post


def _visible_comment(uow: UnitOfWork, actor: Actor | None, comment_id: int) -> tuple[Comment, Post]:
    """A comment on a post the caller cannot see is as missing as the post."""
    comment = uow.comments.get(comment_id)
    post = None if comment is None else uow.posts.get(comment.post_id)
    if comment is None or post is None or not post.visible_to(actor):
        raise CommentNotFound()
    return comment, post


@frozen
class AddComment:
    uow: UnitOfWork
    clock: Clock

    def __call__(self, actor: Actor, post_id: int, body: str) -> Comment:
        with self.uow as uow:
            post = _visible_post(uow, actor, post_id)
            author = Author(id=actor.id, name=actor.name, username=actor.username)
            comment = uow.comments.add(
                Comment.write(post=post, author=author, body=body, now=self.clock())
            )
            uow.commit()
        return comment


@frozen
class GetComment:
    uow: UnitOfWork

    def __call__(self, actor: Actor | None, comment_id: int) -> Comment:
        with self.uow.read_only() as uow:
            return _visible_comment(uow, actor, comment_id)[0]


@frozen
class ListComments:
    uow: UnitOfWork

    def __call__(self, actor: Actor | None, post_id: int, request: PageRequest) -> Page[Comment]:
        with self.uow.read_only() as uow:
            _visible_post(uow, actor, post_id)
            return paginate(
                request,
                lambda window: uow.comments.find(post_id, window),
                lambda _at_most: uow.comments.count(post_id),
            )


@frozen
class DeleteComment:
    """By the comment's author, the post's author or an admin."""

    uow: UnitOfWork

    def __call__(self, actor: Actor, comment_id: int) -> None:
        with self.uow as uow:
            comment, post = _visible_comment(uow, actor, comment_id)
            if not comment.deletable_by(actor, post):
                raise NotCommentAuthor()
            uow.comments.remove(comment_id)
            uow.commit()
