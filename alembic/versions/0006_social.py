"""Social blogging: usernames and profiles, slugs, summaries, tags, favorites, follows, comments.

Existing users get usernames derived from their names and existing posts get slugs from their
titles, by the domain's own rules (oldest first: the earliest keeps the plain one), in Python,
a batch at a time. Every new count starts at zero: no row it counts exists yet.

SQLite cannot change a column's nullability without copying its table, and copying `users` or
`posts` would cascade the deletion of every row that references them; so `username` and `slug`
are added NOT NULL with an empty default, which PostgreSQL then drops and SQLite keeps (the
repositories always write both). Run it with the writers stopped, like every migration here.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from collections.abc import Callable, Iterator

import sqlalchemy as sa
from alembic import op

from domain.posts import slug_candidates, slug_of
from domain.users import derived_usernames, username_key

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)
BATCH = 5000


def _count(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), nullable=False, server_default="0")


def _fk(column: str, table: str, owner: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{table}.id"], name=f"fk_{owner}_{column}_{table}", ondelete="CASCADE"
    )


def _fill(table: str, source: str, target: str, free: Callable[[str], str]) -> None:
    """Give each row (by id, oldest first) `free(source)` as its `target`, a batch at a time."""
    connection = op.get_bind()
    rows = sa.table(table, sa.column("id"), sa.column(source), sa.column(target))
    read = (
        sa.select(rows.c.id, rows.c[source])
        .where(rows.c.id > sa.bindparam("after"))
        .order_by(rows.c.id)
        .limit(BATCH)
    )
    write = (
        sa.update(rows)
        .where(rows.c.id == sa.bindparam("row_id"))
        .values({target: sa.bindparam("value")})
    )
    after = 0
    while batch := connection.execute(read, {"after": after}).all():
        values = [{"row_id": row_id, "value": free(text)} for row_id, text in batch]
        connection.execute(write, values)
        after = batch[-1][0]


def _first_free(
    candidates: Callable[[str], Iterator[str]], key: Callable[[str], str]
) -> Callable[[str], str]:
    """The first candidate for a text that no earlier row took (compared by `key`)."""
    taken: set[str] = set()

    def free(text: str) -> str:
        chosen = next(c for c in candidates(text) if key(c) not in taken)
        taken.add(key(chosen))
        return chosen

    return free


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.add_column("users", sa.Column("username", sa.String(40), nullable=False, server_default=""))
    op.add_column("users", sa.Column("bio", sa.String(1000), nullable=True))
    op.add_column("users", sa.Column("image", sa.String(2000), nullable=True))
    op.add_column("users", _count("followers_count"))
    op.add_column("users", _count("follows_count"))
    _fill("users", "name", "username", _first_free(derived_usernames, username_key))
    op.create_index("uq_users_lower_username", "users", [sa.text("lower(username)")], unique=True)

    op.add_column("posts", sa.Column("slug", sa.String(80), nullable=False, server_default=""))
    op.add_column("posts", sa.Column("summary", sa.String(300), nullable=False, server_default=""))
    op.add_column("posts", sa.Column("tag_list", sa.String(410), nullable=False, server_default=""))
    op.add_column("posts", _count("favorites_count"))
    op.add_column("posts", _count("comments_count"))
    _fill("posts", "title", "slug", _first_free(lambda t: slug_candidates(slug_of(t)), str))
    op.create_index("uq_posts_slug", "posts", ["slug"], unique=True)
    if postgres:
        op.alter_column("users", "username", server_default=None)
        op.alter_column("posts", "slug", server_default=None)

    op.create_table(
        "tags",
        sa.Column("id", Id, nullable=False),
        sa.Column("name", sa.String(40), nullable=False),
        _count("posts"),
        sa.PrimaryKeyConstraint("id", name="pk_tags"),
        sa.UniqueConstraint("name", name="uq_tags_name"),
    )
    op.create_index("ix_tags_posts_id", "tags", ["posts", "id"])
    op.create_table(
        "post_tags",
        sa.Column("post_id", Id, nullable=False),
        sa.Column("tag_id", Id, nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("post_id", "tag_id", name="pk_post_tags"),
        _fk("post_id", "posts", "post_tags"),
        _fk("tag_id", "tags", "post_tags"),
    )
    op.create_index(
        "ix_post_tags_tag_id_published_created_at_post_id",
        "post_tags",
        ["tag_id", "published", "created_at", "post_id"],
    )
    op.create_table(
        "favorites",
        sa.Column("user_id", Id, nullable=False),
        sa.Column("post_id", Id, nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("user_id", "post_id", name="pk_favorites"),
        _fk("user_id", "users", "favorites"),
        _fk("post_id", "posts", "favorites"),
    )
    op.create_index("ix_favorites_post_id_user_id", "favorites", ["post_id", "user_id"])
    op.create_table(
        "follows",
        sa.Column("follower_id", Id, nullable=False),
        sa.Column("followed_id", Id, nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("follower_id", "followed_id", name="pk_follows"),
        _fk("follower_id", "users", "follows"),
        _fk("followed_id", "users", "follows"),
    )
    op.create_index("ix_follows_followed_id_follower_id", "follows", ["followed_id", "follower_id"])
    op.create_table(
        "comments",
        sa.Column("id", Id, nullable=False),
        sa.Column("post_id", Id, nullable=False),
        sa.Column("author_id", Id, nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_comments"),
        _fk("post_id", "posts", "comments"),
        _fk("author_id", "users", "comments"),
    )
    op.create_index(
        "ix_comments_post_id_created_at_id", "comments", ["post_id", "created_at", "id"]
    )
    op.create_index("ix_comments_author_id", "comments", ["author_id"])


def downgrade() -> None:
    for table in ("comments", "follows", "favorites", "post_tags", "tags"):
        op.drop_table(table)
    op.drop_index("uq_posts_slug", table_name="posts")
    for column in ("comments_count", "favorites_count", "tag_list", "summary", "slug"):
        op.drop_column("posts", column)
    op.drop_index("uq_users_lower_username", table_name="users")
    for column in ("follows_count", "followers_count", "image", "bio", "username"):
        op.drop_column("users", column)
