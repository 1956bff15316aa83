"""The SQL unit of work: one connection, one transaction, database errors made domain errors."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, Self

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from domain.errors import (
    CallerDeleted,
    Conflict,
    EmailTaken,
    PostNotFound,
    ProfileNotFound,
    ServiceUnavailable,
    UsernameTaken,
)
from infrastructure.db.comments import SqlCommentRepository
from infrastructure.db.favorites import SqlFavoriteRepository
from infrastructure.db.follows import SqlFollowRepository
from infrastructure.db.health import schema_behind
from infrastructure.db.kept import KeptConnections
from infrastructure.db.links import SqlLinkRequestRepository, SqlLinkTokenRepository
from infrastructure.db.outbox import SqlOutboxRepository
from infrastructure.db.posts import SqlPostRepository
from infrastructure.db.sealing import BodySeal
from infrastructure.db.sessions import (
    SqlLoginAttemptRepository,
    SqlPasswordGuessRepository,
    SqlSessionRepository,
)
from infrastructure.db.tags import SqlTagRepository
from infrastructure.db.users import SqlUserRepository

# Unique constraints whose violation is a fact the client can act on.
CONFLICTS = {
    "uq_users_email": EmailTaken,
    "users.email": EmailTaken,
    "uq_users_lower_username": UsernameTaken,  # both databases name the index
}
# Foreign keys whose check fails when a row the write refers to was deleted while the request
# ran. The caller's own account: its deletion ended their session. The post or the user acted
# on: gone. Each is what the same request would be answered a moment later. PostgreSQL names
# the key; SQLite does not, so the writes of posts, comments, favorites and follows first read
# the rows they lock and raise the same errors themselves, on both databases. The names are
# then met by writes that lock nothing first (a link token's user).
GONE = {
    "fk_posts_author_id_users": CallerDeleted,
    "fk_comments_author_id_users": CallerDeleted,
    "fk_favorites_user_id_users": CallerDeleted,
    "fk_follows_follower_id_users": CallerDeleted,
    "fk_link_tokens_user_id_users": CallerDeleted,  # a resend (a reset locks the account)
    "fk_comments_post_id_posts": PostNotFound,
    "fk_favorites_post_id_posts": PostNotFound,
    "fk_post_tags_post_id_posts": PostNotFound,
    "fk_follows_followed_id_users": ProfileNotFound,
}
MEANINGS = CONFLICTS | GONE


def translate(error: Exception) -> Exception:
    """The domain's view of a database failure; anything unknown is left as it is."""
    if isinstance(error, IntegrityError):
        text = str(error.orig)
        for name, meaning in MEANINGS.items():
            if name in text:
                return meaning()
        return Conflict()
    if isinstance(error, DBAPIError) and (error.connection_invalidated or _unreachable(error)):
        return ServiceUnavailable()
    return error


def _unreachable(error: DBAPIError) -> bool:
    """Connection trouble, timeouts, deadlocks: worth retrying; not a schema never migrated,
    nor a write sent to a read-only unit (a bug, not an outage)."""
    if schema_behind(error.orig) or "readonly database" in str(error.orig).lower():
        return False
    return isinstance(error, OperationalError) or _unusable_file(error.orig)


def _unusable_file(error: BaseException) -> bool:
    """A SQLite file that is not a database, or a damaged one: the operator's to replace or
    restore, so the service is unavailable (503, one line in the CLI and the worker's log).
    By primary code (an extended code's low byte): a damaged index's SQLITE_CORRUPT_INDEX too."""
    code = getattr(error, "sqlite_errorcode", None)  # sqlite3's, Python 3.11+
    if not isinstance(code, int):
        return False
    import sqlite3  # loaded already by the error's driver; a PostgreSQL worker never needs it

    return code & 0xFF in {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}


# A unit's repositories by name, each made on its first use in a block. Those that read take
# `on_driver`: in a read-only unit, their reads run on the driver's cursor (driver_reads).
REPOSITORIES: dict[str, Callable[..., Any]] = {
    "users": SqlUserRepository,
    "posts": SqlPostRepository,
    "sessions": SqlSessionRepository,
    "login_attempts": SqlLoginAttemptRepository,
    "password_guesses": SqlPasswordGuessRepository,
    "follows": SqlFollowRepository,
    "favorites": SqlFavoriteRepository,
    "comments": SqlCommentRepository,
    "tags": SqlTagRepository,
    "link_tokens": SqlLinkTokenRepository,
    "link_requests": SqlLinkRequestRepository,
    "outbox": SqlOutboxRepository,
}
READING = frozenset({"users", "posts", "sessions", "follows", "comments", "tags"})


class SqlUnitOfWork:
    """One connection and its transaction per use case; nothing is kept without `commit()`.

    A read-only unit runs on the thread's kept connection (KeptConnections) of the read-only
    pool (make_read_engine): in autocommit, so no transaction to begin or roll back, and the
    database refuses any write sent there. Any other unit checks a connection out of the
    transactions' pool and gives it back when it ends.
    """

    def __init__(
        self, engine: Engine, reads: KeptConnections, *, seal: BodySeal, reading: bool = False
    ) -> None:
        self._engine = engine
        self._reads = reads
        self._seal = seal
        self._reading = reading

    def read_only(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._engine, self._reads, seal=self._seal, reading=True)

    def __enter__(self) -> Self:
        try:
            self._connection = self._reads.acquire() if self._reading else self._engine.connect()
        except DBAPIError as error:
            raise translate(error) from error
        return self

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        # Closing rolls back whatever was not committed. If the connection is already gone,
        # the original error says more than this one would.
        try:
            if self._reading:
                self._reads.release(self._connection)
            else:
                with contextlib.suppress(DBAPIError):
                    self._connection.close()
        finally:  # whatever happens, no block works on the one before's repositories
            for name in REPOSITORIES.keys() & vars(self).keys():
                delattr(self, name)
            del self._connection  # a repository asked for after the block has none to use
        if isinstance(exc, DBAPIError):
            translated = translate(exc)
            if translated is not exc:
                raise translated from exc

    def __getattr__(self, name: str) -> Any:
        """A repository, made on first use in the block (most use cases use one or two), on
        the block's connection; reads of a read-only unit run on the driver's cursor."""
        make = REPOSITORIES.get(name)
        if make is None or "_connection" not in vars(self):
            raise AttributeError(name)
        if name in READING:
            repository = make(self._connection, on_driver=self._reading)
        elif name == "outbox":  # its message bodies are sealed at rest
            repository = make(self._connection, self._seal)
        else:
            repository = make(self._connection)
        setattr(self, name, repository)
        return repository

    def commit(self) -> None:
        if self._reading:
            raise RuntimeError("a read-only unit of work cannot commit")
        self._connection.commit()
