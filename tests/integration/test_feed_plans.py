"""The feed's two walks on PostgreSQL (post_queries._feed_page): which one runs.

Both give the same page (the repository contract tests that); what differs is their cost. The
walk of everyone's newest posts must run for a reader whose followed authors wrote much of the
news, and must not run at all (not merely be discarded) for one whose authors wrote little:
EXPLAIN ANALYZE tells which index scans ran, by their loops.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import attrs
import pytest
from sqlalchemy import Engine, text

from application.paging import PageRequest
from infrastructure.db.follows import SqlFollowRepository
from infrastructure.db.post_filters import Shape
from infrastructure.db.post_queries import page_values, post_page
from infrastructure.db.posts import SqlPostRepository
from infrastructure.db.users import SqlUserRepository
from tests.factories import T0, make_user
from tests.integration.conftest import empty_tables
from tests.integration.plans import on_index, run_plan
from tests.integration.stored import post_of

pytestmark = pytest.mark.postgres
EVERYONE = "ix_posts_published_created_at_id"  # the walk of everyone's newest posts
BY_AUTHOR = "ix_posts_author_published_created_at_id"  # each followed author's walk


def loops(plan: dict[str, Any], index: str) -> int:
    """How many times the scans of `index` in the plan ran (0: never executed)."""
    return sum(node.get("Actual Loops", 0) for node in on_index(plan, index))


@pytest.fixture
def engine(pg_engine: Engine) -> Iterator[Engine]:
    empty_tables(pg_engine)
    yield pg_engine
    empty_tables(pg_engine)


def feed_plan(engine: Engine, *, followed_posts: int, other_posts: int) -> dict[str, Any]:
    """The plan, as run, of the first page of a feed whose one followed author wrote
    `followed_posts` posts (the oldest) and someone else `other_posts` newer ones."""
    with engine.begin() as connection:
        users = SqlUserRepository(connection)
        reader, ann, bob = (
            users.add(make_user(email=f"{name}@example.com")) for name in ("r", "ann", "bob")
        )
        posts = SqlPostRepository(connection)
        old, new = T0 - timedelta(days=1), T0
        posts.add_many(
            post_of(ann, created_at=old + timedelta(seconds=n)) for n in range(followed_posts)
        )
        posts.add_many(
            post_of(bob, created_at=new + timedelta(seconds=n)) for n in range(other_posts)
        )
        SqlFollowRepository(connection).add(reader.id, ann.id, T0)
    return first_page_plan(engine, reader.id)


def first_page_plan(engine: Engine, reader_id: int) -> dict[str, Any]:
    """The plan, as run, of the first page of 20 of the reader's feed."""
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
        # The tables are small: scans by index, as on a real database, so loops can be read.
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        stmt = post_page(Shape(published=True, followed_by=True), False, False, postgres=True)
        values = {"published": True, "followed_by": reader_id}
        values |= page_values(PageRequest(per_page=20).window())
        return run_plan(connection, stmt, values)


def test_a_reader_of_much_of_the_news_walks_everyones_newest_posts(engine: Engine) -> None:
    plan = feed_plan(engine, followed_posts=300, other_posts=100)
    assert loops(plan, EVERYONE) >= 1
    assert loops(plan, BY_AUTHOR) == 0


def test_the_walk_of_everyones_news_stops_at_the_pages_last_post(engine: Engine) -> None:
    """Read as a join, the reader's authors would be hashed and the whole walk read and
    sorted, which PostgreSQL chooses when it expects few of the walk's posts to be theirs:
    many authors, readers who each follow a few (here 10 of 300, a thirtieth of the news)."""
    with engine.begin() as connection:
        users = SqlUserRepository(connection)
        people = [make_user(email=f"u{n}@example.com") for n in range(320)]
        ids = users.add_many(people)
        writers, readers = ids[:300], ids[300:]
        authors = [attrs.evolve(p, id=i) for p, i in zip(people[:300], writers, strict=True)]
        SqlPostRepository(connection).add_many(
            post_of(authors[n % 300], created_at=T0 + timedelta(seconds=n)) for n in range(900)
        )
        SqlFollowRepository(connection).add_many(
            (reader, writers[(r * 37 + k * 29) % 300], T0)
            for r, reader in enumerate(readers)
            for k in range(10)
        )
    plan = first_page_plan(engine, readers[0])
    # Post n is by author n % 300; the reader's 10 authors are w = 0, 29 ... 261. A page of
    # 20 reads 21 (is there a next page?): n = w + 600, w + 300, then the 21st, n = 261, the
    # 639th newest. The walk stops there (or a row on), not at the 900th.
    read = sum(node["Actual Rows"] for node in on_index(plan, EVERYONE))
    assert 639 <= read <= 640


def test_a_reader_of_little_of_the_news_never_runs_that_walk(engine: Engine) -> None:
    plan = feed_plan(engine, followed_posts=3, other_posts=400)  # 3 in 403: under 1 in 50
    assert loops(plan, EVERYONE) == 0
    assert loops(plan, BY_AUTHOR) >= 1


def test_a_walk_that_finds_too_few_falls_back_to_each_authors_walk(engine: Engine) -> None:
    # 60 in 2,060 is over 1 in 50, but the newest 1,050 posts (50 x 21) are all someone else's.
    plan = feed_plan(engine, followed_posts=60, other_posts=2000)
    assert loops(plan, EVERYONE) >= 1
    assert loops(plan, BY_AUTHOR) >= 1
