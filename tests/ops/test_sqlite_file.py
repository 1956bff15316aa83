"""A SQLite database is whole in its file once Quill stops: what was written is not left in
the write-ahead log, so the file alone can be copied."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from pathlib import Path

from tests.factories import registration
from tests.ops.server import call, gunicorn


def test_a_stopped_server_leaves_what_it_wrote_in_the_file(tmp_path: Path) -> None:
    database = tmp_path / "quill.db"
    with gunicorn(tmp_path, workers=2) as (base, _):  # a new file, migrated: quill.db
        for n in range(3):
            status, _, _ = call("POST", f"{base}/api/v1/users", registration(name=f"Writer {n}"))
            assert status == 201
    assert not database.with_name("quill.db-wal").exists()
    copy = tmp_path / "copy.db"
    shutil.copy(database, copy)
    with contextlib.closing(sqlite3.connect(copy)) as alone:
        assert alone.execute("SELECT count(*) FROM users").fetchone() == (3,)
