"""SQLAlchemy repositories. They take a session and never commit: the unit of work does."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from application.paging import Window
from application.ports import PostFilter
from domain.posts import Post
from domain.sessions import LoginSession
from domain.users import Role, User
from infrastructure.db.mapping import (
    post_from_row,
    post_values,
    session_from_row,
    session_values,
    user_from_row,
    user_values,
    utc,
)
from infrastructure.db.models import (
    AuthorPostCountRow,
    Id,
    LoginAttemptRow,
    PostRow,
    PostTotalRow,
    SessionRow,
    Timestamp,
    UserRow,
)

BATCH = 5000


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def contains(column: Any, text: str) -> ColumnElement[bool]:
    """Case-insensitive substring in which % and _ are plain characters."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def newest_first(stmt: Select[Any], model: Any, window: Window) -> Select[Any]:
    """Keyset on (created_at, id): a row comparison the index can seek to, at any depth."""
    if window.after is not None:
        at = bindparam("after_created_at", window.after.created_at, type_=Timestamp)
        ident = bindparam("after_id", window.after.id, type_=Id)
        stmt = stmt.where(tuple_(model.created_at, model.id) < tuple_(at, ident))
    return (
        stmt.order_by(model.created_at.desc(), model.id.desc())
        .offset(window.offset)
        .limit(window.limit)
    )


class SqlUserRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, user: User) -> User:
        row = UserRow(**user_values(user))
        self._session.add(row)
        self._session.flush()
        return user_from_row(row)

    def add_many(self, users: Iterable[User]) -> list[int]:
        ids: list[int] = []
        stmt = insert(UserRow).returning(UserRow.id, sort_by_parameter_order=True)
        for chunk in batched(users, BATCH):
            ids += self._session.scalars(stmt, [user_values(u) for u in chunk]).all()
        return ids

    def get(self, user_id: int) -> User | None:
        row = self._session.get(UserRow, user_id)
        return None if row is None else user_from_row(row)

    def get_by_email(self, email: str) -> User | None:
        row = self._session.scalars(select(UserRow).where(UserRow.email == email)).first()
        return None if row is None else user_from_row(row)

    def save(self, user: User) -> None:
        self._session.execute(
            update(UserRow).where(UserRow.id == user.id).values(**user_values(user))
        )

    def remove(self, user_id: int) -> None:
        # Posts, sessions and per-author counts go by ON DELETE CASCADE; the totals by hand.
        counts = self._session.execute(
            select(AuthorPostCountRow.published, AuthorPostCountRow.posts).where(
                AuthorPostCountRow.author_id == user_id
            )
        ).all()
        totals = Counter({(user_id, published): -posts for published, posts in counts})
        adjust_post_counts(self._session, totals)
        self._session.execute(delete(UserRow).where(UserRow.id == user_id))

    def lock_active_admin_ids(self) -> list[int]:
        stmt = (
            select(UserRow.id)
            .where(UserRow.role == Role.ADMIN.value, UserRow.is_active.is_(True))
            .order_by(UserRow.id)
            .with_for_update()
        )
        return list(self._session.scalars(stmt))

    def find(self, search: str | None, window: Window) -> list[User]:
        stmt = newest_first(self._filtered(select(UserRow), search), UserRow, window)
        return [user_from_row(row) for row in self._session.scalars(stmt)]

    def count(self, search: str | None) -> int:
        return self._session.scalar(self._filtered(select(func.count(UserRow.id)), search)) or 0

    @staticmethod
    def _filtered(stmt: Select[Any], search: str | None) -> Select[Any]:
        if search:
            stmt = stmt.where(or_(contains(UserRow.name, search), contains(UserRow.email, search)))
        return stmt


class SqlPostRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, post: Post) -> Post:
        row = PostRow(**post_values(post))
        self._session.add(row)
        self._session.flush()
        adjust_post_counts(self._session, Counter({(post.author.id, post.published): 1}))
        return post_from_row(row, post.author.name)

    def add_many(self, posts: Iterable[Post]) -> None:
        for chunk in batched(posts, BATCH):
            self._session.execute(insert(PostRow), [post_values(p) for p in chunk])
            adjust_post_counts(self._session, Counter((p.author.id, p.published) for p in chunk))

    def get(self, post_id: int) -> Post | None:
        stmt = self._with_author().where(PostRow.id == post_id)
        found = self._session.execute(stmt).first()
        return None if found is None else post_from_row(found[0], found[1])

    def update(self, post: Post, previous: Post) -> bool:
        stmt = (
            update(PostRow)
            .where(PostRow.id == post.id, PostRow.version == previous.version)
            .values(**post_values(post))
        )
        if self._session.execute(stmt).rowcount != 1:  # type: ignore[attr-defined]
            return False
        if post.published != previous.published:
            author = post.author.id
            moved = Counter({(author, post.published): 1, (author, previous.published): -1})
            adjust_post_counts(self._session, moved)
        return True

    def remove(self, post_id: int) -> None:
        stmt = delete(PostRow).where(PostRow.id == post_id)
        gone = self._session.execute(stmt.returning(PostRow.author_id, PostRow.published)).all()
        adjust_post_counts(self._session, Counter({(a, p): -1 for a, p in gone}))

    def find(self, filters: PostFilter, window: Window) -> list[Post]:
        stmt = newest_first(self._filtered(self._with_author(), filters), PostRow, window)
        return [post_from_row(row, name) for row, name in self._session.execute(stmt)]

    def count(self, filters: PostFilter) -> int:
        """A counter lookup unless the filter has a search, which must really count."""
        if filters.search:
            stmt = self._filtered(select(func.count(PostRow.id)), filters)
        elif filters.author_id is None:
            stmt = select(PostTotalRow.posts).where(PostTotalRow.published == filters.published)
        else:
            stmt = select(AuthorPostCountRow.posts).where(
                AuthorPostCountRow.author_id == filters.author_id,
                AuthorPostCountRow.published == filters.published,
            )
        return self._session.scalar(stmt) or 0

    @staticmethod
    def _with_author() -> Select[Any]:
        return select(PostRow, UserRow.name).join(UserRow, UserRow.id == PostRow.author_id)

    @staticmethod
    def _filtered(stmt: Select[Any], filters: PostFilter) -> Select[Any]:
        stmt = stmt.where(PostRow.published.is_(filters.published))
        if filters.author_id is not None:
            stmt = stmt.where(PostRow.author_id == filters.author_id)
        if filters.search:
            text = filters.search
            stmt = stmt.where(or_(contains(PostRow.title, text), contains(PostRow.content, text)))
        return stmt


def adjust_post_counts(session: Session, deltas: Counter[tuple[int, bool]]) -> None:
    """Move the counters in one fixed order (totals, then authors) so writers never deadlock."""
    totals: Counter[bool] = Counter()
    for (_, published), delta in deltas.items():
        totals[published] += delta
    _add_to(
        session,
        PostTotalRow,
        ["published"],
        [{"published": p, "posts": d} for p, d in sorted(totals.items()) if d],
    )
    _add_to(
        session,
        AuthorPostCountRow,
        ["author_id", "published"],
        [{"author_id": a, "published": p, "posts": d} for (a, p), d in sorted(deltas.items()) if d],
    )


def _add_to(session: Session, table: Any, keys: list[str], rows: list[dict[str, Any]]) -> None:
    """Upsert: add each row's `posts` to the counter with its key, creating it if missing."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    stmt = upsert.on_conflict_do_update(
        index_elements=keys, set_={"posts": table.posts + upsert.excluded.posts}
    )
    session.execute(stmt, rows)


class SqlSessionRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, session: LoginSession) -> None:
        self._session.execute(insert(SessionRow).values(**session_values(session)))

    def get_with_user(self, session_id: str) -> tuple[LoginSession, User] | None:
        stmt = (
            select(SessionRow, UserRow)
            .join(UserRow, UserRow.id == SessionRow.user_id)
            .where(SessionRow.id == session_id)
        )
        found = self._session.execute(stmt).first()
        return None if found is None else (session_from_row(found[0]), user_from_row(found[1]))

    def rotate(
        self, session_id: str, old_token_id: str, new_token_id: str, expires_at: datetime
    ) -> bool:
        stmt = (
            update(SessionRow)
            .where(
                SessionRow.id == session_id,
                SessionRow.refresh_token_id == old_token_id,
                SessionRow.revoked_at.is_(None),
            )
            .values(refresh_token_id=new_token_id, expires_at=expires_at)
        )
        return self._session.execute(stmt).rowcount == 1  # type: ignore[attr-defined]

    def revoke(self, session_id: str, now: datetime) -> None:
        self._revoke(SessionRow.id == session_id, now)

    def revoke_all_for_user(self, user_id: int, now: datetime, keep: str | None = None) -> None:
        condition = SessionRow.user_id == user_id
        if keep is not None:
            condition = and_(condition, SessionRow.id != keep)
        self._revoke(condition, now)

    def _revoke(self, condition: ColumnElement[bool], now: datetime) -> None:
        self._session.execute(
            update(SessionRow)
            .where(condition, SessionRow.revoked_at.is_(None))
            .values(revoked_at=now)
        )


class SqlLoginAttemptRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def lock(self, email: str) -> None:
        # A transaction-scoped advisory lock on PostgreSQL. SQLite, the development database,
        # has no such lock: there a burst of logins may get a guess or two past the limit.
        if self._session.get_bind().dialect.name == "postgresql":
            key = func.hashtextextended(email, 0)
            self._session.execute(select(func.pg_advisory_xact_lock(key)))

    def add_failure(self, email: str, at: datetime) -> None:
        self._session.execute(insert(LoginAttemptRow).values(email=email, attempted_at=at))

    def failures_since(self, email: str, since: datetime) -> list[datetime]:
        stmt = (
            select(LoginAttemptRow.attempted_at)
            .where(LoginAttemptRow.email == email, LoginAttemptRow.attempted_at > since)
            .order_by(LoginAttemptRow.attempted_at)
        )
        return [utc(at) for at in self._session.scalars(stmt)]

    def clear(self, email: str) -> None:
        self._session.execute(delete(LoginAttemptRow).where(LoginAttemptRow.email == email))

    def prune(self, before: datetime) -> None:
        self._session.execute(delete(LoginAttemptRow).where(LoginAttemptRow.attempted_at < before))
