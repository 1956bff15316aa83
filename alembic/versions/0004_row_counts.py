"""A users counter, so that the unfiltered user list does not count the table per request.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "row_counts",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("rows", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_row_counts"),
    )
    op.execute("INSERT INTO row_counts (name, rows) SELECT 'users', count(*) FROM users")


def downgrade() -> None:
    op.drop_table("row_counts")
