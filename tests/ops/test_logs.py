"""The request log: one JSON line per request with its fields; tracebacks stay on the server."""

from __future__ import annotations

import io
import json
import logging
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from infrastructure.db.engine import make_engine
from interfaces.container import Container
from interfaces.http import logs
from interfaces.http.app import create_app
from tests.conftest import SignedIn
from tests.ops.server import gunicorn

SECRET_PASSWORD = "Very-Secret-Pass-42"


@pytest.fixture
def log(app: Flask) -> Iterator[io.StringIO]:
    """What the app logs, as JSON lines: the app's own log set-up, writing to a buffer."""
    buffer = io.StringIO()
    logs.configure("INFO", "json", stream=buffer)
    yield buffer
    logs.configure("INFO", "json")


def lines(log: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.getvalue().splitlines()]


def requests(log: io.StringIO) -> list[dict[str, Any]]:
    return [line for line in lines(log) if line["logger"] == "quill.request"]


def test_each_request_is_one_json_line_with_its_fields(
    client: FlaskClient, auth: Callable[..., SignedIn], log: io.StringIO
) -> None:
    ann = auth()
    response = client.get("/api/v1/users/me", headers={**ann.headers, "X-Request-ID": "req-1"})
    entry = requests(log)[-1]
    assert response.headers["X-Request-ID"] == "req-1"
    assert entry["request_id"] == "req-1"
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/api/v1/users/me", 200)
    assert entry["user_id"] == ann.id
    assert isinstance(entry["duration_ms"], float) and entry["duration_ms"] >= 0
    assert entry["level"] == "INFO" and entry["time"].endswith("Z")


def test_an_anonymous_request_is_logged_without_a_user(
    client: FlaskClient, log: io.StringIO
) -> None:
    client.get("/api/v1/nothing-here")
    entry = requests(log)[-1]
    assert entry["status"] == 404 and "user_id" not in entry
    assert len(entry["request_id"]) == 32


def test_no_password_token_or_hash_reaches_the_log(
    client: FlaskClient, container: Container, log: io.StringIO
) -> None:
    body = {"email": "secretive@example.com", "name": "Sec", "password": SECRET_PASSWORD}
    assert client.post("/api/v1/users", json=body).status_code == 201
    client.post("/api/v1/auth/login", json={"email": body["email"], "password": "Wrong-Pass-1"})
    login = {"email": body["email"], "password": SECRET_PASSWORD}
    tokens = client.post("/api/v1/auth/login", json=login).json
    assert tokens is not None
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    refresh = {"Authorization": f"Bearer {tokens['refresh_token']}"}
    renewed = client.post("/api/v1/auth/refresh", headers=refresh).json
    assert renewed is not None
    change = {"current_password": SECRET_PASSWORD, "new_password": "Another-Pass-43"}
    client.post("/api/v1/users/me/password", json=change, headers=bearer)
    with container.uow() as uow:
        stored = uow.users.get_by_email(body["email"])
    assert stored is not None
    written = log.getvalue()
    assert len(requests(log)) == 5
    secrets = [SECRET_PASSWORD, "Wrong-Pass-1", "Another-Pass-43", "$argon2", stored.password_hash]
    secrets += [tokens["access_token"], tokens["refresh_token"], renewed["refresh_token"]]
    for secret in secrets:
        assert secret not in written
    for token in (tokens["access_token"], tokens["refresh_token"]):
        assert token.split(".")[2] not in written  # not even the signature


@pytest.mark.parametrize("path", ["/reset-password%3Ftoken=LIVE-TOKEN-123", "/x%3fLIVE-TOKEN-123"])
def test_a_link_whose_query_mark_was_encoded_leaves_its_token_out_of_the_log(
    client: FlaskClient, log: io.StringIO, path: str
) -> None:
    """A mail client or a copy that encodes the `?` of `/reset-password?token=...` makes the
    token part of the path: a 404, whose logged path would carry a live token."""
    assert client.get(path).status_code == 404
    (entry,) = requests(log)
    assert entry["path"].endswith("?…") and "LIVE-TOKEN-123" not in log.getvalue()


def test_werkzeug_s_request_line_leaves_out_a_query_whose_mark_was_encoded() -> None:
    record = logging.LogRecord(
        "werkzeug", logging.INFO, __file__, 1, '"%s" %s %s',
        ("GET /reset-password%3Ftoken=LIVE-TOKEN-123 HTTP/1.1", "404", "-"), None,
    )  # fmt: skip
    assert logs.HideQueryStrings().filter(record)
    assert record.getMessage() == '"GET /reset-password?… HTTP/1.1" 404 -'


@pytest.mark.parametrize(
    "request_id", ['evil\n{"forged": true}', "x" * 10_000, "tab\there", "é" * 50]
)
def test_a_hostile_request_id_never_breaks_a_line(
    client: FlaskClient, log: io.StringIO, request_id: str
) -> None:
    response = client.get("/healthz", environ_overrides={"HTTP_X_REQUEST_ID": request_id})
    assert response.headers["X-Request-ID"] != request_id
    (entry,) = lines(log)
    assert entry["request_id"] == response.headers["X-Request-ID"]
    assert "forged" not in entry


def test_a_hostile_path_stays_on_one_bounded_line(client: FlaskClient, log: io.StringIO) -> None:
    client.get("/api/v1/" + "%0A%7B%22a%22:1%7D" * 2000)
    (entry,) = lines(log)
    assert entry["status"] == 404
    assert entry["path"].startswith("/api/v1/\n{")
    assert len(log.getvalue()) < 4000


def test_a_path_is_logged_as_the_app_read_it(client: FlaskClient, log: io.StringIO) -> None:
    client.get("/api/v1/café")
    (entry,) = lines(log)
    assert entry["path"] == "/api/v1/café"


def test_the_line_is_made_from_the_wsgi_environ_alone(log: io.StringIO) -> None:
    """No request context: what the line says comes from the environ the edge was given."""
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/v1/café".encode().decode("latin-1"),  # as WSGI carries it
        "REMOTE_ADDR": "10.0.0.7",
        logs.USER_ID_KEY: 42,
    }
    logs.log_request(environ, 201, time.perf_counter(), "edge-1")
    (entry,) = lines(log)
    assert (entry["method"], entry["path"], entry["status"]) == ("POST", "/api/v1/café", 201)
    assert (entry["user_id"], entry["remote_addr"]) == (42, "10.0.0.7")
    assert entry["request_id"] == "edge-1"


@pytest.fixture
def failing_app(container: Container) -> Flask:
    app = create_app(container)

    def boom() -> str:
        raise RuntimeError("kaboom at the database layer")

    app.add_url_rule("/api/v1/boom", view_func=boom)
    return app


def test_an_unexpected_error_is_logged_with_its_traceback_and_hidden_from_the_client(
    failing_app: Flask, log: io.StringIO
) -> None:
    response = failing_app.test_client().get("/api/v1/boom", headers={"X-Request-ID": "bad-1"})
    assert response.status_code == 500
    assert response.json == {"message": "An unexpected error occurred.", "code": "internal_error"}
    assert "kaboom" not in response.get_data(as_text=True)
    error, request = lines(log)
    assert error["level"] == "ERROR" and error["request_id"] == "bad-1"
    assert "Traceback" in error["traceback"]
    assert "RuntimeError: kaboom at the database layer" in error["traceback"]
    assert request["status"] == 500 and request["request_id"] == "bad-1"


def test_text_format_is_for_people_and_still_one_line_per_request(client: FlaskClient) -> None:
    buffer = io.StringIO()
    logs.configure("INFO", "text", stream=buffer)
    try:
        client.get("/healthz", headers={"X-Request-ID": "human-1"})
        client.get("/api/v1/a%0Ab")
    finally:
        logs.configure("INFO", "json")
    first, second = buffer.getvalue().splitlines()
    assert " INFO quill.request request request_id=human-1 method=GET path=/healthz " in first
    assert "status=200 duration_ms=" in first
    assert 'path="/api/v1/a\\nb" status=404' in second


def test_the_log_level_and_format_come_from_the_settings(container: Container) -> None:
    container.config.from_dict({"log_level": "WARNING", "log_format": "text"})
    create_app(container)
    logger = logging.getLogger("quill")
    try:
        (handler,) = [h for h in logger.handlers if getattr(h, "quill", False)]
        assert logger.level == logging.WARNING
        assert isinstance(handler.formatter, logs.TextFormatter)
        buffer = io.StringIO()
        handler.setStream(buffer)  # type: ignore[attr-defined]
        logging.getLogger("quill.request").info("request")
        logging.getLogger("quill.errors").error("shown")
        assert buffer.getvalue().count("\n") == 1 and "shown" in buffer.getvalue()
    finally:
        logs.configure("INFO", "json")


def test_a_database_errors_text_shows_its_statement_but_not_its_values() -> None:
    """What an unexpected error logs with its traceback never carries a stored secret."""
    engine = make_engine("sqlite://")
    with pytest.raises(DBAPIError) as raised, engine.connect() as connection:
        connection.execute(text("SELECT * FROM nowhere WHERE x = :hash"), {"hash": "argon2-x"})
    assert "nowhere" in str(raised.value) and "argon2-x" not in str(raised.value)
    engine.dispose()


def test_gunicorn_s_warning_of_an_unparsable_request_line_leaves_its_query_out(
    tmp_path: Path,
) -> None:
    """gunicorn quotes a request line it cannot parse whole: a reset link's token with a
    stray control character in it would have gone to the log."""
    with gunicorn(tmp_path, workers=1) as (base, log):
        host, port = base.removeprefix("http://").split(":")
        line = b"GET /reset-password?token=SECRET-TOKEN-456\x01 HTTP/1.1\r\nHost: x\r\n\r\n"
        with socket.create_connection((host, int(port)), timeout=10) as client:
            client.sendall(line)
            assert client.recv(64).startswith(b"HTTP/1.1 400")
        deadline = time.monotonic() + 10
        while b"Invalid request" not in log.read_bytes() and time.monotonic() < deadline:
            time.sleep(0.1)
    written = log.read_bytes()
    assert b"Invalid HTTP request line: 'GET /reset-password?\xe2\x80\xa6 HTTP/1.1'" in written
    assert b"SECRET-TOKEN-456" not in written
