"""Delivering the outbox and handling it, on the in-memory fakes: a recording mail server."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest

from application.accounts import Letters
from application.mail import (
    DeliverMail,
    DeliveryPolicy,
    ListMail,
    PruneMail,
    QueueTestMail,
    RetryMail,
    Unsent,
)
from domain.errors import AdminOnly, InvalidInput, MailLinkExpired, MailNotFailed, MailNotFound
from domain.mail import LINK_EXPIRED, DeliveryFailed, MailStatus, OutgoingMail, RetryPolicy
from infrastructure.mail.templates import JinjaMailTemplates
from infrastructure.mail.worker import MailWorker
from infrastructure.memory import InMemoryMailSender, InMemoryUnitOfWork
from tests.factories import T0, FixedClock, actor_for, make_mail
from tests.unit.conftest import Given

RETRY = RetryPolicy(max_tries=4, first_delay=timedelta(seconds=30))


@pytest.fixture
def server() -> InMemoryMailSender:
    return InMemoryMailSender()


@pytest.fixture
def deliver(uow: InMemoryUnitOfWork, server: InMemoryMailSender, clock: FixedClock) -> DeliverMail:
    return DeliverMail(uow, server, clock, DeliveryPolicy(retry=RETRY, batch=10))


def queue(uow: InMemoryUnitOfWork, *mails: OutgoingMail) -> list[OutgoingMail]:
    with uow:
        stored = [uow.outbox.add(mail) for mail in mails]
        uow.commit()
    return stored


def stored(uow: InMemoryUnitOfWork, mail: OutgoingMail) -> OutgoingMail:
    with uow:
        found = uow.outbox.get(mail.id or 0)
    assert found is not None
    return found


def test_due_messages_are_sent_once_and_their_bodies_dropped(
    deliver: DeliverMail, server: InMemoryMailSender, uow: InMemoryUnitOfWork
) -> None:
    mails = queue(uow, make_mail(), make_mail(), make_mail(next_attempt_at=T0 + timedelta(1)))
    done = deliver("w1")
    assert (done.claimed, done.sent) == (2, 2)
    assert [mail.message_id for mail in server.sent] == [m.message_id for m in mails[:2]]
    assert server.sent[0].text == mails[0].text  # sent whole
    first = stored(uow, mails[0])
    assert (first.status, first.attempts, first.sent_at, first.text) == (
        MailStatus.SENT,
        1,
        T0,
        "",
    )
    assert deliver("w1").claimed == 0 and len(server.sent) == 2


def test_a_server_that_is_down_is_tried_again_later_and_later_then_given_up_on(
    deliver: DeliverMail, server: InMemoryMailSender, uow: InMemoryUnitOfWork, clock: FixedClock
) -> None:
    (mail,) = queue(uow, make_mail())
    server.down = True
    waits = []
    for _ in range(RETRY.max_tries - 1):
        assert deliver("w1").deferred == 1
        after = stored(uow, mail)
        waits.append(after.next_attempt_at - clock())
        assert deliver("w1").claimed == 0  # not due yet
        clock.now = after.next_attempt_at
    assert waits == [timedelta(seconds=s) for s in (30, 60, 120)]
    assert deliver("w1").failed == 1
    failed = stored(uow, mail)
    assert (failed.status, failed.attempts) == (MailStatus.FAILED, RETRY.max_tries)
    assert "Connection refused" in (failed.last_error or "")
    clock.advance(days=1)
    assert deliver("w1").claimed == 0


def test_a_round_says_why_each_message_waits_and_when_it_is_tried_again(
    deliver: DeliverMail, server: InMemoryMailSender, uow: InMemoryUnitOfWork
) -> None:
    (mail,) = queue(uow, make_mail())
    server.refuse[mail.recipient] = DeliveryFailed("451 4.3.0 try later")
    done = deliver("w1")
    assert done.put_off == (
        Unsent(
            mail_id=mail.id or 0, kind="test", reason="451 4.3.0 try later",
            retry_at=T0 + timedelta(seconds=30),
        ),
    )  # fmt: skip
    assert done.given_up == ()


def test_a_round_due_by_a_time_leaves_what_came_due_after_it(
    deliver: DeliverMail, server: InMemoryMailSender, uow: InMemoryUnitOfWork, clock: FixedClock
) -> None:
    early, late = queue(uow, make_mail(), make_mail(next_attempt_at=T0 + timedelta(minutes=5)))
    clock.advance(minutes=10)
    done = deliver("w1", due_by=T0)
    assert (done.claimed, done.as_of) == (1, T0)
    assert [m.message_id for m in server.sent] == [early.message_id]
    assert deliver("w1").claimed == 1  # without a bound, what is due now
    assert [m.message_id for m in server.sent][-1] == late.message_id


def test_the_worker_once_delivers_what_was_due_when_it_started_not_the_retries_after(
    deliver: DeliverMail, server: InMemoryMailSender, uow: InMemoryUnitOfWork, clock: FixedClock
) -> None:
    """A server that keeps failing, and slowly: while one message is tried, the retry of the
    one before comes due, so `quill worker --once` in a cron job would run until every try
    of every message was spent."""
    mails = queue(uow, make_mail(), make_mail())
    server.down = True
    server.meanwhile = lambda _: clock.advance(minutes=1)  # longer than the first delay
    totals = MailWorker(deliver, poll=0.01).run(threading.Event(), once=True)
    assert (totals.deferred, totals.failed) == (2, 0)
    assert [stored(uow, mail).attempts for mail in mails] == [1, 1]


def test_the_worker_logs_why_a_message_waits_without_its_recipient(
    deliver: DeliverMail,
    server: InMemoryMailSender,
    uow: InMemoryUnitOfWork,
    caplog: pytest.LogCaptureFixture,
) -> None:
    (mail,) = queue(uow, make_mail(recipient="ann@example.com"))
    server.refuse[mail.recipient] = DeliveryFailed("450 4.2.0 <ann@example.com>: greylisted")
    with caplog.at_level(logging.INFO, logger="quill.mail"):
        MailWorker(deliver, poll=0.01).run(threading.Event(), once=True)
    (line,) = [r.getMessage() for r in caplog.records if "not sent" in r.getMessage()]
    retry_at = T0 + timedelta(seconds=30)
    assert line == (
        f"mail {mail.id} (test) not sent, tried again at {retry_at:%Y-%m-%d %H:%M:%S} UTC:"
        " 450 4.2.0 <[address]>: greylisted"
    )


def test_a_server_back_up_delivers_what_waited_for_it(
    deliver: DeliverMail, server: InMemoryMailSender, uow: InMemoryUnitOfWork, clock: FixedClock
) -> None:
    mails = queue(uow, *(make_mail() for _ in range(5)))
    server.down = True
    deliver("w1")
    server.down = False
    clock.advance(seconds=30)
    assert deliver("w1").sent == 5
    assert sorted(m.message_id for m in server.sent) == sorted(m.message_id for m in mails)


def test_a_permanent_refusal_fails_the_message_at_once_and_the_others_still_go(
    deliver: DeliverMail, server: InMemoryMailSender, uow: InMemoryUnitOfWork
) -> None:
    refused, *others = queue(uow, make_mail(recipient="nobody@example.com"), make_mail())
    server.refuse["nobody@example.com"] = DeliveryFailed("550 no such user", permanent=True)
    done = deliver("w1")
    assert (done.failed, done.sent) == (1, 1)
    assert done.given_up == (Unsent(mail_id=refused.id, kind="test", reason="550 no such user"),)
    failed = stored(uow, refused)
    assert (failed.status, failed.attempts, failed.last_error) == (
        MailStatus.FAILED,
        1,
        "550 no such user",
    )
    assert [m.message_id for m in server.sent] == [others[0].message_id]


def test_an_unexpected_error_sending_one_message_is_a_failed_try_of_it_alone(
    deliver: DeliverMail, server: InMemoryMailSender, uow: InMemoryUnitOfWork, clock: FixedClock
) -> None:
    broken, *others = queue(
        uow, make_mail(recipient="broken@example.com"), make_mail(), make_mail()
    )

    def a_bug(mail: OutgoingMail) -> None:  # what no sender should raise, and one did
        if mail.recipient == "broken@example.com":
            raise AttributeError("'InvalidHeaderDefect' object has no attribute 'all_defects'")

    server.meanwhile = a_bug
    done = deliver("w1")
    assert (done.claimed, done.sent, done.deferred) == (3, 2, 1)
    assert sorted(m.message_id for m in server.sent) == sorted(m.message_id for m in others)
    for _ in range(RETRY.max_tries - 1):
        clock.now = stored(uow, broken).next_attempt_at
        deliver("w1")
    failed = stored(uow, broken)
    assert (failed.status, failed.attempts) == (MailStatus.FAILED, RETRY.max_tries)
    assert failed.last_error == "unexpected AttributeError"  # the type, never the text
    assert len(server.sent) == 2


def test_a_message_whose_body_cannot_be_read_is_never_sent_only_tried_and_given_up_on(
    deliver: DeliverMail, server: InMemoryMailSender, uow: InMemoryUnitOfWork, clock: FixedClock
) -> None:
    why = "Its body was sealed under another key."
    unreadable, readable = queue(uow, make_mail(text="", html="", unreadable=why), make_mail())
    done = deliver("w1")
    assert (done.claimed, done.sent, done.deferred) == (2, 1, 1)
    assert [m.message_id for m in server.sent] == [readable.message_id]
    for _ in range(RETRY.max_tries - 1):
        assert stored(uow, unreadable).last_error == why
        clock.now = stored(uow, unreadable).next_attempt_at
        deliver("w1")
    failed = stored(uow, unreadable)
    assert (failed.status, failed.attempts) == (MailStatus.FAILED, RETRY.max_tries)
    assert len(server.sent) == 1


def test_a_message_whose_link_expired_while_it_waited_is_given_up_on_unsent(
    deliver: DeliverMail, server: InMemoryMailSender, uow: InMemoryUnitOfWork, clock: FixedClock
) -> None:
    lasts = timedelta(minutes=30)
    late, fresh, plain = queue(
        uow,
        make_mail(link_expires_at=T0 + lasts),
        make_mail(link_expires_at=T0 + lasts + timedelta(seconds=1)),
        make_mail(),  # a message with no link is never too late
    )
    server.down = True
    assert deliver("w1").deferred == 3  # the server is down when they are first due
    server.down = False
    clock.now = T0 + lasts  # back up as the first link dies
    done = deliver("w1")
    assert (done.claimed, done.sent, done.failed) == (3, 2, 1)
    assert {m.message_id for m in server.sent} == {fresh.message_id, plain.message_id}
    gave_up = stored(uow, late)
    assert (gave_up.status, gave_up.last_error) == (MailStatus.FAILED, LINK_EXPIRED)
    assert gave_up.attempts == 1  # the server was asked once; giving up asked it nothing


def test_stopping_finishes_the_message_in_hand_and_hands_the_rest_back(
    deliver: DeliverMail, server: InMemoryMailSender, uow: InMemoryUnitOfWork
) -> None:
    mails = queue(uow, *(make_mail() for _ in range(4)))
    stopping = []
    server.meanwhile = lambda mail: stopping.append(True)  # a SIGTERM while sending the first
    done = deliver("w1", stop=lambda: bool(stopping))
    assert (done.claimed, done.sent, done.handed_back) == (4, 1, 3)
    assert [m.message_id for m in server.sent] == [mails[0].message_id]
    rest = [stored(uow, mail) for mail in mails[1:]]
    assert all(m.status is MailStatus.QUEUED and m.attempts == 0 for m in rest)
    server.meanwhile = None
    assert deliver("w2").sent == 3  # handed back: free at once, not after the lease


def test_no_message_is_sent_once_its_lease_could_run_out_while_sending(
    uow: InMemoryUnitOfWork, server: InMemoryMailSender, clock: FixedClock
) -> None:
    queue(uow, *(make_mail() for _ in range(3)))
    policy = DeliveryPolicy(lease=timedelta(seconds=100), send_time=timedelta(seconds=30))
    server.meanwhile = lambda mail: clock.advance(seconds=40)  # a slow server
    done = DeliverMail(uow, server, clock, policy)("w1")
    # Sent at 0 s and 40 s; at 80 s a 30 s send could end past the 100 s lease.
    assert (done.sent, done.handed_back) == (2, 1)


def test_a_message_taken_over_after_its_lease_is_counted_as_lost_by_the_slow_worker(
    uow: InMemoryUnitOfWork, server: InMemoryMailSender, clock: FixedClock
) -> None:
    (mail,) = queue(uow, make_mail())
    policy = DeliveryPolicy(lease=timedelta(seconds=60), send_time=timedelta(seconds=1))

    def stall(_: OutgoingMail) -> None:
        clock.advance(seconds=61)  # longer than the lease: another worker takes it over
        server.meanwhile = None
        assert DeliverMail(uow, server, clock, policy)("w2").sent == 1

    server.meanwhile = stall
    assert DeliverMail(uow, server, clock, policy)("w1").lost == 1
    assert stored(uow, mail).status is MailStatus.SENT


def test_the_backoff_doubles_up_to_its_longest_delay() -> None:
    policy = RetryPolicy(first_delay=timedelta(seconds=30), longest_delay=timedelta(minutes=5))
    assert [policy.delay(n).total_seconds() for n in range(1, 7)] == [30, 60, 120, 240, 300, 300]
    assert policy.delay(10_000) == timedelta(minutes=5)


def test_an_operator_lists_the_outbox_and_its_failures(
    given: Given, uow: InMemoryUnitOfWork
) -> None:
    admin, user = given.admin(), given.user()
    failed, queued = queue(uow, make_mail(status=MailStatus.FAILED), make_mail())
    listed = ListMail(uow)
    assert {m.id for m in listed(actor_for(admin))} == {failed.id, queued.id}
    assert listed(actor_for(admin), failed=True) == [failed]
    with pytest.raises(AdminOnly):
        listed(actor_for(user))


@pytest.mark.parametrize("limit", [0, ListMail.LIST_MAX + 1])
def test_the_outbox_is_listed_1_to_a_thousand_at_a_time(
    given: Given, uow: InMemoryUnitOfWork, limit: int
) -> None:
    with pytest.raises(InvalidInput) as raised:
        ListMail(uow)(actor_for(given.admin()), limit=limit)
    assert list(raised.value.errors) == ["limit"]


def test_a_failed_message_is_queued_again_with_fresh_tries(
    given: Given,
    deliver: DeliverMail,
    server: InMemoryMailSender,
    uow: InMemoryUnitOfWork,
    clock: FixedClock,
) -> None:
    admin = given.admin()
    (mail,) = queue(uow, make_mail(recipient="later@example.com"))
    server.refuse["later@example.com"] = DeliveryFailed("550 mailbox full", permanent=True)
    deliver("w1")
    retry = RetryMail(uow, clock)
    with pytest.raises(MailNotFound):
        retry(actor_for(admin), 999)
    again = retry(actor_for(admin), mail.id or 0)
    assert (again.status, again.attempts) == (MailStatus.QUEUED, 0)
    with pytest.raises(MailNotFailed):
        retry(actor_for(admin), mail.id or 0)
    del server.refuse["later@example.com"]
    assert deliver("w1").sent == 1


def test_a_failed_message_whose_link_has_expired_is_not_queued_again(
    given: Given, uow: InMemoryUnitOfWork, clock: FixedClock
) -> None:
    admin = given.admin()
    lasts = T0 + timedelta(minutes=30)
    (mail,) = queue(uow, make_mail(status=MailStatus.FAILED, link_expires_at=lasts))
    retry = RetryMail(uow, clock)
    clock.now = lasts
    with pytest.raises(MailLinkExpired):
        retry(actor_for(admin), mail.id or 0)
    assert stored(uow, mail).status is MailStatus.FAILED
    clock.now = lasts - timedelta(seconds=1)
    assert retry(actor_for(admin), mail.id or 0).status is MailStatus.QUEUED


def test_a_test_message_is_queued_for_a_valid_address_only(
    given: Given, uow: InMemoryUnitOfWork, clock: FixedClock
) -> None:
    admin = given.admin()
    letters = Letters(
        templates=JinjaMailTemplates(), verify_link="x{token}", reset_link="y{token}",
        sender_domain="quill.test",
    )  # fmt: skip
    queue_test = QueueTestMail(uow, letters, clock)
    mail = queue_test(actor_for(admin), "Ops@Example.com")
    assert (mail.id, mail.kind, mail.recipient) == (1, "test", "ops@example.com")
    assert "mail is configured" in mail.text
    with pytest.raises(InvalidInput):
        queue_test(actor_for(admin), "not-an-address")


def test_pruning_forgets_what_went_more_than_the_days_ago_for_an_admin_alone(
    given: Given, uow: InMemoryUnitOfWork, clock: FixedClock
) -> None:
    old = T0 - timedelta(days=8)
    sent, waiting = queue(
        uow,
        make_mail(created_at=old, status=MailStatus.SENT, sent_at=old),
        make_mail(created_at=old),
    )
    prune = PruneMail(uow, clock)
    with pytest.raises(AdminOnly):
        prune(actor_for(given.user()), 7)
    for days in (0, PruneMail.KEEP_MAX + 1):
        with pytest.raises(InvalidInput):
            prune(actor_for(given.admin()), days)
    admin = given.admin()
    assert prune(actor_for(admin), 9) == 0
    assert prune(actor_for(admin), 7) == 1
    with uow:
        assert uow.outbox.get(sent.id or 0) is None
        assert uow.outbox.get(waiting.id or 0) is not None
