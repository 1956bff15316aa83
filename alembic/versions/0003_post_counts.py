"""Post counters, so that the total of a list page is a lookup rather than a count of the table.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "post_totals",
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("posts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("published", name="pk_post_totals"),
    )
    op.create_table(
        "author_post_counts",
        sa.Column("author_id", Id, nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("posts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("author_id", "published", name="pk_author_post_counts"),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name="fk_author_post_counts_author_id_users",
            ondelete="CASCADE",
        ),
    )
    op.execute(
        "INSERT INTO post_totals (published, posts) "
        "SELECT state.published, (SELECT count(*) FROM posts WHERE posts.published = state.published) "
        "FROM (SELECT false AS published UNION ALL SELECT true) AS state"
    )
    op.execute(
        "INSERT INTO author_post_counts (author_id, published, posts) "
        "SELECT author_id, published, count(*) FROM posts GROUP BY author_id, published"
    )


def downgrade() -> None:
    op.drop_table("author_post_counts")
    op.drop_table("post_totals")
