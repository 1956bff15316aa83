"""A reset asked for an unknown address does the work a known one does: the same statements
and round trips to PostgreSQL, and the same time within noise (docs/API.md: "in the same time
whether or not the address belongs to an account"). Prints its figures."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from application.users import Registration
from interfaces.container import Container
from tests.factories import PASSWORD

PAIRS = 200
WARM_UP = 20


def register(container: Container, count: int, prefix: str) -> list[str]:
    register_user = container.register_user()
    emails = [f"{prefix}{n}@example.com" for n in range(count)]
    for email in emails:
        register_user(Registration(email=email, name="Known Person", password=PASSWORD))
    return emails


class Statements:
    """What one request sends to the database: statements, and transactions begun and ended."""

    def __init__(self, container: Container) -> None:
        self.sent: list[str] = []
        engine = container.engine()
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "begin", lambda _: self.sent.append("BEGIN"))
        event.listen(engine, "commit", lambda _: self.sent.append("COMMIT"))
        event.listen(engine, "rollback", lambda _: self.sent.append("ROLLBACK"))

    def _statement(self, _c: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.sent.append(" ".join(statement.split()[:3])[:40])  # the kind and table, no values

    def of(self, call: Any) -> list[str]:
        self.sent.clear()
        call()
        return list(self.sent)


@pytest.fixture
def known(pg_container: Container) -> Iterator[list[str]]:
    yield register(pg_container, PAIRS + WARM_UP + 1, "known")


def ask(app: Flask, email: str) -> float:
    client = app.test_client()
    started = time.perf_counter()
    response = client.post("/api/v1/auth/password-reset", json={"email": email})
    elapsed = time.perf_counter() - started
    assert response.status_code == 202
    return elapsed * 1000


@pytest.mark.postgres
def test_a_reset_for_an_unknown_address_sends_the_same_statements_as_for_a_known_one(
    pg_app: Flask, pg_container: Container, known: list[str]
) -> None:
    statements = Statements(pg_container)
    for_known = statements.of(lambda: ask(pg_app, known[-1]))
    for_unknown = statements.of(lambda: ask(pg_app, "nobody-at-all@example.com"))
    print(f"\n[reset timing] statements per request: {len(for_known)}: {for_known}")
    assert for_known == for_unknown
    assert "INSERT INTO outbox" in for_known  # the known one did queue its mail


@pytest.mark.postgres
def test_a_reset_for_an_unknown_address_takes_as_long_as_for_a_known_one(
    pg_app: Flask, known: list[str]
) -> None:
    """Pairs of requests, a known and an unknown address each, in random order: the pair's two
    times are compared, so that the load of the machine, which drifts, weighs on both alike."""
    unknown = [f"unknown{n}@example.com" for n in range(PAIRS + WARM_UP)]
    for n in range(WARM_UP):
        ask(pg_app, known[n])
        ask(pg_app, unknown[n])
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    order = random.Random(19)
    for n in range(WARM_UP, WARM_UP + PAIRS):
        pair = [("known", known[n]), ("unknown", unknown[n])]
        order.shuffle(pair)  # neither always goes first
        for kind, email in pair:
            times[kind].append(ask(pg_app, email))
    medians = {kind: statistics.median(found) for kind, found in times.items()}
    for kind, found in times.items():
        tenths = statistics.quantiles(found, n=10)
        print(
            f"\n[reset timing] {kind}: n={len(found)} median={medians[kind]:.3f} ms"
            f" mean={statistics.fmean(found):.3f} ms p10={tenths[0]:.3f} ms"
            f" p90={tenths[-1]:.3f} ms"
        )
    gaps = [k - u for k, u in zip(times["known"], times["unknown"], strict=True)]
    gap = statistics.median(gaps)
    quarters = statistics.quantiles(gaps, n=4)
    print(
        f"[reset timing] known minus unknown, per pair: median {gap:+.3f} ms"
        f" (quartiles {quarters[0]:+.3f} .. {quarters[-1]:+.3f} ms),"
        f" {gap / medians['known']:+.1%} of the known median"
    )
    # The statements are the same (the test above); what is left is the size of what the
    # known path writes. A hash, a send or a skipped statement on one side only would show
    # as a gap far larger than this bound, which leaves room for a loaded machine's noise.
    assert abs(gap) < 0.25 * medians["known"]
