"""Addresses kept composed (NFC), as the domain now folds every address it is given.

An address typed with `e` and a combining accent was kept apart from the same address typed
with `é`: two accounts for one mailbox, and a login that found one or the other by keyboard.
Each kept address not yet composed is composed here, with its user's pending links; one
whose composed form another account already holds is left as it is: that account keeps the
address, and the other, which no address now finds, is still an admin's by its id over the
API (`PATCH /api/v1/users/<id>` gives it another address).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

users = sa.table("users", sa.column("id", sa.Integer), sa.column("email", sa.String))
links = sa.table("link_tokens", sa.column("user_id", sa.Integer), sa.column("email", sa.String))


def upgrade() -> None:
    connection = op.get_bind()
    # Only an address with a character past ASCII can change (into any address, ASCII too:
    # U+1FEF composes to a backquote), so each change asks the table whether it is held.
    international = users.c.email.regexp_match("[^\\x01-\\x7f]")
    kept = connection.execute(sa.select(users.c.id, users.c.email).where(international)).all()
    held = sa.select(users.c.id).where(users.c.email == sa.bindparam("composed"))
    for user_id, email in kept:
        composed = unicodedata.normalize("NFC", email)
        if composed == email or connection.execute(held, {"composed": composed}).first():
            continue
        connection.execute(users.update().where(users.c.id == user_id).values(email=composed))
        connection.execute(
            links.update()
            .where(links.c.user_id == user_id, links.c.email == email)
            .values(email=composed)
        )


def downgrade() -> None:
    """Nothing to undo: a composed address is as good an address to the older code."""
