"""The tables of posts: the posts, the numbers their slugs take, their kept counts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Computed,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.posts import SLUG_MAX, SUMMARY_MAX, TAG_MAX, TAGS_MAX, TITLE_MAX
from infrastructure.db.schema import NEVER_REUSED_IDS, Base, Id, Timestamp, trigram_index

# Columns the database computes for searches: no read selects them, no write gives them.
SEARCH_ONLY = frozenset({"title_folded", "content_folded"})


class PostRow(Base):
    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    author_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    content: Mapped[str] = mapped_column(Text)
    published: Mapped[bool] = mapped_column(Boolean)
    published_at: Mapped[datetime | None] = mapped_column(Timestamp)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    updated_at: Mapped[datetime] = mapped_column(Timestamp)
    version: Mapped[int] = mapped_column(Integer)
    slug: Mapped[str] = mapped_column(String(SLUG_MAX))
    summary: Mapped[str] = mapped_column(String(SUMMARY_MAX), server_default="")
    # The tags as given, joined by commas (a tag has none): a page renders them from the row.
    tag_list: Mapped[str] = mapped_column(String(TAGS_MAX * (TAG_MAX + 1)), server_default="")
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

    base: Mapped[str] = mapped_column(String(SLUG_MAX), primary_key=True)
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
