"""Tags kept composed (NFC), as the domain now composes every tag it is given.

A tag typed with `e` and a combining accent was a tag apart from the same tag typed with `é`:
two entries in `GET /tags` that read alike, and a tag's page that found the posts of one or
the other by keyboard. Each kept tag not yet composed is composed here, in the tags and in the
posts' own lists of them: renamed, or merged into its composed twin when one is kept (a post
carrying both keeps one, and the twin's count is counted again). A post whose list changes
takes a new version, so its ETag changes with what it shows. A tag whose composed form is
longer than a tag may be (rare: a few characters compose into two) is left as it is, as the
domain keeps such a tag. Nothing is undone on the way down: a composed tag is as good a tag to
the older code, and a merge cannot be told apart.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

TAG_MAX = 40  # as the domain had it when this was written
tags = sa.table(
    "tags", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("posts")
)
post_tags = sa.table(
    "post_tags",
    sa.column("post_id", sa.Integer),
    sa.column("tag_id", sa.Integer),
    sa.column("published", sa.Boolean),
)
posts = sa.table(
    "posts",
    sa.column("id", sa.Integer),
    sa.column("tag_list", sa.String),
    sa.column("version", sa.Integer),
)
NOT_ASCII = "[^\\x01-\\x7f]"  # only such a name can change
BATCH = 1000


def kept(name: str) -> str:
    composed = unicodedata.normalize("NFC", name)
    return composed if len(composed) <= TAG_MAX else name


def upgrade() -> None:
    connection = op.get_bind()
    named = sa.select(tags.c.id, tags.c.name).where(tags.c.name.regexp_match(NOT_ASCII))
    twin_of = sa.select(tags.c.id).where(tags.c.name == sa.bindparam("composed"))
    for tag_id, name in connection.execute(named.order_by(tags.c.id)).all():
        composed = kept(name)
        if composed == name:
            continue
        twin = connection.execute(twin_of, {"composed": composed}).scalar()
        if twin is None:
            connection.execute(tags.update().where(tags.c.id == tag_id).values(name=composed))
        else:
            _merge(connection, tag_id, twin)
    _compose_lists(connection)


def _compose_lists(connection: sa.Connection) -> None:
    """The posts' own lists, BATCH posts at a time by id, so that a blog written in another
    script (every list past ASCII, few to change) is read in bounded memory. A post whose list
    changes takes a new version: a cached copy's ETag no longer matches."""
    listed = (
        sa.select(posts.c.id, posts.c.tag_list)
        .where(posts.c.id > sa.bindparam("after"), posts.c.tag_list.regexp_match(NOT_ASCII))
        .order_by(posts.c.id)
        .limit(BATCH)
    )
    rewrite = (
        posts.update()
        .where(posts.c.id == sa.bindparam("post_id"))
        .values(tag_list=sa.bindparam("composed"), version=posts.c.version + 1)
    )
    after = 0
    while rows := connection.execute(listed, {"after": after}).all():
        changed = [
            {"post_id": post_id, "composed": composed}
            for post_id, tag_list in rows
            if (composed := _composed_list(tag_list)) != tag_list
        ]
        if changed:
            connection.execute(rewrite, changed)
        after = rows[-1].id


def _composed_list(tag_list: str) -> str:
    return ",".join(dict.fromkeys(kept(name) for name in tag_list.split(",")))


def _merge(connection: sa.Connection, tag_id: int, twin: int) -> None:
    """The tag's posts carry its twin instead; the tag goes."""
    carrying_twin = sa.select(post_tags.c.post_id).where(post_tags.c.tag_id == twin)
    connection.execute(
        post_tags.delete().where(
            post_tags.c.tag_id == tag_id, post_tags.c.post_id.in_(carrying_twin)
        )
    )
    connection.execute(post_tags.update().where(post_tags.c.tag_id == tag_id).values(tag_id=twin))
    published = (
        sa.select(sa.func.count())
        .where(post_tags.c.tag_id == twin, post_tags.c.published.is_(True))
        .scalar_subquery()
    )
    connection.execute(tags.update().where(tags.c.id == twin).values(posts=published))
    connection.execute(tags.delete().where(tags.c.id == tag_id))


def downgrade() -> None:
    """Nothing to undo: a composed tag is as good a tag to the older code."""
