"""`quill db`: schema migrations."""

from __future__ import annotations

from typing import Any

import click
from dependency_injector.wiring import Provide, inject

from interfaces.cli.app import cli
from interfaces.cli.terminal import confirm
from interfaces.container import Container


@cli.group()
def db() -> None:
    """Schema migrations."""


def _a_revision(_: click.Context, param: click.Parameter, value: str) -> str:
    """Alembic takes an empty revision for none at all and fails deep inside."""
    if not value.strip():
        raise click.BadParameter("must name a revision (e.g. head, base, -1 or 0014).", param=param)
    return value.strip()


@db.command()
@click.option("--revision", default="head", show_default=True, callback=_a_revision)
@inject
def upgrade(revision: str, migrator: Any = Provide[Container.migrator]) -> None:
    """Migrate the database up to REVISION."""
    migrator.upgrade(revision)
    click.echo(f"Database at revision {migrator.current()}.")


@db.command()
@click.option("--revision", default="-1", show_default=True, callback=_a_revision)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation at a terminal.")
@inject
def downgrade(revision: str, yes: bool, migrator: Any = Provide[Container.migrator]) -> None:
    """Migrate the database down to REVISION (default: one step); at a terminal, after asking:
    what the later revisions added is dropped, with its data."""
    if not yes:
        target = "one revision" if revision == "-1" else f"to {revision}"
        confirm(f"Migrate the database down {target}, dropping what later revisions hold?")
    migrator.downgrade(revision)
    click.echo(f"Database at revision {migrator.current() or 'base (empty)'}.")


@db.command()
@inject
def current(migrator: Any = Provide[Container.migrator]) -> None:
    """Show the database's revision and the newest one available."""
    click.echo(f"current: {migrator.current() or 'base (empty)'}\nhead:    {migrator.head()}")
