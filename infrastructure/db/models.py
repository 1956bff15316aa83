"""Database rows, the schema Alembic compares against: one module per part, every table
imported here, so `Base.metadata` holds them all. They are not entities: repositories map
them to and from the domain (mapping.py). Import tables and types from this module."""

from __future__ import annotations

from infrastructure.db.mail_tables import LinkRequestRow, LinkTokenRow, OutboxRow
from infrastructure.db.post_tables import (
    SEARCH_ONLY,
    AuthorPostCountRow,
    PostRow,
    PostTotalRow,
    SlugNumberRow,
)
from infrastructure.db.schema import (
    NEVER_REUSED_IDS,
    ONLY_ON,
    Base,
    Id,
    Timestamp,
    exists_on,
    trigram_index,
)
from infrastructure.db.social_tables import (
    CommentRow,
    FavoriteRow,
    FollowRow,
    PostTagRow,
    TagRow,
)
from infrastructure.db.user_tables import (
    LoginAttemptRow,
    PasswordGuessRow,
    RowCountRow,
    SessionRow,
    UserRow,
)

__all__ = [
    "NEVER_REUSED_IDS", "ONLY_ON", "SEARCH_ONLY", "AuthorPostCountRow", "Base", "CommentRow",
    "FavoriteRow", "FollowRow", "Id", "LinkRequestRow", "LinkTokenRow", "LoginAttemptRow",
    "OutboxRow", "PasswordGuessRow", "PostRow", "PostTagRow", "PostTotalRow", "RowCountRow",
    "SessionRow", "SlugNumberRow", "TagRow", "Timestamp", "UserRow", "exists_on",
    "trigram_index",
]  # fmt: skip
