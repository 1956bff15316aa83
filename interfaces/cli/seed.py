"""`quill seed`: sample data, or bulk volumes with their progress."""

from __future__ import annotations

import click
from dependency_injector.wiring import Provide, inject

from application.seed import SeedReport, SeedSampleData, SeedVolume
from interfaces.cli.app import cli
from interfaces.cli.terminal import StageBars
from interfaces.container import Container


@cli.command()
@click.option("--users", "users", type=click.IntRange(0, 10_000_000), default=None)
@click.option("--posts", "posts", type=click.IntRange(0, 100_000_000), default=None)
@inject
def seed(
    users: int | None,
    posts: int | None,
    sample: SeedSampleData = Provide[Container.seed_sample_data],
    volume: SeedVolume = Provide[Container.seed_volume],
) -> None:
    """Sample data to try Quill with; --users N --posts M for large volumes."""
    if users is None and posts is None:
        _report(sample())
        return
    with StageBars() as bars:
        report = volume(users, posts or 0, bars.update)
    _report(report)


def _report(report: SeedReport) -> None:
    if not report.created:
        click.echo(f"Sample data is already there (admin {report.admin_email}); nothing added.")
        return
    click.echo(
        f"Added {report.users} users and {report.posts} posts, with {report.tags} tags on "
        f"posts, {report.follows} follows, {report.favorites} favorites and "
        f"{report.comments} comments."
    )
    if report.admin_password:
        click.echo(f"Sample admin: {report.admin_email} / {report.admin_password}")
