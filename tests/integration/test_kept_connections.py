"""Each thread keeps one autocommit connection for its read-only units of work.

Kept, it must behave as a fresh checkout would: nothing carried from one unit to the next,
given back when the thread ends, replaced when the database or the engine went away.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import UTC
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import Engine, bindparam, make_url, text

from domain.errors import ServiceUnavailable
from infrastructure.db.engine import make_engine, make_read_engine
from infrastructure.db.kept import KeptConnections
from infrastructure.db.migrations import AlembicMigrator
from infrastructure.db.unit_of_work import SqlUnitOfWork
from tests.factories import make_user
from tests.integration.conftest import TEST_SEAL, empty_tables

T = TypeVar("T")
BACKEND = "SELECT pg_backend_pid()"


def unit(reads: KeptConnections) -> SqlUnitOfWork:
    """A unit whose read-only units read through `reads` (its writing side is not used)."""
    return SqlUnitOfWork(reads.engine, reads, seal=TEST_SEAL)


def terminate(pg_url: str, *pids: int) -> None:
    """End these backends, as a database restart would, and wait until they are gone:
    pg_terminate_backend only signals them (its wait argument needs PostgreSQL 14)."""
    alive = text("SELECT count(*) FROM pg_stat_activity WHERE pid IN :pids").bindparams(
        bindparam("pids", expanding=True)
    )
    engine = make_engine(pg_url)
    with engine.connect() as admin:
        for pid in pids:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        deadline = time.monotonic() + 10
        while admin.execute(alive, {"pids": list(pids)}).scalar_one():
            admin.rollback()  # the activity view is read once per transaction
            assert time.monotonic() < deadline, f"backends {pids} still alive after 10 s"
            time.sleep(0.01)
    engine.dispose()


def backend(uow: SqlUnitOfWork) -> int:
    with uow.read_only() as reader:
        return int(reader._connection.exec_driver_sql(BACKEND).scalar_one())


@pytest.fixture
def threads() -> Iterator[Callable[[int], list[ThreadPoolExecutor]]]:
    """Single-thread executors: the same thread for every call given to one of them."""
    with ExitStack() as stack:

        def make(count: int) -> list[ThreadPoolExecutor]:
            return [stack.enter_context(ThreadPoolExecutor(max_workers=1)) for _ in range(count)]

        yield make


def on(thread: ThreadPoolExecutor, call: Callable[[], T]) -> T:
    return thread.submit(call).result(timeout=30)


@pytest.mark.postgres
def test_a_thread_reads_on_one_connection_and_another_thread_on_its_own(
    pg_engine: Engine, pg_url: str, threads: Callable[[int], list[ThreadPoolExecutor]]
) -> None:
    reads = KeptConnections(make_read_engine(pg_url))
    units = [unit(reads) for _ in range(3)]  # one a use case, as in a request
    mine = {backend(unit) for unit in units for _ in range(2)}
    [other] = threads(1)
    theirs = on(other, lambda: backend(unit(reads)))
    reads.close()
    reads.engine.dispose()
    assert len(mine) == 1
    assert theirs not in mine


@pytest.mark.postgres
def test_a_thread_that_ends_gives_its_read_connection_back_to_the_pool(pg_url: str) -> None:
    engine = make_read_engine(pg_url, pool_size=1)
    reads = KeptConnections(engine)
    try:
        with ThreadPoolExecutor(max_workers=1) as thread:
            first = on(thread, lambda: backend(unit(reads)))
            assert engine.pool.checkedout() == 1  # type: ignore[attr-defined]
        assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
        with ThreadPoolExecutor(max_workers=1) as thread:  # the pooled one, not a new one
            assert on(thread, lambda: backend(unit(reads))) == first
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_after_a_database_restart_one_read_fails_not_one_per_thread(
    pg_url: str, threads: Callable[[int], list[ThreadPoolExecutor]]
) -> None:
    engine = make_read_engine(pg_url)
    reads = KeptConnections(engine)
    uow = unit(reads)
    try:
        serving = threads(3)
        backends = {on(thread, lambda: backend(unit(reads))) for thread in serving}
        assert len(backends) == 3
        terminate(pg_url, *backends)

        def read() -> bool:
            try:
                with uow.read_only() as reader:
                    reader.users.get(1)
            except ServiceUnavailable:
                return False
            return True

        answers = [on(thread, read) for thread in serving for _ in range(2)]
        assert answers == [False, True, True, True, True, True]
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_disposed_engine_means_a_fresh_read_connection_and_the_old_one_closed(
    pg_url: str,
) -> None:
    engine = make_read_engine(pg_url)
    uow = unit(KeptConnections(engine))
    try:
        before = backend(uow)
        engine.dispose()
        after = backend(uow)
        with engine.connect() as probe:
            alive = probe.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": before}
            ).scalar_one()
        assert after != before
        assert alive == 0
    finally:
        engine.dispose()


def test_a_kept_reader_holds_no_transaction_between_units_on_sqlite(tmp_path: Path) -> None:
    """SQLAlchemy begins its own transaction object around autocommit statements (the SQLite
    path): the unit ends it, so the next unit starts as on a fresh checkout, seeing new writes."""
    url = f"sqlite:///{tmp_path / 'kept.db'}"
    engine = make_engine(url)
    AlembicMigrator(engine).upgrade()
    reads = KeptConnections(make_read_engine(url))
    uow = SqlUnitOfWork(engine, reads, seal=TEST_SEAL)
    try:
        with uow.read_only() as reader:
            assert reader.users.count(None) == 0
            kept: Any = reader._connection
        assert not kept.in_transaction()
        with uow as writer:
            writer.users.add(make_user())
            writer.commit()
        with uow.read_only() as reader:
            assert reader._connection is kept
            assert reader.users.count(None) == 1
    finally:
        reads.close()
        reads.engine.dispose()
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("where", ["url", "PGOPTIONS"])
def test_postgresql_connections_speak_utc_and_keep_every_other_option(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """Timestamps arrive as datetime.UTC (the mappers pass them through) even where the
    connection asks for another zone, from the URL or PGOPTIONS; its other options apply."""
    given = "-c TimeZone=Asia/Tokyo -c lock_timeout=1234"
    url = make_url(pg_url)
    if where == "url":
        url = url.update_query_dict({"options": given})
    else:
        monkeypatch.setenv("PGOPTIONS", given)
    engine = make_engine(url.render_as_string(hide_password=False))
    reads = KeptConnections(make_read_engine(url.render_as_string(hide_password=False)))
    uow = SqlUnitOfWork(engine, reads, seal=TEST_SEAL)
    try:
        settings = {}
        for unit in (uow, uow.read_only()):  # both pools
            with unit as connected:
                settings[unit is uow] = connected._connection.exec_driver_sql(
                    "SELECT current_setting('TimeZone'), current_setting('lock_timeout')"
                ).one()
        with uow as writer:
            empty_tables(engine)
            user = writer.users.add(make_user())
            writer.commit()
        with uow.read_only() as reader:
            stored = reader.users.get(user.id)
        assert {tuple(row) for row in settings.values()} == {("UTC", "1234ms")}
        assert stored is not None
        assert stored.created_at.tzinfo is UTC
        assert stored.created_at == user.created_at
    finally:
        reads.close()
        reads.engine.dispose()
        engine.dispose()


@pytest.mark.postgres
def test_a_read_only_unit_inside_another_shares_its_connection_even_when_the_pool_went_stale(
    pg_url: str, threads: Callable[[int], list[ThreadPoolExecutor]]
) -> None:
    """A use case may call another: the inner unit must not replace the connection the outer
    one is still reading on, even when another thread found the pool stale meanwhile."""
    engine = make_read_engine(pg_url)
    reads = KeptConnections(engine)
    uow = unit(reads)
    [other] = threads(1)
    theirs = on(other, lambda: backend(unit(reads)))
    try:
        with uow.read_only() as outer:
            outer.users.get(1)
            outer_connection = outer._connection
            terminate(pg_url, theirs)
            with pytest.raises(ServiceUnavailable):  # which discards the pool
                on(other, lambda: backend(unit(reads)))
            with uow.read_only() as inner:
                inner.users.get(1)
                assert inner._connection is outer_connection
            outer.users.get(1)  # still open
        with uow.read_only() as after:  # replaced once no unit uses it
            assert after._connection is not outer_connection
    finally:
        engine.dispose()
