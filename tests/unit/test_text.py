"""Searches lower text as PostgreSQL's lower() does, on every adapter (domain.text)."""

from __future__ import annotations

import pytest

from domain.text import lowered


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Plain ASCII", "plain ascii"),
        ("Crème BRÛLÉE", "crème brûlée"),
        ("ΟΔΟΣ", "οδοσ"),  # no final sigma: the form PostgreSQL gives
        ("İSTANBUL", "istanbul"),  # one letter for one
        ("\u212a", "k"),  # the Kelvin sign
        ("", ""),
    ],
)
def test_text_is_lowered_letter_by_letter(text: str, expected: str) -> None:
    assert lowered(text) == expected
