"""LIMIT and OFFSET are written into the SQL of driver reads, and only ever as whole numbers."""

from __future__ import annotations

from typing import Any

import pytest

from infrastructure.db.driver import _render_literals

TEMPLATE = "SELECT 1 LIMIT __[POSTCOMPILE_limit] OFFSET __[POSTCOMPILE_offset]"


def test_whole_numbers_are_written_in() -> None:
    assert _render_literals(TEMPLATE, {"limit": 21, "offset": 40}) == "SELECT 1 LIMIT 21 OFFSET 40"


def test_sql_without_literals_is_left_alone() -> None:
    assert _render_literals("SELECT %(a)s", {"a": "x"}) == "SELECT %(a)s"


@pytest.mark.parametrize("value", ["1; DROP TABLE users", "21", True, 2.5, None])
def test_anything_but_an_int_is_refused(value: Any) -> None:
    with pytest.raises(TypeError):
        _render_literals(TEMPLATE, {"limit": value, "offset": 0})
