"""Point reads of read-only units on the driver's cursor, with SQL and values SQLAlchemy made.

The reads every request makes (its session, then one row by key) cost three times as much CPU
in SQLAlchemy's execution and result objects as on the driver's cursor (bench/RESULTS.md). So
a read-only unit runs them on the cursor SQLAlchemy documents for this, the DBAPI connection's
(`Connection.connection.driver_connection`), using only SQLAlchemy's public compiler API:
`SQLCompiler.construct_expanded_state()` gives the final SQL, the parameters in the driver's
style and their bind processors; `TypeEngine.dialect_impl().result_processor()` converts what
the driver returns (SQLite's timestamps) as SQLAlchemy's own results would. The same function
runs on SQLite and PostgreSQL, and a test compares its rows with SQLAlchemy's for every point
read. On any driver error the statement is run again through SQLAlchemy, which raises,
invalidates a lost connection and tells its listeners as it always does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from attrs import frozen
from sqlalchemy import Connection, Dialect, Select

Row = dict[str, Any]
CURSOR = "quill.point_read_cursor"  # the kept cursor, in the DBAPI connection's `info`


@frozen
class Compiled:
    compiled: Any  # SQLAlchemy's SQLCompiler for the statement and the dialect
    names: tuple[str, ...]  # of the selected columns, as SQLAlchemy's mappings name them
    results: tuple[Callable[[Any], Any] | None, ...]  # their result processors, if any


@cache
def _compiled(stmt: Select[Any], dialect: Dialect) -> Compiled:
    columns = list(stmt.selected_columns)
    return Compiled(
        compiled=stmt.compile(dialect=dialect),
        names=tuple(column.key for column in columns),
        results=tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        ),
    )


def first_row(connection: Connection, stmt: Select[Any], values: Mapping[str, Any]) -> Row | None:
    """The statement's first row as a dict, or None; for read-only units only (autocommit:
    an error leaves no transaction behind to run the statement again in)."""
    compiled = _compiled(stmt, connection.dialect)
    state = compiled.compiled.construct_expanded_state(values)
    processors = state.processors
    parameters = {
        name: processors[name](value) if name in processors else value
        for name, value in state.parameters.items()
    }
    sent = (
        tuple(parameters[name] for name in state.positiontup) if state.positiontup else parameters
    )
    try:
        cursor = _cursor(connection)
        cursor.execute(state.statement, sent)
        row = cursor.fetchone()
    except connection.dialect.loaded_dbapi.Error:
        found = connection.execute(stmt, values).mappings().first()  # raises as SQLAlchemy does
        return None if found is None else dict(found)
    if row is None:
        return None
    return {
        name: value if convert is None or value is None else convert(value)
        for name, value, convert in zip(compiled.names, row, compiled.results, strict=True)
    }


def _cursor(connection: Connection) -> Any:
    """One cursor per DBAPI connection, kept in its `info` (it goes with the connection)."""
    info = connection.info
    cursor = info.get(CURSOR)
    if cursor is None:
        cursor = info[CURSOR] = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    return cursor


def one_row(
    connection: Connection, stmt: Select[Any], values: Mapping[str, Any], *, point_read: bool
) -> Mapping[str, Any] | None:
    """The first row, by a point read in a read-only unit, else through SQLAlchemy."""
    if point_read:
        return first_row(connection, stmt, values)
    return connection.execute(stmt, values).mappings().first()
