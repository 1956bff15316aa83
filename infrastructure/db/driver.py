"""Hot statements on PostgreSQL run on psycopg's cursor, with SQLAlchemy's compiled SQL.

A single-row read through SQLAlchemy's execution context and result objects cost as much
CPU as psycopg's own round trip (measured: 95 against 51 us). These functions hand the
statement SQLAlchemy compiled once to psycopg and take plain dicts back:

- reads (`all_rows`, `first_row`, `first_value`) on a connection in autocommit, the read-only
  unit of work's; in a transaction, and on SQLite, they take SQLAlchemy's own path;
- `written_row`, a write in the unit of work's transaction. The transaction is SQLAlchemy's
  (begun here if the write is its first statement), so the unit of work commits or rolls it
  back as any other. Sending psycopg's BEGIN in one pipeline with the write saved a round
  trip but cost more CPU than it saved (S4 0.21 -> 0.19 of the ceiling; again this session,
  CreatePost 226 -> 291 us of CPU): not done. A single-write unit's one write is sent alone
  in autocommit instead, with neither BEGIN nor COMMIT.

Driver errors are raised as SQLAlchemy's, and a lost connection is invalidated as SQLAlchemy
would; SQLAlchemy's execution events and echo do not see these statements (the tests count
them at psycopg's cursors). LIMIT and OFFSET, which SQLAlchemy writes into the SQL at
execution, are written in here too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache, lru_cache
from typing import Any

from attrs import frozen
from sqlalchemy import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import Executable

Row = Mapping[str, Any]
CURSOR = "quill.driver_cursor"
# Result column names by statement (its SQL before LIMIT/OFFSET are written in: a bounded set),
# instead of psycopg's dict_row building them from the description on every execute.
_NAMES: dict[str, list[str]] = {}
POST_COMPILED = re.compile(r"__\[POSTCOMPILE_(\w+)\]")
# What changes data, the schema or the session, or takes a lock: in autocommit a change would
# be committed alone, a transaction's lock would end with the statement, and a session's lock
# or setting would outlive the unit on the thread's kept connection. A plain SELECT has none.
WRITING = re.compile(
    r"\b(INSERT|UPDATE|DELETE|MERGE|SHARE|TRUNCATE|COPY|INTO|CREATE|ALTER|DROP|CALL|DO|SET|"
    r"RESET|LOCK|GRANT|REVOKE|NOTIFY|LISTEN|VACUUM|CLUSTER|REINDEX|REFRESH|PREPARE)\b"
    r"|advisory|set_config|nextval|setval|pg_terminate|pg_cancel",
    re.I,
)


def all_rows(connection: Connection, stmt: Executable, params: Mapping[str, Any]) -> Sequence[Row]:
    driver = connection.connection.driver_connection
    if connection.dialect.name != "postgresql" or not getattr(driver, "autocommit", False):
        return connection.execute(stmt, params).mappings().all()  # type: ignore[return-value]
    return _on_driver(connection, stmt, params, reading=True)


@lru_cache(maxsize=1024)
def writes(sql: str) -> bool:
    """Whether a statement writes or locks: in autocommit each would count on its own."""
    return WRITING.search(sql) is not None


def written_row(
    connection: Connection,
    stmt: Executable,
    params: Mapping[str, Any],
    *,
    standalone: bool = False,
) -> Row | None:
    """The row a write RETURNING gives, if any (PostgreSQL): in the connection's transaction,
    or, `standalone`, alone in autocommit, where one statement is atomic by itself and
    committed as it returns."""
    if connection.connection.driver_connection.autocommit:  # type: ignore[union-attr]
        if not standalone:
            raise RuntimeError("a write needs a unit of work's transaction, not autocommit")
    elif not connection.in_transaction():
        connection.begin()  # SQLAlchemy's: the unit of work commits it or rolls it back
    rows = _on_driver(connection, stmt, params)
    return rows[0] if rows else None


def _on_driver(
    connection: Connection, stmt: Executable, params: Mapping[str, Any], *, reading: bool = False
) -> Sequence[Row]:
    """`reading`: in autocommit, so a statement that writes or locks is refused."""
    compiled = _postgres_sql(stmt, connection.dialect)
    if reading and compiled.writes:
        raise RuntimeError("a write needs a unit of work's transaction, not autocommit")
    template, defaults = compiled.sql, compiled.defaults
    params = {**defaults, **params} if defaults else params
    sql = _render_literals(template, params) if compiled.has_literals else template
    pooled = connection.connection
    try:
        cursor = _cursor(pooled)
        rows = cursor.execute(sql, params).fetchall()
        names = _NAMES.get(template) or _NAMES.setdefault(
            template, [column.name for column in cursor.description]
        )
        return [dict(zip(names, row, strict=True)) for row in rows]
    except connection.dialect.loaded_dbapi.Error as error:
        dialect = connection.dialect
        lost = dialect.is_disconnect(error, pooled.dbapi_connection, None)
        if lost:
            # As SQLAlchemy's own execution does on a disconnect: the whole pool goes (the
            # database likely restarted), so one request answers 503, not one per connection.
            connection.engine.pool._invalidate(pooled, error)
            connection.invalidate(error)
        raise DBAPIError.instance(
            sql,
            params,
            error,
            dialect.loaded_dbapi.Error,
            hide_parameters=True,
            connection_invalidated=lost,
            dialect=dialect,
        ) from error


def _cursor(pooled: PoolProxiedConnection) -> Any:
    """One cursor per pooled connection, kept in the pool's own per-connection `info`.

    A new cursor looks up its result loaders again (12 us a read, measured); a connection
    is used by one thread at a time, and `info` goes with it when the pool discards it.
    """
    cursor = pooled.info.get(CURSOR)
    if cursor is None:
        cursor = pooled.info[CURSOR] = pooled.driver_connection.cursor(binary=True)  # type: ignore[union-attr]
    return cursor


def first_row(connection: Connection, stmt: Executable, params: Mapping[str, Any]) -> Row | None:
    rows = all_rows(connection, stmt, params)
    return rows[0] if rows else None


def first_value(connection: Connection, stmt: Executable, params: Mapping[str, Any]) -> Any:
    row = first_row(connection, stmt, params)
    return None if row is None else next(iter(row.values()))


def _render_literals(template: str, params: Mapping[str, Any]) -> str:
    """Write the values SQLAlchemy renders at execution (literal_execute) into the SQL.

    Only whole numbers (LIMIT, OFFSET) are ever rendered so: anything else is refused.
    """

    def literal(match: re.Match[str]) -> str:
        value = params[match[1]]
        if type(value) is not int:
            raise TypeError(f"{match[1]} must be an int to be written into SQL, not {value!r}")
        return str(value)

    return POST_COMPILED.sub(literal, template)


@frozen
class Compiled:
    sql: str
    defaults: dict[str, Any]  # the values bound in the statement itself (`name = 'users'`)
    writes: bool  # see `writes`
    has_literals: bool  # LIMIT/OFFSET to write into the SQL at each execution


@cache
def _postgres_sql(stmt: Executable, dialect: Dialect) -> Compiled:
    """What each execution of a statement needs, worked out at its first."""
    compiled = stmt.compile(dialect=dialect)  # type: ignore[attr-defined]
    sql = str(compiled)
    bound = {name: bind.effective_value for name, bind in compiled.binds.items()}
    return Compiled(
        sql=sql,
        defaults={name: bound[name] for name, bind in compiled.binds.items() if not bind.required},
        writes=writes(sql),
        has_literals=POST_COMPILED.search(sql) is not None,
    )
