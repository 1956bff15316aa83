"""The words of a search asked for alone, before its whole text (lists.search_words)."""

from __future__ import annotations

import pytest

from infrastructure.db.lists import search_values, search_words


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Post 42420", ["42420", "Post"]),  # longest first
        ("Post 4242", ["Post", "4242"]),  # a tie keeps the text's order
        ("coffee", []),  # one word: the whole text is enough
        (" coffee ", ["coffee"]),
        ("an ox at me", []),  # no word of three letters: no trigram to find
        ("a_b%c d\\e", []),
        ("under_score 100%", ["under", "score"]),  # _ and % split words as spaces do
        ("Post post POST", ["Post"]),  # once, whatever its case
        ("one three fifteen", ["fifteen", "three"]),  # two at most
        ("Straße Öl 12345", ["Straße", "12345"]),
    ],
)
def test_the_longest_words_of_three_letters_or_more(text: str, words: list[str]) -> None:
    assert search_words(text) == words


def test_the_words_are_patterns_beside_the_whole_texts() -> None:
    assert search_values("100% of_it") == {"word_0": "%100%", "pattern": "%100\\% of\\_it%"}
