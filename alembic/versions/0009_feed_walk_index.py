"""The newest-first index of posts carries each post's author (PostgreSQL), so the feed's walk
of everyone's newest posts, which keeps the followed authors' among them, reads the index alone.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

NAME, COLUMNS = "ix_posts_published_created_at_id", ["published", "created_at", "id"]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite has no INCLUDE; its feed walks each followed author's posts
    op.drop_index(NAME, table_name="posts")
    op.create_index(NAME, "posts", COLUMNS, postgresql_include=["author_id"])


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(NAME, table_name="posts")
    op.create_index(NAME, "posts", COLUMNS)
