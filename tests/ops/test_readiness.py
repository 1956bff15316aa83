"""Readiness really asks the database, and whether its schema is this release's; liveness
asks nothing."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DatabaseError

from domain.errors import ServiceUnavailable
from infrastructure.db.health import SchemaRevisions
from infrastructure.db.migrations import SCRIPT_LOCATION, AlembicMigrator
from infrastructure.db.unit_of_work import translate
from interfaces.container import Container, build_container
from interfaces.http.app import create_app
from tests.ops.server import CHEAP_ARGON2
from tests.pg import dispose_pools, postgres_database

SETTINGS = {"APP_ENV": "testing", "SECRET_KEY": "s" * 32, **CHEAP_ARGON2}
CLOSED_PORT = "postgresql+psycopg://postgres@127.0.0.1:1/quill"
ClientOn = Callable[..., FlaskClient]


@pytest.fixture
def client_on() -> Iterator[ClientOn]:
    """A client of the app built from the environment, on the given database (migrated to
    the given revision)."""
    built: list[Container] = []

    def on(database_url: str, migrated_to: str | None = None) -> FlaskClient:
        built.append(build_container({**SETTINGS, "DATABASE_URL": database_url}))
        if migrated_to is not None:
            built[-1].migrator().upgrade(migrated_to)
        return create_app(built[-1]).test_client()

    yield on
    for container in built:
        dispose_pools(container)
        container.unwire()


def test_readiness_fails_while_the_database_is_unreachable(
    client_on: ClientOn,
) -> None:
    client = client_on(CLOSED_PORT)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json == {
        "message": "The database is not answering.",
        "code": "service_unavailable",
    }
    assert "psycopg" not in response.get_data(as_text=True)
    assert client.get("/healthz").json == {"status": "ok"}


def test_a_request_needing_the_unreachable_database_is_service_unavailable(
    client_on: ClientOn, caplog: pytest.LogCaptureFixture
) -> None:
    response = client_on(CLOSED_PORT).get("/api/v1/posts")
    assert response.status_code == 503
    assert response.json is not None and response.json["code"] == "service_unavailable"
    assert "psycopg" not in response.get_data(as_text=True)
    # The operator learns why from the log, as from the CLI.
    (said,) = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert said.startswith("The service is temporarily unavailable. The database: ")
    assert "connection" in said.lower()


def test_a_file_that_is_not_a_database_is_service_unavailable(
    client_on: ClientOn, tmp_path: Path
) -> None:
    """DATABASE_URL naming the wrong file: the operator's to fix, never a 500."""
    (tmp_path / "notes.txt").write_text("not a database\n" * 100)
    client = client_on(f"sqlite:///{tmp_path}/notes.txt")
    for path in ("/readyz", "/api/v1/posts"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert response.json is not None and response.json["code"] == "service_unavailable"


def test_a_damaged_index_is_service_unavailable(client_on: ClientOn, tmp_path: Path) -> None:
    """SQLite names a damaged index by an extended code (SQLITE_CORRUPT_INDEX, or its
    primary SQLITE_CORRUPT): either is the operator's to restore, never a 500."""
    url = f"sqlite:///{tmp_path}/q.db"
    client = client_on(url, "head")
    engine = create_engine(url)
    with engine.connect() as connection:
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))  # every page in the file
        page_size = connection.execute(text("PRAGMA page_size")).scalar_one()
        root = connection.execute(
            text("SELECT rootpage FROM sqlite_master WHERE name = :name"),
            {"name": "ix_users_created_at_id"},
        ).scalar_one()
    engine.dispose()
    with (tmp_path / "q.db").open("r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\xff" * page_size)
    new_user = {"email": "ann@example.com", "name": "Ann", "password": "A-long-password-1"}
    response = client.post("/api/v1/users", json=new_user)  # its insert writes the index
    assert response.status_code == 503, response.json
    assert response.json is not None and response.json["code"] == "service_unavailable"


def test_a_damaged_index_named_by_its_extended_code_is_service_unavailable() -> None:
    """What sqlite3 raises when a deletion finds no index entry for its row."""
    said = sqlite3.DatabaseError("database disk image is malformed")
    said.sqlite_errorcode = sqlite3.SQLITE_CORRUPT_INDEX
    said.sqlite_errorname = "SQLITE_CORRUPT_INDEX"
    failed = DatabaseError("DELETE FROM users WHERE users.id = ?", (1,), said)
    assert isinstance(translate(failed), ServiceUnavailable)


def test_readiness_answers_ready_when_the_database_answers_at_this_release(
    client_on: ClientOn, tmp_path: Path
) -> None:
    response = client_on(f"sqlite:///{tmp_path}/q.db", "head").get("/readyz")
    assert (response.status_code, response.json) == (200, {"status": "ready"})


def _one_release_behind() -> str:
    script = ScriptDirectory(str(SCRIPT_LOCATION))
    revision = script.get_revision(script.get_current_head())
    assert revision is not None and isinstance(revision.down_revision, str)
    return revision.down_revision


@pytest.mark.parametrize(
    "migrated_to", [None, "behind"], ids=["never migrated", "a release behind"]
)
def test_readiness_fails_while_the_schema_is_behind_the_code(
    client_on: ClientOn, tmp_path: Path, migrated_to: str | None
) -> None:
    """Every request would fail there: a load balancer keeps the instance out of rotation."""
    revision = _one_release_behind() if migrated_to else None
    response = client_on(f"sqlite:///{tmp_path}/q.db", revision).get("/readyz")
    assert response.status_code == 503
    assert response.json == {
        "message": "The database's schema is missing or older than this release.",
        "code": "service_unavailable",
    }


def test_an_api_request_on_a_database_never_migrated_is_503_and_the_log_says_why(
    client_on: ClientOn, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Not an unexpected 500 with a traceback: the instance is not ready, as /readyz says."""
    client = client_on(f"sqlite:///{tmp_path}/q.db", None)
    v1 = client.get("/api/v1/posts")
    conduit = client.get("/api/articles")
    assert (v1.status_code, v1.json["code"]) == (503, "service_unavailable")
    assert (conduit.status_code, list(conduit.json["errors"])) == (503, ["server"])
    said = [record.getMessage() for record in caplog.records]
    assert (
        said.count(
            "The database's schema is missing or older than this release: run `quill db upgrade`."
        )
        == 2
    )
    assert not any(record.exc_info for record in caplog.records)


def test_readiness_answers_ready_on_a_schema_a_newer_release_migrated(
    client_on: ClientOn, tmp_path: Path
) -> None:
    """A rolling upgrade migrates before every instance runs the new release: the old ones
    keep serving (migrations add before they take away)."""
    url = f"sqlite:///{tmp_path}/q.db"
    client = client_on(url, "head")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00dcafe0001'"))
    engine.dispose()
    assert client.get("/readyz").status_code == 200


@pytest.mark.parametrize(
    ("current", "behind"),
    [
        ((), True),
        (("a",), True),
        (("b",), True),  # one branch of two at its head
        (("b", "c"), False),
        (("z",), False),
        (("a", "z"), False),
    ],
)
def test_a_schema_is_behind_at_none_or_an_older_revision_of_this_release(
    current: tuple[str, ...], behind: bool
) -> None:
    """`a` is older than the two heads `b` and `c`; `z` is a newer release's revision."""
    revisions = SchemaRevisions(heads=frozenset({"b", "c"}), known=frozenset({"a", "b", "c"}))
    assert revisions.behind(current) is behind


def test_readiness_follows_the_schema_on_postgresql(client_on: ClientOn) -> None:
    """The probe reads alembic_version through a read-write pool on PostgreSQL too: behind
    after a step down, ready at head again."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests do not run")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with postgres_database(url, f"{worker}_readiness") as fresh:  # migrated to head
        client = client_on(fresh)
        assert client.get("/readyz").status_code == 200
        engine = create_engine(fresh)
        try:
            AlembicMigrator(engine).downgrade(_one_release_behind())
            assert client.get("/readyz").json["code"] == "service_unavailable"
            AlembicMigrator(engine).upgrade()
            assert client.get("/readyz").status_code == 200
        finally:
            engine.dispose()
