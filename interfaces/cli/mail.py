"""`quill mail`: the outbox: a test message, the list, a retry, pruning."""

from __future__ import annotations

import click
from dependency_injector.wiring import Provide, inject

from application.mail import ListMail, PruneMail, QueueTestMail, RetryMail
from application.users import OPERATOR
from domain.ids import ID_MAX
from domain.mail import MailStatus, OutgoingMail
from interfaces.cli.app import cli
from interfaces.cli.terminal import echo_table
from interfaces.container import Container


@cli.group("mail")
def mail_group() -> None:
    """The outbox: test, list, retry and prune messages."""


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
    echo_table(rows)
    plural = "" if len(found) == 1 else "s"
    click.echo(f"{len(found)} {'failed ' if failed else ''}message{plural}")


def _mail_row(mail: OutgoingMail) -> tuple[str, ...]:
    if mail.sent_at is not None:
        note = f"sent {mail.sent_at:%Y-%m-%d %H:%M}"
    elif mail.status is MailStatus.QUEUED:
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
@click.argument("mail_id", metavar="ID", type=click.IntRange(1, ID_MAX))
@inject
def retry(mail_id: int, again: RetryMail = Provide[Container.retry_mail]) -> None:
    """Queue the failed message ID again, with a fresh set of tries."""
    mail = again(OPERATOR, mail_id)
    click.echo(f"Message {mail.id} to {mail.recipient} is queued again.")


@mail_group.command("prune")
@click.option(
    "--days", type=click.IntRange(1, PruneMail.KEEP_MAX), default=30, show_default=True,
    help="Keep what was queued fewer days ago than this.",
)  # fmt: skip
@inject
def prune(days: int, forget: PruneMail = Provide[Container.prune_mail]) -> None:
    """Forget sent or failed messages queued more than DAYS days ago (queued ones stay)."""
    gone = forget(OPERATOR, days)
    plural = "" if gone == 1 else "s"
    click.echo(f"Forgot {gone} sent or failed message{plural} queued more than {days} days ago.")
