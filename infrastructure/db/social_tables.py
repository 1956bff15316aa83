"""The tables of the social side: tags and the posts carrying them, favorites, follows,
comments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.posts import TAG_MAX
from infrastructure.db.schema import NEVER_REUSED_IDS, Base, Id, Timestamp


class TagRow(Base):
    """A tag, with the number of published posts carrying it (kept by the post repository,
    and by ties.py when a user goes)."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(TAG_MAX), unique=True)
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
