"""A search of a rare word beside a common one reads little of the trigram index (PostgreSQL).

GIN follows the rarest trigram of a LIKE condition and steps every other trigram's posting
list along for each of its candidates: for "Post 4242" that is every title's "pos" and "ost",
stepped for each title holding "424". The repositories ask for the search's longest words
first, each a condition of its own (lists.word_count), so those lists are stepped only for
the rare word's own matches. EXPLAIN ANALYZE counts the index pages each way reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from sqlalchemy import Engine, text

from application.paging import PageRequest
from application.ports import PostFilter
from infrastructure.db.lists import search_values
from infrastructure.db.post_filters import Shape
from infrastructure.db.post_queries import matches_count, page_values, post_page
from infrastructure.db.schema import PENDING_LIST_KB
from infrastructure.db.users import SqlUserRepository
from tests.factories import make_user
from tests.integration.conftest import empty_tables
from tests.integration.plans import on_index, plan_nodes, rows_read, run_plan

pytestmark = pytest.mark.postgres
POSTS = 150_000
TITLE_INDEX = "ix_posts_title_folded_trgm"
PENDING_PAGES = PENDING_LIST_KB * 1024 // 8192  # the pending list's limit, in index pages


@pytest.fixture(scope="module")
def engine(pg_engine: Engine) -> Iterator[Engine]:
    empty_tables(pg_engine)
    with pg_engine.begin() as connection:
        author = SqlUserRepository(connection).add(make_user())
        # Titles as the bench seeds them: "Post <i>: ink". Written in one statement, as the
        # repository would take minutes; the page read below needs no kept count.
        connection.execute(
            text(
                "INSERT INTO posts (author_id, title, content, published, published_at,"
                " created_at, updated_at, version, slug)"
                " SELECT :author, 'Post ' || i || ': ink', 'plain', true, now(),"
                " now() - i * interval '1 second', now(), 1, 'post-' || i"
                " FROM generate_series(1, :posts) AS i"
            ),
            {"author": author.id, "posts": POSTS},
        )
        # New rows wait in the index's pending list, which every scan reads whole, until a
        # VACUUM (or this) moves them into its posting lists, where a large table keeps them.
        connection.execute(text(f"SELECT gin_clean_pending_list('{TITLE_INDEX}')"))
        connection.execute(text("ANALYZE posts"))
    yield pg_engine
    empty_tables(pg_engine)


def index_pages(plan: dict[str, Any], index: str) -> int:
    """The pages the plan's scans of `index` read, from the buffer cache or not."""
    return sum(n["Shared Hit Blocks"] + n["Shared Read Blocks"] for n in on_index(plan, index))


def first_page(engine: Engine, shape: Shape, search: str) -> tuple[int, list[int]]:
    """The pages of the title's index read by a search's first page, and the page's ids."""
    values: dict[str, Any] = {"published": True, **search_values(search, shape.word_count)}
    values |= page_values(PageRequest(per_page=20).window())
    stmt = post_page(shape, False, False, postgres=True)
    with engine.begin() as connection:
        # The table is small: read by the trigram index, as a table of a million posts is.
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        connection.execute(text("SET LOCAL enable_indexscan = off"))
        plan = run_plan(connection, stmt, values, buffers=True)
        ids = [row.id for row in connection.execute(stmt, values)]
    return index_pages(plan, TITLE_INDEX), ids


def test_a_rare_word_beside_a_common_one_reads_a_fraction_of_the_index(engine: Engine) -> None:
    shape = Shape.of(
        PostFilter(published=True, search="Post 12345"), postgres=True
    )  # "12345", then "Post"
    by_words, ids = first_page(engine, shape, "Post 12345")
    whole_text, whole_ids = first_page(engine, attrs.evolve(shape, word_count=0), "Post 12345")
    assert ids == whole_ids and len(ids) == 11  # 12345 and 123450..123459
    assert by_words * 3 < whole_text, (by_words, whole_text)


def test_new_posts_waiting_for_the_index_add_few_pages_to_a_search(engine: Engine) -> None:
    """New rows wait in the index's pending list, which every search reads whole; it is kept
    to 64 kB (schema.PENDING_LIST_KB), not PostgreSQL's 4 MB, so a busy site's searches
    don't read thousands of new posts' entries (migration 0012)."""
    shape = Shape.of(PostFilter(published=True, search="Post 12345"), postgres=True)
    before, _ = first_page(engine, shape, "Post 12345")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO posts (author_id, title, content, published, published_at,"
                " created_at, updated_at, version, slug)"
                " SELECT author_id, 'New ' || i || ': ink', 'plain', false, NULL, now(), now(),"
                " 1, 'new-' || i FROM (SELECT author_id FROM posts LIMIT 1) AS a,"
                " generate_series(1, 5000) AS i"
            )
        )
    after, _ = first_page(engine, shape, "Post 12345")
    assert after <= before + 2 * PENDING_PAGES, (before, after)


def test_a_rare_search_that_a_histogram_bound_holds_reads_only_its_matches(
    engine: Engine,
) -> None:
    """As users' (test_search_estimates): PostgreSQL's sample of the titles holds one of a
    rare text's few old matches as a histogram bound, and so guesses one title in a hundred
    matches; the page is still read by the index, not by a walk of the whole table."""
    with engine.begin() as connection:
        bounds = connection.execute(
            text(
                "SELECT histogram_bounds::text::text[] FROM pg_stats"
                " WHERE tablename = 'posts' AND attname = 'title_folded'"
            )
        ).scalar_one()
        numbers = [bound.split()[1].rstrip(":") for bound in bounds[1:-1]]
        search = max((n for n in numbers if len(n) == 6), key=int)[:-1]  # an old one
        shape = Shape.of(PostFilter(published=True, search=search), postgres=True)
        values = {"published": True, **search_values(search, shape.word_count)}
        values |= page_values(PageRequest(per_page=20).window())
        plan = run_plan(connection, post_page(shape, False, False, postgres=True), values)
        rows = connection.execute(post_page(shape, False, False, postgres=True), values).all()
    assert rows and all(search in row.title for row in rows), (search, rows)
    assert rows_read(plan) < 200, (search, plan)


def test_a_common_words_count_walks_the_newest_posts(engine: Engine) -> None:
    """A capped count of a word every post holds reads the newest 1,001 posts by the index
    every list walks, whose pages are in the buffer cache, not the table from its oldest
    pages (a sequential scan, which a large table reads through a small ring of buffers)."""
    shape = Shape.of(PostFilter(published=True, search="ink"), postgres=True)
    values = {"published": True, **search_values("ink", shape.word_count), "at_most": 1001}
    stmt = matches_count(shape)
    with engine.begin() as connection:
        plan = run_plan(connection, stmt, values)
        assert connection.execute(stmt, values).scalar_one() == 1001
    scans = [node for node in plan_nodes(plan) if "Scan" in node["Node Type"]]
    assert [(s["Index Name"], s["Scan Direction"]) for s in scans] == [
        ("ix_posts_published_created_at_id", "Backward")
    ], scans
    assert scans[0]["Actual Rows"] == 1001
