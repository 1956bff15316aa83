"""In-memory repositories and unit of work: the fakes the unit tests run use cases on, one
module per part as infrastructure/db has them."""

from infrastructure.memory.accounts import (
    InMemoryLoginAttemptRepository,
    InMemoryPasswordGuessRepository,
    InMemorySessionRepository,
    InMemoryUserRepository,
)
from infrastructure.memory.mail import (
    InMemoryLinkRequestRepository,
    InMemoryLinkTokenRepository,
    InMemoryMailSender,
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
from infrastructure.memory.unit_of_work import InMemoryUnitOfWork, ReadOnlyRepository

__all__ = [
    "InMemoryCommentRepository",
    "InMemoryFavoriteRepository",
    "InMemoryFollowRepository",
    "InMemoryLinkRequestRepository",
    "InMemoryLinkTokenRepository",
    "InMemoryLoginAttemptRepository",
    "InMemoryMailSender",
    "InMemoryOutboxRepository",
    "InMemoryPasswordGuessRepository",
    "InMemoryPostRepository",
    "InMemorySessionRepository",
    "InMemoryStore",
    "InMemoryTagRepository",
    "InMemoryUnitOfWork",
    "InMemoryUserRepository",
    "ReadOnlyRepository",
]
