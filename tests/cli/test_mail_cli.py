"""`quill users verify`, `quill mail ...` and `quill worker`: the outbox from the command line."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest
from dependency_injector import providers

from domain.mail import DeliveryFailed, MailStatus
from infrastructure.memory import InMemoryMailSender, InMemoryUnitOfWork
from interfaces.container import Container
from tests.cli.expect import one_line_error


@pytest.fixture
def server(container: Container) -> Iterator[InMemoryMailSender]:
    server = InMemoryMailSender()
    with container.mail_sender.override(providers.Object(server)):
        yield server


def test_users_verify_marks_the_address_verified(quill, auth, client):
    user = auth(email="ann@example.com")
    result = quill("users", "verify", "ANN@example.com")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "ann@example.com is verified."
    assert client.get("/api/v1/users/me", headers=user.headers).json["email_verified"] is True


def test_users_verify_of_an_unknown_address_is_one_line_on_stderr(quill):
    assert "User not found" in one_line_error(quill("users", "verify", "nobody@example.com"))


def test_a_test_message_is_queued_then_delivered_by_the_worker(quill, server, uow):
    queued = quill("mail", "send-test", "--to", "Ops@Example.com")
    assert queued.exit_code == 0, queued.output
    assert "Queued test message 1 to ops@example.com" in queued.stdout
    listed = quill("mail", "list")
    assert "queued" in listed.stdout and "ops@example.com" in listed.stdout
    worked = quill("worker", "--once")
    assert worked.exit_code == 0, worked.output
    assert "1 sent, 0 to try again, 0 failed" in worked.stdout
    assert [mail.recipient for mail in server.sent] == ["ops@example.com"]
    assert "sent" in quill("mail", "list").stdout


def test_a_test_message_to_a_bad_address_is_one_line_on_stderr(quill):
    line = one_line_error(quill("mail", "send-test", "--to", "not an address"))
    assert "valid e-mail address" in line


def test_failed_messages_are_listed_and_queued_again_on_request(
    quill, server: InMemoryMailSender, uow: InMemoryUnitOfWork
):
    quill("mail", "send-test", "--to", "gone@example.com")
    quill("mail", "send-test", "--to", "fine@example.com")
    server.refuse["gone@example.com"] = DeliveryFailed("550 5.1.1 no such user", permanent=True)
    assert "1 sent, 0 to try again, 1 failed" in quill("worker", "--once").stdout
    failed = quill("mail", "list", "--failed").stdout
    assert "gone@example.com" in failed and "550 5.1.1 no such user" in failed
    assert "fine@example.com" not in failed and "1 failed message" in failed.splitlines()
    (gone,) = [m for m in uow.store.outbox.values() if m.recipient == "gone@example.com"]
    retried = quill("mail", "retry", str(gone.id))
    assert retried.exit_code == 0 and "is queued again" in retried.stdout
    assert uow.store.outbox[gone.id].status is MailStatus.QUEUED
    assert "Only a message that failed" in one_line_error(quill("mail", "retry", str(gone.id)))
    del server.refuse["gone@example.com"]
    assert "1 sent" in quill("worker", "--once").stdout


def test_retrying_a_message_that_is_not_there_is_one_line_on_stderr(quill):
    assert "No such message" in one_line_error(quill("mail", "retry", "42"))


def test_the_mail_list_never_shows_a_body(quill, auth, uow):
    auth(email="ann@example.com")  # registration queued a verification link
    (mail,) = uow.store.outbox.values()
    listed = quill("mail", "list").stdout
    assert "ann@example.com" in listed and "verify" in listed
    assert "token=" not in listed and mail.text not in listed


def test_the_mail_list_says_until_when_a_worker_holds_a_message(quill, auth, uow, clock):
    """A worker that stopped mid-send holds its messages for its lease: none goes out before
    then, though its next try is past."""
    auth(email="ann@example.com")
    lease = clock() + timedelta(minutes=10)
    with uow:
        (held,) = uow.outbox.claim("a worker that died", clock(), lease, 10)
        uow.commit()
    listed = quill("mail", "list").stdout
    assert f"held by a worker until {lease:%Y-%m-%d %H:%M:%S}" in listed
    with uow:
        uow.outbox.settle(held.not_tried(), "a worker that died")
        uow.commit()
    assert "held by" not in quill("mail", "list").stdout


def test_a_message_whose_link_expired_while_queued_is_given_up_on_not_sent_or_retried(
    quill, server: InMemoryMailSender, auth, uow: InMemoryUnitOfWork, clock
):
    auth(email="ann@example.com")  # registration queued a verification link for two days
    server.down = True
    assert "0 sent, 1 to try again, 0 failed" in quill("worker", "--once").stdout
    server.down = False
    clock.advance(days=2)  # the worker comes back as the link dies
    assert "0 sent, 0 to try again, 1 failed" in quill("worker", "--once").stdout
    failed = quill("mail", "list", "--failed").stdout
    assert "ann@example.com" in failed and "link expired before it could be sent" in failed
    (mail,) = uow.store.outbox.values()
    assert "link has expired" in one_line_error(quill("mail", "retry", str(mail.id)))
    assert server.sent == []


@pytest.mark.parametrize("poll", ["nan", "inf", "0", "-1"])
def test_a_poll_that_is_not_a_usable_number_of_seconds_is_one_line_on_stderr(quill, poll):
    assert "--poll" in one_line_error(quill("worker", "--once", "--poll", poll))


def test_the_worker_warns_of_each_message_it_gives_up_on_without_its_recipient(
    quill, server: InMemoryMailSender, uow: InMemoryUnitOfWork, caplog
):
    quill("mail", "send-test", "--to", "gone@example.com")
    said = "550 5.1.1 <gone@example.com>: Recipient address rejected"  # as Postfix says it
    server.refuse["gone@example.com"] = DeliveryFailed(said, permanent=True)
    with caplog.at_level(logging.WARNING, logger="quill.mail"):
        assert "1 failed" in quill("worker", "--once").stdout
    (mail,) = uow.store.outbox.values()
    (warning,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warning.getMessage() == (
        f"mail {mail.id} (test) given up: 550 5.1.1 <[address]>: Recipient address rejected"
    )


def test_mail_prune_forgets_old_sent_messages_and_says_how_many(quill, server, uow, clock):
    quill("mail", "send-test", "--to", "old@example.com")
    quill("worker", "--once")
    clock.advance(days=31)
    quill("mail", "send-test", "--to", "new@example.com")
    done = quill("mail", "prune")
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() == "Forgot 1 sent or failed message queued more than 30 days ago."
    assert [m.recipient for m in uow.store.outbox.values()] == ["new@example.com"]


def test_mail_prune_of_no_days_is_a_usage_error(quill):
    done = quill("mail", "prune", "--days", "0")
    assert done.exit_code == 2 and "--days" in done.stderr
