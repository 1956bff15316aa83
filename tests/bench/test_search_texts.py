"""The scenarios' texts and choices match what their labels say in the data `quill seed` writes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from application.seed import BulkLoad
from bench.database import feed_authors
from bench.scenarios import COMMON_POST_WORD, few_matches, searches
from domain.posts import Post


def bulk_post(i: int) -> Post:
    """Seeded post i, as `quill seed --users N --posts M` writes it."""
    load = BulkLoad(users=1, posts=i + 1, now=datetime.now(UTC), password_hash="", progress=print)
    return load.new_post(i, author_id=1, tags=())


def matching(text: str, *columns: str) -> bool:
    """As the lists search: a case-insensitive substring of any of the columns."""
    return any(text.lower() in column.lower() for column in columns)


def test_the_common_word_is_in_a_third_of_the_seeded_posts_and_of_the_published() -> None:
    posts = [bulk_post(i) for i in range(3000)]
    hits = [p for p in posts if matching(COMMON_POST_WORD, p.title, p.content)]
    assert len(hits) == 1000
    published = [p for p in posts if p.published]
    assert sum(p.published for p in hits) * 3 == len(published)


@pytest.mark.parametrize("count", [300, 3000, 100_000, 1_000_000])
def test_a_selective_prefix_picks_eleven_seeded_numbers(count: int) -> None:
    prefix = str(few_matches(count))
    assert sum(str(i).startswith(prefix) for i in range(count)) == 11


def test_the_selective_texts_are_prefixes_of_seeded_titles_and_emails() -> None:
    texts = searches(users=100_000, posts=1_000_000)
    assert texts["U-search-selective"] == "user4242"  # the example
    post = bulk_post(42420)
    assert post.title.startswith(texts["P-search-selective"] + ":")


def test_s9_follows_the_most_prolific_authors_and_others_spread_over_the_rest() -> None:
    by_posts = [f"author{i}" for i in range(1000)]
    followed = feed_authors(by_posts)
    assert len(followed) == len(set(followed)) == 100
    assert followed[:50] == by_posts[:50]
    assert followed[50] == "author50" and followed[-1] == "author981"  # 50 + 49 steps of 950 / 50


def test_s9_follows_everybody_there_is_when_there_are_few_authors() -> None:
    assert feed_authors(["a", "b", "c"]) == ["a", "b", "c"]
