"""SQL repositories on a Core connection. They never commit: the unit of work does.

Core statements and plain rows, not ORM sessions and instances: the rows are mapped to
entities anyway, and skipping the ORM's identity map and unit of work halves the cost of a
query (measured: 455 -> 222 microseconds for the authentication query on PostgreSQL).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import cache
from itertools import islice
from typing import Any

from attrs import evolve
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Select,
    and_,
    bindparam,
    cast,
    delete,
    func,
    insert,
    literal_column,
    or_,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from application.paging import Window
from application.ports import PostFilter
from domain.errors import Conflict
from domain.posts import Post
from domain.sessions import LoginSession, SessionHolder
from domain.times import in_utc
from domain.users import Role, User
from infrastructure.db.driver import all_rows, first_row, first_value, written_row
from infrastructure.db.mapping import (
    post_from_row,
    post_values,
    session_from_row,
    session_holder_from_row,
    session_values,
    user_from_row,
    user_values,
)
from infrastructure.db.models import (
    AuthorPostCountRow,
    Id,
    LoginAttemptRow,
    PostRow,
    PostTotalRow,
    RowCountRow,
    SessionRow,
    Timestamp,
    UserRow,
)

BATCH = 5000
users, posts, sessions = UserRow.__table__, PostRow.__table__, SessionRow.__table__
attempts, totals, author_counts = (
    LoginAttemptRow.__table__, PostTotalRow.__table__, AuthorPostCountRow.__table__,
)  # fmt: skip
row_counts = RowCountRow.__table__

# The hot statements are built once; SQLAlchemy caches their compiled form.
# The author's name by a scalar subquery, not a join: on PostgreSQL 15 the join was planned
# with a Memoize node whose hash table, sized for every author, cost more to set up than the
# whole page (a page of 20: 195 -> 65 us of server CPU).
AUTHOR_NAME = select(users.c.name).where(users.c.id == posts.c.author_id).scalar_subquery()
POSTS_WITH_AUTHOR = select(posts, AUTHOR_NAME.label("author_name"))
GET_POST = POSTS_WITH_AUTHOR.where(posts.c.id == bindparam("post_id"))
GET_USER = select(users).where(users.c.id == bindparam("user_id"))
GET_USER_BY_EMAIL = select(users).where(users.c.email == bindparam("email"))
SESSION_WITH_USER = (
    select(sessions, *(column.label(f"u_{column.name}") for column in users.c))
    .join(users, users.c.id == sessions.c.user_id)
    .where(sessions.c.id == bindparam("session_id"))
)
# Authenticating a request: the session's state and its user's, not both whole rows.
SESSION_HOLDER = (
    select(
        sessions.c.id,
        sessions.c.revoked_at,
        users.c.id.label("user_id"),
        users.c.name,
        users.c.role,
        users.c.is_active,
    )
    .join(users, users.c.id == sessions.c.user_id)
    .where(sessions.c.id == bindparam("session_id"))
)


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def like_pattern(text: str) -> str:
    """A case-insensitive substring pattern in which % and _ are plain characters."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains(*columns: Any) -> ColumnElement[bool]:
    """Any of the columns holds the `pattern` parameter (made by like_pattern)."""
    return or_(*(column.ilike(bindparam("pattern"), escape="\\") for column in columns))


def newest_first(stmt: Select[Any], table: Any, after: bool) -> Select[Any]:
    """Keyset on (created_at, id): a row comparison the index can seek to, at any depth."""
    if after:
        at = bindparam("after_created_at", type_=Timestamp)
        ident = bindparam("after_id", type_=Id)
        stmt = stmt.where(tuple_(table.c.created_at, table.c.id) < tuple_(at, ident))
    # LIMIT and OFFSET are written into the SQL, not bound: PostgreSQL keeps a generic plan
    # only for a statement whose cost it knows, so a bound LIMIT was planned again on every
    # execution (a page of 20: 105 -> 65 us of server CPU).
    return (
        stmt.order_by(table.c.created_at.desc(), table.c.id.desc())
        .offset(bindparam("offset", type_=Id, literal_execute=True))
        .limit(bindparam("limit", type_=Id, literal_execute=True))
    )


def window_values(window: Window) -> dict[str, Any]:
    values: dict[str, Any] = {"offset": window.offset, "limit": window.limit}
    if window.after is not None:
        values.update(after_created_at=window.after.created_at, after_id=window.after.id)
    return values


# Lists are built once per shape (filters given, cursor or not), not per request: a statement
# object SQLAlchemy has seen before skips building, cache-key generation and adapting the
# cached result metadata to a new object (about a third of a list request's CPU, measured).
@cache
def user_page(searching: bool, after: bool) -> Select[Any]:
    stmt = select(users)
    if searching:
        stmt = stmt.where(contains(users.c.name, users.c.email))
    return newest_first(stmt, users, after)


USER_COUNT = select(row_counts.c.rows).where(row_counts.c.name == "users")
USER_SEARCH_COUNT = (
    select(func.count()).select_from(users).where(contains(users.c.name, users.c.email))
)


def post_filter(published: bool, by_author: bool, searching: bool) -> list[ColumnElement[bool]]:
    conditions = [posts.c.published.is_(published)]
    if by_author:
        conditions.append(posts.c.author_id == bindparam("author_id"))
    if searching:
        conditions.append(contains(posts.c.title, posts.c.content))
    return conditions


@cache
def post_page(published: bool, by_author: bool, searching: bool, after: bool) -> Select[Any]:
    stmt = POSTS_WITH_AUTHOR.where(*post_filter(published, by_author, searching))
    return newest_first(stmt, posts, after)


@cache
def post_search_count(published: bool, by_author: bool) -> Select[Any]:
    conditions = post_filter(published, by_author, searching=True)
    return select(func.count()).select_from(posts).where(*conditions)


# Post counters are split into slots. Each write adds to its connection's slot, so concurrent
# writers lock different rows: on one row they queued, each holding it until its COMMIT was
# flushed (pgbench, 8 clients writing a post and its counters: 2,650 transactions a second
# with one row, 5,750 with 16 slots, 6,400 with no counters at all). A count sums the slots.
COUNTER_SLOTS = 16


def counter_slot(dialect: str) -> ColumnElement[Any]:
    """The slot of the writing connection: its server process's on PostgreSQL.

    A connection never contends with itself, and connections opened together get
    consecutive process ids, hence different slots (a random slot per write collided more:
    5,000 a second in the same test). SQLite has a single writer: one slot is enough.
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
INSERT_USER = insert(users).returning(users.c.id)
INSERT_POST = insert(posts).returning(posts.c.id)


def _counted_post_insert() -> Select[Any]:
    """PostgreSQL: a post and both its counters in one statement, one round trip, not three.

    Data-modifying CTEs, each fed by the one before, which fixes the order of the locks: the
    author's row first (KEY SHARE, as the foreign key takes it, but the foreign key is checked
    only at the end of the statement), then the total, then the author's counter. The order
    every writer keeps: whoever holds the author's row (a deletion, a password change) makes
    this wait before it holds any counter. No row when the author is gone. Both counters
    are in the connection's slot.
    """
    author = (
        select(users.c.id)
        .where(users.c.id == bindparam("author_id"))
        .with_for_update(read=True, key_share=True)
        .cte("author")
    )
    columns = [column for column in posts.c if column.name not in ("id", "author_id")]
    row = select(author.c.id, *(bindparam(c.name, type_=c.type) for c in columns))
    returned = (posts.c.id, posts.c.author_id, posts.c.published)
    names = ["author_id", *(c.name for c in columns)]
    new = insert(posts).from_select(names, row).returning(*returned).cte("new_post")
    slot = counter_slot("postgresql")
    total = _add_one(totals, [new.c.published], select(new.c.published, slot, ONE))
    total_cte = total.returning(totals.c.published).cte("counted_total")
    source = select(new.c.author_id, new.c.published, slot, ONE).select_from(
        new.join(total_cte, true())
    )
    author_count = _add_one(author_counts, [new.c.author_id, new.c.published], source)
    return select(new.c.id).add_cte(author_count.cte("counted_author"))


def _add_one(table: Any, keys: list[Any], source: Select[Any]) -> Any:
    """INSERT ... SELECT adding each selected row's last column to the counter with its keys
    and slot (the column before it)."""
    names = [key.name for key in keys] + ["slot"]
    upsert = postgresql.insert(table).from_select([*names, "posts"], source)
    return upsert.on_conflict_do_update(
        index_elements=names, set_={"posts": table.c.posts + upsert.excluded.posts}
    )


ONE = literal_column("1")
COUNTED_POST_INSERT = _counted_post_insert()
# Before an edit or a removal moves a post's counters, its author's row is taken KEY SHARE, as
# a new post takes it: a deletion of the author (which holds that row FOR UPDATE, then reads
# their counts) and the change then run one after the other. Otherwise the change's counter
# upsert into a slot with no row for the author yet would wait on the deletion (the foreign
# key's check) while the deletion's cascade waits on the post: a deadlock; or the deletion
# would count a change not yet committed, leaving the totals off by one.
LOCK_AUTHOR = (
    select(users.c.id)
    .where(users.c.id == bindparam("author_id"))
    .with_for_update(read=True, key_share=True)
)
LOCK_POST_AUTHOR = (
    select(users.c.id)
    .join_from(posts, users, posts.c.author_id == users.c.id)
    .where(posts.c.id == bindparam("post_id"))
    .with_for_update(read=True, key_share=True, of=users)
)


def filter_values(filters: PostFilter) -> dict[str, Any]:
    values: dict[str, Any] = {"published": filters.published}
    if filters.author_id is not None:
        values["author_id"] = filters.author_id
    if filters.search:
        values["pattern"] = like_pattern(filters.search)
    return values


class SqlUserRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, user: User) -> User:
        new_id = self._connection.execute(INSERT_USER, user_values(user)).scalar_one()
        stored = evolve(user, id=new_id)
        count_users(self._connection, 1)
        return stored

    def add_many(self, new: Iterable[User]) -> list[int]:
        ids: list[int] = []
        stmt = insert(users).returning(users.c.id, sort_by_parameter_order=True)
        for chunk in batched(new, BATCH):
            ids += self._connection.execute(stmt, [user_values(u) for u in chunk]).scalars()
        count_users(self._connection, len(ids))
        return ids

    def get(self, user_id: int, *, lock: bool = False) -> User | None:
        stmt = GET_USER.with_for_update() if lock else GET_USER
        return self._one(self._connection.execute(stmt, {"user_id": user_id}))

    def get_by_email(self, email: str, *, lock: bool = False) -> User | None:
        stmt = GET_USER_BY_EMAIL.with_for_update() if lock else GET_USER_BY_EMAIL
        return self._one(self._connection.execute(stmt, {"email": email}))

    def save(self, user: User) -> None:
        stmt = update(users).where(users.c.id == user.id).values(**user_values(user))
        self._connection.execute(stmt)

    def remove(self, user_id: int) -> None:
        # Posts, sessions and per-author counts go by ON DELETE CASCADE; the totals by hand.
        # The user's row is locked first: a post being written by them (which holds the row
        # KEY SHARE) is committed and counted before the counts are read, and none starts.
        found = self._connection.execute(GET_USER.with_for_update(), {"user_id": user_id}).first()
        if found is None:
            return
        count_users(self._connection, -1)  # the row is locked: the delete below will find it
        stmt = (
            select(author_counts.c.published, summed(author_counts.c.posts))
            .where(author_counts.c.author_id == user_id)
            .group_by(author_counts.c.published)
        )
        gone = Counter(
            {(user_id, published): -n for published, n in self._connection.execute(stmt)}
        )
        adjust_post_counts(self._connection, gone)
        self._connection.execute(delete(users).where(users.c.id == user_id))

    def lock_active_admin_ids(self) -> list[int]:
        stmt = (
            select(users.c.id)
            .where(users.c.role == Role.ADMIN.value, users.c.is_active.is_(True))
            .order_by(users.c.id)
            .with_for_update()
        )
        return list(self._connection.execute(stmt).scalars())

    def find(self, search: str | None, window: Window) -> list[User]:
        values = window_values(window)
        if search:
            values["pattern"] = like_pattern(search)
        stmt = user_page(bool(search), window.after is not None)
        return [user_from_row(row) for row in all_rows(self._connection, stmt, values)]

    def count(self, search: str | None) -> int:
        """A counter lookup unless there is a search, which must really count."""
        if not search:
            return first_value(self._connection, USER_COUNT, {}) or 0
        values = {"pattern": like_pattern(search)}
        return int(first_value(self._connection, USER_SEARCH_COUNT, values))

    @staticmethod
    def _one(result: Any) -> User | None:
        row = result.mappings().first()
        return None if row is None else user_from_row(row)


class SqlPostRepository:
    def __init__(self, connection: Connection, *, standalone_add: bool = False) -> None:
        """`standalone_add`: the first `add` may run alone in autocommit (a single-write unit
        of work's); any later write needs a transaction, which such a unit does not have."""
        self._connection = connection
        self._standalone_add = standalone_add

    def add(self, post: Post) -> Post:
        if self._connection.dialect.name == "postgresql":
            standalone, self._standalone_add = self._standalone_add, False
            values = post_values(post)
            row = written_row(self._connection, COUNTED_POST_INSERT, values, standalone=standalone)
            if row is None:  # the author was deleted meanwhile
                raise Conflict()
            return evolve(post, id=row["id"])
        # SQLite has no INSERT inside WITH: the post, then its counters.
        new_id = self._connection.execute(INSERT_POST, post_values(post)).scalar_one()
        stored = evolve(post, id=new_id)
        adjust_post_counts(self._connection, Counter({(post.author.id, post.published): 1}))
        return stored

    def add_many(self, new: Iterable[Post]) -> None:
        for chunk in batched(new, BATCH):
            self._connection.execute(insert(posts), [post_values(p) for p in chunk])
            adjust_post_counts(self._connection, Counter((p.author.id, p.published) for p in chunk))

    def get(self, post_id: int) -> Post | None:
        row = first_row(self._connection, GET_POST, {"post_id": post_id})
        return None if row is None else post_from_row(row)

    def update(self, post: Post, previous: Post) -> bool:
        moves = post.published != previous.published  # from one counter to the other
        if moves:
            self._connection.execute(LOCK_AUTHOR, {"author_id": post.author.id})
        stmt = (
            update(posts)
            .where(posts.c.id == post.id, posts.c.version == previous.version)
            .values(**post_values(post))
        )
        if self._connection.execute(stmt).rowcount != 1:
            return False
        if moves:
            author = post.author.id
            moved = Counter({(author, post.published): 1, (author, previous.published): -1})
            adjust_post_counts(self._connection, moved)
        return True

    def remove(self, post_id: int) -> None:
        self._connection.execute(LOCK_POST_AUTHOR, {"post_id": post_id})
        stmt = delete(posts).where(posts.c.id == post_id)
        gone = self._connection.execute(stmt.returning(posts.c.author_id, posts.c.published))
        adjust_post_counts(self._connection, Counter({(a, p): -1 for a, p in gone}))

    def find(self, filters: PostFilter, window: Window) -> list[Post]:
        stmt = post_page(*self._shape(filters), window.after is not None)
        values = {**filter_values(filters), **window_values(window)}
        return [post_from_row(row) for row in all_rows(self._connection, stmt, values)]

    def count(self, filters: PostFilter) -> int:
        """A counter lookup unless the filter has a search, which must really count."""
        if filters.search:
            stmt = post_search_count(filters.published, filters.author_id is not None)
        elif filters.author_id is None:
            stmt = POST_TOTAL
        else:
            stmt = AUTHOR_POST_TOTAL
        return first_value(self._connection, stmt, filter_values(filters)) or 0

    @staticmethod
    def _shape(filters: PostFilter) -> tuple[bool, bool, bool]:
        return filters.published, filters.author_id is not None, bool(filters.search)


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
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    upsert = dialect_insert(table)
    conflict = list(keys)
    if "slot" in table.c:
        upsert = upsert.values(slot=counter_slot(dialect)).inline()  # no RETURNING of it
        conflict.append("slot")
    return upsert.on_conflict_do_update(
        index_elements=conflict, set_={value: table.c[value] + upsert.excluded[value]}
    )


class SqlSessionRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, session: LoginSession) -> None:
        self._connection.execute(insert(sessions).values(**session_values(session)))

    def get_with_user(self, session_id: str) -> tuple[LoginSession, User] | None:
        row = first_row(self._connection, SESSION_WITH_USER, {"session_id": session_id})
        return None if row is None else (session_from_row(row), user_from_row(row, "u_"))

    def get_holder(self, session_id: str) -> SessionHolder | None:
        row = first_row(self._connection, SESSION_HOLDER, {"session_id": session_id})
        return None if row is None else session_holder_from_row(row)

    def rotate(
        self, session_id: str, old_token_id: str, new_token_id: str, expires_at: datetime
    ) -> bool:
        stmt = (
            update(sessions)
            .where(
                sessions.c.id == session_id,
                sessions.c.refresh_token_id == old_token_id,
                sessions.c.revoked_at.is_(None),
            )
            .values(refresh_token_id=new_token_id, expires_at=expires_at)
        )
        return self._connection.execute(stmt).rowcount == 1

    def revoke(self, session_id: str, now: datetime) -> None:
        self._revoke(sessions.c.id == session_id, now)

    def remove_expired(self, user_id: int, now: datetime) -> None:
        stmt = delete(sessions).where(sessions.c.user_id == user_id, sessions.c.expires_at <= now)
        self._connection.execute(stmt)

    def revoke_all_for_user(self, user_id: int, now: datetime, keep: str | None = None) -> None:
        condition = sessions.c.user_id == user_id
        if keep is not None:
            condition = and_(condition, sessions.c.id != keep)
        self._revoke(condition, now)

    def _revoke(self, condition: ColumnElement[bool], now: datetime) -> None:
        stmt = update(sessions).where(condition, sessions.c.revoked_at.is_(None))
        self._connection.execute(stmt.values(revoked_at=now))


class SqlLoginAttemptRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def lock(self, email: str) -> None:
        # A transaction-scoped advisory lock on PostgreSQL. SQLite, the development database,
        # has no such lock: there a burst of logins may get a guess or two past the limit.
        if self._connection.dialect.name == "postgresql":
            key = func.hashtextextended(email, 0)
            self._connection.execute(select(func.pg_advisory_xact_lock(key)))

    def add_failure(self, email: str, at: datetime) -> None:
        self._connection.execute(insert(attempts).values(email=email, attempted_at=at))

    def failures_since(self, email: str, since: datetime) -> list[datetime]:
        stmt = (
            select(attempts.c.attempted_at)
            .where(attempts.c.email == email, attempts.c.attempted_at > since)
            .order_by(attempts.c.attempted_at)
        )
        return [in_utc(at) for at in self._connection.execute(stmt).scalars()]

    def clear(self, email: str) -> None:
        self._connection.execute(delete(attempts).where(attempts.c.email == email))

    def prune(self, before: datetime) -> None:
        self._connection.execute(delete(attempts).where(attempts.c.attempted_at < before))
