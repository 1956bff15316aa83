"""The login limit holds under a burst of simultaneous wrong passwords (PostgreSQL)."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine

from application.auth import Credentials, LogIn
from application.tokens import LoginThrottle
from application.users import RegisterUser, Registration
from domain.errors import InvalidCredentials, LoginThrottled
from infrastructure.clock import utc_now
from infrastructure.security import Argon2PasswordHasher
from interfaces.container import Container
from tests.integration.conftest import empty_tables, sql_uow

pytestmark = pytest.mark.postgres


def test_a_burst_of_wrong_passwords_gets_no_more_than_five_guesses(
    pg_engine: Engine, hasher: Argon2PasswordHasher, container: Container
) -> None:
    empty_tables(pg_engine)
    RegisterUser(sql_uow(pg_engine), hasher, utc_now)(
        Registration(email="target@example.com", name="Target", password="Right-Pass-1")
    )
    barrier = threading.Barrier(12)

    def attempt(_: int) -> str:
        log_in = LogIn(sql_uow(pg_engine), hasher, container.issuer(), LoginThrottle(), utc_now)
        barrier.wait()
        try:
            log_in(Credentials(email="target@example.com", password="Wrong-Pass-1"))
        except InvalidCredentials:
            return "401"
        except LoginThrottled:
            return "429"
        return "200"

    with ThreadPoolExecutor(12) as pool:
        outcomes = Counter(pool.map(attempt, range(12)))
    assert outcomes == {"401": 5, "429": 7}
