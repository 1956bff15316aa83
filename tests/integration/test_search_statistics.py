"""A rare search is planned as rare even when the column's histogram holds one of its
matches (PostgreSQL, migration 0016).

PostgreSQL estimates a LIKE '%text%' by the share of the column's histogram bounds the
pattern matches, never less than one bound's. At the default statistics target one bound is
a hundredth of the table, so a search whose few matches include a bound was planned as
common: the newest-first walk, through every row, for a page it never filled. The searched
columns keep ten times as many bounds, so one bound is a thousandth, where the trigram
index is cheaper.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text

from application.paging import PageRequest
from infrastructure.db.lists import search_values, window_values, word_count
from infrastructure.db.users import user_page
from tests.integration.conftest import empty_tables
from tests.integration.plans import on_index, plan_nodes, run_plan

pytestmark = pytest.mark.postgres
USERS = 30_000  # fewer than ANALYZE samples at the raised target: its bounds are exact
SEARCHED = {("users", "name"), ("users", "email"), ("posts", "title_folded")}


@pytest.fixture(scope="module")
def engine(pg_engine: Engine) -> Iterator[Engine]:
    empty_tables(pg_engine)
    with pg_engine.begin() as connection:
        # E-mails as the bench seeds them, in one statement (the repository would take long).
        connection.execute(
            text(
                "INSERT INTO users (email, name, password_hash, role, is_active, created_at,"
                " updated_at, username)"
                " SELECT 'user' || i || '-b0f8f658@seed.example', 'Seeded ' || i, 'x', 'user',"
                " true, now() - i * interval '1 second', now(), 'user' || i"
                " FROM generate_series(1, :users) AS i"
            ),
            {"users": USERS},
        )
        connection.execute(text("ANALYZE users"))
    yield pg_engine
    empty_tables(pg_engine)


def test_the_searched_columns_keep_ten_times_the_default_statistics(engine: Engine) -> None:
    with engine.connect() as connection:
        targets = connection.execute(
            text(
                "SELECT c.relname, a.attname, a.attstattarget FROM pg_attribute a"
                " JOIN pg_class c ON c.oid = a.attrelid"
                " WHERE c.relname IN ('users', 'posts') AND a.attstattarget > 0"
            )
        ).all()
    assert {(table, column): target for table, column, target in targets} == {
        key: 1000 for key in SEARCHED
    }


def test_a_search_matching_a_histogram_bound_reads_the_trigram_index(engine: Engine) -> None:
    with engine.connect() as connection:
        bounds = connection.execute(
            text(
                "SELECT unnest(histogram_bounds::text::text[]) FROM pg_stats"
                " WHERE tablename = 'users' AND attname = 'email'"
            )
        ).scalars()
        # The middle bound's own part: "user12345-" matches that user alone.
        bound = sorted(bounds)[500]
        search = bound.split("b0f8f658")[0]
        words = word_count(search, postgres=True)
        values: dict[str, Any] = {
            **search_values(search, words),
            **window_values(PageRequest(per_page=20).window()),
        }
        stmt = user_page(words, after=False)
        plan = run_plan(connection, stmt, values)
        found = [row.email for row in connection.execute(stmt, values)]
    assert found == [bound]
    assert on_index(plan, "ix_users_email_trgm"), [n["Node Type"] for n in plan_nodes(plan)]
    assert not on_index(plan, "ix_users_created_at_id")
