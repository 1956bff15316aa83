"""A repository statement's plan as PostgreSQL ran it (EXPLAIN ANALYZE), and its nodes."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import Connection, Select


def run_plan(
    connection: Connection, stmt: Select[Any], values: Mapping[str, Any], *, buffers: bool = False
) -> dict[str, Any]:
    """The plan of `stmt` run with `values`, its LIMIT and OFFSET written in as the
    repositories' reads write them; with `buffers`, each node's pages read."""
    expanded = stmt.compile(connection).construct_expanded_state(dict(values))
    options = "ANALYZE, BUFFERS, FORMAT JSON" if buffers else "ANALYZE, FORMAT JSON"
    explained = connection.exec_driver_sql(
        f"EXPLAIN ({options}) {expanded.statement}", expanded.parameters
    ).scalar_one()
    found = explained if isinstance(explained, list) else json.loads(explained)
    return found[0]["Plan"]  # type: ignore[no-any-return]


def plan_nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The plan's node and every node under it."""
    yield plan
    for child in plan.get("Plans", []):
        yield from plan_nodes(child)


def rows_read(plan: dict[str, Any]) -> int:
    """The rows the plan's scans of tables read, kept or filtered out (an index's own
    entries aside: a bitmap's are read into the heap scan that follows it)."""
    tables = ("Index Scan", "Seq Scan", "Bitmap Heap Scan")
    scans = [n for n in plan_nodes(plan) if n["Node Type"] in tables]
    removed = ("Rows Removed by Filter", "Rows Removed by Index Recheck")
    return sum(n["Actual Rows"] + sum(n.get(key, 0) for key in removed) for n in scans)


def on_index(plan: dict[str, Any], index: str) -> list[dict[str, Any]]:
    """The plan's scans of `index`."""
    return [node for node in plan_nodes(plan) if node.get("Index Name") == index]
