"""E-mail verification and password reset: users.email_verified, link tokens, link requests
(the rate limits) and the outbox of messages to send.

Existing accounts start unverified, as new ones do: none of them has shown that its address is
its own. `quill users verify EMAIL` marks one verified.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("email_verified", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "link_tokens",
        sa.Column("id", Id, nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("expires_at", Timestamp, nullable=False),
        sa.Column("used_at", Timestamp, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_link_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_link_tokens_token_hash"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_link_tokens_user_id_users", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_link_tokens_user_id", "link_tokens", ["user_id"])
    op.create_index("ix_link_tokens_expires_at", "link_tokens", ["expires_at"])
    op.create_table(
        "link_requests",
        sa.Column("id", Id, nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("key", sa.String(254), nullable=False),
        sa.Column("requested_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_link_requests"),
    )
    op.create_index("ix_link_requests_requested_at", "link_requests", ["requested_at"])
    op.create_index(
        "ix_link_requests_purpose_key_requested_at",
        "link_requests",
        ["purpose", "key", "requested_at"],
    )
    op.create_table(
        "outbox",
        sa.Column("id", Id, nullable=False),
        sa.Column("message_id", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("recipient", sa.String(254), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("next_attempt_at", Timestamp, nullable=False),
        sa.Column("sent_at", Timestamp, nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("claimed_until", Timestamp, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("message_id", name="uq_outbox_message_id"),
    )
    op.create_index(
        "ix_outbox_status_next_attempt_at_id", "outbox", ["status", "next_attempt_at", "id"]
    )
    op.create_index("ix_outbox_created_at_id", "outbox", ["created_at", "id"])


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("link_requests")
    op.drop_table("link_tokens")
    # Plain ALTER TABLE on both databases (SQLite has it since 3.35): a batch rebuild of users
    # would drop the table, and with it, by ON DELETE CASCADE, every post and session.
    op.execute("ALTER TABLE users DROP COLUMN email_verified")
