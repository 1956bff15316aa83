"""How searches compare text: without regard to case, the same on every database."""

from __future__ import annotations

from functools import cache


def lowered(text: str) -> str:
    """`text` lowered as PostgreSQL's lower() lowers it, which a search matches against:
    each letter alone, one letter for one. (Python's str.lower lowers a capital sigma that
    ends a word to the final form, and a dotted capital I to i and a combining dot;
    PostgreSQL to the plain sigma and to i.)"""
    return text.lower() if text.isascii() else "".join(map(_lowered_letter, text))


@cache
def _lowered_letter(letter: str) -> str:
    return letter.lower()[:1]
