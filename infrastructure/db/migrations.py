"""Schema migrations through Alembic, the only way the schema changes."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from alembic import command

SCRIPT_LOCATION = Path(__file__).resolve().parents[2] / "alembic"


class AlembicMigrator:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def upgrade(self, revision: str = "head") -> None:
        self._run(command.upgrade, revision)

    def downgrade(self, revision: str = "-1") -> None:
        self._run(command.downgrade, revision)

    def current(self) -> str | None:
        with self._engine.connect() as connection:
            heads = MigrationContext.configure(connection).get_current_heads()
        return ", ".join(heads) if heads else None

    def head(self) -> str:
        return ScriptDirectory.from_config(self._config()).get_current_head() or ""

    def _run(self, action: object, revision: str) -> None:
        with self._engine.begin() as connection:
            config = self._config()
            config.attributes["connection"] = connection
            action(config, revision)  # type: ignore[operator]

    def _config(self) -> Config:
        config = Config()
        config.set_main_option("script_location", str(SCRIPT_LOCATION))
        return config
