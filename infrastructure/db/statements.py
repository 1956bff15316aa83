"""Statements shared by the mail feature's repositories."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Insert, Table, bindparam, false, insert, select


def insert_maybe(table: Table, values: dict[str, Any], keep: bool) -> Insert:
    """An INSERT of `values`; with `keep` false, the same INSERT fed by a SELECT of the same
    values that yields no row: one round trip and the same work of parsing, planning and
    binding, and nothing stored."""
    if keep:
        return insert(table).values(**values)
    row = select(*(bindparam(key, value, type_=table.c[key].type) for key, value in values.items()))
    return insert(table).from_select(list(values), row.where(false()))
