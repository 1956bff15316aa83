"""Schema migrations through Alembic, the only way the schema changes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from infrastructure.db.health import SchemaRevisions
from infrastructure.db.unit_of_work import translate


def _script_location() -> Path:
    """The repository's alembic/ folder, installed as the package `quill_migrations` (see
    pyproject.toml), so a wheel has it as well as a clone. It is a namespace package: an
    __init__.py in alembic/ would shadow the alembic library wherever the repository root is on
    sys.path. So its folder comes from the import spec: importlib.resources.files() fails on a
    namespace package of an editable install on Python 3.11 (the finder's placeholder entry)."""
    spec = find_spec("quill_migrations")
    folders = spec.submodule_search_locations if spec else None
    for folder in folders or ():  # in sys.path order; the editable finder adds a placeholder
        if Path(folder, "env.py").is_file():
            return Path(folder)
    raise ModuleNotFoundError("quill_migrations: Quill is not installed (make install)")


SCRIPT_LOCATION = _script_location()


def release_scripts() -> ScriptDirectory:
    """This release's migrations, as Alembic reads them."""
    return ScriptDirectory(str(SCRIPT_LOCATION))


@cache
def schema_revisions() -> SchemaRevisions:
    """Read once: the migrations do not change while the process runs."""
    script = release_scripts()
    known = frozenset(revision.revision for revision in script.walk_revisions())
    return SchemaRevisions(heads=frozenset(script.get_heads()), known=known)


class MigrationFailed(RuntimeError):
    """A migration raised. On PostgreSQL the run is one transaction and nothing of it stays."""


class AlembicMigrator:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def upgrade(self, revision: str = "head") -> None:
        self._run(command.upgrade, revision)

    def downgrade(self, revision: str = "-1") -> None:
        self._run(command.downgrade, revision)

    def current(self) -> str | None:
        """The revision; a database out of reach is ServiceUnavailable, as in a use case."""
        try:
            with self._engine.connect() as connection:
                heads = MigrationContext.configure(connection).get_current_heads()
        except DBAPIError as error:
            said = translate(error)
            if said is error:
                raise
            raise said from error
        return ", ".join(heads) if heads else None

    def head(self) -> str:
        return release_scripts().get_current_head() or ""

    def _run(self, action: Callable[[Config, str], None], revision: str) -> None:
        start = self.current()
        applied: list[object] = []
        try:
            idle = action is command.upgrade and revision == "head" and start == self.head()
            with (
                self._engine.connect() as connection,
                migration_unit(connection, checked=not idle),
            ):
                config = self._config()
                config.attributes["connection"] = connection
                config.attributes["applied"] = applied
                action(config, revision)
        except Exception as error:
            up = action is command.upgrade
            reason = str(getattr(error, "orig", None) or error).splitlines()[0]
            # Alembic's own CommandError comes from planning (an unknown revision, a target
            # behind the database): no step had started, and no step can be named.
            planned_only = isinstance(error, CommandError) and not applied
            if planned_only:
                failed = f"{'up' if up else 'down'} to {revision}"
            else:
                failed = self._failed_step(start, revision, applied, up)
            if self._engine.dialect.name == "postgresql" or planned_only:
                outcome = f"nothing was applied, the database is still at {start or 'base'}"
            else:  # SQLite runs DDL outside the transaction: it cannot be rolled back
                outcome = f"the revision is still {start or 'base'}, but SQLite may keep part of it"
            raise MigrationFailed(
                f"migration {failed} failed ({type(error).__name__}: {reason}); {outcome}"
            ) from error

    def _failed_step(self, start: str | None, target: str, applied: list[object], up: bool) -> str:
        if not up:
            return f"down to {target}"
        script = release_scripts()
        steps = [r.revision for r in script.iterate_revisions(target, start or "base")][::-1]
        return steps[len(applied)] if len(applied) < len(steps) else target

    def _config(self) -> Config:
        config = Config()
        config.set_main_option("script_location", str(SCRIPT_LOCATION))
        return config


def step_recorder(config: Config) -> list[Callable[..., None]]:
    """For alembic/env.py: note each step as it is applied, to name the one that fails."""
    applied = config.attributes.get("applied")
    if applied is None:
        return []
    return [lambda ctx, step, heads, run_args: applied.append(step)]


@contextmanager
def migration_unit(connection: Connection, *, checked: bool = True) -> Iterator[None]:
    """The one transaction migrations run in (AlembicMigrator, and plain `alembic`).

    SQLite changes a table's definition by copying it into a new table and dropping the old
    one (sqlite.org/lang_altertable.html), and a DROP TABLE with foreign keys enforced deletes
    the rows that reference it first (ON DELETE CASCADE): so on SQLite the unit runs with them
    off and, when `checked`, fails (rolling back) if it leaves a reference broken that was not
    before; one broken already (by hand, say) is not a migration's to mend."""
    with _sqlite_keys_off(connection), connection.begin():
        before = _broken_references(connection) if checked else []
        yield
        if checked:
            new = [row for row in _broken_references(connection) if row not in before]
            if new:
                raise RuntimeError(f"the migration left references broken: {new[:5]}")


@contextmanager
def _sqlite_keys_off(connection: Connection) -> Iterator[None]:
    """The pragma is a no-op inside a transaction: it is set on the driver's connection before
    the unit begins, and set back after it; a connection that did not take it back is
    discarded, never pooled without its foreign keys."""
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        try:
            driver.execute("PRAGMA foreign_keys=ON")
            restored = driver.execute("PRAGMA foreign_keys").fetchone() == (1,)
        except Exception:  # closed, or still in a transaction that failed to end
            restored = False
        if not restored:
            connection.invalidate()


def _broken_references(connection: Connection) -> list[tuple[object, ...]]:
    """SQLite's rows whose foreign key finds no row (none elsewhere: PostgreSQL enforces them
    throughout a migration)."""
    if connection.dialect.name != "sqlite":
        return []
    return [tuple(row) for row in connection.exec_driver_sql("PRAGMA foreign_key_check")]
