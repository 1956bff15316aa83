"""Paging by offset (RealWorld's `limit` and `offset`): any number of items skipped."""

from __future__ import annotations

import pytest

from application.paging import OFFSET_MAX, PageRequest, paginate
from domain.errors import InvalidInput
from tests.unit.test_paging import finder, newest_first


def _count(items: list[object]):
    return lambda _at_most: len(items)


@pytest.mark.parametrize(
    ("offset", "per_page", "ids"), [(0, 2, [1, 2]), (1, 2, [2, 3]), (3, 20, [4, 5])]
)
def test_an_offset_skips_that_many_items_whatever_the_page_size(
    offset: int, per_page: int, ids: list[int]
) -> None:
    items = newest_first(5)
    page = paginate(PageRequest(offset=offset, per_page=per_page), finder(items), _count(items))
    assert [item.id for item in page.items] == ids
    assert page.total == 5


def test_an_offset_takes_the_place_of_the_page_number() -> None:
    window = PageRequest(page=3, offset=1, per_page=10).window()
    assert window.offset == 1


def test_an_offset_past_the_end_gives_no_items_and_the_true_total() -> None:
    items = newest_first(3)
    page = paginate(PageRequest(offset=10, per_page=5), finder(items), _count(items))
    assert page.items == [] and page.total == 3


def test_the_total_of_a_last_page_by_offset_needs_no_count() -> None:
    items = newest_first(3)

    def refuse(_at_most: int | None) -> int:
        raise AssertionError("counted although the page ends the list")

    page = paginate(PageRequest(offset=1, per_page=5), finder(items), refuse)
    assert page.total == 3


@pytest.mark.parametrize("offset", [-1, OFFSET_MAX + 1])
def test_an_offset_out_of_range_is_invalid_input_on_offset(offset: int) -> None:
    with pytest.raises(InvalidInput) as raised:
        PageRequest(offset=offset).window()
    assert list(raised.value.errors) == ["offset"]


def test_the_deepest_offset_is_still_taken() -> None:
    assert PageRequest(offset=OFFSET_MAX, per_page=100).window().offset == OFFSET_MAX
