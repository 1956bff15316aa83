"""Comments on posts, with each post's comments count kept on its row."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import cache
from typing import Any

from attrs import evolve
from sqlalchemy import Connection, Select, bindparam, delete, insert, select, update

from application.paging import Found, Window
from domain.comments import Comment
from domain.ids import stored
from infrastructure.db.bulk import batched
from infrastructure.db.driver_reads import one_row, read_rows
from infrastructure.db.lists import found, newest_first, ordered, window_values, with_total
from infrastructure.db.mapping import comment_from_row
from infrastructure.db.models import CommentRow, PostRow
from infrastructure.db.post_locks import lock_writer_then_post
from infrastructure.db.readers import with_author

comments, posts = CommentRow.__table__, PostRow.__table__


@cache
def get_comment(viewer: bool, postgres: bool = False) -> Select[Any]:
    key = comments.c.id == bindparam("comment_id")
    return with_author(comments, viewer, postgres).where(key)


# The comment's post's row first, as a post's removal takes it before its cascade reaches the
# comments.
LOCK_POST_OF_COMMENT = (
    select(posts.c.id)
    .join_from(comments, posts, posts.c.id == comments.c.post_id)
    .where(comments.c.id == bindparam("comment_id"))
    .with_for_update(key_share=True, of=posts)
)
COUNT = select(posts.c.comments_count).where(posts.c.id == bindparam("post_id"))
MOVE = (
    update(posts)
    .where(posts.c.id == bindparam("post_id"))
    .values(comments_count=posts.c.comments_count + bindparam("delta"))
)


@cache
def comment_page(viewer: bool, after: bool, postgres: bool = False) -> Select[Any]:
    """Along the (post_id, created_at, id) index, newest first; then the page's authors."""
    on_post = select(comments).where(comments.c.post_id == bindparam("post_id"))
    page = newest_first(on_post, comments, after).subquery("page")
    stmt = with_total(with_author(page, viewer, postgres), COUNT.scalar_subquery())
    return ordered(stmt, page.c.created_at, page.c.id, False)


def comment_values(comment: Comment) -> dict[str, Any]:
    return {
        "post_id": comment.post_id, "author_id": comment.author.id, "body": comment.body,
        "created_at": comment.created_at, "updated_at": comment.updated_at,
    }  # fmt: skip


class SqlCommentRepository:
    """Adding takes the author's row KEY SHARE, then the post's to count
    (lock_writer_then_post: either deleted meanwhile is CallerDeleted or PostNotFound).
    Removing takes the post's row before the comment's, as a post's removal (and a user's)
    does."""

    def __init__(self, connection: Connection, *, on_driver: bool = False) -> None:
        self._connection = connection
        self._on_driver = on_driver
        self._postgres = connection.dialect.name == "postgresql"

    def add(self, comment: Comment) -> Comment:
        lock_writer_then_post(self._connection, stored(comment.author.id), comment.post_id)
        stmt = insert(comments).returning(comments.c.id)
        new_id = self._connection.execute(stmt, comment_values(comment)).scalar_one()
        self._connection.execute(MOVE, {"post_id": comment.post_id, "delta": 1})
        return evolve(comment, id=new_id)

    def add_many(self, new: Iterable[Comment]) -> None:
        """Rows by batch, counts once per call (see SqlFollowRepository.add_many)."""
        moves: Counter[int] = Counter()
        for chunk in batched(new):
            self._connection.execute(insert(comments), [comment_values(c) for c in chunk])
            moves.update(c.post_id for c in chunk)
        if moves:  # in id order
            values = [{"post_id": p, "delta": n} for p, n in sorted(moves.items())]
            self._connection.execute(MOVE, values)

    def get(self, comment_id: int, viewer_id: int | None = None) -> Comment | None:
        values = {"comment_id": comment_id, "viewer_id": viewer_id}
        stmt = get_comment(viewer_id is not None, self._postgres)
        row = one_row(self._connection, stmt, values, on_driver=self._on_driver)
        return None if row is None else comment_from_row(row)

    def remove(self, comment_id: int) -> bool:
        self._connection.execute(LOCK_POST_OF_COMMENT, {"comment_id": comment_id})
        stmt = delete(comments).where(comments.c.id == comment_id).returning(comments.c.post_id)
        post_id = self._connection.execute(stmt).scalar()
        if post_id is None:
            return False
        self._connection.execute(MOVE, {"post_id": post_id, "delta": -1})
        return True

    def find(self, post_id: int, window: Window, viewer_id: int | None = None) -> Found[Comment]:
        values = {"post_id": post_id, "viewer_id": viewer_id, **window_values(window)}
        stmt = comment_page(viewer_id is not None, window.after is not None, self._postgres)
        rows = read_rows(self._connection, stmt, values, on_driver=self._on_driver)
        return found(rows, comment_from_row)

    def count(self, post_id: int) -> int:
        """Kept on the post's row: no comments are counted."""
        row = one_row(self._connection, COUNT, {"post_id": post_id}, on_driver=self._on_driver)
        return 0 if row is None else int(row["comments_count"])
