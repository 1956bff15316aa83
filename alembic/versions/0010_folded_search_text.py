"""Posts keep their title and content lowered (generated columns), and the trigram indexes
move onto them: a search matches with LIKE on text lowered once as it was written, instead of
ILIKE lowering every row it reads.

PostgreSQL stores the columns (the table is rewritten once). SQLite cannot add a stored
column to a table, so there they are virtual: computed as read, as its ILIKE did.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

FOLDED = {"title_folded": "lower(title)", "content_folded": "lower(content)"}
INDEXES = {"title": "ix_posts_title_trgm", "content": "ix_posts_content_trgm"}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for name, expression in FOLDED.items():
            folded = sa.Column(name, sa.Text(), sa.Computed(expression), nullable=False)
            op.add_column("posts", folded)  # virtual: SQLite adds no stored column
        return
    # The old indexes go first and both columns come in one ALTER TABLE: one rewrite of the
    # table, which rebuilds no index about to be dropped.
    for index in INDEXES.values():
        op.execute(f"DROP INDEX {index}")
    added = ", ".join(
        f"ADD COLUMN {name} text NOT NULL GENERATED ALWAYS AS ({expression}) STORED"
        for name, expression in FOLDED.items()
    )
    op.execute(f"ALTER TABLE posts {added}")
    for column in INDEXES:
        op.execute(
            f"CREATE INDEX ix_posts_{column}_folded_trgm ON posts "
            f"USING gin ({column}_folded gin_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for column, index in INDEXES.items():
            op.execute(f"DROP INDEX ix_posts_{column}_folded_trgm")
            op.execute(f"CREATE INDEX {index} ON posts USING gin ({column} gin_trgm_ops)")
    for name in FOLDED:
        op.drop_column("posts", name)
