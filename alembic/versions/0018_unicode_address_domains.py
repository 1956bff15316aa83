"""Addresses' domains kept in Unicode, as the domain now keeps every address it is given.

An address whose domain was typed in IDNA's ASCII form (`zoe@xn--exmple-cua.org`) was kept
apart from the same address typed in Unicode (`zoe@exämple.org`): two accounts for one
mailbox, and a login that found one or the other by keyboard. Each kept address with such a
label is written in Unicode here, with its user's pending links; one whose Unicode form another
account already holds is left as it is: that account keeps the address, and the other, which no
address now finds, is still an admin's by its id over the API (`PATCH /api/v1/users/<id>`
gives it another address), as revision 0016 left an address that composed into another's.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

DOMAIN_MAX = 253  # as the domain had it when this was written
users = sa.table("users", sa.column("id", sa.Integer), sa.column("email", sa.String))
links = sa.table("link_tokens", sa.column("user_id", sa.Integer), sa.column("email", sa.String))


def in_unicode(email: str) -> str:
    """The address with its domain's A-labels decoded, as the domain folds it now
    (domain.users.unicode_domain, as it was when this was written); else as it is."""
    local, _, domain = email.rpartition("@")
    if len(domain) > DOMAIN_MAX or not any(part.startswith("xn--") for part in domain.split(".")):
        return email
    # Imported here: every worker reads each revision's module at its start (the readiness
    # probe's revisions), and IDNA's tables cost it a megabyte.
    import idna

    try:
        return f"{local}@{idna.decode(domain, strict=True)}"
    except (UnicodeError, ValueError):
        return email


def upgrade() -> None:
    connection = op.get_bind()
    written = users.c.email.like("%@%xn--%")  # kept lower-cased: an A-label starts so
    kept = connection.execute(sa.select(users.c.id, users.c.email).where(written)).all()
    held = sa.select(users.c.id).where(users.c.email == sa.bindparam("decoded"))
    for user_id, email in kept:
        decoded = in_unicode(email)
        if decoded == email or connection.execute(held, {"decoded": decoded}).first():
            continue
        connection.execute(users.update().where(users.c.id == user_id).values(email=decoded))
        connection.execute(
            links.update()
            .where(links.c.user_id == user_id, links.c.email == email)
            .values(email=decoded)
        )


def downgrade() -> None:
    """Nothing to undo: an address in Unicode is as good an address to the older code."""
