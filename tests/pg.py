"""Creating and dropping a throwaway PostgreSQL database for a test process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, make_url, text
from sqlalchemy.exc import OperationalError

from infrastructure.db.migrations import AlembicMigrator
from infrastructure.db.unit_of_work import make_engine


@contextmanager
def postgres_database(url: str, suffix: str) -> Iterator[str]:
    """TEST_DATABASE_URL set but unreachable is a failure, never a skip."""
    base = make_url(url)
    name = f"{base.database}_{suffix}"
    admin = make_engine(
        base.set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        pytest.fail(f"TEST_DATABASE_URL is set but PostgreSQL is unreachable: {error}")
    fresh = base.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(fresh)
    AlembicMigrator(engine).upgrade()
    engine.dispose()
    try:
        yield fresh
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


WRONG_POST_COUNTERS = """
    SELECT count(*) FROM (
        SELECT published, sum(posts) FROM post_totals GROUP BY published HAVING sum(posts) <> 0
        EXCEPT SELECT published, count(*) FROM posts GROUP BY published
    ) AS wrong_totals
    UNION ALL
    SELECT count(*) FROM (
        SELECT author_id, published, sum(posts) FROM author_post_counts
        GROUP BY author_id, published HAVING sum(posts) <> 0
        EXCEPT SELECT author_id, published, count(*) FROM posts GROUP BY author_id, published
    ) AS wrong_by_author
"""


def wrong_post_counters(engine: Engine) -> int:
    """Post counters (totals and per author) that disagree with counting the posts table."""
    with engine.connect() as connection:
        return sum(connection.execute(text(WRONG_POST_COUNTERS)).scalars())
