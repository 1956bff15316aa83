"""SQLite gives ids as PostgreSQL's sequences do: never twice, not even the newest row's
after it is deleted (without AUTOINCREMENT SQLite takes max(id) + 1, so a deleted newest
post's id, link and ETag went to the next post). Users, posts and comments, whose ids
clients hold, are copied into tables declared `INTEGER PRIMARY KEY AUTOINCREMENT`, by
sqlite.org/lang_altertable.html's procedure: each table's own definition with only its key
changed, its rows copied, the old table dropped, the new one renamed, its indexes made again.
Foreign keys are off meanwhile and checked before the commit (migrations.py), so no
reference is lost. Nothing to do on PostgreSQL. The downgrade leaves the tables as they are:
an id never given twice suits every earlier revision. (An id freed before this revision, by
deleting the newest row, may still be given once more: SQLite counts on from max(id).)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

import re

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TABLES = ("users", "posts", "comments")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("this migration needs foreign keys off (migrations.migration_unit)")
    others = bind.exec_driver_sql(
        "SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view')"
    ).all()
    if others:  # the copy would lose them: none is made by Quill's migrations
        raise RuntimeError(f"triggers or views this migration would drop: {others}")
    for table in TABLES:
        _rebuild_with_autoincrement(table)


def _rebuild_with_autoincrement(table: str) -> None:
    bind = op.get_bind()
    definition = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    if "AUTOINCREMENT" in definition:
        return  # made so already (a database created from the models)
    indexes = (
        bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            (table,),
        )
        .scalars()
        .all()
    )
    columns = [  # hidden columns (generated ones) are computed, never copied
        row[1] for row in bind.exec_driver_sql(f"PRAGMA table_xinfo({table})") if row[6] == 0
    ]
    new = f"{table}_autoincrement"
    rewritten = _once(definition, f"CREATE TABLE {table} (", f"CREATE TABLE {new} (")
    rewritten = _once(
        rewritten,
        re.compile(r"(?<!\w)id INTEGER NOT NULL,"),  # not author_id's
        f"id INTEGER NOT NULL CONSTRAINT pk_{table} PRIMARY KEY AUTOINCREMENT,",
    )
    rewritten = _once(rewritten, re.compile(rf"\s*CONSTRAINT pk_{table} PRIMARY KEY \(id\),"), "")
    listed = ", ".join(columns)
    op.execute(rewritten)
    # Names from the schema itself, not from anybody's input.
    op.execute(f"INSERT INTO {new} ({listed}) SELECT {listed} FROM {table}")  # noqa: S608
    op.execute(f"DROP TABLE {table}")
    op.execute(f"ALTER TABLE {new} RENAME TO {table}")
    for index in indexes:
        op.execute(index)


def _once(text: str, old: "str | re.Pattern[str]", new: str) -> str:
    """`text` with `old` replaced, which must be there exactly once: a definition not as
    expected stops the migration rather than being half rewritten."""
    pattern = old if isinstance(old, re.Pattern) else re.compile(re.escape(old))
    rewritten, found = pattern.subn(new, text)
    if found != 1:
        raise RuntimeError(f"unexpected definition ({found} x {pattern.pattern!r}): {text}")
    return rewritten


def downgrade() -> None:
    pass
