"""The last number given to each slug's base, so a post of a common title takes its slug in
one statement, and a slug once given is not given again.

Every existing slug is recorded as a base already given. A numbered slug (`notes-7`) does not
move its base's number: the first new post of that base finds the numbers taken and goes past
them, then its base's number is right.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slug_numbers",
        sa.Column("base", sa.String(80), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("base", name="pk_slug_numbers"),
    )
    op.execute("INSERT INTO slug_numbers (base, last_number) SELECT slug, 1 FROM posts")


def downgrade() -> None:
    op.drop_table("slug_numbers")
