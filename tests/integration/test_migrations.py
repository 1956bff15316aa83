"""Migrations are the only way the schema changes, so they must build exactly the mapped schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from infrastructure.db.migrations import AlembicMigrator
from infrastructure.db.models import Base, exists_on
from infrastructure.db.unit_of_work import make_engine
from tests.pg import postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield engine
        engine.dispose()
        return
    base_url = request.getfixturevalue("pg_url")  # skips only without TEST_DATABASE_URL
    with postgres_database(base_url, "migrations") as url:
        engine = make_engine(url)
        AlembicMigrator(engine).downgrade("base")  # postgres_database hands it over migrated
        yield engine
        engine.dispose()


def schema_differences(engine: Engine) -> list[object]:
    def include(item: object, _name: object, kind: str, reflected: bool, _other: object) -> bool:
        return reflected or kind != "index" or exists_on(engine.dialect.name, item)

    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include}
        )
        return list(compare_metadata(context, Base.metadata))


def test_upgrading_an_empty_database_to_head_gives_exactly_the_mapped_schema(
    empty_engine: Engine,
) -> None:
    AlembicMigrator(empty_engine).upgrade()
    assert schema_differences(empty_engine) == []


def test_the_database_records_the_head_revision_after_upgrading(empty_engine: Engine) -> None:
    migrator = AlembicMigrator(empty_engine)
    migrator.upgrade()
    assert migrator.current() == migrator.head()


def test_downgrading_to_base_removes_every_table(empty_engine: Engine) -> None:
    migrator = AlembicMigrator(empty_engine)
    migrator.upgrade()
    migrator.downgrade("base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    assert migrator.current() is None


def test_the_schema_can_be_rebuilt_after_a_full_downgrade(empty_engine: Engine) -> None:
    migrator = AlembicMigrator(empty_engine)
    migrator.upgrade()
    migrator.downgrade("base")
    migrator.upgrade()
    assert schema_differences(empty_engine) == []


def test_postgresql_has_trigram_indexes_for_search(empty_engine: Engine) -> None:
    AlembicMigrator(empty_engine).upgrade()
    names = {
        index["name"]
        for table in ("users", "posts")
        for index in inspect(empty_engine).get_indexes(table)
    }
    trigram = {
        "ix_users_name_trgm",
        "ix_users_email_trgm",
        "ix_posts_title_trgm",
        "ix_posts_content_trgm",
    }
    if empty_engine.dialect.name == "postgresql":
        assert trigram <= names
    else:
        assert not trigram & names
