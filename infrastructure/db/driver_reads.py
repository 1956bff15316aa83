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
class Expanded:
    """The final SQL of a statement for some values of its literal parameters (LIMITs)."""

    statement: str
    order: tuple[str, ...] | None  # the parameters' names in the driver's order, if positional
    processors: dict[str, Callable[[Any], Any]]  # every parameter's bind processor, if any


@frozen
class Compiled:
    compiled: Any  # SQLAlchemy's SQLCompiler for the statement and the dialect
    names: tuple[str, ...]  # of the selected columns, as SQLAlchemy's mappings name them
    converted: tuple[tuple[str, Callable[[Any], Any]], ...]  # the columns with a result processor
    binds: dict[str, Callable[[Any], Any]]  # the bound parameters' processors, if any
    literals: tuple[str, ...]  # the parameters written into the SQL (literal_execute)
    expanding: bool  # an IN list: the SQL depends on its length, so it is never kept
    binary: bool  # psycopg: rows in PostgreSQL's binary format (`binary=True`), see driver_rows
    expanded: dict[tuple[Any, ...], Expanded]  # by the literals' values; see _expanded


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
        converted=tuple(
            (column.key, process)
            for column in columns
            if (process := column.type.dialect_impl(dialect).result_processor(dialect, None))
        ),
        binds=binds,
        literals=tuple(sorted(bind.key for bind in compiled.literal_execute_params)),
        expanding=bool(compiled.post_compile_params)
        or any(bind.expanding for bind in compiled.literal_execute_params),
        binary=dialect.driver == "psycopg",
        expanded={},
    )


KEPT_EXPANSIONS = 64  # per statement: the page sizes and depths clients ask for


def _expanded(compiled: Compiled, values: Mapping[str, Any]) -> tuple[Expanded, dict[str, Any]]:
    """The final SQL and the values it is sent with. Expanding a statement (writing its LIMITs
    into the SQL) costs more than reading its page, so the SQL is kept for each set of the
    literals' values; only the bound values are made again (`construct_params`). An IN list
    changes the SQL with its length: such a statement is expanded every time."""
    if compiled.expanding:
        state = compiled.compiled.construct_expanded_state(values)
        return _final(compiled, state), state.parameters
    key = tuple(values.get(name) for name in compiled.literals)
    kept = compiled.expanded.get(key)
    if kept is not None:
        return kept, compiled.compiled.construct_params(values)
    state = compiled.compiled.construct_expanded_state(values)
    if len(compiled.expanded) >= KEPT_EXPANSIONS:  # bounded: start again with what is asked now
        compiled.expanded.clear()
    kept = compiled.expanded[key] = _final(compiled, state)
    return kept, state.parameters


def _final(compiled: Compiled, state: Any) -> Expanded:
    order = state.positiontup  # the driver's parameter style is positional (SQLite's)
    return Expanded(
        statement=state.statement,
        order=None if order is None else tuple(order),
        processors={**compiled.binds, **state.processors},
    )


def driver_rows(connection: Connection, stmt: Select[Any], values: Mapping[str, Any]) -> list[Row]:
    """The statement's rows as dicts; for read-only units only (autocommit: an error leaves no
    transaction behind to run the statement again in). Every row is fetched, so no statement
    stays open on the kept cursor (on SQLite it would hold a read snapshot)."""
    compiled = _compiled(stmt, connection.dialect)
    expanded, given = _expanded(compiled, values)
    processors = expanded.processors
    parameters = {
        name: processors[name](value) if name in processors else value
        for name, value in given.items()
    }
    order = expanded.order
    sent = tuple(parameters[name] for name in order) if order else parameters
    try:
        cursor = _cursor(connection)
        # psycopg reads numbers and times without parsing their text. Every type these reads
        # select (integers, text, booleans, timestamptz) loads as in the text format; a type
        # psycopg has no binary loader for (an enum, citext) would come back as bytes.
        if compiled.binary:
            cursor.execute(expanded.statement, sent, binary=True)
        else:
            cursor.execute(expanded.statement, sent)
        fetched = cursor.fetchall()
    except connection.dialect.loaded_dbapi.Error:
        found = connection.execute(stmt, values).mappings().all()  # raises as SQLAlchemy does
        return [dict(row) for row in found]
    names = compiled.names
    rows = [dict(zip(names, row, strict=True)) for row in fetched]
    for name, convert in compiled.converted:  # SQLite's timestamps; on PostgreSQL, none
        for row in rows:
            if (value := row[name]) is not None:
                row[name] = convert(value)
    return rows


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
