"""The outbox knows when the link a message carries expires, so a dead link is never sent.

A reset or verification mail still queued when its link expires (a mail server down for
longer than RESET_TOKEN_TTL) is given up on instead of sent; messages queued before this
revision carry no date and are sent as before.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("outbox", sa.Column("link_expires_at", Timestamp, nullable=True))


def downgrade() -> None:
    op.drop_column("outbox", "link_expires_at")  # plain ALTER TABLE on both (see 0007)
