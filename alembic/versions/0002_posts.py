"""Posts, with the indexes behind every list filter and order.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "posts",
        sa.Column("id", Id, nullable=False),
        sa.Column("author_id", Id, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("published_at", Timestamp, nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_posts"),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name="fk_posts_author_id_users", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_posts_published_created_at_id", "posts", ["published", "created_at", "id"])
    op.create_index(
        "ix_posts_author_published_created_at_id",
        "posts",
        ["author_id", "published", "created_at", "id"],
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_posts_title_trgm ON posts USING gin (title gin_trgm_ops)")
        op.execute("CREATE INDEX ix_posts_content_trgm ON posts USING gin (content gin_trgm_ops)")


def downgrade() -> None:
    op.drop_table("posts")
