"""A readiness probe that really asks the database, and what a schema behind the code looks like."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from domain.errors import ServiceUnavailable

# What readiness and the CLI say of a database not migrated to this release.
SCHEMA_BEHIND_SAID = "The database's schema is missing or older than this release"


@attrs.frozen
class SchemaRevisions:
    """This release's head revisions and every revision its migrations know."""

    heads: frozenset[str]
    known: frozenset[str]

    def behind(self, current: Sequence[str]) -> bool:
        """A database short of one of this release's heads, at none of its revisions or at an
        older one, is behind; one at a revision this release does not know was migrated by a
        newer release (a rolling upgrade), which this one can still serve."""
        at_heads = self.heads <= set(current)
        return not at_heads and all(revision in self.known for revision in current)


class DatabaseProbe:
    """Ready when the database answers and its schema is this release's: an instance whose
    database was never migrated, where every request would fail, stays out of rotation."""

    def __init__(self, engine: Engine, revisions: SchemaRevisions) -> None:
        self._engine = engine
        self._revisions = revisions

    def __call__(self) -> None:
        try:
            with self._engine.connect() as connection:
                current = MigrationContext.configure(connection).get_current_heads()
        except DBAPIError as error:
            raise ServiceUnavailable("The database is not answering.") from error
        if self._revisions.behind(current):
            raise ServiceUnavailable(f"{SCHEMA_BEHIND_SAID}.")


# What each database says of a table or a column this release has and its schema does not.
SCHEMA_BEHIND = (
    "no such table", "UndefinedTable", "no such column", "has no column named",  # SQLite's insert
    "UndefinedColumn",
)  # fmt: skip
SCHEMA_BEHIND_ADVICE = f"{SCHEMA_BEHIND_SAID}: run `quill db upgrade`."


def schema_behind(error: BaseException) -> bool:
    """The database has not been migrated to this release (by the error's first line)."""
    text = str(error).splitlines()[0] if str(error) else ""
    return any(missing in text for missing in SCHEMA_BEHIND)


def outage_reason(message: str, error: BaseException) -> str:
    """`message`, then what the database driver said of the failure behind `error` (a path
    that does not exist, a refused connection: never a password), for the operator."""
    cause = error.__cause__
    said = str(getattr(cause, "orig", None) or cause).strip().splitlines() if cause else []
    return f"{message} The database: {said[0]}" if said else message
