"""The `quill` admin command line: the same use cases, container and database as the server."""

from __future__ import annotations

import getpass
import json
import logging
import math
import os
import select
import signal
import socket
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import click
from click.exceptions import NoArgsIsHelpError
from dependency_injector.wiring import Provide, inject

from application.accounts import MarkEmailVerified
from application.mail import ListMail, QueueTestMail, RetryMail
from application.paging import PER_PAGE_MAX, Page, PageRequest
from application.seed import SeedReport, SeedSampleData, SeedVolume
from application.users import (
    OPERATOR,
    DeleteUser,
    ListUsers,
    RegisterUser,
    Registration,
    UpdateUser,
    UserChanges,
)
from domain.errors import DomainError, ServiceUnavailable
from domain.mail import OutgoingMail
from domain.text import is_text
from domain.users import Role, User
from interfaces.container import (
    SCHEMA_BEHIND_ADVICE,
    Container,
    SettingsError,
    build_container,
    links_follow,
    outage_reason,
    schema_behind,
)


def _with_container(ctx: click.Context) -> None:
    """The container from the settings, built once and seen at every level; bad settings
    are one line."""
    if ctx.obj is not None:
        return
    try:
        container = build_container()
    except SettingsError as error:
        raise click.ClickException(str(error)) from None
    each: click.Context | None = ctx
    while each is not None:
        each.obj, each = container, each.parent


class QuillCommand(click.Command):
    """A command builds the container once its own arguments have parsed, so `--help` at
    any depth needs no valid settings."""

    def invoke(self, ctx: click.Context) -> Any:
        _with_container(ctx)
        return super().invoke(ctx)


class AskedOption(click.Option):
    """An option prompted for when not given: the settings are checked before the question,
    so nobody types a password for a command that cannot run."""

    def prompt_for_value(self, ctx: click.Context) -> Any:
        _with_container(ctx)
        option = self.opts[-1]
        try:
            return super().prompt_for_value(ctx)
        except click.Abort:
            # (First: Click's Abort is a RuntimeError.) Answers piped in ran out (`< /dev/null`,
            # a short script): say which, not "Aborted!". At a terminal, Ctrl-C or Ctrl-D is
            # the person's own choice.
            if sys.stdin is None or sys.stdin.isatty():
                raise
            asked = "answered and confirmed" if self.confirmation_prompt else "answered"
            message = (
                f"stdin ended before {option} was {asked}: give {option} to run without a prompt."
            )
            raise click.UsageError(message) from None
        except (RuntimeError, AttributeError):
            # Started with stdin closed (`<&-`): input() has lost it, and getpass, with no
            # terminal to read instead, finds none. A hidden prompt at a terminal still works.
            if sys.stdin is not None:
                raise
            message = f"stdin is closed: give {option} to run without a prompt."
            raise click.UsageError(message) from None


class QuillGroup(click.Group):
    """The CLI's error map: a domain error is one line on stderr and exit code 1; a usage
    error one line too (Click's own puts the usage before it), with its exit code 2."""

    command_class = QuillCommand
    group_class = type  # the groups under `quill` are QuillGroups too

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with _usage_in_one_line():  # a subcommand's arguments, an unknown command
                return super().invoke(ctx)
        except DomainError as error:
            raise click.ClickException(_describe(error)) from None

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        with _usage_in_one_line():  # the group's own options (`quill --bogus`), before invoke
            return super().make_context(info_name, args, parent=parent, **extra)


@contextmanager
def _usage_in_one_line() -> Iterator[None]:
    try:
        yield
    except NoArgsIsHelpError:
        raise  # a group named alone shows its help
    except click.UsageError as error:
        raise OneLineUsageError(error) from None


class OneLineUsageError(click.ClickException):
    exit_code = 2

    def __init__(self, error: click.UsageError) -> None:
        where = error.ctx.command_path if error.ctx else "quill"
        said = error.format_message().rstrip()
        said += "" if said.endswith((".", "?", "!")) else "."
        super().__init__(f"{said} See '{where} --help'.")


def _describe(error: DomainError) -> str:
    fields = getattr(error, "errors", None)
    if fields:
        details = "; ".join(f"{name}: {' '.join(problems)}" for name, problems in fields.items())
        return f"{error.message} {details}"
    if isinstance(error, ServiceUnavailable):
        # The operator at the command line is the one who can fix it.
        return outage_reason(error.message, error)
    return error.message


@click.group(cls=QuillGroup)
def cli() -> None:
    """Quill: a blogging API. Admin commands for the database and its users."""


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
        _confirm(f"Migrate the database down to {revision}, dropping what later revisions hold?")
    migrator.downgrade(revision)
    click.echo(f"Database at revision {migrator.current() or 'base (empty)'}.")


@db.command()
@inject
def current(migrator: Any = Provide[Container.migrator]) -> None:
    """Show the database's revision and the newest one available."""
    click.echo(f"current: {migrator.current() or 'base (empty)'}\nhead:    {migrator.head()}")


@cli.command("create-admin")
@click.option("--email", prompt=True, cls=AskedOption)
@click.option("--name", prompt=True, cls=AskedOption)
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


class StageBars:
    """A progress bar on stderr for each stage of a bulk load, as the use case reports them."""

    def __init__(self) -> None:
        self._shown = ExitStack()  # the current stage's bar, finished when the stage is
        self._bar: Any = None
        self._stage: str | None = None
        self._done = 0

    def update(self, stage: str, done: int, total: int) -> None:
        if stage != self._stage:
            self._shown.close()
            bar = click.progressbar(length=total, label=f"Seeding {stage:9}", file=sys.stderr)
            self._bar = self._shown.enter_context(bar)
            self._stage, self._done = stage, 0
        self._bar.update(done - self._done)
        self._done = done

    def __enter__(self) -> StageBars:
        return self

    def __exit__(self, *exc: object) -> None:
        self._shown.close()


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
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
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


class OneLineChoice(click.Choice[str]):
    """Click lists the choices of a missing argument one per line; an error is one line."""

    def get_missing_message(self, param: click.Parameter, ctx: click.Context | None) -> str:
        return f"Choose from: {', '.join(map(str, self.choices))}."


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


def _confirm(question: str) -> None:
    """A person at a terminal is asked. Without one, an answer already waiting on stdin (`echo
    n | quill ...`) is read as the answer; with none (stdin empty, closed, or a pipe nobody
    writes to) the command runs as the contract writes it: a question nobody can answer would
    only abort a script, or hang it."""
    if sys.stdin is not None and sys.stdin.isatty():
        click.confirm(question, abort=True, err=True)
        return
    answer = _answer_waiting()
    if answer.strip():
        click.echo(f"{question} [y/N]: {answer.strip()}")
    if answer and answer.strip().lower() not in ("y", "yes"):  # an empty line is no, too
        raise click.Abort()


def _answer_waiting() -> str:
    """The line waiting on stdin, never waiting for one: "" when there is none."""
    if sys.stdin is None:
        return ""
    try:
        fd = sys.stdin.fileno()
    except (OSError, ValueError):  # a stream in memory (Click's test runner): it is all there
        return sys.stdin.readline()
    try:
        if not select.select([fd], [], [], 0)[0]:
            return ""
    except (OSError, ValueError):  # a descriptor select() cannot watch (Windows' pipes)
        return ""
    waiting = os.read(fd, 1024)  # what is there: at its end (/dev/null), nothing
    return waiting.decode(errors="replace").partition("\n")[0] + "\n" if waiting else ""


@users_group.command("delete")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation at a terminal.")
@inject
def delete(email: str, yes: bool, remove: DeleteUser = Provide[Container.delete_user]) -> None:
    """Delete EMAIL with their posts and sessions; at a terminal, after asking."""
    if not yes:
        _confirm(f"Delete {email} with all their posts?")
    remove(OPERATOR, email)
    click.echo(f"Deleted {email}.")


@users_group.command()
@click.argument("email")
@inject
def verify(email: str, mark: MarkEmailVerified = Provide[Container.mark_email_verified]) -> None:
    """Mark EMAIL's address verified."""
    user = mark(OPERATOR, email)
    click.echo(f"{user.email} is verified.")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--no-migrate", is_flag=True, help="Do not migrate the database first.")
@inject
def serve(
    host: str, port: int, no_migrate: bool, migrator: Any = Provide[Container.migrator]
) -> None:
    """Run the development server (migrating the database first)."""
    from interfaces.http.app import create_app
    from interfaces.http.pages import HideQueryStrings

    _refuse_a_taken_address(host, port)
    if not no_migrate:
        migrator.upgrade()
    container = click.get_current_context().obj
    links_follow(container, host, port)
    app = create_app(container)
    # Development delivers its own mail: a worker thread beside the server (one worker, as
    # SQLite wants). The request log of werkzeug's server leaves out query strings (tokens).
    logging.getLogger("werkzeug").addFilter(HideQueryStrings())
    _, stop = container.mail_worker().in_thread()
    try:
        app.run(host=host, port=port)
    finally:
        stop.set()


def _refuse_a_taken_address(host: str, port: int) -> None:
    """One line when the address cannot be listened on (werkzeug would print two, or a
    traceback for a host that does not resolve); tried as werkzeug's server will bind it."""
    from werkzeug.serving import get_sockaddr, select_address_family

    family = select_address_family(host, port)
    if family == getattr(socket, "AF_UNIX", None):
        return  # a socket file: the server makes it and says what it finds
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
            probe.bind(get_sockaddr(host, port, family))
    except OSError as error:
        reason = error.strerror or str(error)
        raise click.ClickException(f"Cannot listen on {host}:{port}: {reason}.") from None


# Mail: the outbox and its delivery.


def _finite(_: click.Context, param: click.Parameter, value: float) -> float:
    """FloatRange lets `nan` through: it is neither below nor above any bound."""
    if not math.isfinite(value):
        raise click.BadParameter("must be a number of seconds.", param=param)
    return value


@cli.command()
@click.option("--once", is_flag=True, help="Deliver what is due, then exit.")
@click.option(
    "--poll", type=click.FloatRange(0.1, 3600), default=2.0, show_default=True,
    callback=_finite, help="Seconds between looks at an empty outbox.",
)  # fmt: skip
def worker(once: bool, poll: float) -> None:
    """Deliver queued mail until SIGTERM or Ctrl-C (which let the message in hand finish)."""
    from interfaces.http import logs

    container: Container = click.get_current_context().obj
    logs.configure(container.config.log_level(), container.config.log_format())
    for caution in container.config.mail.cautions() or ():
        logging.getLogger("quill.mail").warning(caution)
    mail_worker = container.mail_worker(poll=poll)
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in STOPPING}
    try:
        totals = mail_worker.run(stop, once=once)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo(
        f"Worker {mail_worker.name} stopped: {totals['sent']} sent, {totals['deferred']} to"
        f" try again, {totals['failed']} failed, {totals['handed_back']} handed back."
    )


STOPPING = (signal.SIGTERM, signal.SIGINT)


@cli.group("mail")
def mail_group() -> None:
    """The outbox: test, list and retry messages."""


@mail_group.command("send-test")
@click.option("--to", "to", required=True, help="The address to send the test message to.")
@inject
def send_test(to: str, queue: QueueTestMail = Provide[Container.queue_test_mail]) -> None:
    """Queue a test message (a worker sends it)."""
    mail = queue(OPERATOR, to)
    click.echo(f"Queued test message {mail.id} to {mail.recipient} ({mail.message_id}).")


@mail_group.command("list")
@click.option("--failed", is_flag=True, help="Only the messages that gave up.")
@click.option("--limit", type=click.IntRange(1, ListMail.LIST_MAX), default=100, show_default=True)
@inject
def list_mail(failed: bool, limit: int, find: ListMail = Provide[Container.list_mail]) -> None:
    """Messages in the outbox, newest first (never their bodies)."""
    found = find(OPERATOR, failed=failed, limit=limit)
    rows = [("ID", "STATUS", "TRIES", "KIND", "TO", "QUEUED", "NOTE")]
    rows += [_mail_row(mail) for mail in found]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    plural = "" if len(found) == 1 else "s"
    click.echo(f"{len(found)} {'failed ' if failed else ''}message{plural}")


def _mail_row(mail: OutgoingMail) -> tuple[str, ...]:
    if mail.sent_at is not None:
        note = f"sent {mail.sent_at:%Y-%m-%d %H:%M}"
    elif mail.status.value == "queued":
        note = f"next try {mail.next_attempt_at:%Y-%m-%d %H:%M}"
        if mail.held_until is not None:  # being sent, or its worker stopped: not before then
            note += f", held by a worker until {mail.held_until:%Y-%m-%d %H:%M:%S}"
    else:
        note = ""
    if mail.last_error and mail.sent_at is None:
        note = f"{note}; {mail.last_error}" if note else mail.last_error
    return (
        str(mail.id), mail.status.value, str(mail.attempts), mail.kind, mail.recipient,
        f"{mail.created_at:%Y-%m-%d %H:%M}", note,
    )  # fmt: skip


@mail_group.command("retry")
@click.argument("mail_id", metavar="ID", type=click.IntRange(1, 2**63 - 1))
@inject
def retry(mail_id: int, again: RetryMail = Provide[Container.retry_mail]) -> None:
    """Queue the failed message ID again, with a fresh set of tries."""
    mail = again(OPERATOR, mail_id)
    click.echo(f"Message {mail.id} to {mail.recipient} is queued again.")


def main() -> None:
    # A password piped in (no terminal) makes getpass warn with its own source line; its
    # one-line "Password input may be echoed." says as much.
    warnings.filterwarnings("ignore", category=getpass.GetPassWarning)
    for position, argument in enumerate(sys.argv[1:], start=1):
        if not is_text(argument):  # bytes that are not UTF-8, which no command can take
            # Named by its place, not shown: it may be a password.
            click.echo(f"Error: argument {position} is not UTF-8 text.", err=True)
            sys.exit(2)
    try:
        cli.main(standalone_mode=True)
    except Exception as error:  # the last guard: one line, never a traceback
        click.echo(f"Error: {_one_line(error)}", err=True)
        sys.exit(1)


def _one_line(error: Exception) -> str:
    if schema_behind(error):
        return SCHEMA_BEHIND_ADVICE
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return f"{type(error).__name__}: {text}"
