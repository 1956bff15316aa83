"""What the list statements ask the database for, read from their SQL (both dialects)."""

from __future__ import annotations

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from infrastructure.db.post_filters import Shape
from infrastructure.db.post_queries import matches_count, post_page

DIALECTS = {"postgresql": postgresql.dialect(), "sqlite": sqlite.dialect()}
FEED = Shape(published=True, followed_by=True)


def sql(stmt: object, dialect: str) -> str:
    return " ".join(str(stmt.compile(dialect=DIALECTS[dialect])).split())  # type: ignore[attr-defined]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_ones_own_feed_looks_up_no_follow_for_its_authors(dialect: str) -> None:
    """Every author in one's own feed is followed; another viewer's look-up stays."""
    postgres = dialect == "postgresql"
    own = sql(post_page(FEED, True, False, postgres, own_feed=True), dialect)
    viewed = sql(post_page(FEED, True, False, postgres), dialect)
    looked_up = "follows.followed_id = page.author_id"
    assert looked_up not in own
    assert looked_up in viewed


@pytest.mark.parametrize("dialect", DIALECTS)
def test_only_a_searchs_capped_count_is_walked_newest_first(dialect: str) -> None:
    ordered = "ORDER BY posts.created_at DESC, posts.id DESC"
    search = sql(matches_count(Shape(published=True, searching=True)), dialect)
    tagged_by_author = Shape(published=True, by_author=True, tagged=True)
    favorites = Shape(published=True, searching=True, favorited_by=True)
    assert ordered in search
    assert "ORDER BY" not in sql(matches_count(tagged_by_author), dialect)
    assert "ORDER BY" not in sql(matches_count(favorites), dialect)
