"""Wrong current passwords given to change one's password, counted per user.

A password change limits guesses of the current password as the login limits failed logins,
with a count of its own: a stranger's failed logins lock the login, never the owner's change.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "password_guesses",
        sa.Column("id", Id, nullable=False),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("guessed_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_password_guesses"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_password_guesses_user_id_users", ondelete="CASCADE"
        ),
    )
    op.create_index(
        "ix_password_guesses_user_id_guessed_at", "password_guesses", ["user_id", "guessed_at"]
    )


def downgrade() -> None:
    op.drop_table("password_guesses")
