"""The words of a search asked for alone, before its whole text (lists.search_words)."""

from __future__ import annotations

import pytest

from infrastructure.db.lists import search_values, search_words, word_count


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Post 42420", ["42420", "Post"]),  # longest first
        ("Post 4242", ["Post", "4242"]),  # a tie keeps the text's order
        ("coffee", []),  # one word: the whole text is enough
        (" coffee ", []),
        ("Post 42", []),  # one word of three letters or more
        ("an ox at me", []),  # no word of three letters: no trigram to find
        ("a_b%c d\\e", []),
        ("under_score 100%", ["under", "score"]),  # _ and % split words as spaces do
        ("Post post POST", []),  # one word, whatever its case
        ("ΟΔΟΣ ΟΔΟΣ οδοσ", []),  # as PostgreSQL lowers them: the same word
        ("one three fifteen", ["fifteen", "three"]),  # two at most
        ("Straße Öl 12345", ["Straße", "12345"]),
    ],
)
def test_the_longest_words_of_three_letters_or_more(text: str, words: list[str]) -> None:
    assert search_words(text) == words


def test_the_words_are_patterns_beside_the_whole_text() -> None:
    text = "100% sure_thing"
    whole = "%100\\% sure\\_thing%"
    assert search_values(text, 2) == {"word_0": "%thing%", "word_1": "%sure%", "pattern": whole}
    assert search_values(text, 1) == {"word_0": "%thing%", "pattern": whole}
    assert search_values(text, 0) == {"pattern": whole}


def test_only_postgresql_asks_for_words_alone() -> None:
    assert word_count("Post 42420", postgres=True) == 2
    assert word_count("Post 42420", postgres=False) == 0
