"""Database rows. They are not entities: repositories map them to and from the domain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Text,
    false,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BIGINT on PostgreSQL; SQLite only auto-increments a column declared INTEGER.
Id = BigInteger().with_variant(Integer(), "sqlite")
Timestamp = DateTime(timezone=True)
# Ids clients hold (users, posts, comments) are never given twice: on SQLite that takes
# AUTOINCREMENT (migration 0011), as PostgreSQL's sequences do by themselves.
NEVER_REUSED_IDS = {"sqlite_autoincrement": True}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


ONLY_ON = "only_on"  # the `info` key naming the one dialect a schema item is created on


def trigram_index(name: str, column: str) -> Index:
    """Lets (I)LIKE '%text%' use an index on PostgreSQL; SQLite gets no such index."""
    return Index(
        name,
        column,
        postgresql_using="gin",
        postgresql_ops={column: "gin_trgm_ops"},
        info={ONLY_ON: "postgresql"},
    ).ddl_if(dialect="postgresql")


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    is_active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    updated_at: Mapped[datetime] = mapped_column(Timestamp)
    username: Mapped[str] = mapped_column(String(40))
    bio: Mapped[str | None] = mapped_column(String(1000))
    image: Mapped[str | None] = mapped_column(String(2000))
    # Kept by the follow repository, so a profile never counts the follows table.
    followers_count: Mapped[int] = mapped_column(Integer, server_default="0")
    follows_count: Mapped[int] = mapped_column(Integer, server_default="0")
    email_verified: Mapped[bool] = mapped_column(Boolean, server_default=false())

    __table_args__ = (
        Index("ix_users_created_at_id", "created_at", "id"),
        trigram_index("ix_users_name_trgm", "name"),
        trigram_index("ix_users_email_trgm", "email"),
        NEVER_REUSED_IDS,
    )


class SessionRow(Base):
    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    refresh_token_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    expires_at: Mapped[datetime] = mapped_column(Timestamp)
    revoked_at: Mapped[datetime | None] = mapped_column(Timestamp)


class LoginAttemptRow(Base):
    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    attempted_at: Mapped[datetime] = mapped_column(Timestamp, index=True)

    __table_args__ = (Index("ix_login_attempts_email_attempted_at", "email", "attempted_at"),)


# Columns the database computes for searches: no read selects them, no write gives them.
SEARCH_ONLY = frozenset({"title_folded", "content_folded"})


class PostRow(Base):
    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    author_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    published: Mapped[bool] = mapped_column(Boolean)
    published_at: Mapped[datetime | None] = mapped_column(Timestamp)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    updated_at: Mapped[datetime] = mapped_column(Timestamp)
    version: Mapped[int] = mapped_column(Integer)
    slug: Mapped[str] = mapped_column(String(80))
    summary: Mapped[str] = mapped_column(String(300), server_default="")
    # The tags as given, joined by commas (a tag has none): a page renders them from the row.
    tag_list: Mapped[str] = mapped_column(String(410), server_default="")
    favorites_count: Mapped[int] = mapped_column(Integer, server_default="0")
    comments_count: Mapped[int] = mapped_column(Integer, server_default="0")
    # Searches match these, lowered once as the post is written, where ILIKE would lower the
    # text of every row it reads. Neither read nor written (SEARCH_ONLY).
    title_folded: Mapped[str] = mapped_column(Text, Computed("lower(title)", persisted=True))
    content_folded: Mapped[str] = mapped_column(Text, Computed("lower(content)", persisted=True))

    __table_args__ = (
        # Each list query filters on a prefix and walks (created_at, id) backwards; the feed's
        # walk of everyone's newest posts reads their authors from the index alone.
        Index(
            "ix_posts_published_created_at_id",
            "published",
            "created_at",
            "id",
            postgresql_include=["author_id"],
        ),
        Index(
            "ix_posts_author_published_created_at_id", "author_id", "published", "created_at", "id"
        ),
        Index("uq_posts_slug", "slug", unique=True),
        trigram_index("ix_posts_title_folded_trgm", "title_folded"),
        trigram_index("ix_posts_content_folded_trgm", "content_folded"),
        NEVER_REUSED_IDS,
    )


class SlugNumberRow(Base):
    """The last number given to a slug's base (1: the base itself), so the next post of that
    title takes the next number in one statement, and a slug once given is not given again."""

    __tablename__ = "slug_numbers"

    base: Mapped[str] = mapped_column(String(80), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


# Counter rows are split into slots, and a count is the sum of its slots (see
# infrastructure.db.counters).


class PostTotalRow(Base):
    """Exact post totals by state, kept by the repository so a list never counts a big table."""

    __tablename__ = "post_totals"

    published: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    slot: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    posts: Mapped[int] = mapped_column(BigInteger)


class AuthorPostCountRow(Base):
    """Exact post counts per author and state, for the author filter."""

    __tablename__ = "author_post_counts"

    author_id: Mapped[int] = mapped_column(
        Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    published: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    slot: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    posts: Mapped[int] = mapped_column(Integer)


class RowCountRow(Base):
    """Exact row counts of tables too large to count on every request (today: users)."""

    __tablename__ = "row_counts"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    rows: Mapped[int] = mapped_column(BigInteger)


# Usernames are unique without regard to case, and looked up by lower(username).
Index("uq_users_lower_username", func.lower(UserRow.__table__.c.username), unique=True)


class TagRow(Base):
    """A tag, with the number of published posts carrying it (kept by the post repository,
    and by ties.py when a user goes)."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    posts: Mapped[int] = mapped_column(Integer, server_default="0")

    # GET /tags: the most used first, the newest among equals.
    __table_args__ = (Index("ix_tags_posts_id", "posts", "id"),)


class PostTagRow(Base):
    """Which posts carry which tag. The post's state and time are copied here, so a tag's page
    walks one index newest first, as the posts' own lists do."""

    __tablename__ = "post_tags"

    post_id: Mapped[int] = mapped_column(Id, ForeignKey("posts.id", ondelete="CASCADE"))
    tag_id: Mapped[int] = mapped_column(Id, ForeignKey("tags.id", ondelete="CASCADE"))
    published: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(Timestamp)

    __table_args__ = (
        PrimaryKeyConstraint("post_id", "tag_id", name="pk_post_tags"),
        Index(
            "ix_post_tags_tag_id_published_created_at_post_id",
            "tag_id",
            "published",
            "created_at",
            "post_id",
        ),
    )


class FavoriteRow(Base):
    __tablename__ = "favorites"

    user_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"))
    post_id: Mapped[int] = mapped_column(Id, ForeignKey("posts.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(Timestamp)

    # Both ways, whole: whichever index a reader's `favorited` probe takes, it finds one row,
    # not every favorite of a much favorited post.
    __table_args__ = (
        PrimaryKeyConstraint("user_id", "post_id", name="pk_favorites"),
        Index("ix_favorites_post_id_user_id", "post_id", "user_id"),
    )


class FollowRow(Base):
    __tablename__ = "follows"

    follower_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"))
    followed_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(Timestamp)

    # Both ways, whole: a reader's `following` probe finds one row whichever it takes, not
    # every follower of a much followed author.
    __table_args__ = (
        PrimaryKeyConstraint("follower_id", "followed_id", name="pk_follows"),
        Index("ix_follows_followed_id_follower_id", "followed_id", "follower_id"),
    )


class CommentRow(Base):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    post_id: Mapped[int] = mapped_column(Id, ForeignKey("posts.id", ondelete="CASCADE"))
    # Indexed for a user's deletion, which uncounts their comments on others' posts.
    author_id: Mapped[int] = mapped_column(
        Id, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    updated_at: Mapped[datetime] = mapped_column(Timestamp)

    __table_args__ = (
        Index("ix_comments_post_id_created_at_id", "post_id", "created_at", "id"),
        NEVER_REUSED_IDS,
    )


# E-mail verification, password reset and the outbox of their mail.


class LinkTokenRow(Base):
    """A mailed link's token, by its SHA-256 only; bound to the address it went to."""

    __tablename__ = "link_tokens"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    expires_at: Mapped[datetime] = mapped_column(Timestamp, index=True)
    used_at: Mapped[datetime | None] = mapped_column(Timestamp)


class LinkRequestRow(Base):
    """When a link was asked for: the per-address and per-user rate limits count these."""

    __tablename__ = "link_requests"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(254))
    requested_at: Mapped[datetime] = mapped_column(Timestamp, index=True)

    __table_args__ = (
        Index("ix_link_requests_purpose_key_requested_at", "purpose", "key", "requested_at"),
    )


class OutboxRow(Base):
    """A message to send, written with the change it reports; a worker claims and sends it."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    next_attempt_at: Mapped[datetime] = mapped_column(Timestamp)
    sent_at: Mapped[datetime | None] = mapped_column(Timestamp)
    last_error: Mapped[str | None] = mapped_column(String(500))
    # The worker holding the message, and until when; a claim past its time is taken over.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(Timestamp)

    __table_args__ = (
        # A claim walks the due queued messages in order.
        Index("ix_outbox_status_next_attempt_at_id", "status", "next_attempt_at", "id"),
        Index("ix_outbox_created_at_id", "created_at", "id"),
    )


def exists_on(dialect: str, item: object) -> bool:
    """Whether a schema item is created on `dialect` (the trigram indexes are PostgreSQL-only)."""
    info = getattr(item, "info", {})
    return info.get(ONLY_ON, dialect) == dialect
