"""The long-running worker's failed rounds: an outage or a schema not yet migrated is one log
line a round; any other fault keeps its traceback."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from domain.errors import ServiceUnavailable
from infrastructure.mail.worker import MailWorker


def a_round_failing_with(error: Exception, stop: threading.Event) -> MailWorker:
    def deliver(*_: object) -> None:
        stop.set()  # one round only: the worker's wait then ends at once
        raise error

    return MailWorker(deliver, poll=0.01)  # type: ignore[arg-type]


def database_error(tmp_path: Path, statement: str) -> Exception:
    engine = create_engine(f"sqlite:///{tmp_path}/empty.db")
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    except Exception as error:
        return error
    finally:
        engine.dispose()
    raise AssertionError("the statement did not fail")


def test_a_schema_not_yet_migrated_is_one_line_naming_the_upgrade(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    stop = threading.Event()
    error = database_error(tmp_path, "SELECT id FROM outbox")
    with caplog.at_level(logging.ERROR, logger="quill.mail"):
        a_round_failing_with(error, stop).run(stop)
    [record] = caplog.records
    assert not record.exc_info
    assert "run `quill db upgrade`" in record.getMessage()


def test_any_other_fault_keeps_its_traceback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    stop = threading.Event()
    error = database_error(tmp_path, "SELECT nonsense(")
    with caplog.at_level(logging.ERROR, logger="quill.mail"):
        a_round_failing_with(error, stop).run(stop)
    [record] = caplog.records
    assert record.exc_info


def test_an_outage_is_one_line_with_what_the_database_driver_said(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    stop = threading.Event()
    refused = database_error(tmp_path / "no such folder", "SELECT 1")
    outage = ServiceUnavailable()
    outage.__cause__ = refused
    with caplog.at_level(logging.ERROR, logger="quill.mail"):
        a_round_failing_with(outage, stop).run(stop)
    [record] = caplog.records
    assert not record.exc_info
    assert "The database: unable to open database file" in record.getMessage()
