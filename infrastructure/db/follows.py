"""Follows, with the followers and follows counts kept on the users' rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, exists, insert, select, update

from application.ports import FollowStats
from domain.errors import CallerDeleted, ProfileNotFound
from infrastructure.db.bulk import batched
from infrastructure.db.counters import insert_of
from infrastructure.db.driver_reads import one_row
from infrastructure.db.models import FollowRow, Id, UserRow

follows, users = FollowRow.__table__, UserRow.__table__

# Both users' rows, in id order, as strongly as the counts' update will need them (NO KEY
# UPDATE): taken weaker first (KEY SHARE, as a foreign key's check) and raised later, a lock
# deadlocks with a writer queued between the two. A deletion's FOR UPDATE waits for it, or it
# for the deletion (see ties.py).
LOCK_BOTH = (
    select(users.c.id)
    .where(users.c.id.in_([bindparam("follower_id"), bindparam("followed_id")]))
    .order_by(users.c.id)
    .with_for_update(key_share=True)
)
COUNTS = {"follows_count": users.c.follows_count, "followers_count": users.c.followers_count}
MOVE = {
    name: update(users)
    .where(users.c.id == bindparam("user_id"))
    .values({name: column + bindparam("delta")})
    for name, column in COUNTS.items()
}
STATS = select(
    users.c.followers_count,
    users.c.follows_count,
    exists()
    .where(
        follows.c.follower_id == bindparam("viewer_id", type_=Id),
        follows.c.followed_id == users.c.id,
    )
    .label("following"),
).where(users.c.id == bindparam("user_id"))


class SqlFollowRepository:
    def __init__(self, connection: Connection, *, on_driver: bool = False) -> None:
        self._connection = connection
        self._on_driver = on_driver

    def add(self, follower_id: int, followed_id: int, at: datetime) -> None:
        """Counted only when this call inserted the row: a concurrent add of the same pair
        waits for this one's commit and then inserts nothing."""
        new = {"follower_id": follower_id, "followed_id": followed_id, "created_at": at}
        present = set(self._connection.execute(LOCK_BOTH, new).scalars())
        if follower_id not in present:  # deleted while the request ran
            raise CallerDeleted()
        if followed_id not in present:
            raise ProfileNotFound()
        stmt = insert_of(self._connection.dialect.name)(follows).on_conflict_do_nothing()
        if self._connection.execute(stmt.returning(follows.c.follower_id), new).first():
            self._count(follower_id, followed_id, 1)

    def remove(self, follower_id: int, followed_id: int) -> None:
        pair = {"follower_id": follower_id, "followed_id": followed_id}
        self._connection.execute(LOCK_BOTH, pair)
        stmt = delete(follows).where(
            follows.c.follower_id == follower_id, follows.c.followed_id == followed_id
        )
        if self._connection.execute(stmt.returning(follows.c.follower_id)).first():
            self._count(follower_id, followed_id, -1)

    def _count(self, follower_id: int, followed_id: int, delta: int) -> None:
        """Both users' counts, in id order (the order every writer of users' rows keeps), so
        that a follow and its reverse never deadlock."""
        moves = [(follower_id, "follows_count"), (followed_id, "followers_count")]
        for user_id, name in sorted(moves):
            self._connection.execute(MOVE[name], {"user_id": user_id, "delta": delta})

    def add_many(self, new: Iterable[tuple[int, int, datetime]]) -> None:
        """Rows by batch, counts once per call: a popular author followed in every batch
        would otherwise have their row rewritten once per batch, and in one transaction
        each rewrite walks all the earlier versions of the row."""
        moves = {name: Counter[int]() for name in COUNTS}
        for chunk in batched(new):
            rows = [{"follower_id": a, "followed_id": b, "created_at": at} for a, b, at in chunk]
            self._connection.execute(insert(follows), rows)
            moves["follows_count"].update(a for a, _, _ in chunk)
            moves["followers_count"].update(b for _, b, _ in chunk)
        for name, counted in moves.items():
            values = [{"user_id": user_id, "delta": n} for user_id, n in sorted(counted.items())]
            if values:
                self._connection.execute(MOVE[name], values)

    def stats(self, user_id: int, viewer_id: int | None) -> FollowStats:
        values = {"user_id": user_id, "viewer_id": viewer_id}
        row = one_row(self._connection, STATS, values, on_driver=self._on_driver)
        if row is None:
            return FollowStats(following=False, followers=0, follows=0)
        return FollowStats(
            following=bool(row["following"]),
            followers=row["followers_count"],
            follows=row["follows_count"],
        )
