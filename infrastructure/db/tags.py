"""Tags: their kept counts of published posts, which posts carry them, the most used."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    String,
    bindparam,
    delete,
    func,
    insert,
    literal_column,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY

from application.ports import TagUse
from infrastructure.db.bulk import batched
from infrastructure.db.driver_reads import read_rows
from infrastructure.db.models import Id, PostTagRow, TagRow

tags, post_tags = TagRow.__table__, PostTagRow.__table__

# Among equally used tags the newest first (ids are given in the order tags are first used).
MOST_USED = (
    select(tags.c.name, tags.c.posts)
    .where(tags.c.posts > 0)
    .order_by(tags.c.posts.desc(), tags.c.id.desc())
    .limit(bindparam("limit", type_=Id, literal_execute=True))
)


def _counted_in_name_order() -> Any:
    """PostgreSQL: one statement for any number of tags. New tags take their ids in the order
    given (numbered before the sort), and every row is written in name order, the one order
    all writers of tags lock them in, so two posts never deadlock on their tags."""
    names = bindparam("names", type_=ARRAY(String))
    deltas = bindparam("deltas", type_=ARRAY(Integer))
    given = (
        func.unnest(names, deltas)
        .table_valued("name", "delta", with_ordinality="ord")
        .render_derived()
    )
    in_given_order = select(given.c.name, given.c.delta).order_by(given.c.ord).subquery("given")
    numbered = select(
        literal_column("nextval('tags_id_seq')").label("id"), *in_given_order.c
    ).subquery("numbered")
    rows = select(*numbered.c).order_by(numbered.c.name)
    upsert = postgresql.insert(tags).from_select(["id", "name", "posts"], rows)
    return upsert.on_conflict_do_update(
        index_elements=["name"], set_={"posts": tags.c.posts + upsert.excluded.posts}
    ).returning(tags.c.id, tags.c.name)


COUNTED_IN_NAME_ORDER = _counted_in_name_order()


@lru_cache(maxsize=64)  # one statement per number of tags: a post has at most ten
def _counted_in_given_order(rows: int) -> Any:
    """SQLite, whose writers run one at a time: a row per tag, in the order given."""
    upsert = sqlite.insert(tags).values(
        [{"name": bindparam(f"name_{n}"), "posts": bindparam(f"posts_{n}")} for n in range(rows)]
    )
    return upsert.on_conflict_do_update(
        index_elements=["name"], set_={"posts": tags.c.posts + upsert.excluded.posts}
    ).returning(tags.c.id, tags.c.name)


def count_tags(connection: Connection, deltas: Mapping[str, int]) -> dict[str, int]:
    """Add each delta to its tag's count of published posts, making the tags that are new
    (numbered in the order given); their ids by name."""
    if connection.dialect.name == "postgresql":
        values = {"names": list(deltas), "deltas": list(deltas.values())}
        return {name: tag_id for tag_id, name in connection.execute(COUNTED_IN_NAME_ORDER, values)}
    ids: dict[str, int] = {}
    for chunk in batched(deltas.items(), 1000):
        values = {f"name_{n}": name for n, (name, _) in enumerate(chunk)}
        values.update({f"posts_{n}": delta for n, (_, delta) in enumerate(chunk)})
        stmt = _counted_in_given_order(len(chunk))
        ids.update({name: tag_id for tag_id, name in connection.execute(stmt, values)})
    return ids


def tag_posts(connection: Connection, rows: Iterable[tuple[int, int, bool, datetime]]) -> None:
    """(post, tag, published, created_at): the post's state and time copied for the tag's
    index, so a tag's page walks it newest first."""
    values = [
        {"post_id": post, "tag_id": tag, "published": published, "created_at": at}
        for post, tag, published, at in rows
    ]
    if values:
        connection.execute(insert(post_tags), values)


def untag_post(connection: Connection, post_id: int) -> None:
    connection.execute(delete(post_tags).where(post_tags.c.post_id == post_id))


class SqlTagRepository:
    def __init__(self, connection: Connection, *, on_driver: bool = False) -> None:
        self._connection = connection
        self._on_driver = on_driver

    def most_used(self, limit: int) -> list[TagUse]:
        rows = read_rows(self._connection, MOST_USED, {"limit": limit}, on_driver=self._on_driver)
        return [TagUse(name=row["name"], posts=row["posts"]) for row in rows]
