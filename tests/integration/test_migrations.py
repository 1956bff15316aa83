"""Migrations are the only way the schema changes, so they must build exactly the mapped schema."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.schema import CreateIndex

from infrastructure.db.engine import make_engine
from infrastructure.db.migrations import AlembicMigrator
from infrastructure.db.models import Base, exists_on
from tests.pg import postgres_database

# SQLite cannot reflect an index on an expression (lower(username)), so its comparisons pass
# that one index over; PostgreSQL's compare it, and the API tests hold case-blind usernames.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index"),
    pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based"),
]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield engine
        engine.dispose()
        return
    base_url = request.getfixturevalue("pg_url")  # skips only without TEST_DATABASE_URL
    with postgres_database(base_url, "migrations") as url:
        engine = make_engine(url)
        AlembicMigrator(engine).downgrade("base")  # postgres_database hands it over migrated
        yield engine
        engine.dispose()


def schema_differences(engine: Engine) -> list[object]:
    def include(item: object, _name: object, kind: str, reflected: bool, _other: object) -> bool:
        return reflected or kind != "index" or exists_on(engine.dialect.name, item)

    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include}
        )
        return list(compare_metadata(context, Base.metadata))


def test_upgrading_an_empty_database_to_head_gives_exactly_the_mapped_schema(
    empty_engine: Engine,
) -> None:
    AlembicMigrator(empty_engine).upgrade()
    assert schema_differences(empty_engine) == []


def test_the_database_records_the_head_revision_after_upgrading(empty_engine: Engine) -> None:
    migrator = AlembicMigrator(empty_engine)
    migrator.upgrade()
    assert migrator.current() == migrator.head()


def test_downgrading_to_base_removes_every_table(empty_engine: Engine) -> None:
    migrator = AlembicMigrator(empty_engine)
    migrator.upgrade()
    migrator.downgrade("base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    assert migrator.current() is None


def test_the_schema_can_be_rebuilt_after_a_full_downgrade(empty_engine: Engine) -> None:
    migrator = AlembicMigrator(empty_engine)
    migrator.upgrade()
    migrator.downgrade("base")
    migrator.upgrade()
    assert schema_differences(empty_engine) == []


TRIGRAM_INDEXES = (
    "ix_users_name_trgm",
    "ix_users_email_trgm",
    "ix_posts_title_folded_trgm",
    "ix_posts_content_folded_trgm",
)


def test_postgresql_has_trigram_indexes_for_search(empty_engine: Engine) -> None:
    AlembicMigrator(empty_engine).upgrade()
    names = {
        index["name"]
        for table in ("users", "posts")
        for index in inspect(empty_engine).get_indexes(table)
    }
    trigram = set(TRIGRAM_INDEXES)
    if empty_engine.dialect.name == "postgresql":
        assert trigram <= names
        assert pending_list_limits(empty_engine) == dict.fromkeys(TRIGRAM_INDEXES, "64")
        AlembicMigrator(empty_engine).downgrade("0011")
        assert pending_list_limits(empty_engine) == dict.fromkeys(trigram)
    else:
        assert not trigram & names


def test_the_declared_trigram_indexes_keep_the_migrations_pending_list() -> None:
    """The schema comparison above ignores index options: the declared DDL is read here."""
    declared = {
        index.name: str(CreateIndex(index).compile(dialect=postgresql.dialect()))
        for table in Base.metadata.tables.values()
        for index in table.indexes
        if str(index.name).endswith("_trgm")
    }
    assert set(declared) == set(TRIGRAM_INDEXES)
    for ddl in declared.values():
        assert "WITH (gin_pending_list_limit = 64)" in ddl, ddl


@pytest.mark.postgres
def test_postgresql_vacuums_posts_after_every_thousand_new_ones(pg_url: str) -> None:
    """The feed's walk reads the index alone only on pages VACUUM has marked (migration 0013)."""
    with postgres_database(pg_url, "vacuumed") as url:  # handed over migrated to head
        engine = make_engine(url)
        assert posts_options(engine) == {
            "autovacuum_vacuum_insert_scale_factor": "0",
            "autovacuum_vacuum_insert_threshold": "1000",
        }
        AlembicMigrator(engine).downgrade("0012")
        assert posts_options(engine) == {}
        engine.dispose()


def posts_options(engine: Engine) -> dict[str, str]:
    query = text(
        "SELECT o.option_name, o.option_value FROM pg_class c,"
        " pg_options_to_table(c.reloptions) o WHERE c.relname = 'posts'"
    )
    with engine.connect() as connection:
        return {name: value for name, value in connection.execute(query)}


def pending_list_limits(engine: Engine) -> dict[str, str | None]:
    """Each trigram index's gin_pending_list_limit, in kB (None: PostgreSQL's default)."""
    query = text(
        "SELECT c.relname, o.option_value FROM pg_class c JOIN pg_am a ON a.oid = c.relam"
        " LEFT JOIN pg_options_to_table(c.reloptions) o"
        " ON o.option_name = 'gin_pending_list_limit'"
        " WHERE a.amname = 'gin' AND c.relname LIKE '%\\_trgm'"
    )
    with engine.connect() as connection:
        return {name: value for name, value in connection.execute(query)}


COUNTERS = """
    SELECT 'total', published, sum(posts) FROM post_totals GROUP BY published
    UNION ALL
    SELECT 'author ' || author_id, published, sum(posts) FROM author_post_counts
    GROUP BY author_id, published
"""


def stored_counters(engine: Engine) -> set[tuple[str, bool, int]]:
    with engine.connect() as connection:
        rows = connection.execute(text(COUNTERS))
        return {(kind, bool(published), int(posts)) for kind, published, posts in rows}


def test_counter_slots_are_rebuilt_from_the_posts_both_ways(empty_engine: Engine) -> None:
    """0005 splits the post counters into slots. Up, each count lands in slot 0; down, each
    key is one row again. Both ways the counts are taken from the posts themselves."""
    migrator = AlembicMigrator(empty_engine)
    migrator.upgrade("0004")
    insert_user = """
        INSERT INTO users (id, email, name, password_hash, role, is_active, created_at,
                           updated_at)
        VALUES (:id, :email, 'Writer', 'x', 'user', true, :at, :at)
    """
    insert_post = """
        INSERT INTO posts (author_id, title, content, published, created_at, updated_at,
                           version)
        VALUES (:author, 'T', 'C', :published, :at, :at, 1)
    """
    at = datetime(2026, 11, 24, tzinfo=UTC)
    with empty_engine.begin() as connection:
        for author in (1, 2):
            connection.execute(
                text(insert_user), {"id": author, "email": f"{author}@x.io", "at": at}
            )
        for author, published in ((1, True), (1, True), (1, False), (2, True)):
            values = {"author": author, "published": published, "at": at}
            connection.execute(text(insert_post), values)
    expected = {
        ("total", True, 3), ("total", False, 1), ("author 1", True, 2),
        ("author 1", False, 1), ("author 2", True, 1),
    }  # fmt: skip
    migrator.upgrade()
    assert stored_counters(empty_engine) == expected
    with empty_engine.begin() as connection:  # a second slot, as another connection writes
        connection.execute(text("INSERT INTO post_totals VALUES (true, 7, 1)"))
        connection.execute(text("INSERT INTO author_post_counts VALUES (2, true, 7, 1)"))
        now_insert = insert_post.replace("version)", "version, slug)").replace("1)", "1, 'late')")
        connection.execute(text(now_insert), {"author": 2, "published": True, "at": at})
    migrator.downgrade("0004")
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM post_totals")).scalar_one() == 2
    assert stored_counters(empty_engine) == {
        ("total", True, 4), ("total", False, 1), ("author 1", True, 2),
        ("author 1", False, 1), ("author 2", True, 2),
    }  # fmt: skip


def test_usernames_are_unique_without_regard_to_case_on_every_database(
    empty_engine: Engine,
) -> None:
    """SQLAlchemy cannot reflect SQLite's expression indexes, so the schema comparison skips
    the unique index on lower(username) there: this checks it by its effect."""
    AlembicMigrator(empty_engine).upgrade()
    insert_user = text(
        "INSERT INTO users (email, name, username, password_hash, role, is_active, created_at,"
        " updated_at) VALUES (:email, 'N', :username, 'x', 'user', true, :at, :at)"
    )
    at = datetime(2026, 11, 24, tzinfo=UTC)
    with empty_engine.begin() as connection:
        connection.execute(insert_user, {"email": "a@x.io", "username": "Ada", "at": at})
    refused = pytest.raises(IntegrityError, match="uq_users_lower_username")
    with refused, empty_engine.begin() as connection:
        connection.execute(insert_user, {"email": "b@x.io", "username": "aDA", "at": at})


OLD_USERS = [  # (id, name): as 0005 stored them, without usernames
    (1, "Grace Hopper"), (2, "grace hopper"), (3, "Zoë Ångström"), (4, "Γιώργος"),
    (5, "grace_hopper"), (6, "Ada"),
]  # fmt: skip
OLD_POSTS = [  # (id, author, title, published)
    (1, 1, "Hello, World!", True), (2, 2, "hello world", True), (3, 3, "Ünïcödé café", False),
    (4, 1, "!!!", True), (5, 6, "Hello World 2", True), (6, 6, "Hello world", False),
]  # fmt: skip


def test_upgrading_a_database_with_data_derives_usernames_and_slugs_and_zero_counts(
    empty_engine: Engine,
) -> None:
    """From 0005 with users and posts in it: usernames derived from names, slugs from titles
    (by the domain's rules, the older row first) and recorded as given, every new count zero,
    and back down again."""
    migrator = AlembicMigrator(empty_engine)
    migrator.upgrade("0005")
    at = datetime(2026, 11, 24, tzinfo=UTC)
    with empty_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, email, name, password_hash, role, is_active, created_at,"
                " updated_at) VALUES (:id, :email, :name, 'x', 'user', true, :at, :at)"
            ),
            [{"id": i, "email": f"{i}@x.io", "name": name, "at": at} for i, name in OLD_USERS],
        )
        connection.execute(
            text(
                "INSERT INTO posts (id, author_id, title, content, published, created_at,"
                " updated_at, version) VALUES (:id, :author, :title, 'c', :published, :at, :at, 1)"
            ),
            [
                {"id": i, "author": a, "title": t, "published": p, "at": at}
                for i, a, t, p in OLD_POSTS
            ],
        )
    migrator.upgrade()
    assert schema_differences(empty_engine) == []
    with empty_engine.connect() as connection:
        users = connection.execute(
            text("SELECT id, username, bio, image, followers_count, follows_count FROM users")
        ).all()
        posts = connection.execute(
            text("SELECT id, slug, summary, tag_list, favorites_count, comments_count FROM posts")
        ).all()
        tables = {
            name: connection.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
            for name in ("tags", "post_tags", "favorites", "follows", "comments")
        }
        slug_numbers = connection.execute(text("SELECT base, last_number FROM slug_numbers")).all()
    assert sorted(users) == [
        (1, "grace_hopper", None, None, 0, 0),
        (2, "grace_hopper_2", None, None, 0, 0),
        (3, "zoe_angstrom", None, None, 0, 0),
        (4, "user_1", None, None, 0, 0),
        (5, "grace_hopper_3", None, None, 0, 0),
        (6, "ada", None, None, 0, 0),
    ]
    assert sorted(posts) == [
        (1, "hello-world", "", "", 0, 0),
        (2, "hello-world-2", "", "", 0, 0),
        (3, "unicode-cafe", "", "", 0, 0),
        (4, "post", "", "", 0, 0),
        (5, "hello-world-2-2", "", "", 0, 0),
        (6, "hello-world-3", "", "", 0, 0),
    ]
    assert set(tables.values()) == {0}
    assert sorted(slug_numbers) == sorted((slug, 1) for _, slug, *_ in posts)  # each given once
    migrator.downgrade("0005")
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM posts")).scalar_one() == 6
        assert connection.execute(text("SELECT count(*) FROM users")).scalar_one() == 6
    assert "username" not in {c["name"] for c in inspect(empty_engine).get_columns("users")}
    assert "slug" not in {c["name"] for c in inspect(empty_engine).get_columns("posts")}


def add_users(connection: Connection, addresses: dict[int, str], at: datetime) -> None:
    """Users by id and address, as the revisions with usernames (0006 on) store them."""
    connection.execute(
        text(
            "INSERT INTO users (id, email, name, password_hash, role, is_active, created_at,"
            " updated_at, username) VALUES (:id, :email, 'N', 'x', 'user', true, :at, :at,"
            " :username)"
        ),
        [{"id": i, "email": e, "at": at, "username": f"u{i}"} for i, e in addresses.items()],
    )


def upgraded_addresses(
    engine: Engine, before: str, addresses: dict[int, str]
) -> tuple[dict[int, str], str]:
    """The users' addresses after migrating from `before` to the head, and the address of
    user 1's pending link, written at `before` as it was then."""
    migrator = AlembicMigrator(engine)
    migrator.upgrade(before)
    at = datetime(2026, 12, 7, tzinfo=UTC)
    with engine.begin() as connection:
        add_users(connection, addresses, at)
        connection.execute(
            text(
                "INSERT INTO link_tokens (purpose, user_id, email, token_hash, created_at,"
                " expires_at) VALUES ('verify', 1, :email, 'h', :at, :at)"
            ),
            {"email": addresses[1], "at": at},
        )
    migrator.upgrade()
    with engine.connect() as connection:
        kept = dict(connection.execute(text("SELECT id, email FROM users")).all())
        linked = connection.execute(text("SELECT email FROM link_tokens")).scalar_one()
    return kept, linked


def test_upgrading_composes_the_kept_addresses_unless_another_account_has_it(
    empty_engine: Engine,
) -> None:
    decomposed, composed = "jose\u0301@x.io", "jos\u00e9@x.io"
    addresses = {
        1: decomposed, 2: "ann@x.io", 3: "zoe\u0308@x.io", 4: "zo\u00eb@x.io",
        5: "a\u1fefb@x.io", 6: "a`b@x.io",  # U+1FEF composes to a backquote: ASCII
    }  # fmt: skip
    kept, linked = upgraded_addresses(empty_engine, "0015", addresses)
    # 3's composed form is 4's and 5's is 6's: 4 and 6 keep theirs, 3 and 5 stay as they were
    assert kept == {**addresses, 1: composed}
    assert linked == composed


def test_upgrading_writes_the_kept_addresses_domains_in_unicode_unless_another_has_it(
    empty_engine: Engine,
) -> None:
    addresses = {
        1: "zoe@xn--exmple-cua.org", 2: "ann@x.io", 3: "bo@xn--bcher-kva.de",
        4: "bo@b\u00fccher.de", 5: "al@xn--ls8h.org", 6: "cy@mail.xn--mnchen-3ya.de",
        7: "di@ex\u00e4mple\u3002xn--p1ai.com",  # kept when `。` passed: no label is an A-label
    }  # fmt: skip
    kept, linked = upgraded_addresses(empty_engine, "0017", addresses)
    # 3's Unicode form is 4's, which keeps it; 5's label is no valid IDNA, and 7's no A-label
    # to DNS (nor to the domain's folding): they stay as they were
    unicode = "zoe@ex\u00e4mple.org"
    assert kept == {**addresses, 1: unicode, 6: "cy@mail.m\u00fcnchen.de"}
    assert linked == unicode


def test_reading_the_revisions_loads_no_library_a_revision_needs_only_as_it_runs() -> None:
    """Every worker reads each revision's module (the readiness probe's revisions): IDNA's
    tables, which revision 0018 needs, would cost each worker a megabyte."""
    check = (
        "import sys; from infrastructure.db.migrations import schema_revisions;"
        " schema_revisions(); assert 'idna' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", check], check=True, timeout=60)


CAFE, CAFE_APART, NAIVE_APART = "caf\u00e9", "cafe\u0301", "nai\u0308ve"
LONG_APART = "\u0344" * 21  # composes into 42 characters, more than a tag may have
TWO_WAYS_APART = ["\u00e2\u0301", "a\u0302\u0301"]  # both compose into U+1EA5, none kept
OLD_TAGS = [  # (id, name, published posts)
    (1, CAFE, 2), (2, CAFE_APART, 2), (3, NAIVE_APART, 0), (4, "rust", 1), (5, LONG_APART, 0),
    (6, TWO_WAYS_APART[0], 1), (7, TWO_WAYS_APART[1], 1),
]  # fmt: skip
OLD_TAGGED = [  # (post id, published, its tags' ids)
    (1, True, [1]), (2, True, [2, 4]), (3, True, [1, 2]), (4, False, [3]), (5, False, [5]),
    (6, True, [6, 7]),
]  # fmt: skip


def test_upgrading_composes_the_kept_tags_merging_a_tag_into_its_composed_twin(
    empty_engine: Engine,
) -> None:
    migrator = AlembicMigrator(empty_engine)
    migrator.upgrade("0016")
    at = datetime(2026, 12, 7, tzinfo=UTC)
    names = {tag_id: name for tag_id, name, _ in OLD_TAGS}
    with empty_engine.begin() as connection:
        add_users(connection, {1: "a@x.io"}, at)
        connection.execute(
            text("INSERT INTO tags (id, name, posts) VALUES (:id, :name, :posts)"),
            [{"id": i, "name": name, "posts": n} for i, name, n in OLD_TAGS],
        )
        connection.execute(
            text(
                "INSERT INTO posts (id, author_id, title, content, published, created_at,"
                " updated_at, version, slug, tag_list) VALUES (:id, 1, 't', 'c', :published,"
                " :at, :at, 1, :slug, :tag_list)"
            ),
            [
                {"id": i, "published": p, "at": at, "slug": f"t-{i}", "tag_list": tag_list}
                for i, p, tag_ids in OLD_TAGGED
                for tag_list in [",".join(names[t] for t in tag_ids)]
            ],
        )
        connection.execute(
            text(
                "INSERT INTO post_tags (post_id, tag_id, published, created_at)"
                " VALUES (:post, :tag, :published, :at)"
            ),
            [
                {"post": i, "tag": t, "published": p, "at": at}
                for i, p, tag_ids in OLD_TAGGED
                for t in tag_ids
            ],
        )
    migrator.upgrade()
    with empty_engine.connect() as connection:
        tags = connection.execute(text("SELECT id, name, posts FROM tags")).all()
        tagged = connection.execute(text("SELECT post_id, tag_id FROM post_tags")).all()
        posts = connection.execute(text("SELECT id, tag_list, version FROM posts")).all()
    naive = unicodedata.normalize("NFC", NAIVE_APART)
    # 2 merged into its twin 1 (post 3 carried both), 3 renamed, 5 too long composed to
    # change, 6 renamed and then 7 merged into it (post 6 carried both)
    assert sorted(tags) == [
        (1, CAFE, 3), (3, naive, 0), (4, "rust", 1), (5, LONG_APART, 0), (6, "\u1ea5", 1),
    ]  # fmt: skip
    assert sorted(tagged) == [(1, 1), (2, 1), (2, 4), (3, 1), (4, 3), (5, 5), (6, 6)]
    assert sorted(posts) == [
        (1, CAFE, 1),
        (2, f"{CAFE},rust", 2),
        (3, CAFE, 2),
        (4, naive, 2),
        (5, LONG_APART, 1),
        (6, "\u1ea5", 2),
    ]


def test_upgrading_a_database_with_data_keeps_every_row_and_never_gives_an_id_again(
    empty_engine: Engine,
) -> None:
    """0011 copies users, posts and comments into tables whose ids are never reused (SQLite;
    PostgreSQL's sequences never reuse them anyway): every row and every reference stays, the
    indexes are made again, and the deleted newest post's id is not given to the next."""
    migrator = AlembicMigrator(empty_engine)
    migrator.upgrade("0010")
    at = datetime(2026, 12, 5, tzinfo=UTC)
    user = text(
        "INSERT INTO users (email, name, password_hash, role, is_active, created_at, updated_at,"
        " username) VALUES (:name, :name, 'x', 'user', true, :at, :at, :name) RETURNING id"
    )
    post = text(
        "INSERT INTO posts (author_id, title, content, published, created_at, updated_at,"
        " version, slug) VALUES (:author, :title, 'c', true, :at, :at, 1, :title) RETURNING id"
    )
    comment = text(
        "INSERT INTO comments (post_id, author_id, body, created_at, updated_at)"
        " VALUES (:post, :author, 'hi', :at, :at)"
    )
    with empty_engine.begin() as connection:
        ann, bob = (connection.execute(user, {"name": n, "at": at}).scalar_one() for n in "ab")
        first, _, newest = (
            connection.execute(post, {"author": ann, "title": t, "at": at}).scalar_one()
            for t in ("p1", "p2", "p3")
        )
        connection.execute(comment, [{"post": p, "author": bob, "at": at} for p in (first, newest)])
        connection.execute(
            text("INSERT INTO favorites (user_id, post_id, created_at) VALUES (:u, :p, :at)"),
            {"u": bob, "p": first, "at": at},
        )
        connection.execute(
            text("INSERT INTO follows (follower_id, followed_id, created_at) VALUES (:b, :a, :at)"),
            {"b": bob, "a": ann, "at": at},
        )

    def rows() -> dict[str, list[object]]:
        with empty_engine.connect() as connection:
            return {
                name: sorted(connection.execute(text(f"SELECT * FROM {name}")).all())
                for name in ("users", "posts", "comments", "favorites", "follows")
            }

    tables_then = set(inspect(empty_engine).get_table_names())

    def indexes() -> set[str]:  # of the tables 0010 has, and expression indexes too
        return {
            index["name"]
            for table in tables_then
            for index in inspect(empty_engine).get_indexes(table)
        } | set(_sqlite_expression_indexes(empty_engine))

    before, indexed = rows(), indexes()
    migrator.upgrade()
    assert rows() == before
    assert indexes() == indexed
    assert schema_differences(empty_engine) == []
    with empty_engine.begin() as connection:
        connection.execute(text("DELETE FROM posts WHERE id = :id"), {"id": newest})
        after = connection.execute(post, {"author": ann, "title": "p4", "at": at}).scalar_one()
        comments = connection.execute(text("SELECT count(*) FROM comments")).scalar_one()
    assert after > newest
    assert comments == 1  # the deleted post's went with it: the references still hold
    migrator.downgrade("0010")
    migrator.upgrade()
    assert schema_differences(empty_engine) == []


def test_a_reference_broken_before_does_not_stop_migrating_on_sqlite(tmp_path: Path) -> None:
    """SQLite's own shell enforces no foreign keys, so a row pointing nowhere can be there
    already: migrations check only the references they break themselves."""
    engine = make_engine(f"sqlite:///{tmp_path / 'stray.db'}")
    migrator = AlembicMigrator(engine)
    migrator.upgrade()
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert driver is not None
        driver.execute("PRAGMA foreign_keys=OFF")
        driver.execute("INSERT INTO favorites VALUES (99, 1, '2026-12-05')")
        driver.execute("PRAGMA foreign_keys=ON")
    migrator.upgrade()  # nothing to do
    migrator.downgrade("0010")
    migrator.upgrade()
    assert migrator.current() == migrator.head()
    with engine.connect() as connection:  # the pool's connections enforce them again
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def _sqlite_expression_indexes(engine: Engine) -> list[str]:
    if engine.dialect.name != "sqlite":
        return []
    with engine.connect() as connection:
        found = connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '%lower(%'"
        )
        return list(found.scalars())
