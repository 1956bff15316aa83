"""The user repository on a Core connection. It never commits: the unit of work does."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import cache
from typing import Any

from attrs import evolve
from sqlalchemy import Connection, Select, and_, bindparam, delete, func, insert, select, update

from application.paging import Found, Window
from domain.users import Role, User, username_key
from infrastructure.db.bulk import batched
from infrastructure.db.counters import (
    USER_TOTAL,
    adjust_post_counts,
    author_post_counts,
    count_users,
)
from infrastructure.db.driver_reads import one_row, one_value, read_rows
from infrastructure.db.engine import planned_for_its_values
from infrastructure.db.lists import (
    EVERY_ROW,
    contains,
    counted,
    found,
    newest_first,
    ordered,
    search_values,
    searched_page,
    window_values,
    with_total,
    word_count,
)
from infrastructure.db.mapping import user_from_row, user_values
from infrastructure.db.models import UserRow
from infrastructure.db.ties import FOLLOW_PARTNERS, uncount_tags, uncount_ties

users = UserRow.__table__

GET_USER = select(users).where(users.c.id == bindparam("user_id"))
GET_USER_BY_EMAIL = select(users).where(users.c.email == bindparam("email"))
# By the unique index on lower(username).
_key = func.lower(users.c.username)
GET_USER_BY_USERNAME = select(users).where(_key == bindparam("key"))
TAKEN_USERNAMES = select(_key).where(_key.in_(bindparam("keys", expanding=True)))
INSERT_USER = insert(users).returning(users.c.id)


# Built once per shape (a search's words asked alone, or None; cursor or not): SQLAlchemy's
# cache of compiled statements then also skips building and keying a new statement object.
@cache
def user_page(words: int | None, after: bool, within_count: bool = True) -> Select[Any]:
    """`within_count`: the page lies within the matches a search counts; past them (a page by
    number) it is walked and counted apart, as it reads all the matches before it anyway."""
    if words is None:
        return newest_first(with_total(select(users), USER_TOTAL.scalar_subquery()), users, after)
    matching = contains(users.c.name, users.c.email, word_count=words)
    if not within_count:
        return newest_first(select(users).where(matching), users, after)
    keys = select(users.c.id, users.c.created_at).where(matching)
    chosen, total = searched_page(keys, users.c.created_at, users.c.id, after)
    page = chosen.subquery("page")
    stmt = with_total(select(users).join(page, users.c.id == page.c.id), total)
    return ordered(stmt, page.c.created_at, page.c.id, False)


@cache
def user_search_count(words: int) -> Select[Any]:
    matching = contains(users.c.name, users.c.email, word_count=words)
    return counted(users, matching, newest_keys=(users.c.created_at, users.c.id))


class SqlUserRepository:
    def __init__(self, connection: Connection, *, on_driver: bool = False) -> None:
        """`on_driver`: in a read-only unit, reads run on the driver's cursor (driver_reads)."""
        self._connection = connection
        self._on_driver = on_driver
        self._postgres = connection.dialect.name == "postgresql"

    def add(self, user: User) -> User:
        new_id = self._connection.execute(INSERT_USER, user_values(user)).scalar_one()
        count_users(self._connection, 1)
        return evolve(user, id=new_id)

    def add_many(self, new: Iterable[User]) -> list[int]:
        ids: list[int] = []
        stmt = insert(users).returning(users.c.id, sort_by_parameter_order=True)
        for chunk in batched(new):
            ids += self._connection.execute(stmt, [user_values(u) for u in chunk]).scalars()
        count_users(self._connection, len(ids))
        return ids

    def get(self, user_id: int, *, lock: bool = False) -> User | None:
        stmt = GET_USER.with_for_update() if lock else GET_USER
        return self._one(stmt, {"user_id": user_id}, lock)

    def get_by_email(self, email: str, *, lock: bool = False) -> User | None:
        stmt = GET_USER_BY_EMAIL.with_for_update() if lock else GET_USER_BY_EMAIL
        return self._one(stmt, {"email": email}, lock)

    def get_by_username(self, username: str) -> User | None:
        return self._one(GET_USER_BY_USERNAME, {"key": username_key(username)}, False)

    def taken_usernames(self, keys: list[str]) -> set[str]:
        if not keys:
            return set()
        return set(self._connection.execute(TAKEN_USERNAMES, {"keys": keys}).scalars())

    def save(self, user: User) -> None:
        stmt = update(users).where(users.c.id == user.id).values(**user_values(user))
        self._connection.execute(stmt)

    def remove(self, user_id: int) -> None:
        # Posts, sessions, follows, favorites, comments and per-author counts go by ON DELETE
        # CASCADE; the counts kept elsewhere by hand. The user's row is locked first: a post,
        # follow, favorite or comment being written by them (which holds the row KEY SHARE, a
        # follow NO KEY UPDATE) is committed and counted before the counts are read, and none
        # starts.
        if self.get(user_id, lock=True) is None:
            return
        count_users(self._connection, -1)  # the row is locked: the delete below will find it
        uncount_ties(self._connection, user_id)
        gone = author_post_counts(self._connection, user_id)
        adjust_post_counts(self._connection, Counter({key: -n for key, n in gone.items()}))
        uncount_tags(self._connection, user_id)
        self._connection.execute(delete(users).where(users.c.id == user_id))

    def lock_active_admin_ids(
        self, with_user: int | None = None, *, with_ties: bool = False
    ) -> list[int]:
        admin = and_(users.c.role == Role.ADMIN.value, users.c.is_active.is_(True))
        wanted = admin
        if with_user is not None:
            wanted = wanted | (users.c.id == bindparam("user_id"))
            if with_ties:  # those whose counts a removal moves (ties.py)
                wanted = wanted | users.c.id.in_(FOLLOW_PARTNERS)
        # With the ties, NO KEY UPDATE: a partner's own writes (KEY SHARE of their row, by a
        # foreign key's check) go on; the removal then raises the user's own lock (remove).
        stmt = (
            select(users.c.id, admin.label("admin"))
            .where(wanted)
            .order_by(users.c.id)  # one order for every locker of users' rows
            .with_for_update(key_share=with_ties)
        )
        values = {} if with_user is None else {"user_id": with_user}
        found = self._connection.execute(stmt, values)
        return [user_id for user_id, is_admin in found if is_admin]

    def find(self, search: str | None, window: Window) -> Found[User]:
        values = window_values(window)
        words = word_count(search, self._postgres) if search else None
        stmt = user_page(words, window.after is not None, window.within_search_count)
        if search:
            values.update(search_values(search, words or 0))
        with planned_for_its_values(self._connection, when=bool(search)):
            rows = read_rows(self._connection, stmt, values, on_driver=self._on_driver)
        return found(rows, user_from_row)

    def count(self, search: str | None, at_most: int | None = None) -> int:
        """The kept total unless there is a search, which counts its matches up to `at_most`."""
        stmt, values = USER_TOTAL, {}
        if search:
            words = word_count(search, self._postgres)
            stmt = user_search_count(words)
            values = {**search_values(search, words), "at_most": at_most or EVERY_ROW}
        with planned_for_its_values(self._connection, when=bool(search)):
            total = int(one_value(self._connection, stmt, values, on_driver=self._on_driver) or 0)
        return total if at_most is None else min(total, at_most)

    def _one(self, stmt: Select[Any], values: dict[str, Any], lock: bool) -> User | None:
        row = one_row(self._connection, stmt, values, on_driver=self._on_driver and not lock)
        return None if row is None else user_from_row(row)
