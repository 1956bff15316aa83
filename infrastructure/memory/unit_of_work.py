"""The fake unit of work: a copy of the store, swapped in on commit, so no commit means no
change; a read-only unit refuses writes and locks."""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn, Self

from infrastructure.memory.accounts import (
    InMemoryLoginAttemptRepository,
    InMemoryPasswordGuessRepository,
    InMemorySessionRepository,
    InMemoryUserRepository,
)
from infrastructure.memory.mail import (
    InMemoryLinkRequestRepository,
    InMemoryLinkTokenRepository,
    InMemoryOutboxRepository,
)
from infrastructure.memory.posts import InMemoryPostRepository
from infrastructure.memory.social import (
    InMemoryCommentRepository,
    InMemoryFavoriteRepository,
    InMemoryFollowRepository,
    InMemoryTagRepository,
)
from infrastructure.memory.store import InMemoryStore

# What a read-only unit's repositories may be asked: reads, none of them with `lock`.
READS = frozenset({
    "get", "get_by_email", "get_by_username", "taken_usernames", "get_by_slug", "find",
    "count", "stats", "most_used", "get_with_user", "get_holder", "failures_since",
    "get_by_hash", "since",
})  # fmt: skip


class ReadOnlyRepository:
    """A repository of a read-only unit: a write or a lock is refused as it is asked for, even
    one that would change nothing, as PostgreSQL refuses it in a read-only transaction."""

    def __init__(self, repository: object) -> None:
        self._repository = repository

    def __getattr__(self, name: str) -> Callable[..., object]:
        method: Callable[..., object] = getattr(self._repository, name)
        if name not in READS:
            return _refused

        def read(*args: object, **kwargs: object) -> object:
            if kwargs.get("lock"):
                _refused()
            return method(*args, **kwargs)

        return read


def _refused(*args: object, **kwargs: object) -> NoReturn:
    raise RuntimeError("a read-only unit of work cannot write or lock")


class InMemoryUnitOfWork:
    """Works on a copy of the store and swaps it in on commit, so no commit means no change.

    A read-only unit refuses to commit, and its repositories refuse any write or lock.
    """

    def __init__(self, store: InMemoryStore | None = None, *, writable: bool = True) -> None:
        self.store = store or InMemoryStore()
        self.committed = False
        self._writable = writable

    def read_only(self) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self.store, writable=False)

    def __enter__(self) -> Self:
        self._work = work = self.store.snapshot()
        # The block's repositories, on its copy; as the SQL unit's, none is had outside a block.
        self._repositories = {
            "users": InMemoryUserRepository(work),
            "posts": InMemoryPostRepository(work),
            "sessions": InMemorySessionRepository(work),
            "login_attempts": InMemoryLoginAttemptRepository(work),
            "password_guesses": InMemoryPasswordGuessRepository(work),
            "follows": InMemoryFollowRepository(work),
            "favorites": InMemoryFavoriteRepository(work),
            "comments": InMemoryCommentRepository(work),
            "tags": InMemoryTagRepository(work),
            "link_tokens": InMemoryLinkTokenRepository(work),
            "link_requests": InMemoryLinkRequestRepository(work),
            "outbox": InMemoryOutboxRepository(work),
        }
        if not self._writable:
            self._repositories = {
                name: ReadOnlyRepository(repository)
                for name, repository in self._repositories.items()
            }
        vars(self).update(self._repositories)
        return self

    def __exit__(self, *exc: object) -> None:
        del self._work
        for name in self._repositories:
            delattr(self, name)

    def commit(self) -> None:
        if not self._writable:
            raise RuntimeError("a read-only unit of work cannot commit")
        self.store.__dict__.update(self._work.snapshot().__dict__)
        self.committed = True
