"""Kept counts (posts by state and by author, users), so that no list counts a large table.

Post counters are split into slots and a count sums them. Each write adds to its own
connection's slot, so concurrent writers lock different rows instead of queueing on one row
until each commits (bench/RESULTS.md has the figures).
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    bindparam,
    cast,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

from infrastructure.db.models import AuthorPostCountRow, PostTotalRow, RowCountRow

totals, author_counts = PostTotalRow.__table__, AuthorPostCountRow.__table__
row_counts = RowCountRow.__table__
COUNTER_SLOTS = 16


def counter_slot(dialect: str) -> ColumnElement[Any]:
    """The slot of the writing connection: its server process's on PostgreSQL.

    A connection never contends with itself, and connections opened together get
    consecutive process ids, hence different slots. SQLite has one writer: one slot.
    """
    if dialect == "postgresql":
        return func.pg_backend_pid() % literal_column(str(COUNTER_SLOTS))
    return literal_column("0")


def summed(column: Any) -> ColumnElement[Any]:
    return cast(func.sum(column), BigInteger)  # NULL when no slot exists yet


POST_TOTAL = select(summed(totals.c.posts)).where(totals.c.published == bindparam("published"))
AUTHOR_POST_TOTAL = select(summed(author_counts.c.posts)).where(
    author_counts.c.author_id == bindparam("author_id"),
    author_counts.c.published == bindparam("published"),
)
USER_TOTAL = select(row_counts.c.rows).where(row_counts.c.name == "users")


def author_post_counts(connection: Connection, author_id: int) -> Counter[tuple[int, bool]]:
    """The author's post counts by state, as (author, published) -> count."""
    stmt = (
        select(author_counts.c.published, summed(author_counts.c.posts))
        .where(author_counts.c.author_id == author_id)
        .group_by(author_counts.c.published)
    )
    return Counter({(author_id, published): n for published, n in connection.execute(stmt)})


def adjust_post_counts(connection: Connection, deltas: Counter[tuple[int, bool]]) -> None:
    """Move the counters in one fixed order (totals, then authors) so writers never deadlock."""
    by_state: Counter[bool] = Counter()
    for (_, published), delta in deltas.items():
        by_state[published] += delta
    state_rows = [{"published": p, "posts": d} for p, d in sorted(by_state.items()) if d]
    author_rows = [
        {"author_id": a, "published": p, "posts": d} for (a, p), d in sorted(deltas.items()) if d
    ]
    _add_to(connection, totals, ["published"], state_rows)
    _add_to(connection, author_counts, ["author_id", "published"], author_rows)


def count_users(connection: Connection, delta: int) -> None:
    """Locked before any post counter, by every writer (a registration, the seed, a user's
    deletion): one order, so none of them deadlocks with another."""
    if delta:
        _add_to(connection, row_counts, ["name"], [{"name": "users", "rows": delta}], "rows")


def _add_to(
    connection: Connection,
    table: Any,
    keys: list[str],
    rows: list[dict[str, Any]],
    value: str = "posts",
) -> None:
    """Upsert: add each row's `value` to the counter with its key, creating it if missing."""
    if rows:
        connection.execute(_upsert(connection.dialect.name, table, tuple(keys), value), rows)


@cache
def _upsert(dialect: str, table: Any, keys: tuple[str, ...], value: str) -> Any:
    """The counter's upsert; a slotted counter's rows go to the connection's slot."""
    upsert = insert_of(dialect)(table)
    conflict = list(keys)
    if "slot" in table.c:
        upsert = upsert.values(slot=counter_slot(dialect)).inline()  # no RETURNING of it
        conflict.append("slot")
    return upsert.on_conflict_do_update(
        index_elements=conflict, set_={value: table.c[value] + upsert.excluded[value]}
    )


def insert_of(dialect: str) -> Any:
    """The dialect's INSERT, which has ON CONFLICT (the generic one has not)."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert
