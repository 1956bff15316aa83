"""A gunicorn worker killed mid-burst: the server keeps serving and every 201 is durable."""

from __future__ import annotations

import http.client
import json
import os
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from infrastructure.db.engine import make_engine
from tests.factories import PASSWORD
from tests.reliability.hostile import MIB
from tests.reliability.servers import Server, gunicorn

pytestmark = pytest.mark.postgres

WRITERS = 4
BURST_LIMIT = 45  # seconds the whole burst may take


@pytest.fixture(scope="module")
def server(pg_url: str) -> Iterator[Server]:
    with gunicorn(pg_url, workers=2) as running:
        yield running


def signed_in(server: Server) -> tuple[int, dict[str, str]]:
    email = f"burst-{uuid.uuid4().hex[:12]}@example.com"
    status, user = server.call(
        "POST", "/api/v1/users", {"email": email, "name": "Burst", "password": PASSWORD}
    )
    assert status == 201, user
    status, tokens = server.call(
        "POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD}
    )
    assert status == 200, tokens
    return user["id"], {"Authorization": f"Bearer {tokens['access_token']}"}


def content_for(title: str) -> str:
    return (title + " ") * 2000  # some 40 KB: a request worth interrupting


class Burst:
    """Writers posting as fast as they can; every outcome is kept."""

    def __init__(self, server: Server, headers: dict[str, str]) -> None:
        self.server, self.headers = server, headers
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.created: dict[str, int] = {}  # title -> id, for each 201
        self.other: list[tuple[str, int, Any]] = []  # any other status
        self.broken: list[tuple[str, str]] = []  # no answer: the connection died

    def write(self, writer: int) -> None:
        n = 0
        while not self.stop.is_set():
            title = f"w{writer}-{n}-{uuid.uuid4().hex[:6]}"
            n += 1
            body = {"title": title, "content": content_for(title), "published": n % 2 == 0}
            try:
                status, answer = self.server.call("POST", "/api/v1/posts", body, self.headers)
            # Reset, refused, timed out, or killed between the headers and the body: no answer.
            except (OSError, http.client.HTTPException) as error:
                with self.lock:
                    self.broken.append((title, type(error).__name__))
                continue
            with self.lock:
                if status == 201:
                    self.created[title] = answer["id"]
                else:
                    self.other.append((title, status, answer))

    def count(self) -> int:
        with self.lock:
            return len(self.created)

    def wait_for(self, total: int, deadline: float) -> None:
        while self.count() < total and time.monotonic() < deadline:
            time.sleep(0.05)


def test_a_worker_killed_mid_burst_loses_no_acknowledged_post_and_leaves_no_half_row(
    server: Server, pg_url: str
) -> None:
    author_id, headers = signed_in(server)
    burst = Burst(server, headers)
    threads = [threading.Thread(target=burst.write, args=(i,), daemon=True) for i in range(WRITERS)]
    deadline = time.monotonic() + BURST_LIMIT
    for thread in threads:
        thread.start()
    killed: list[int] = []
    try:
        burst.wait_for(20, deadline)
        # Kill until a request is really cut off mid-flight (a kill between requests proves less).
        while len(killed) < 3 and not burst.broken and time.monotonic() < deadline:
            victim = server.workers[0]
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)
            burst.wait_for(burst.count() + 20, deadline)
        burst.wait_for(burst.count() + 20, deadline)  # and the server goes on taking writes
    finally:
        burst.stop.set()
        for thread in threads:
            thread.join(timeout=40)

    print(f"killed {killed}, created {len(burst.created)}, cut off {len(burst.broken)}")
    assert killed and burst.broken, "no request was cut off by killing a worker"
    assert burst.other == [], f"answers other than 201: {burst.other[:5]}"
    assert server.process.poll() is None, "the gunicorn master died"
    assert server.call("GET", "/healthz")[0] == 200
    assert (
        server.call("POST", "/api/v1/posts", {"title": "after", "content": "c"}, headers)[0] == 201
    )
    assert len(server.workers) == 2 and not set(killed) & set(server.workers)

    engine = make_engine(pg_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT id, title, content, published, version, created_at = updated_at AS fresh"
                " FROM posts WHERE author_id = :author AND title <> 'after'"
            ),
            {"author": author_id},
        ).all()
    engine.dispose()
    stored = {row.title: row for row in rows}
    lost = {
        title: ident
        for title, ident in burst.created.items()
        if stored.get(title) is None or stored[title].id != ident
    }
    assert lost == {}, f"answered 201 but not in the database: {lost}"
    sent = set(burst.created) | {title for title, _ in burst.broken}
    strangers = set(stored) - sent
    assert strangers == set()
    half = [
        row.title
        for row in rows
        if row.content != content_for(row.title) or row.version != 1 or not row.fresh
    ]
    assert half == [], f"rows not as sent: {half}"
    assert len(rows) == len(stored)  # no title twice: no request was applied twice


def chunked(body: bytes, size: int = 65536) -> bytes:
    parts = (body[i : i + size] for i in range(0, len(body), size))
    return b"".join(f"{len(part):x}\r\n".encode() + part + b"\r\n" for part in parts) + b"0\r\n\r\n"


def test_a_chunked_body_over_one_mebibyte_is_refused_by_the_real_server(server: Server) -> None:
    """No Content-Length to check up front: the limit must hold while the body streams in."""
    _, headers = signed_in(server)
    # A valid post, then blanks: cut at 1 MiB it still parses, and would be written.
    post = json.dumps({"title": "smuggled", "content": "x" * 1000}).encode()
    bodies = {
        "invalid when cut at 1 MiB": b'{"title": "t", "content": "'
        + b"x" * (MIB + MIB // 4)
        + b'"}',
        "valid when cut at 1 MiB": post + b" " * (MIB + MIB // 4 - len(post)),
    }
    answers = {
        name: server.call(
            "POST",
            "/api/v1/posts",
            raw=chunked(body),
            headers={**headers, "Transfer-Encoding": "chunked", "Content-Type": "application/json"},
        )
        for name, body in bodies.items()
    }
    wrong = {
        name: (status, str(answer)[:100])
        for name, (status, answer) in answers.items()
        if status != 413 or answer.get("code") != "payload_too_large"
    }
    assert wrong == {}


def test_a_chunked_body_of_exactly_one_mebibyte_is_accepted_by_the_real_server(
    server: Server,
) -> None:
    _, headers = signed_in(server)
    post = json.dumps({"title": "just fits", "content": "x" * 1000}).encode()
    body = post + b" " * (MIB - len(post))
    assert len(body) == MIB
    status, answer = server.call(
        "POST",
        "/api/v1/posts",
        raw=chunked(body),
        headers={**headers, "Transfer-Encoding": "chunked", "Content-Type": "application/json"},
    )
    assert (status, answer.get("title")) == (201, "just fits")
