"""Ids: stored as 64-bit signed integers (BIGINT), so every id a driver takes is 1..ID_MAX."""

ID_MAX = 2**63 - 1


def stored(entity_id: int | None) -> int:
    """The id of an entity read from (or added to) a repository. One not yet stored has none,
    and asking for it is a bug: refused here rather than sent on as a made-up id."""
    if entity_id is None:
        raise ValueError("an entity not yet stored has no id")
    return entity_id
