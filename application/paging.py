"""Offset and keyset pagination shared by every list use case."""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Generic, Protocol, TypeVar

from attrs import frozen

from domain.errors import InvalidInput
from domain.ids import ID_MAX

PER_PAGE_DEFAULT, PER_PAGE_MAX = 20, 100
SEARCH_TOTAL_MAX = 1000  # a search counts its matches this far, and says when there are more
SEARCH_COUNTED = SEARCH_TOTAL_MAX + 1  # the matches a search counts: one past the cap says more
# The most items skipped that the database takes (64 bits, with a page's 101 rows after them).
# A page number has no bound: one past any list's end is empty, as every page past the end.
OFFSET_MAX = ID_MAX // PER_PAGE_MAX * PER_PAGE_MAX
CURSOR_MAX = 200  # characters: longer than any cursor this API issues
_BASE64URL = re.compile(rf"[A-Za-z0-9_-]{{1,{CURSOR_MAX}}}")
NOT_A_CURSOR = "Not a cursor this API issued."


class Listed(Protocol):
    @property
    def id(self) -> int | None: ...

    @property
    def created_at(self) -> datetime: ...


T = TypeVar("T", bound="Listed")


@frozen(kw_only=True)
class Cursor:
    """The position right after an item in newest-first order."""

    created_at: datetime
    id: int

    def encode(self) -> str:
        raw = f"{self.created_at.isoformat()}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        if not _BASE64URL.fullmatch(token):
            raise InvalidInput.on("cursor", NOT_A_CURSOR)
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            stamp, _, ident = raw.partition("|")
            created_at = datetime.fromisoformat(stamp)
            if not ident.isdigit() or created_at.tzinfo is None:
                raise ValueError(raw)
            cursor = cls(created_at=created_at.astimezone(UTC), id=int(ident))
        except (ValueError, UnicodeDecodeError, binascii.Error, OverflowError):
            raise InvalidInput.on("cursor", NOT_A_CURSOR) from None
        if not 0 < cursor.id <= ID_MAX:
            raise InvalidInput.on("cursor", NOT_A_CURSOR)
        return cursor

    @classmethod
    def after(cls, item: Listed) -> Cursor:
        assert item.id is not None
        return cls(created_at=item.created_at, id=item.id)


@frozen(kw_only=True)
class PageRequest:
    """By page number, by cursor, or (for an API that pages so, as RealWorld does) by the
    number of items to skip: `offset`, which makes `page` meaningless."""

    page: int = 1
    per_page: int = PER_PAGE_DEFAULT
    cursor: str | None = None
    offset: int | None = None

    def window(self) -> Window:
        errors: dict[str, list[str]] = {}
        if self.page < 1:
            errors["page"] = ["Must be a whole number from 1."]
        if not 1 <= self.per_page <= PER_PAGE_MAX:
            errors["per_page"] = [f"Must be a whole number from 1 to {PER_PAGE_MAX}."]
        if self.offset is not None and not 0 <= self.offset <= OFFSET_MAX:
            errors["offset"] = [f"Must be a whole number from 0 to {OFFSET_MAX}."]
        if errors:
            raise InvalidInput(errors)
        after = Cursor.decode(self.cursor) if self.cursor is not None else None
        offset = 0 if after else min((self.page - 1) * self.per_page, OFFSET_MAX)
        if self.offset is not None and not after:
            offset = self.offset
        # One more row than asked tells whether a next page exists without another query.
        return Window(after=after, offset=offset, limit=self.per_page + 1)


@frozen(kw_only=True)
class Window:
    after: Cursor | None
    offset: int
    limit: int

    @property
    def within_search_count(self) -> bool:
        """The window lies within the matches a search counts (SEARCH_COUNTED): a search's
        page can be chosen from them, and come with their count (every page by cursor)."""
        return self.offset + self.limit <= SEARCH_COUNTED


@frozen
class Found(Generic[T]):
    """A window's items, and the whole list's length when the read found it with them (a
    kept count read in the page's own statement, or a search's matches counted up to
    SEARCH_COUNTED); None leaves the counting to `paginate`."""

    items: list[T]
    total: int | None = None


@frozen(kw_only=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int
    next_cursor: str | None
    total_is_lower_bound: bool = False  # more than `total` match: a search's count was capped

    @property
    def pages(self) -> int:
        return math.ceil(self.total / self.per_page)


def paginate(
    request: PageRequest,
    find: Callable[[Window], Found[T]],
    count: Callable[[int | None], int],
    *,
    searching: bool = False,
) -> Page[T]:
    """`count(at_most)` is asked only when neither the page nor its read tells the total.

    A page by number that ends the list says how long the list is: its offset plus its items
    (a search matching a handful of rows is never counted twice). Not after a cursor, whose
    place in the list is unknown, nor past the end, where no row says where the list ended.
    A search's total stops at SEARCH_TOTAL_MAX, so a search matching most of a large table
    costs no more to count than one matching little.
    """
    window = request.window()
    found = find(window)
    rows = found.items
    items = rows[: request.per_page]
    more = len(rows) > request.per_page
    ends_here = window.after is None and not more and (items or window.offset == 0)
    cap = SEARCH_TOTAL_MAX if searching else None
    if ends_here:
        total = window.offset + len(items)
    elif found.total is not None:
        total = found.total
    else:
        total = count(SEARCH_COUNTED if searching else None)
    capped = cap is not None and total > cap
    return Page(
        items=items,
        total=SEARCH_TOTAL_MAX if capped else total,
        page=1 if window.after else request.page,
        per_page=request.per_page,
        next_cursor=Cursor.after(items[-1]).encode() if more and items else None,
        total_is_lower_bound=capped,
    )
