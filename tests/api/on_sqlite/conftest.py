"""The container of the API tests here: the real SQL adapters on a migrated SQLite file."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from dependency_injector import providers

from infrastructure.db.engine import make_engine
from infrastructure.db.migrations import AlembicMigrator
from infrastructure.security import Argon2PasswordHasher
from interfaces.container import Container, settings_dict
from tests.conftest import test_settings
from tests.factories import FixedClock


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database migrated once; each test gets a copy of the file, far cheaper than migrating."""
    path: Path = tmp_path_factory.mktemp("api-sqlite") / "migrated.db"
    engine = make_engine(f"sqlite:///{path}")
    AlembicMigrator(engine).upgrade()
    engine.dispose()
    return path


@pytest.fixture
def container(
    migrated_sqlite: Path, tmp_path: Path, clock: FixedClock, hasher: Argon2PasswordHasher
) -> Iterator[Container]:
    """As tests/conftest.py's, but on SQLite through the real unit of work."""
    database = tmp_path / "quill.db"
    shutil.copyfile(migrated_sqlite, database)
    container = Container()
    container.config.from_dict(settings_dict(test_settings(f"sqlite:///{database}")))
    container.clock.override(providers.Object(clock))
    container.hasher.override(providers.Object(hasher))
    yield container
    container.engine().dispose()
    container.read_engine().dispose()
    container.unwire()
    container.reset_override()
