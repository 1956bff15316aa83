"""`quill create-admin` and `quill users`: accounts, as an operator manages them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click
from dependency_injector.wiring import Provide, inject

from application.accounts import MarkEmailVerified
from application.paging import PER_PAGE_MAX, Page, PageRequest
from application.users import (
    OPERATOR,
    DeleteUser,
    ListUsers,
    RegisterUser,
    Registration,
    UpdateUser,
    UserChanges,
)
from domain.errors import InvalidInput
from domain.users import Role, User, normalize_email, normalize_name
from interfaces.cli.app import PROMPTED, AskedOption, at_terminal, cli
from interfaces.cli.terminal import OneLineChoice, confirm, echo_table
from interfaces.container import Container


class CheckedBy(click.ParamType):
    """An answer checked by the domain's own rule as soon as it is given: a person at the
    prompt is asked again at once, not after typing the password twice."""

    name = "text"

    def __init__(self, rule: Callable[[str], object]) -> None:
        self._rule = rule

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            self._rule(value)
        except InvalidInput as error:
            said = " ".join(" ".join(problems) for problems in error.errors.values())
            asked = ctx.meta.get(PROMPTED) if ctx is not None else None
            if asked and not at_terminal():  # piped: asking again would read the next answer
                raise click.ClickException(f"{asked}: {said}") from None
            self.fail(said)
        return value  # the use case applies the rule again: this is only the early word


@cli.command("create-admin")
@click.option("--email", prompt=True, type=CheckedBy(normalize_email), cls=AskedOption)
@click.option("--name", prompt=True, type=CheckedBy(normalize_name), cls=AskedOption)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, cls=AskedOption)
@inject
def create_admin(
    email: str,
    name: str,
    password: str,
    register: RegisterUser = Provide[Container.register_user],
) -> None:
    """Create an admin account, its address verified (prompts for what is not given)."""
    registration = Registration(email=email, name=name, password=password)
    user = register(registration, role=Role.ADMIN, verified=True)  # the operator vouches
    click.echo(f"Created admin {user.email} (id {user.id}).")


@cli.group("users")
def users_group() -> None:
    """Manage user accounts."""


@users_group.command("list")
@click.option("--search", default=None, help="Case-insensitive part of a name or e-mail.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document instead of a table.")
@click.option(
    "--limit", type=click.IntRange(1, PER_PAGE_MAX), default=PER_PAGE_MAX, show_default=True
)
@click.option("--page", "number", type=click.IntRange(min=1), default=1, show_default=True)
@inject
def list_users(
    search: str | None,
    as_json: bool,
    limit: int,
    number: int,
    list_all: ListUsers = Provide[Container.list_users],
) -> None:
    """List users, newest first, a page of --limit at a time."""
    page = list_all(OPERATOR, PageRequest(page=number, per_page=limit), search)
    if as_json:
        click.echo(json.dumps([_user_json(user) for user in page.items], indent=2))
        if _more_than_one_page(page):  # a script would miss the others
            click.echo(_how_many(page), err=True)
        return
    rows = [("ID", "EMAIL", "USERNAME", "NAME", "ROLE", "ACTIVE", "CREATED")]
    rows += [_user_row(user) for user in page.items]
    echo_table(rows)
    click.echo(_how_many(page))


def _more_than_one_page(page: Page[User]) -> bool:
    return page.pages > 1 or page.total_is_lower_bound


def _how_many(page: Page[User]) -> str:
    """`2 of 5 users (page 1 of 3: --page)`; a search's capped count is `at least` so many."""
    at_least = "at least " if page.total_is_lower_bound else ""
    listed = f"{len(page.items)} of {at_least}{page.total} users"
    if not _more_than_one_page(page):
        return listed
    return f"{listed} (page {page.page} of {at_least}{page.pages}: --page)"


def _user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "username": user.username,
        "name": user.name,
        "role": user.role.value,
        "is_active": user.is_active,
        "bio": user.bio,
        "image": user.image,
        "created_at": user.created_at.isoformat(),
        "updated_at": user.updated_at.isoformat(),
        "email_verified": user.email_verified,
    }


def _user_row(user: User) -> tuple[str, ...]:
    return (
        str(user.id),
        user.email,
        user.username,
        user.name,
        user.role.value,
        "yes" if user.is_active else "no",
        user.created_at.strftime("%Y-%m-%d %H:%M"),
    )


@users_group.command("set-role")
@click.argument("email")
@click.argument("role", type=OneLineChoice([r.value for r in Role]))
@inject
def set_role(email: str, role: str, update: UpdateUser = Provide[Container.update_user]) -> None:
    """Make EMAIL a user or an admin."""
    user = update(OPERATOR, email, UserChanges(role=Role(role)))
    click.echo(f"{user.email} is now {user.role.value}.")


@users_group.command()
@click.argument("email")
@inject
def deactivate(email: str, update: UpdateUser = Provide[Container.update_user]) -> None:
    """Deactivate EMAIL and end all their sessions."""
    user = update(OPERATOR, email, UserChanges(is_active=False))
    click.echo(f"{user.email} is deactivated.")


@users_group.command()
@click.argument("email")
@inject
def activate(email: str, update: UpdateUser = Provide[Container.update_user]) -> None:
    """Let EMAIL log in again."""
    user = update(OPERATOR, email, UserChanges(is_active=True))
    click.echo(f"{user.email} is active.")


@users_group.command("delete")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation at a terminal.")
@inject
def delete(email: str, yes: bool, remove: DeleteUser = Provide[Container.delete_user]) -> None:
    """Delete EMAIL with their posts and sessions; at a terminal, after asking."""
    if not yes:
        confirm(f"Delete {email} with all their posts?")
    remove(OPERATOR, email)
    click.echo(f"Deleted {email}.")


@users_group.command()
@click.argument("email")
@inject
def verify(email: str, mark: MarkEmailVerified = Provide[Container.mark_email_verified]) -> None:
    """Mark EMAIL's address verified."""
    user = mark(OPERATOR, email)
    click.echo(f"{user.email} is verified.")
