"""A new post's slug: its base (from the title), then `base-2`, `base-3` ... by the number
kept per base in slug_numbers, so a post of a common title takes its slug in one statement
however many share that title.

Every slug given is also a row of slug_numbers (as a base: the base's own upsert, or a
numbered slug claimed as it is given, or the bulk path's record), so no slug is given twice,
even after its post is deleted and to another title ("Notes 2" after "Notes"'s `notes-2`):
a deleted post's link never leads to another post. The unique index on posts.slug stays
the guarantee; a slug taken all the same (another title's, a reserved one) is passed over by
a search of the numbers above it, and the base's number moves past it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from domain.posts import RESERVED_SLUGS, numbered_slug
from infrastructure.db.counters import insert_of
from infrastructure.db.models import SlugNumberRow

slug_numbers = SlugNumberRow.__table__

GIVEN_SLUGS = select(slug_numbers.c.base).where(
    slug_numbers.c.base.in_(bindparam("slugs", expanding=True))
)
SET_NUMBER = (
    update(slug_numbers)
    .where(slug_numbers.c.base == bindparam("slug_base"))
    .values(last_number=bindparam("number"))
)
SLUG_GALLOP = 48  # first + 2**k - 1 for k below this: past any number of posts
SLUG_PROBES = 32  # how many candidates each look-up of the search asks about


def next_number_of(dialect: str) -> Any:
    """The base's next number, kept: on PostgreSQL its row stays locked until the unit ends,
    so writers of one title take their numbers one after the other."""
    stmt = insert_of(dialect)(slug_numbers).values(base=bindparam("slug_base"), last_number=1)
    return stmt.on_conflict_do_update(
        index_elements=["base"], set_={"last_number": slug_numbers.c.last_number + 1}
    ).returning(slug_numbers.c.last_number)


NEXT_NUMBER = {dialect: next_number_of(dialect) for dialect in ("postgresql", "sqlite")}


def recorded_of(dialect: str) -> Any:
    """A slug recorded as given (a base whose last number is 1), unless it already was."""
    stmt = insert_of(dialect)(slug_numbers).values(base=bindparam("slug"), last_number=1)
    return stmt.on_conflict_do_nothing()


RECORD = {dialect: recorded_of(dialect) for dialect in ("postgresql", "sqlite")}
# A numbered slug claimed as it is given: no row back when it was given before.
CLAIM = {dialect: stmt.returning(slug_numbers.c.base) for dialect, stmt in RECORD.items()}


class SlugNumbers:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._next = NEXT_NUMBER[connection.dialect.name]
        self._claim = CLAIM[connection.dialect.name]

    def take(self, base: str) -> int:
        """The base's next number (1 for a base never given)."""
        return self._connection.execute(self._next, {"slug_base": base}).scalar_one()  # type: ignore[no-any-return]

    def claim(self, slug: str) -> bool:
        """Record a numbered slug as given; False if it was given before. (PostgreSQL claims
        it in the post's own insert: post_locks.COUNTED_POST_INSERT.)"""
        claimed = self._connection.execute(self._claim, {"slug": slug})
        return claimed.first() is not None

    def record(self, slugs: list[str]) -> None:
        """Slugs stored as given (the bulk path), each recorded as a base already given."""
        stmt = RECORD[self._connection.dialect.name]
        self._connection.execute(stmt, [{"slug": slug} for slug in slugs])

    def take_free(self, base: str, first: int) -> int:
        """A number from `first` on whose slug was never given, kept as the base's number: the
        lowest where the numbers given run without holes, else one past the last hole found."""
        number = self._free_number(base, first)
        self._connection.execute(SET_NUMBER, {"slug_base": base, "number": number})
        return number

    def _free_number(self, base: str, first: int) -> int:
        """In a few look-ups however many slugs are taken: numbers first, first+1, first+3,
        first+7 ... are asked about at once, then the gap between the last taken and the first
        free is searched SLUG_PROBES at a time."""
        last_taken = first - 1
        galloping = [first + 2**k - 1 for k in range(SLUG_GALLOP)]
        for n in self._taken(base, galloping):
            last_taken = n
        free = next(n for n in galloping if n > last_taken)
        while free - last_taken > 1:
            step = max(1, (free - last_taken) // SLUG_PROBES)
            probes = list(range(last_taken + step, free, step))
            last_taken = max(self._taken(base, probes), default=last_taken)
            free = next((n for n in probes if n > last_taken), free)
        return free

    def _taken(self, base: str, numbers: list[int]) -> list[int]:
        """Of these ascending numbers, those given before the first free one (a reserved
        slug counts as given)."""
        slugs = {numbered_slug(base, n): n for n in numbers}
        stored = set(self._connection.execute(GIVEN_SLUGS, {"slugs": list(slugs)}).scalars())
        taken = []
        for slug, n in slugs.items():
            if slug not in stored and slug not in RESERVED_SLUGS:
                break
            taken.append(n)
        return taken
