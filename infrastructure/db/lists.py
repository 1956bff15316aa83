"""The SQL of every list: newest-first keyset pages, substring searches and capped counts."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    func,
    literal_column,
    not_,
    or_,
    select,
    tuple_,
    union_all,
)

from application.paging import SEARCH_COUNTED, Found, Window
from domain.text import lowered
from infrastructure.db.models import Id, Timestamp

EVERY_ROW = 2**62  # the `at_most` of a count with no bound
TOTAL = "total"  # the column of a page's rows that carries its list's kept count
T = TypeVar("T")


def like_pattern(text: str) -> str:
    """A case-insensitive substring pattern in which % and _ are plain characters."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# On PostgreSQL a search also asks for its longest words alone, before the whole text: GIN
# scans conditions in order, so a rare word first spares it stepping a common word's trigram
# lists for every candidate (docs/ARCHITECTURE.md). Two at most: each condition also lowers
# the planner's estimate of the matches.
SEARCH_WORDS = 2
MIN_WORD = 3  # a trigram index finds no trigram in a shorter word


def search_words(text: str) -> list[str]:
    """The longest words of `text`, longest first: none if it has one word only."""
    return list(_longest_words(text))


# A search's statement shape and its values both need its words, for the page and the count.
@lru_cache(maxsize=256)
def _longest_words(text: str) -> tuple[str, ...]:
    found: dict[str, str] = {}
    for word in re.split(r"[\W_]+", text):
        if len(word) >= MIN_WORD:
            found.setdefault(lowered(word), word)
    if len(found) < 2:
        return ()
    return tuple(sorted(found.values(), key=len, reverse=True)[:SEARCH_WORDS])


def search_values(text: str, word_count: int) -> dict[str, str]:
    """The parameters of `contains` and `folded_contains` for a search of `text`."""
    words = _longest_words(text)[:word_count]
    values = {f"word_{i}": like_pattern(word) for i, word in enumerate(words)}
    values["pattern"] = like_pattern(text)
    return values


def contains(*columns: Any, word_count: int = 0) -> ColumnElement[bool]:
    """Any of the columns holds the `pattern` parameter (and its first `word_count` words,
    asked first): the parameters of search_values."""
    patterns = _patterns(word_count)
    return or_(*(and_(*(column.ilike(p, escape="\\") for p in patterns)) for column in columns))


def folded_contains(*columns: Any, word_count: int = 0) -> ColumnElement[bool]:
    """As `contains`, on columns kept lowered: the patterns are lowered by the same function
    (what ILIKE does to both sides), so the rows' text is not lowered again on every read."""
    patterns = [func.lower(p) for p in _patterns(word_count)]
    return or_(*(and_(*(column.like(p, escape="\\") for p in patterns)) for column in columns))


def _patterns(word_count: int) -> list[Any]:
    return [*(bindparam(f"word_{i}") for i in range(word_count)), bindparam("pattern")]


def word_count(text: str, postgres: bool) -> int:
    """How many of the search's words its statement asks for alone: only PostgreSQL's trigram
    index gains by them (SQLite lowers a row's text again for every condition)."""
    return len(_longest_words(text)) if postgres else 0


def newest_first(stmt: Select[Any], table: Any, after: bool) -> Select[Any]:
    """Keyset on (created_at, id): a row comparison the index can seek to, at any depth."""
    return paged(ordered(stmt, table.c.created_at, table.c.id, after))


def ordered(stmt: Select[Any], created_at: Any, ident: Any, after: bool) -> Select[Any]:
    """Newest first on these columns (ties by id), after the cursor's row when `after`."""
    if after:
        at = bindparam("after_created_at", type_=Timestamp)
        last = bindparam("after_id", type_=Id)
        stmt = stmt.where(tuple_(created_at, ident) < tuple_(at, last))
    return stmt.order_by(created_at.desc(), ident.desc())


def paged(stmt: Select[Any], offset: str = "offset", limit: str = "limit") -> Select[Any]:
    # LIMIT and OFFSET are written into the SQL, not bound: PostgreSQL plans a statement
    # once only when it knows how many rows it returns.
    return stmt.offset(bindparam(offset, type_=Id, literal_execute=True)).limit(
        bindparam(limit, type_=Id, literal_execute=True)
    )


def searched_page(
    keys: Select[Any], created_at: Any, ident: Any, after: bool
) -> tuple[Select[Any], Any]:
    """A search's page, chosen from the matches it counts (SEARCH_COUNTED, newest first), and
    their count. `keys` selects the matches' `id` and `created_at`; `created_at` and `ident`
    are the columns they come from. For a page by number within those matches
    (Window.within_search_count).

    The matches are found alone (a materialized CTE), so PostgreSQL plans their search for a
    thousand rows, not the page's 21: it walks the newest-first index only when it expects a
    thousand matches soon, not whenever one of the column's histogram bounds holds a rare
    text (a guess of one row in a hundred). A page after a cursor is taken from the matches
    when they are all of them, else (a common text) by the walk after the cursor.
    """
    matches = (
        ordered(keys, created_at, ident, False)
        .limit(SEARCH_COUNTED)
        .cte("matches")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    counted = select(func.count().label("n")).select_from(matches).cte("counted")
    count = select(counted.c.n).scalar_subquery()  # counted once, however often it is read
    held = select(matches.c.id, matches.c.created_at)
    if not after:
        return paged(ordered(held, matches.c.created_at, matches.c.id, False)), count
    all_held = count < SEARCH_COUNTED
    from_held = ordered(held.where(all_held), matches.c.created_at, matches.c.id, True)
    walked = paged(ordered(keys.where(not_(all_held)), created_at, ident, True))
    either = union_all(
        select(from_held.subquery("held")), select(walked.subquery("walked"))
    ).subquery("either")
    return paged(ordered(select(either), either.c.created_at, either.c.id, False)), count


def window_values(window: Window) -> dict[str, Any]:
    values: dict[str, Any] = {"offset": window.offset, "limit": window.limit}
    if window.after is not None:
        values.update(after_created_at=window.after.created_at, after_id=window.after.id)
    return values


def counted(
    table: Any, *conditions: ColumnElement[bool], newest_keys: Sequence[Any] = ()
) -> Select[Any]:
    """How many rows match, counting no further than the `at_most` parameter: a search that
    matches half of a large table costs no more to count than one that matches little.

    `newest_keys`: an index's keys to walk newest first, through the pages every list keeps
    in PostgreSQL's buffers; a large table's sequential scan reads through a small ring."""
    matches = select(literal_column("1")).select_from(table).where(*conditions)
    matches = matches.order_by(*(key.desc() for key in newest_keys))
    limited = matches.limit(bindparam("at_most", type_=Id)).subquery("matches")
    return select(func.count()).select_from(limited)


def with_total(stmt: Select[Any], total: Any) -> Select[Any]:
    """The page with its list's kept count (a scalar subquery, read once) on every row: the
    total costs no statement of its own."""
    return stmt.add_columns(total.label(TOTAL))


def found(rows: Sequence[Mapping[str, Any]], entity: Callable[[Any], T]) -> Found[T]:
    """The page's rows as entities, with the total they carry (`with_total`), if they do:
    none without a row (past the end) or for a list counted apart (favorites, a feed's search,
    a search's page by number past what it counts)."""
    total = int(rows[0][TOTAL] or 0) if rows and TOTAL in rows[0] else None  # NULL: no count yet
    return Found([entity(row) for row in rows], total)
