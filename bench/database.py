"""The throwaway database: made, migrated and loaded through Quill's own CLI, then dropped."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from pathlib import Path

from application.paging import Cursor
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.exc import ProgrammingError

from bench.config import ROOT, Options

QUILL = str(Path(sys.executable).with_name("quill"))


def production_env(database_url: str) -> dict[str, str]:
    """What gunicorn and the CLI run with: production settings, long-lived access tokens."""
    return {
        **os.environ,
        "APP_ENV": "production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "JWT_SECRET_KEY": secrets.token_urlsafe(48),
        "ACCESS_TOKEN_TTL": "86400",  # a full run outlasts the default 15 minutes
        "LOG_LEVEL": "WARNING",
    }


def quill(env: dict[str, str], *args: str) -> float:
    """Run the `quill` CLI; seconds it took. Its progress bar goes nowhere."""
    start = time.perf_counter()
    done = subprocess.run(
        [QUILL, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"quill {' '.join(args)} failed: {done.stderr.strip()[-2000:]}")
    return time.perf_counter() - start


def _admin(server: str) -> Engine:
    return create_engine(server, isolation_level="AUTOCOMMIT")


@contextmanager
def throwaway(options: Options, timings: dict[str, float]) -> Iterator[str]:
    """The URL of the database to measure: reused as it is, or made now and dropped afterwards."""
    base = make_url(options.server)
    if options.database:
        yield base.set(database=options.database).render_as_string(hide_password=False)
        return
    name = f"quill_bench_{os.getpid()}_{secrets.token_hex(3)}"
    admin = _admin(options.server)
    start = time.perf_counter()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    timings["create database"] = time.perf_counter() - start
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        if options.keep:
            print(f"kept database {name} (reuse it with --database {name})", flush=True)
        else:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def load(options: Options, env: dict[str, str], timings: dict[str, float]) -> None:
    """Migrate, bulk-load through `quill seed`, VACUUM ANALYZE as autovacuum would soon do,
    then CHECKPOINT.

    Without the checkpoint, PostgreSQL and the kernel were still writing the load out during
    the first round (S1 in a full run: 0.29, 0.38, 0.40 by round; on the same database minutes
    later 0.41, 0.42, 0.41): the run would measure the aftermath of the bulk load, not Quill.
    """
    timings["migrate (quill db upgrade)"] = quill(env, "db", "upgrade")
    users, posts = str(options.users), str(options.posts)
    timings["seed (quill seed --users --posts)"] = quill(
        env, "seed", "--users", users, "--posts", posts
    )
    engine = create_engine(env["DATABASE_URL"], isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        for step in ("VACUUM ANALYZE", "CHECKPOINT"):
            start = time.perf_counter()
            try:
                connection.execute(text(step))
            except ProgrammingError:  # CHECKPOINT: a superuser's or pg_checkpoint's
                print(f"{step} skipped: this role may not run it", flush=True)
                continue
            timings[step.lower()] = time.perf_counter() - start
    engine.dispose()


FEED_AUTHORS = 100  # S9: the bench user follows this many seeded authors
# Seeded authors by how many published posts they wrote, the most prolific first.
AUTHORS_BY_POSTS = text(
    "SELECT u.username FROM users u "
    "JOIN (SELECT author_id, count(*) AS n FROM posts WHERE published GROUP BY author_id) p "
    "ON p.author_id = u.id WHERE u.email LIKE '%@seed.example' ORDER BY p.n DESC, u.id"
)
MOST_COMMENTED = text(
    "SELECT post_id FROM comments GROUP BY post_id ORDER BY count(*) DESC, post_id LIMIT 1"
)


def feed_authors(by_posts: list[str], count: int = FEED_AUTHORS) -> list[str]:
    """Whom S9's user follows: half the most prolific authors (their posts make the feed deep
    enough for S9-deep), half spread evenly over all the others, as a reader follows a few
    popular authors and many ordinary ones."""
    popular, rest = by_posts[: count // 2], by_posts[count // 2 :]
    wanted = count - len(popular)
    step = max(len(rest) / wanted, 1) if wanted else 1
    spread = [rest[int(k * step)] for k in range(min(wanted, len(rest)))]
    return popular + spread


def probe(database_url: str) -> dict[str, object]:
    """What the scenarios need from the data: counts, a published post (by id and slug), a
    deep cursor, the most commented post, authors to follow."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        users = connection.scalar(text("SELECT count(*) FROM users"))
        posts = connection.scalar(text("SELECT count(*) FROM posts"))
        # S1's post; its slug is C3's (a Conduit article is a published post).
        post = connection.execute(
            text("SELECT id, slug FROM posts WHERE published ORDER BY id OFFSET :n LIMIT 1"),
            {"n": int((posts or 0) * 0.45)},
        ).first()
        # A row 41 from the end of newest-first order: the page after it is full, and deep.
        deep = connection.execute(
            text(
                "SELECT created_at, id FROM posts WHERE published "
                "ORDER BY created_at, id OFFSET 40 LIMIT 1"
            )
        ).first()
        commented = connection.scalar(MOST_COMMENTED)
        authors = feed_authors(list(connection.scalars(AUTHORS_BY_POSTS)))
    engine.dispose()
    if post is None or deep is None:
        raise RuntimeError("the database holds too few published posts to measure")
    if commented is None or len(authors) < FEED_AUTHORS:
        raise RuntimeError("the database holds too few comments or authors to measure")
    cursor = Cursor(created_at=deep[0].astimezone(UTC), id=deep[1]).encode()
    return {
        "users": users,
        "posts": posts,
        "post_id": post[0],
        "post_slug": post[1],
        "deep_cursor": cursor,
        "commented_post_id": commented,
        "feed_authors": authors,
    }
