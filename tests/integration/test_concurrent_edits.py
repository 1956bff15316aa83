"""Concurrent edits of one post without If-Match all apply, one after the other, on SQLite as on
PostgreSQL: each unit that writes holds the post (a row lock, or SQLite's write lock taken as
its transaction begins) from its read to its commit."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine

from application.posts import EditPost, PostChanges
from infrastructure.clock import utc_now
from tests.factories import actor_for, make_post, make_user
from tests.integration.conftest import empty_tables, sql_uow

DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
EDITORS = 8


@pytest.mark.parametrize("database", DATABASES)
def test_concurrent_edits_without_if_match_all_apply(
    request: pytest.FixtureRequest, database: str
) -> None:
    engine: Engine = request.getfixturevalue(
        f"{'pg' if database == 'postgres' else 'sqlite'}_engine"
    )
    empty_tables(engine)
    with sql_uow(engine) as uow:
        author = uow.users.add(make_user())
        post = uow.posts.add(make_post(author))
        uow.commit()
    barrier = threading.Barrier(EDITORS)

    def edit(i: int) -> str:
        barrier.wait(timeout=10)
        changed = EditPost(sql_uow(engine), utc_now)(
            actor_for(author), post.id or 0, PostChanges(title=f"edit {i}")
        )
        return changed.title

    with ThreadPoolExecutor(max_workers=EDITORS) as pool:
        titles = list(pool.map(edit, range(EDITORS)))

    with sql_uow(engine).read_only() as reader:
        stored = reader.posts.get(post.id or 0)
    assert sorted(titles) == sorted(f"edit {i}" for i in range(EDITORS))
    assert stored is not None
    assert stored.version == 1 + EDITORS
