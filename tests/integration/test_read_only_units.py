"""Read-only units are read-only because the database says so, not because of what the SQL
looks like: writes are refused however they are sent, and any plain read goes through.
(PostgreSQL lets NOTIFY through a read-only transaction: it changes no data.)"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from domain.errors import ServiceUnavailable
from infrastructure.db.engine import make_read_engine
from infrastructure.db.unit_of_work import translate
from tests.factories import make_user
from tests.integration.conftest import empty_tables, sql_uow

DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=DATABASES)
def engine(request: pytest.FixtureRequest) -> Engine:
    engine: Engine = request.getfixturevalue(
        "pg_engine" if request.param == "postgres" else "sqlite_engine"
    )
    empty_tables(engine)
    return engine


@pytest.fixture
def reader(engine: Engine) -> Iterator[Engine]:
    read_engine = make_read_engine(engine.url.render_as_string(hide_password=False))
    yield read_engine
    read_engine.dispose()


def refused(read_engine: Engine, sql: str) -> str:
    with pytest.raises(DBAPIError) as raised, read_engine.connect() as connection:
        connection.execute(text(sql))
    return str(raised.value.orig).lower()


def test_a_repository_write_in_a_read_only_unit_is_refused_by_the_database(
    engine: Engine,
) -> None:
    uow = sql_uow(engine)
    with pytest.raises(DBAPIError, match=r"(?i)read-?only"), uow.read_only() as reader:
        reader.users.add(make_user())
    with uow.read_only() as reader:
        assert reader.users.count(None) == 0


def test_a_write_in_text_is_refused(engine: Engine, reader: Engine) -> None:
    message = refused(reader, "INSERT INTO row_counts (name, rows) VALUES ('x', 1)")
    assert "read-only" in message or "readonly" in message
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM row_counts")).scalar_one() == 0


def test_a_select_whose_columns_are_named_like_keywords_is_a_plain_read(reader: Engine) -> None:
    with reader.connect() as connection:
        row = connection.execute(text('SELECT 1 AS "share", 2 AS "set", 3 AS "into"')).one()
    assert tuple(row) == (1, 2, 3)


WRITING_FUNCTION = """
    CREATE OR REPLACE FUNCTION quill_test_writes() RETURNS bigint LANGUAGE sql
    AS $$ INSERT INTO row_counts (name, rows) VALUES ('x', 1) RETURNING rows $$
"""


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "SELECT nextval('users_id_seq')",
        "SELECT quill_test_writes()",
        "WITH gone AS (DELETE FROM users RETURNING id) SELECT count(*) FROM gone",
    ],
)
def test_writes_hidden_in_a_select_are_refused_on_postgres(pg_engine: Engine, sql: str) -> None:
    empty_tables(pg_engine)
    with pg_engine.begin() as connection:
        connection.execute(text(WRITING_FUNCTION))
    read_engine = make_read_engine(pg_engine.url.render_as_string(hide_password=False))
    try:
        assert "read-only" in refused(read_engine, sql)
    finally:
        read_engine.dispose()
        with pg_engine.begin() as connection:
            connection.execute(text("DROP FUNCTION quill_test_writes()"))


def test_a_read_past_its_time_is_stopped_and_answers_as_an_outage(pg_engine: Engine) -> None:
    """A search made slow on purpose holds PostgreSQL `read_timeout` at most; the request
    is a 503, as for a database that does not answer."""
    url = pg_engine.url.render_as_string(hide_password=False)
    default, quick = make_read_engine(url), make_read_engine(url, read_timeout=0.2)
    try:
        with default.connect() as connection:
            assert connection.execute(text("SHOW statement_timeout")).scalar() == "20s"
        with quick.connect() as connection:
            started = time.monotonic()
            with pytest.raises(DBAPIError) as raised:
                connection.execute(text("SELECT pg_sleep(5)"))
            assert time.monotonic() - started < 3
        assert isinstance(translate(raised.value), ServiceUnavailable)
    finally:
        default.dispose()
        quick.dispose()
