"""How writes of posts take their locks, in one order: a new post's slug number (slugs.py),
the author's row, the post, the counters.

A user's deletion holds the author's row FOR UPDATE, then reads their counts and deletes their
posts. Every post write first takes that row KEY SHARE (as the foreign key would), so the two
run one after the other: neither deadlocks with the other, and no count is read half-moved.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select, bindparam, literal_column, select, true
from sqlalchemy.dialects import postgresql

from domain.errors import CallerDeleted, PostNotFound
from infrastructure.db.counters import author_counts, counter_slot, totals
from infrastructure.db.models import SEARCH_ONLY, PostRow, UserRow
from infrastructure.db.slugs import CLAIM

posts, users = PostRow.__table__, UserRow.__table__
ONE = literal_column("1")
NOT_WRITTEN = ("id", "author_id", "favorites_count", "comments_count")  # the counts start at 0

LOCK_AUTHOR = (
    select(users.c.id)
    .where(users.c.id == bindparam("author_id"))
    .with_for_update(read=True, key_share=True)
)
LOCK_POST_AUTHOR = (
    select(users.c.id)
    .join_from(posts, users, posts.c.author_id == users.c.id)
    .where(posts.c.id == bindparam("post_id"))
    .with_for_update(read=True, key_share=True, of=users)
)


# A post's row as strongly as an update of its favorite or comment count needs it.
LOCK_POST = (
    select(posts.c.id).where(posts.c.id == bindparam("post_id")).with_for_update(key_share=True)
)


def lock_writer_then_post(connection: Connection, user_id: int, post_id: int) -> None:
    """Before a favorite or a comment is added: its writer's row KEY SHARE (as the foreign key
    would), then its post's NO KEY UPDATE (LOCK_POST). Users' rows before posts', and no lock
    raised later: a foreign key's KEY SHARE raised by the count's update deadlocks with a
    deletion queued between the two. A row not found was deleted while the request ran: the
    writer's is CallerDeleted, the post's PostNotFound, on both databases."""
    if connection.execute(LOCK_AUTHOR, {"author_id": user_id}).first() is None:
        raise CallerDeleted()
    if connection.execute(LOCK_POST, {"post_id": post_id}).first() is None:
        raise PostNotFound()


def _counted_post_insert(claim: bool) -> Select[Any]:
    """PostgreSQL: a post and both its counters in one statement, one round trip, not three;
    `claim`: its numbered slug recorded as given too (slugs.py).

    Data-modifying CTEs, each fed by the one before, which fixes the order of the locks: the
    author's row first (KEY SHARE), then the total, then the author's counter. No row when
    the author is gone; a row without an id when the slug is taken or was given before
    (nothing is written). Both counters are in the connection's slot.
    """
    author = LOCK_AUTHOR.cte("author")
    columns = [c for c in posts.c if c.name not in NOT_WRITTEN and c.name not in SEARCH_ONLY]
    row = select(author.c.id, *(bindparam(c.name, type_=c.type) for c in columns))
    if claim:
        claimed = CLAIM["postgresql"].cte("claimed_slug")
        row = row.select_from(author.join(claimed, true()))
    returned = (posts.c.id, posts.c.author_id, posts.c.published)
    names = ["author_id", *(c.name for c in columns)]
    new_post = postgresql.insert(posts).from_select(names, row)
    new = (
        new_post.on_conflict_do_nothing(index_elements=["slug"])
        .returning(*returned)
        .cte("new_post")
    )
    slot = counter_slot("postgresql")
    total = _add_one(totals, [new.c.published], select(new.c.published, slot, ONE))
    total_cte = total.returning(totals.c.published).cte("counted_total")
    source = select(new.c.author_id, new.c.published, slot, ONE).select_from(
        new.join(total_cte, true())
    )
    author_count = _add_one(author_counts, [new.c.author_id, new.c.published], source)
    outcome = select(author.c.id.label("author_id"), new.c.id).select_from(
        author.outerjoin(new, true())
    )
    return outcome.add_cte(author_count.cte("counted_author"))


def _add_one(table: Any, keys: list[Any], source: Select[Any]) -> Any:
    """INSERT ... SELECT adding each selected row's last column to the counter with its keys
    and slot (the column before it)."""
    names = [key.name for key in keys] + ["slot"]
    upsert = postgresql.insert(table).from_select([*names, "posts"], source)
    return upsert.on_conflict_do_update(
        index_elements=names, set_={"posts": table.c.posts + upsert.excluded.posts}
    )


COUNTED_POST_INSERT = {claim: _counted_post_insert(claim) for claim in (False, True)}
