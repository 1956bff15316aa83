"""The repository contract runs against every adapter: in-memory, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from domain.users import User
from infrastructure.db.engine import make_engine, make_read_engine
from infrastructure.db.kept import KeptConnections
from infrastructure.db.migrations import AlembicMigrator
from infrastructure.db.models import Base
from infrastructure.db.sealing import BodySeal
from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.memory import InMemoryUnitOfWork
from tests.factories import make_user


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("sqlite") / "contract.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    AlembicMigrator(engine).upgrade()
    engine.dispose()
    return url


def empty_tables(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(text(f"DELETE FROM {table.name}"))


@pytest.fixture(scope="session")
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    engine = make_engine(sqlite_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def pg_engine(pg_url: str) -> Iterator[Engine]:
    engine = make_engine(pg_url)
    yield engine
    engine.dispose()


_kept: dict[Engine, KeptConnections] = {}
TEST_SEAL = BodySeal("the contract suite's secret key")


def sql_uow(engine: Engine, seal: BodySeal | None = None) -> SqlUnitOfWork:
    """A unit of work on `engine`, as the container makes them: its read-only units on a
    read-only pool of the same database (one such pool per engine, kept for the run)."""
    if engine not in _kept:
        read_engine = make_read_engine(engine.url.render_as_string(hide_password=False))
        _kept[engine] = KeptConnections(read_engine)
    return SqlUnitOfWork(engine, _kept[engine], seal=seal or TEST_SEAL)


@pytest.fixture
def pg_uow(pg_engine: Engine) -> SqlUnitOfWork:
    """A unit of work on an emptied PostgreSQL database."""
    empty_tables(pg_engine)
    return sql_uow(pg_engine)


@pytest.fixture
def author(pg_uow: SqlUnitOfWork) -> User:
    """A stored user, the only one, to write posts as."""
    with pg_uow:
        user = pg_uow.users.add(make_user())
        pg_uow.commit()
    return user


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_uow(request: pytest.FixtureRequest) -> Any:
    """A fresh, empty unit of work of each kind."""
    if request.param == "memory":
        return InMemoryUnitOfWork()
    kind = "pg" if request.param == "postgres" else "sqlite"
    engine: Engine = request.getfixturevalue(f"{kind}_engine")
    empty_tables(engine)
    return sql_uow(engine)
