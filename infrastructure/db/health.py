"""A readiness probe that really asks the database."""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from domain.errors import ServiceUnavailable


class DatabaseProbe:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def __call__(self) -> None:
        try:
            with self._engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except DBAPIError as error:
            raise ServiceUnavailable("The database is not answering.") from error
