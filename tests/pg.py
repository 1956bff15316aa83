"""Creating and dropping a throwaway PostgreSQL database for a test process."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, make_url, text
from sqlalchemy.exc import OperationalError

from application.ports import PostFilter
from domain.users import User
from infrastructure.db.engine import make_engine
from infrastructure.db.migrations import AlembicMigrator
from infrastructure.db.unit_of_work import SqlUnitOfWork


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
        SELECT published, sum(posts) AS n FROM post_totals GROUP BY published
    ) AS kept FULL JOIN (
        SELECT published, count(*) AS n FROM posts GROUP BY published
    ) AS actual USING (published)
    WHERE coalesce(kept.n, 0) <> coalesce(actual.n, 0)
    UNION ALL
    SELECT count(*) FROM (
        SELECT author_id, published, sum(posts) AS n FROM author_post_counts
        GROUP BY author_id, published
    ) AS kept FULL JOIN (
        SELECT author_id, published, count(*) AS n FROM posts GROUP BY author_id, published
    ) AS actual USING (author_id, published)
    WHERE coalesce(kept.n, 0) <> coalesce(actual.n, 0)
"""


def wrong_post_counters(engine: Engine) -> int:
    """Post counters (totals and per author) that disagree with counting the posts table."""
    with engine.connect() as connection:
        return sum(connection.execute(text(WRONG_POST_COUNTERS)).scalars())


def blocked_backends(engine: Engine) -> int:
    query = """
        SELECT count(*) FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'
    """
    with engine.connect() as connection:
        return int(connection.execute(text(query)).scalar_one())


def wait_until_blocked(engine: Engine, backends: int = 1) -> None:
    deadline = time.monotonic() + 5
    while blocked_backends(engine) < backends:
        assert time.monotonic() < deadline, "the other transaction never waited for a lock"
        time.sleep(0.01)


def in_thread(work: Callable[[], object]) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:  # reported by the test
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def post_counts(uow: SqlUnitOfWork, author: User) -> tuple[int, ...]:
    """Published total, the author's published, drafts total, the author's drafts."""
    with uow.read_only() as reader:
        return tuple(
            reader.posts.count(PostFilter(published=state, author_id=who))
            for state in (True, False)
            for who in (None, author.id)
        )


WRONG_SOCIAL_COUNTS = """
    SELECT count(*) FROM users AS u
    WHERE u.followers_count <> (SELECT count(*) FROM follows WHERE followed_id = u.id)
       OR u.follows_count <> (SELECT count(*) FROM follows WHERE follower_id = u.id)
    UNION ALL
    SELECT count(*) FROM posts AS p
    WHERE p.favorites_count <> (SELECT count(*) FROM favorites WHERE post_id = p.id)
       OR p.comments_count <> (SELECT count(*) FROM comments WHERE post_id = p.id)
    UNION ALL
    SELECT count(*) FROM tags AS t
    WHERE t.posts <> (SELECT count(*) FROM post_tags WHERE tag_id = t.id AND published)
    UNION ALL
    SELECT count(*) FROM post_tags JOIN posts ON posts.id = post_tags.post_id
    WHERE post_tags.published <> posts.published OR post_tags.created_at <> posts.created_at
"""


def wrong_social_counts(engine: Engine) -> int:
    """Kept counts (follows, favorites, comments, tag uses) that disagree with their rows, and
    tag links whose copy of their post's state or time is stale."""
    with engine.connect() as connection:
        return sum(connection.execute(text(WRONG_SOCIAL_COUNTS)).scalars())


def dispose_pools(container: Any) -> None:
    """Close a test app's two pools: the transactions' and the read-only one, whose
    connections kept by threads now ended would otherwise stay open and use up a server that
    the whole run shares ("too many clients", then 503s in unrelated tests)."""
    gc.collect()  # ended threads' kept connections go back to their pool first
    container.read_engine().dispose()
    container.engine().dispose()
