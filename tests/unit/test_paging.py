"""Paging: opaque cursors, page bounds, and where the next page starts."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone

import pytest
from attrs import frozen
from hypothesis import given
from hypothesis import strategies as st

from application.paging import (
    OFFSET_MAX,
    PER_PAGE_MAX,
    SEARCH_TOTAL_MAX,
    Cursor,
    Found,
    PageRequest,
    Window,
    paginate,
)
from domain.errors import InvalidInput
from tests.factories import T0


@frozen
class Item:
    id: int
    created_at: datetime


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def newest_first(count: int) -> list[Item]:
    return [Item(id=n, created_at=T0 - timedelta(minutes=n)) for n in range(1, count + 1)]


def finder(items: list[Item], *, with_total: bool = False):
    """A keyset/offset query over a list already in newest-first order; `with_total`: the
    read gives the list's length along with a page that has items, as a kept count does."""

    def find(window: Window) -> Found[Item]:
        rest = items
        if window.after is not None:
            mark = (window.after.created_at, window.after.id)
            rest = [i for i in items if (i.created_at, i.id) < mark]
        page = rest[window.offset : window.offset + window.limit]
        return Found(page, len(items) if with_total and page else None)

    return find


# --- Cursor ---------------------------------------------------------------------------------


def test_a_cursor_survives_encoding_and_decoding() -> None:
    cursor = Cursor(created_at=T0, id=42)
    assert Cursor.decode(cursor.encode()) == cursor


def test_a_cursor_keeps_microseconds() -> None:
    cursor = Cursor(created_at=T0.replace(microsecond=123456), id=7)
    assert Cursor.decode(cursor.encode()) == cursor


def test_a_cursor_from_another_timezone_decodes_to_the_same_instant_in_utc() -> None:
    elsewhere = T0.astimezone(timezone(timedelta(hours=5, minutes=30)))
    decoded = Cursor.decode(Cursor(created_at=elsewhere, id=3).encode())
    assert decoded.created_at == T0
    assert decoded.created_at.tzinfo == UTC


def test_an_encoded_cursor_is_url_safe_and_unpadded() -> None:
    token = Cursor(created_at=T0, id=2**62).encode()
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_a_cursor_points_right_after_an_item() -> None:
    assert Cursor.after(Item(id=5, created_at=T0)) == Cursor(created_at=T0, id=5)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not-a-cursor",
        "!!!!",
        "é",
        b64(b"2026-11-24T10:00:00+00:00"),
        b64(b"2026-11-24T10:00:00+00:00|"),
        b64(b"2026-11-24T10:00:00+00:00|abc"),
        b64(b"2026-11-24T10:00:00+00:00|-1"),
        b64(b"2026-11-24T10:00:00+00:00|0"),
        b64(b"2026-11-24T10:00:00+00:00|1.5"),
        b64(f"2026-11-24T10:00:00+00:00|{2**63}".encode()),
        b64(b"2026-11-24T10:00:00+00:00|\xc2\xb2"),
        b64(b"2026-11-24T10:00:00|5"),
        b64(b"yesterday|5"),
        b64(b"\xff\xfe\xfd|5"),
        b64(b"2026-11-24T10:00:00+00:00|" + b"9" * 200),
    ],
)
def test_a_forged_cursor_is_invalid_input_on_the_cursor_field(token: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        Cursor.decode(token)
    assert list(raised.value.errors) == ["cursor"]


# --- PageRequest ----------------------------------------------------------------------------


def test_a_page_request_defaults_to_the_first_page_of_20() -> None:
    request = PageRequest()
    assert (request.page, request.per_page, request.cursor) == (1, 20, None)


@pytest.mark.parametrize("page", [0, -1])
def test_a_page_below_1_is_refused(page: int) -> None:
    with pytest.raises(InvalidInput) as raised:
        PageRequest(page=page).window()
    assert list(raised.value.errors) == ["page"]


@pytest.mark.parametrize("asked", [PageRequest(offset=-1), PageRequest(offset=OFFSET_MAX + 1)])
def test_an_offset_out_of_range_is_refused_with_the_range_it_must_be_in(
    asked: PageRequest,
) -> None:
    with pytest.raises(InvalidInput) as raised:
        asked.window()
    assert raised.value.errors == {"offset": [f"Must be a whole number from 0 to {OFFSET_MAX}."]}


def test_a_page_as_large_as_asked_skips_at_most_what_the_database_takes() -> None:
    assert PageRequest(page=10**30, per_page=PER_PAGE_MAX).window().offset == OFFSET_MAX
    assert PageRequest(offset=OFFSET_MAX).window().offset == OFFSET_MAX


@pytest.mark.parametrize("per_page", [0, -5, 101])
def test_per_page_outside_1_to_100_is_refused(per_page: int) -> None:
    with pytest.raises(InvalidInput) as raised:
        PageRequest(per_page=per_page).window()
    assert list(raised.value.errors) == ["per_page"]


@pytest.mark.parametrize("per_page", [1, 100])
def test_per_page_of_1_to_100_is_accepted(per_page: int) -> None:
    assert PageRequest(per_page=per_page).window().limit == per_page + 1


def test_a_bad_page_and_a_bad_per_page_are_reported_together() -> None:
    with pytest.raises(InvalidInput) as raised:
        PageRequest(page=0, per_page=0).window()
    assert set(raised.value.errors) == {"page", "per_page"}


def test_a_page_request_reads_one_row_more_than_asked_from_the_pages_offset() -> None:
    window = PageRequest(page=3, per_page=10).window()
    assert window == Window(after=None, offset=20, limit=11)


def test_a_cursor_makes_the_page_number_meaningless() -> None:
    cursor = Cursor(created_at=T0, id=4)
    window = PageRequest(page=7, per_page=10, cursor=cursor.encode()).window()
    assert window == Window(after=cursor, offset=0, limit=11)


def test_a_page_request_with_a_forged_cursor_is_refused() -> None:
    with pytest.raises(InvalidInput) as raised:
        PageRequest(cursor="forged").window()
    assert list(raised.value.errors) == ["cursor"]


# --- paginate -------------------------------------------------------------------------------


def test_a_page_with_more_items_after_it_has_a_cursor_to_its_last_item() -> None:
    items = newest_first(5)
    page = paginate(PageRequest(per_page=2), finder(items), lambda _: 5)
    assert page.items == items[:2]
    assert page.next_cursor == Cursor.after(items[1]).encode()


def test_the_last_page_has_no_next_cursor() -> None:
    items = newest_first(4)
    page = paginate(PageRequest(page=2, per_page=2), finder(items), lambda _: 4)
    assert (page.items, page.next_cursor) == (items[2:], None)


def test_a_page_exactly_as_long_as_the_rest_has_no_next_cursor() -> None:
    items = newest_first(3)
    page = paginate(PageRequest(per_page=3), finder(items), lambda _: 3)
    assert (len(page.items), page.next_cursor) == (3, None)


def test_a_page_past_the_end_is_empty_but_keeps_the_total() -> None:
    page = paginate(PageRequest(page=9, per_page=2), finder(newest_first(3)), lambda _: 3)
    assert (page.items, page.total, page.page, page.next_cursor) == ([], 3, 9, None)


def test_pages_counts_the_pages_the_total_fills() -> None:
    page = paginate(PageRequest(per_page=2), finder(newest_first(5)), lambda _: 5)
    assert (page.total, page.per_page, page.pages) == (5, 2, 3)


def test_an_empty_list_is_one_page_of_nothing_with_zero_pages() -> None:
    page = paginate(PageRequest(), finder([]), lambda _: 0)
    assert (page.items, page.total, page.pages, page.next_cursor) == ([], 0, 0, None)


def test_following_next_cursors_walks_every_item_once_in_order() -> None:
    items = newest_first(7)
    seen, cursor = [], None
    for _ in range(10):
        page = paginate(PageRequest(per_page=3, cursor=cursor), finder(items), lambda _: 7)
        seen += page.items
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == items


def test_a_page_reached_by_cursor_reports_page_1() -> None:
    items = newest_first(5)
    cursor = Cursor.after(items[1]).encode()
    page = paginate(PageRequest(page=4, per_page=2, cursor=cursor), finder(items), lambda _: 5)
    assert (page.page, page.items) == (1, items[2:4])


class Counted:
    """A `total` callable that remembers whether it was asked."""

    def __init__(self, total: int) -> None:
        self.total, self.asked = total, 0

    def __call__(self, at_most: int | None) -> int:
        self.asked += 1
        self.at_most = at_most
        return self.total if at_most is None else min(self.total, at_most)


@pytest.mark.parametrize(
    ("request_", "asked"),
    [
        (PageRequest(per_page=10), 0),  # the whole list fits: it says its own length
        (PageRequest(page=3, per_page=3), 0),  # the last page by number
        (PageRequest(per_page=2), 1),  # more after it
        (PageRequest(page=9, per_page=2), 1),  # past the end: nothing says where it ended
        (PageRequest(per_page=5, cursor=Cursor.after(newest_first(7)[1]).encode()), 1),
    ],
)
def test_the_list_is_counted_only_when_the_page_cannot_tell_its_length(
    request_: PageRequest, asked: int
) -> None:
    count = Counted(7)
    page = paginate(request_, finder(newest_first(7)), count)
    assert (page.total, count.asked) == (7, asked)


@pytest.mark.parametrize(
    "request_",
    [
        PageRequest(per_page=2),  # more after it
        PageRequest(per_page=5, cursor=Cursor.after(newest_first(7)[1]).encode()),
    ],
)
def test_a_total_read_with_the_page_is_used_and_nothing_is_counted(request_: PageRequest) -> None:
    count = Counted(99)
    page = paginate(request_, finder(newest_first(7), with_total=True), count)
    assert (page.total, count.asked) == (7, 0)


def test_a_page_past_the_end_reads_no_total_so_the_list_is_counted() -> None:
    count = Counted(7)
    page = paginate(
        PageRequest(page=9, per_page=2), finder(newest_first(7), with_total=True), count
    )
    assert (page.items, page.total, count.asked) == ([], 7, 1)


@given(size=st.integers(0, 40), per_page=st.integers(1, 12), page=st.integers(1, 8))
def test_the_total_is_the_lists_length_whichever_page_is_asked(
    size: int, per_page: int, page: int
) -> None:
    items = newest_first(size)
    got = paginate(PageRequest(page=page, per_page=per_page), finder(items), lambda _: size)
    assert got.total == size
    assert got.items == items[(page - 1) * per_page : page * per_page]


# --- A search's capped total ---------------------------------------------------------------


def test_a_search_matching_more_than_the_cap_says_its_total_is_a_lower_bound() -> None:
    count = Counted(SEARCH_TOTAL_MAX * 3)
    items = newest_first(30)
    page = paginate(PageRequest(per_page=20), finder(items), count, searching=True)
    assert (page.total, page.total_is_lower_bound, page.pages) == (SEARCH_TOTAL_MAX, True, 50)
    assert count.at_most == SEARCH_TOTAL_MAX + 1  # counting stops one past the cap


@pytest.mark.parametrize("matches", [SEARCH_TOTAL_MAX - 1, SEARCH_TOTAL_MAX])
def test_a_search_matching_up_to_the_cap_has_an_exact_total(matches: int) -> None:
    page = paginate(
        PageRequest(per_page=20), finder(newest_first(30)), Counted(matches), searching=True
    )
    assert (page.total, page.total_is_lower_bound) == (matches, False)


def test_a_search_page_ending_past_the_cap_still_reports_the_cap() -> None:
    items = newest_first(SEARCH_TOTAL_MAX + 5)
    page = paginate(PageRequest(page=51, per_page=20), finder(items), Counted(0), searching=True)
    assert (len(page.items), page.total, page.total_is_lower_bound) == (5, 1000, True)


def test_a_list_without_search_is_counted_exactly_however_long() -> None:
    count = Counted(SEARCH_TOTAL_MAX * 3)
    page = paginate(PageRequest(per_page=20), finder(newest_first(30)), count)
    assert (page.total, page.total_is_lower_bound, count.at_most) == (3000, False, None)
