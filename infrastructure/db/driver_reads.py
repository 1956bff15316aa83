"""Reads of read-only units on the driver's cursor, with the SQL and values SQLAlchemy made.

The reads every request makes (its session, a row by key, a list's page and total) cost
several times as much CPU in SQLAlchemy's execution and result objects as on the driver's
cursor (figures in bench/RESULTS.md). So a read-only unit runs them on the cursor SQLAlchemy
documents for this, the DBAPI connection's (`Connection.connection.driver_connection`), using
only SQLAlchemy's public compiler API: `SQLCompiler.construct_expanded_state()` gives the
final SQL, the parameters in the driver's style and their bind processors;
`TypeEngine.dialect_impl().result_processor()` converts what the driver returns (SQLite's
timestamps) as SQLAlchemy's own results would. The same function runs on SQLite and
PostgreSQL, and tests compare its rows with SQLAlchemy's for every point read, page and
total. On any driver error the statement is run again through SQLAlchemy, which raises,
invalidates a lost connection and tells its listeners as it always does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

from attrs import frozen
from sqlalchemy import Connection, Dialect, Select

Row = dict[str, Any]
CURSOR = "quill.driver_read_cursor"  # the kept cursor, in the DBAPI connection's `info`


@frozen
class Compiled:
    compiled: Any  # SQLAlchemy's SQLCompiler for the statement and the dialect
    names: tuple[str, ...]  # of the selected columns, as SQLAlchemy's mappings name them
    results: tuple[Callable[[Any], Any] | None, ...]  # their result processors, if any
    binds: dict[str, Callable[[Any], Any]]  # the bound parameters' processors, if any


@cache
def _compiled(stmt: Select[Any], dialect: Dialect) -> Compiled:
    columns = list(stmt.selected_columns)
    compiled = stmt.compile(dialect=dialect)
    # The ExpandedState's `processors` hold only those of expanded parameters (IN lists), so
    # every other parameter's (SQLite's timestamps) comes from its type, as results' do.
    binds = {
        name: process
        for name, bind in compiled.binds.items()
        if (process := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
    }
    return Compiled(
        compiled=compiled,
        names=tuple(column.key for column in columns),
        results=tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        ),
        binds=binds,
    )


def driver_rows(connection: Connection, stmt: Select[Any], values: Mapping[str, Any]) -> list[Row]:
    """The statement's rows as dicts; for read-only units only (autocommit: an error leaves no
    transaction behind to run the statement again in). Every row is fetched, so no statement
    stays open on the kept cursor (on SQLite it would hold a read snapshot)."""
    compiled = _compiled(stmt, connection.dialect)
    state = compiled.compiled.construct_expanded_state(values)
    processors = {**compiled.binds, **state.processors}
    parameters = {
        name: processors[name](value) if name in processors else value
        for name, value in state.parameters.items()
    }
    order = state.positiontup  # the driver's parameter style is positional (SQLite's)
    sent = tuple(parameters[name] for name in order) if order else parameters
    try:
        cursor = _cursor(connection)
        cursor.execute(state.statement, sent)
        fetched = cursor.fetchall()
    except connection.dialect.loaded_dbapi.Error:
        found = connection.execute(stmt, values).mappings().all()  # raises as SQLAlchemy does
        return [dict(row) for row in found]
    names, results = compiled.names, compiled.results
    return [
        {
            name: value if convert is None or value is None else convert(value)
            for name, value, convert in zip(names, row, results, strict=True)
        }
        for row in fetched
    ]


def first_row(connection: Connection, stmt: Select[Any], values: Mapping[str, Any]) -> Row | None:
    rows = driver_rows(connection, stmt, values)
    return rows[0] if rows else None


def _cursor(connection: Connection) -> Any:
    """One cursor per DBAPI connection, kept in its `info` (it goes with the connection)."""
    info = connection.info
    cursor = info.get(CURSOR)
    if cursor is None:
        cursor = info[CURSOR] = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    return cursor


def read_rows(
    connection: Connection, stmt: Select[Any], values: Mapping[str, Any], *, on_driver: bool
) -> list[Row] | Sequence[Mapping[str, Any]]:
    """The rows, on the driver's cursor in a read-only unit, else through SQLAlchemy."""
    if on_driver:
        return driver_rows(connection, stmt, values)
    return connection.execute(stmt, values).mappings().all()


def one_row(
    connection: Connection, stmt: Select[Any], values: Mapping[str, Any], *, on_driver: bool
) -> Mapping[str, Any] | None:
    """The first row, on the driver's cursor in a read-only unit, else through SQLAlchemy."""
    if on_driver:
        return first_row(connection, stmt, values)
    return connection.execute(stmt, values).mappings().first()


def one_value(
    connection: Connection, stmt: Select[Any], values: Mapping[str, Any], *, on_driver: bool
) -> Any:
    """The first column of the first row (None without a row): a count, on the same path."""
    row = one_row(connection, stmt, values, on_driver=on_driver)
    return None if row is None else next(iter(row.values()))
