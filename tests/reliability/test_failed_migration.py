"""A migration that fails halfway changes nothing (transactional DDL) and is reported clearly."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

import infrastructure.db.migrations as migrations
from infrastructure.db.engine import make_engine
from infrastructure.db.migrations import AlembicMigrator
from tests.pg import postgres_database
from tests.reliability.conftest import app_env

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
BAD_REVISION = "fails_halfway"


def failing_revision(down_revision: str) -> str:
    return textwrap.dedent(f'''\
        """A migration that does real work, then fails."""
        import sqlalchemy as sa
        from alembic import op

        revision = "{BAD_REVISION}"
        down_revision = "{down_revision}"
        branch_labels = None
        depends_on = None


        def upgrade() -> None:
            op.create_table("half_done", sa.Column("id", sa.Integer(), primary_key=True))
            op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))
            op.execute("UPDATE users SET name = 'overwritten'")
            op.create_index("ix_posts_title_half", "posts", ["title"])
            op.execute("SELECT 1 / 0")  # fails here, halfway through


        def downgrade() -> None:
            pass
        ''')


@pytest.fixture
def scripts_with_a_bad_migration(tmp_path: Path) -> Path:
    """A copy of the real migrations with one more revision on top that fails halfway."""
    copy = tmp_path / "alembic"
    shutil.copytree(migrations.SCRIPT_LOCATION, copy)
    head = ScriptDirectory(str(migrations.SCRIPT_LOCATION)).get_current_head()
    assert head is not None
    (copy / "versions" / f"{BAD_REVISION}.py").write_text(failing_revision(head))
    return copy


@pytest.fixture
def migrated_url(pg_url: str) -> Iterator[str]:
    """A database of this test's own at the current head, with a row to protect."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with postgres_database(pg_url, f"{worker}_migration") as url:
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO users (email, name, username, password_hash, role, is_active,"
                    " created_at, updated_at) VALUES ('keep@example.com', 'Keep Me', 'keep_me',"
                    " 'h', 'user', true, now(), now())"
                )
            )
        engine.dispose()
        yield url


def schema_of(engine: Engine) -> dict[str, Any]:
    """Tables, columns, indexes and constraints, the revision and the data: all that may change."""
    inspector = inspect(engine)
    shape: dict[str, Any] = {}
    for table in sorted(inspector.get_table_names()):
        shape[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)
            ],
            "indexes": sorted(i["name"] or "" for i in inspector.get_indexes(table)),
            "uniques": sorted(u["name"] or "" for u in inspector.get_unique_constraints(table)),
            "foreign_keys": sorted(f["name"] or "" for f in inspector.get_foreign_keys(table)),
        }
    with engine.connect() as connection:
        shape["revision"] = connection.execute(
            text("SELECT version_num FROM alembic_version")
        ).all()
        shape["names"] = connection.execute(text("SELECT name FROM users ORDER BY id")).all()
    return shape


def test_a_migration_failing_halfway_leaves_the_schema_as_it_was(
    migrated_url: str, scripts_with_a_bad_migration: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(migrated_url)
    before = schema_of(engine)
    monkeypatch.setattr(migrations, "SCRIPT_LOCATION", scripts_with_a_bad_migration)

    with pytest.raises(Exception, match="division by zero"):
        AlembicMigrator(engine).upgrade()

    assert schema_of(engine) == before
    assert "half_done" not in inspect(engine).get_table_names()
    engine.dispose()


def quill(*args: str, url: str, scripts: Path) -> subprocess.CompletedProcess[str]:
    """The real `quill` entry point in its own process, reading migrations from `scripts`."""
    bootstrap = (
        "import sys, pathlib, infrastructure.db.migrations as m;"
        f"m.SCRIPT_LOCATION = pathlib.Path({str(scripts)!r});"
        "from interfaces.cli import main; sys.argv = ['quill', *sys.argv[1:]]; main()"
    )
    return subprocess.run(
        [sys.executable, "-c", bootstrap, *args],
        env={**os.environ, **app_env(url)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_quill_db_upgrade_reports_a_failed_migration_clearly_and_changes_nothing(
    migrated_url: str, scripts_with_a_bad_migration: Path
) -> None:
    engine = make_engine(migrated_url)
    before = schema_of(engine)

    result = quill("db", "upgrade", url=migrated_url, scripts=scripts_with_a_bad_migration)

    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error") and "division by zero" in lines[0], lines[0]
    assert "Database at revision" not in result.stdout  # no claim of success
    assert schema_of(engine) == before  # the revision too: `quill db current` tells the truth
    engine.dispose()
    # Clear means the operator learns which migration failed, not only a driver's error.
    assert BAD_REVISION in lines[0], lines[0]
