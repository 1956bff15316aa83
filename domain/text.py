"""Text: what counts as text and as blank, text compared without regard to case (searches, the
same on every database), and the ASCII words of slugs and usernames."""

from __future__ import annotations

import re
import unicodedata
from functools import cache


def is_text(value: str) -> bool:
    """Whether `value` is text, not undecodable bytes carried as lone surrogates (what Python
    makes of bytes that are not UTF-8 in a command line, the environment or a path)."""
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def has_control(text: str) -> bool:
    """Whether `text` holds a control character (Unicode's Cc: C0, DEL and C1), which nobody
    types into a value and a terminal or a C library may act on."""
    return not text.isprintable() and any(unicodedata.category(ch) == "Cc" for ch in text)


# Joiners have no glyph but are part of words and symbols: Persian and Indic writing needs
# the zero-width non-joiner, emoji sequences (👩‍💻) the zero-width joiner.
JOINERS = frozenset("\u200c\u200d")


def is_printable(text: str) -> bool:
    """Every character printable (str.isprintable: no control, format or separator but the
    space), or a joiner; a name or a tag is this and not blank (is_blank)."""
    return text.isprintable() or all(ch.isprintable() or ch in JOINERS for ch in text)


# Letters and marks that Unicode says to show as nothing (Default_Ignorable_Code_Point, not of
# category Cf): the Hangul fillers, the combining grapheme joiner, variation selectors, Khmer's
# inherent vowels; and the blank Braille pattern, a symbol with no dot. Beside other characters
# they are harmless; alone they look blank.
_SHOWN_AS_NOTHING = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180d\u180f\u2800\u3164\ufe00-\ufe0f"
    "\uffa0\U000e0100-\U000e01ef]"
)


def is_blank(text: str) -> bool:
    """Nothing a reader would see: only spaces, formatting with no glyph of its own (a
    zero-width space, a direction mark) and characters shown as nothing (a Hangul filler)."""
    return all(
        ch.isspace() or unicodedata.category(ch) == "Cf" or _SHOWN_AS_NOTHING.match(ch)
        for ch in text
    )


def lowered(text: str) -> str:
    """`text` lowered as PostgreSQL's lower() lowers it, which a search matches against:
    each letter alone, one letter for one. (Python's str.lower lowers a capital sigma that
    ends a word to the final form, and a dotted capital I to i and a combining dot;
    PostgreSQL to the plain sigma and to i.)"""
    return text.lower() if text.isascii() else "".join(map(_lowered_letter, text))


@cache
def _lowered_letter(letter: str) -> str:
    return letter.lower()[:1]


_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def ascii_words(text: str) -> list[str]:
    """The lower-case ASCII words of `text`: case folded (ß is ss), accents and invisible
    formatting dropped (é is e; a soft hyphen or a zero-width space joins what it sits in).
    A character with no ASCII form (ł, æ, 中) parts words as a space would, so the words on
    either side of it never run together."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = (
        ch if ch.isascii() else "" if _unseen(unicodedata.category(ch)) else " "
        for ch in decomposed
    )
    return _NOT_ALNUM.sub(" ", "".join(kept)).split()


def _unseen(category: str) -> bool:
    """A mark on the letter before it, or formatting with no glyph of its own."""
    return category.startswith("M") or category == "Cf"
