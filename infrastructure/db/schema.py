"""The declarative base and what every table shares: naming, id and time types,
the indexes made on PostgreSQL only."""

from __future__ import annotations

from sqlalchemy import BigInteger, DateTime, Index, Integer, MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BIGINT on PostgreSQL; SQLite only auto-increments a column declared INTEGER.
Id = BigInteger().with_variant(Integer(), "sqlite")
Timestamp = DateTime(timezone=True)
# Ids clients hold (users, posts, comments) are never given twice: on SQLite that takes
# AUTOINCREMENT (migration 0011), as PostgreSQL's sequences do by themselves.
NEVER_REUSED_IDS = {"sqlite_autoincrement": True}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


ONLY_ON = "only_on"  # the `info` key naming the one dialect a schema item is created on


PENDING_LIST_KB = 64  # the least PostgreSQL allows (migration 0012)


def trigram_index(name: str, column: str) -> Index:
    """Lets (I)LIKE '%text%' use an index on PostgreSQL; SQLite gets no such index. Its
    pending list of new rows' entries, which every search reads whole, is kept to 64 kB."""
    return Index(
        name,
        column,
        postgresql_using="gin",
        postgresql_ops={column: "gin_trgm_ops"},
        postgresql_with={"gin_pending_list_limit": PENDING_LIST_KB},
        info={ONLY_ON: "postgresql"},
    ).ddl_if(dialect="postgresql")


def exists_on(dialect: str, item: object) -> bool:
    """Whether a schema item is created on `dialect` (the trigram indexes are PostgreSQL-only)."""
    info = getattr(item, "info", {})
    return info.get(ONLY_ON, dialect) == dialect
