"""A rare search that one of its column's histogram bounds matches still reads its few matches
by the trigram index (PostgreSQL).

PostgreSQL estimates `ILIKE '%text%'` by the share of the column's histogram bounds that
match it: one bound of a hundred is one row in a hundred. Planned for a page of 21, such a
text had the newest-first index walked over the whole table for a page it never filled
(590 ms at 100,000 users, bench/RESULTS.md round 23). The repositories find a search's
matches alone, planned for the thousand a search counts (lists.searched_page), for which
that walk is never the cheaper guess. With fewer rows than ANALYZE samples (300 times the
statistics target), the bounds are the table's own, the same on every run.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs
import pytest
from sqlalchemy import Connection, Engine, text

from application.paging import Cursor, PageRequest, Window
from infrastructure.db.lists import search_values, window_values
from infrastructure.db.users import SqlUserRepository, user_page
from tests.integration.conftest import empty_tables
from tests.integration.plans import plan_nodes, rows_read, run_plan

pytestmark = pytest.mark.postgres
USERS = 20_000  # ANALYZE reads them all


@pytest.fixture(scope="module")
def engine(pg_engine: Engine) -> Iterator[Engine]:
    empty_tables(pg_engine)
    with pg_engine.begin() as connection:
        # As the bench seeds them, in one statement (the repository would take a minute).
        connection.execute(
            text(
                "INSERT INTO users (email, name, username, password_hash, role, is_active,"
                " created_at, updated_at)"
                " SELECT 'user' || i || '-r1@seed.example', 'Seed User ' || i, 'user' || i,"
                " 'not-a-hash', 'user', true, now() - (:n - i) * interval '1 second', now()"
                " FROM generate_series(1, :n) AS i"
            ),
            {"n": USERS},
        )
        connection.execute(text("ANALYZE users"))
    yield pg_engine
    empty_tables(pg_engine)


def bound_search(connection: Connection) -> str:
    """A text of a few old users' that a histogram bound of the e-mails holds: for the
    oldest bound of five digits, `user10099-r1@seed.example` say, `user1009` (itself, and
    10090 to 10099), about 10,000 users from the newest."""
    bounds = connection.execute(
        text(
            "SELECT histogram_bounds::text::text[] FROM pg_stats"
            " WHERE tablename = 'users' AND attname = 'email'"
        )
    ).scalar_one()
    numbers = [bound.split("-")[0].removeprefix("user") for bound in bounds[1:-1]]
    return "user" + min((n for n in numbers if len(n) == 5), key=int)[:-1]


def test_a_rare_search_that_a_histogram_bound_holds_reads_only_its_matches(
    engine: Engine,
) -> None:
    with engine.begin() as connection:
        search = bound_search(connection)
        first = PageRequest(per_page=5).window()
        found = SqlUserRepository(connection).find(search, first)
        after = Window(after=Cursor.after(found.items[4]), offset=0, limit=6)
        for window in (first, after):
            values = {**window_values(window), **search_values(search, 0)}
            plan = run_plan(connection, user_page(0, window.after is not None), values)
            assert rows_read(plan) < 100, (search, window, plan)
        rest = SqlUserRepository(connection).find(search, after)
    emails = [u.email for u in [*found.items[:5], *rest.items]]
    assert len(emails) == 11 and all(e.startswith(search) for e in emails), emails
    assert found.total == rest.total == 11


def test_a_common_search_still_walks_the_newest_users(engine: Engine) -> None:
    """`seed` is in every e-mail: its matches are the newest 1,001 users, read newest first,
    and a page after a cursor beyond them is walked from there."""
    with engine.begin() as connection:
        users = SqlUserRepository(connection)
        deep = users.find("seed", PageRequest(per_page=100, page=10).window()).items[-1]
        after = attrs.evolve(PageRequest(per_page=5).window(), after=Cursor.after(deep))
        for window in (PageRequest(per_page=5).window(), after):
            values = {**window_values(window), **search_values("seed", 0)}
            plan = run_plan(connection, user_page(0, window.after is not None), values)
            walks = [n for n in plan_nodes(plan) if n.get("Index Name") == "ix_users_created_at_id"]
            assert walks and all(n["Scan Direction"] == "Backward" for n in walks), plan
            assert rows_read(plan) <= 1001 + 6 + 12, plan  # 1,001 counted, the page's own
        page = users.find("seed", after)
    assert page.total == 1001 and len(page.items) == 6 and page.items[0].id < deep.id
