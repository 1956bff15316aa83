"""Writers of one user serialise on its row, so none undoes another (PostgreSQL)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text

from application.auth import Credentials, LogIn
from application.tokens import LoginThrottle
from application.users import (
    OPERATOR,
    ChangePassword,
    PasswordChange,
    RegisterUser,
    Registration,
    UpdateUser,
    UserChanges,
)
from domain.errors import InvalidCredentials
from domain.users import Actor, Role
from infrastructure.clock import utc_now
from infrastructure.security import Argon2PasswordHasher
from interfaces.container import Container
from tests.integration.conftest import empty_tables, sql_uow
from tests.unit.conftest import MeddlingHasher

pytestmark = pytest.mark.postgres
OLD, NEW = "Old-Password-1", "New-Password-2"


def in_thread(action: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = action()
        except Exception as error:  # reported to the test, which asserts on it
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@pytest.fixture
def user_id(pg_engine: Engine, hasher: Argon2PasswordHasher) -> int:
    empty_tables(pg_engine)
    register = RegisterUser(sql_uow(pg_engine), hasher, utc_now)
    user = register(Registration(email="ann@example.com", name="Ann", password=OLD))
    assert user.id is not None
    return user.id


def change_password_holding_the_row(
    pg_engine: Engine, hasher: Argon2PasswordHasher, user_id: int, while_held: Callable[[], None]
) -> None:
    """What ChangePassword does, with a pause while it holds the row (where it hashes)."""
    with sql_uow(pg_engine) as uow:
        user = uow.users.get(user_id, lock=True)
        assert user is not None
        while_held()
        uow.users.save(user.change(password_hash=hasher.hash(NEW), now=utc_now()))
        uow.commit()


def test_a_deactivation_during_a_password_change_waits_and_both_changes_stay(
    pg_engine: Engine, hasher: Argon2PasswordHasher, user_id: int
) -> None:
    deactivate = UpdateUser(sql_uow(pg_engine), utc_now)
    started: list[threading.Thread] = []

    def start_deactivation() -> None:
        thread, _ = in_thread(lambda: deactivate(OPERATOR, user_id, UserChanges(is_active=False)))
        thread.join(0.5)
        assert thread.is_alive(), "the deactivation did not wait for the row lock"
        started.append(thread)

    change_password_holding_the_row(pg_engine, hasher, user_id, start_deactivation)
    started[0].join(10)
    with sql_uow(pg_engine) as uow:
        stored = uow.users.get(user_id)
    assert stored is not None
    assert stored.is_active is False
    assert hasher.verify(stored.password_hash, NEW)


def test_a_login_with_the_old_password_during_a_change_fails(
    pg_engine: Engine, hasher: Argon2PasswordHasher, user_id: int, container: Container
) -> None:
    log_in = LogIn(sql_uow(pg_engine), hasher, container.issuer(), LoginThrottle(), utc_now)
    pending: list[tuple[threading.Thread, dict[str, Any]]] = []

    def start_login() -> None:
        thread, outcome = in_thread(
            lambda: log_in(Credentials(email="ann@example.com", password=OLD))
        )
        thread.join(0.5)
        assert thread.is_alive(), "the login did not wait for the row lock"
        pending.append((thread, outcome))

    change_password_holding_the_row(pg_engine, hasher, user_id, start_login)
    thread, outcome = pending[0]
    thread.join(10)
    assert isinstance(outcome.get("error"), InvalidCredentials)


def test_no_lock_is_held_while_a_login_checks_the_password(
    pg_engine: Engine, hasher: Argon2PasswordHasher, user_id: int, container: Container
) -> None:
    seen: dict[str, Any] = {}

    def try_the_locks() -> None:
        with pg_engine.connect() as other:
            row = "SELECT id FROM users WHERE id = :id FOR UPDATE NOWAIT"
            seen["user row"] = other.execute(text(row), {"id": user_id}).scalar()
            email = "SELECT pg_try_advisory_xact_lock(hashtextextended('ann@example.com', 0))"
            seen["e-mail lock"] = other.execute(text(email)).scalar()
            other.rollback()

    hashing = MeddlingHasher(hasher, try_the_locks)
    log_in = LogIn(sql_uow(pg_engine), hashing, container.issuer(), LoginThrottle(), utc_now)
    log_in(Credentials(email="ann@example.com", password=OLD))
    assert seen == {"user row": user_id, "e-mail lock": True}


def test_wrong_current_passwords_sent_at_once_are_limited_all_the_same(
    pg_engine: Engine, hasher: Argon2PasswordHasher, user_id: int
) -> None:
    """Each change holds the user's row while it counts, checks and records its guess, so
    20 at once are judged one after another: 5 counted as wrong, 15 refused (429)."""
    actor = Actor(id=user_id, name="Ann", role=Role.USER, session_id="the session")
    wrong = PasswordChange(current_password=NEW, new_password=NEW)
    barrier = threading.Barrier(20)

    def guess() -> None:
        change = ChangePassword(sql_uow(pg_engine), hasher, utc_now)  # a unit per request
        barrier.wait()
        change(actor, wrong)

    started = [in_thread(guess) for _ in range(20)]
    for thread, _ in started:
        thread.join(30)
    errors = Counter(type(outcome.get("error")).__name__ for _, outcome in started)
    assert errors == {"InvalidInput": 5, "PasswordGuessesThrottled": 15}
    with sql_uow(pg_engine) as uow:
        assert len(uow.password_guesses.since(user_id, utc_now() - timedelta(minutes=1))) == 5
