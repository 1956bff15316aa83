"""Favorites, with each post's favorites count kept on its row."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, insert, update

from infrastructure.db.bulk import batched
from infrastructure.db.counters import insert_of
from infrastructure.db.models import FavoriteRow, PostRow
from infrastructure.db.post_locks import LOCK_POST, lock_writer_then_post

favorites, posts = FavoriteRow.__table__, PostRow.__table__

MOVE = (
    update(posts)
    .where(posts.c.id == bindparam("post_id"))
    .values(favorites_count=posts.c.favorites_count + bindparam("delta"))
)


class SqlFavoriteRepository:
    """Adding takes the user's row KEY SHARE, then the post's to count (lock_writer_then_post:
    either deleted meanwhile is CallerDeleted or PostNotFound). Removing takes the post's row
    before the favorite's, as a post's removal (and a user's) does."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, user_id: int, post_id: int, at: datetime) -> None:
        """Counted only when this call inserted the row: a concurrent add of the same pair
        waits for this one's commit and then inserts nothing."""
        new = {"user_id": user_id, "post_id": post_id, "created_at": at}
        lock_writer_then_post(self._connection, user_id, post_id)
        stmt = insert_of(self._connection.dialect.name)(favorites).on_conflict_do_nothing()
        if self._connection.execute(stmt.returning(favorites.c.post_id), new).first():
            self._connection.execute(MOVE, {"post_id": post_id, "delta": 1})

    def remove(self, user_id: int, post_id: int) -> None:
        # The post's row first, as a post's removal takes it before its cascade reaches them.
        self._connection.execute(LOCK_POST, {"post_id": post_id})
        stmt = delete(favorites).where(
            favorites.c.user_id == user_id, favorites.c.post_id == post_id
        )
        if self._connection.execute(stmt.returning(favorites.c.post_id)).first():
            self._connection.execute(MOVE, {"post_id": post_id, "delta": -1})

    def add_many(self, new: Iterable[tuple[int, int, datetime]]) -> None:
        """Rows by batch, counts once per call (see SqlFollowRepository.add_many)."""
        moves: Counter[int] = Counter()
        for chunk in batched(new):
            rows = [{"user_id": u, "post_id": p, "created_at": at} for u, p, at in chunk]
            self._connection.execute(insert(favorites), rows)
            moves.update(p for _, p, _ in chunk)
        if moves:  # in id order
            values = [{"post_id": p, "delta": n} for p, n in sorted(moves.items())]
            self._connection.execute(MOVE, values)
