"""The seal on a page's cursor (interfaces.http.cursors): only what this key sealed opens."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from interfaces.http.cursors import CursorSeal

KEY = "a deployment's secret key of at least 32 characters"


def test_a_sealed_cursor_opens_to_itself() -> None:
    seal = CursorSeal(KEY)
    assert seal.open(seal.seal("MjAyNnwx")) == "MjAyNnwx"


def test_the_same_key_seals_alike_on_every_instance() -> None:
    assert CursorSeal(KEY).seal("MjAyNnwx") == CursorSeal(KEY).seal("MjAyNnwx")


@pytest.mark.parametrize(
    "sealed",
    [
        "",
        ".",
        "MjAyNnwx",
        "MjAyNnwx.",
        "MjAyNnwy." + CursorSeal(KEY).seal("MjAyNnwx").rpartition(".")[2],
        CursorSeal("another key").seal("MjAyNnwx"),
        "MjAyNnwx.é",
        "MjAyNnwx.\udcff",
    ],
)
def test_anything_else_is_not_a_cursor(sealed: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        CursorSeal(KEY).open(sealed)
    assert list(raised.value.errors) == ["cursor"]
