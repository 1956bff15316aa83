"""The trigram indexes keep a short pending list (PostgreSQL): 64 kB, the least allowed.

A GIN index puts new rows' entries in a pending list, merged into the index when it outgrows
`gin_pending_list_limit` (4 MB by default) or at VACUUM, and every search reads that list
whole. After 8,000 new posts a search of a rare word read about 640 pages of pending lists
and took 42 ms instead of 8 (bench, P-search-selective after S4). Merging more often cost no
measurable CPU per insert (bench.inprocess S4).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

INDEXES = (
    "ix_users_name_trgm",
    "ix_users_email_trgm",
    "ix_posts_title_folded_trgm",
    "ix_posts_content_folded_trgm",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite has no trigram index
    for name in INDEXES:
        op.execute(f"ALTER INDEX {name} SET (gin_pending_list_limit = 64)")
        # What waits there now is merged here, not by the first insert after the upgrade.
        op.execute(f"SELECT gin_clean_pending_list('{name}')")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"ALTER INDEX {name} RESET (gin_pending_list_limit)")
