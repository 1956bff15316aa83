"""Post counters in slots: concurrent writers add to different rows instead of queueing on one.

Both ways the counter tables are made anew and filled from the posts, as 0003 first filled
them: up, each count lands in slot 0; down, each key is one row again. Run it with the
writers stopped, like every migration here.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _tables(*slot: str) -> None:
    """The two counter tables, with a `slot` column in their keys when `slot` is given."""

    def columns() -> list[sa.Column[int]]:  # a column belongs to one table: new ones each time
        return [sa.Column(name, sa.SmallInteger(), nullable=False) for name in slot]

    op.drop_table("author_post_counts")
    op.drop_table("post_totals")
    op.create_table(
        "post_totals",
        sa.Column("published", sa.Boolean(), nullable=False),
        *columns(),
        sa.Column("posts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("published", *slot, name="pk_post_totals"),
    )
    op.create_table(
        "author_post_counts",
        sa.Column("author_id", Id, nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        *columns(),
        sa.Column("posts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("author_id", "published", *slot, name="pk_author_post_counts"),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name="fk_author_post_counts_author_id_users",
            ondelete="CASCADE",
        ),
    )


def upgrade() -> None:
    _tables("slot")
    op.execute(
        "INSERT INTO post_totals (published, slot, posts) "
        "SELECT state.published, 0, "
        "(SELECT count(*) FROM posts WHERE posts.published = state.published) "
        "FROM (SELECT false AS published UNION ALL SELECT true) AS state"
    )
    op.execute(
        "INSERT INTO author_post_counts (author_id, published, slot, posts) "
        "SELECT author_id, published, 0, count(*) FROM posts GROUP BY author_id, published"
    )


def downgrade() -> None:
    _tables()
    op.execute(
        "INSERT INTO post_totals (published, posts) "
        "SELECT state.published, "
        "(SELECT count(*) FROM posts WHERE posts.published = state.published) "
        "FROM (SELECT false AS published UNION ALL SELECT true) AS state"
    )
    op.execute(
        "INSERT INTO author_post_counts (author_id, published, posts) "
        "SELECT author_id, published, count(*) FROM posts GROUP BY author_id, published"
    )
