"""The outbox behaves the same on every adapter: queue, claim, settle, find."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from attrs import evolve

import infrastructure.mail
from domain.errors import Conflict
from domain.links import LinkPurpose
from domain.mail import DeliveryFailed, MailStatus, OutgoingMail, RetryPolicy
from tests.factories import T0, make_mail

TEMPLATES = Path(infrastructure.mail.__file__).parent / "templates"

LEASE = T0 + timedelta(minutes=5)


def queue(uow: Any, *mails: OutgoingMail) -> list[OutgoingMail]:
    with uow:
        stored = [uow.outbox.add(mail) for mail in mails]
        uow.commit()
    return stored


def claim(uow: Any, worker: str, now: Any = T0, limit: int = 10) -> list[OutgoingMail]:
    with uow:
        claimed = uow.outbox.claim(worker, now, now + timedelta(minutes=5), limit)
        uow.commit()
    return list(claimed)


def settle(uow: Any, mail: OutgoingMail, worker: str | None) -> bool:
    with uow:
        kept = uow.outbox.settle(mail, worker)
        uow.commit()
    return bool(kept)


def test_a_queued_message_is_stored_whole_with_an_id(any_uow: Any) -> None:
    mail = make_mail(
        text="Line one\nhttp://x/?token=abc",
        html="<p>é &amp; ü</p>",
        link_expires_at=T0 + timedelta(minutes=30),
    )
    (stored,) = queue(any_uow, mail)
    assert stored.id is not None and stored == evolve(mail, id=stored.id)
    with any_uow:
        assert any_uow.outbox.get(stored.id) == stored
        assert any_uow.outbox.get(stored.id + 1000) is None


# Every kind Quill mails is a template's name (infrastructure/mail/templates).
KINDS = sorted({path.name.split(".")[0] for path in TEMPLATES.iterdir() if path.suffix == ".txt"})


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_quill_mails_is_stored(any_uow: Any, kind: str) -> None:
    """PostgreSQL refuses a kind longer than its column, and the change mailing it with it."""
    (stored,) = queue(any_uow, make_mail(kind=kind))
    with any_uow:
        assert any_uow.outbox.get(stored.id).kind == kind


def test_a_message_added_not_to_be_kept_is_not_stored(any_uow: Any) -> None:
    mail = make_mail()
    with any_uow:
        assert any_uow.outbox.add(mail, keep=False) == mail
        any_uow.commit()
    with any_uow:
        assert any_uow.outbox.find(None, 10) == []


def test_a_claim_takes_due_queued_messages_oldest_first_and_counts_a_try(any_uow: Any) -> None:
    late = make_mail(next_attempt_at=T0 + timedelta(minutes=1))
    first = make_mail(next_attempt_at=T0 - timedelta(minutes=2))
    second = make_mail(next_attempt_at=T0 - timedelta(minutes=1))
    sent = make_mail(status=MailStatus.SENT)
    failed = make_mail(status=MailStatus.FAILED)
    stored = queue(any_uow, late, first, second, sent, failed)
    claimed = claim(any_uow, "w1")
    assert [mail.id for mail in claimed] == [stored[1].id, stored[2].id]
    assert all(mail.attempts == 1 for mail in claimed)
    with any_uow:
        assert any_uow.outbox.get(stored[1].id).attempts == 1


def test_a_claim_takes_at_most_its_limit(any_uow: Any) -> None:
    queue(any_uow, *(make_mail() for _ in range(5)))
    assert len(claim(any_uow, "w1", limit=3)) == 3
    assert len(claim(any_uow, "w2", limit=3)) == 2


def test_a_held_message_is_not_claimed_again_until_its_lease_runs_out(any_uow: Any) -> None:
    queue(any_uow, make_mail())
    (held,) = claim(any_uow, "w1")
    assert claim(any_uow, "w2", now=T0 + timedelta(minutes=4)) == []
    (taken_over,) = claim(any_uow, "w2", now=T0 + timedelta(minutes=5))
    assert (taken_over.id, taken_over.attempts) == (held.id, 2)
    # The first worker was too slow: its claim is gone, and settling says so.
    assert not settle(any_uow, held.delivered(T0), "w1")
    assert settle(any_uow, taken_over.delivered(T0), "w2")


def test_settling_writes_the_delivery_state_and_frees_the_message(any_uow: Any) -> None:
    queue(any_uow, make_mail())
    (held,) = claim(any_uow, "w1")
    later = T0 + timedelta(seconds=1)
    retry = held.not_delivered(DeliveryFailed("451 busy"), RetryPolicy(), later)
    assert settle(any_uow, retry, "w1")
    with any_uow:
        assert any_uow.outbox.get(held.id) == retry
    assert claim(any_uow, "w2", now=later) == []  # not due yet
    (again,) = claim(any_uow, "w2", now=retry.next_attempt_at)
    done = again.delivered(retry.next_attempt_at)
    assert settle(any_uow, done, "w2")
    with any_uow:
        stored = any_uow.outbox.get(held.id)
    assert (stored.status, stored.attempts, stored.sent_at) == (
        MailStatus.SENT,
        2,
        retry.next_attempt_at,
    )
    assert (stored.text, stored.html, stored.last_error) == ("", "", None)
    assert claim(any_uow, "w3", now=T0 + timedelta(days=1)) == []


def test_a_worker_settles_only_what_it_holds_an_operator_anything(any_uow: Any) -> None:
    (mail,) = queue(any_uow, make_mail())
    assert not settle(any_uow, mail.delivered(T0), "w1")  # nobody holds it
    failed = evolve(mail, status=MailStatus.FAILED, last_error="550 no")
    assert settle(any_uow, failed, None)
    again = failed.queued_again(T0 + timedelta(hours=1))
    assert settle(any_uow, again, None)
    with any_uow:
        assert any_uow.outbox.get(mail.id) == again


def test_messages_are_found_newest_first_by_status(any_uow: Any) -> None:
    old = make_mail(created_at=T0 - timedelta(hours=1))
    new = make_mail(created_at=T0)
    failed = make_mail(created_at=T0 - timedelta(minutes=30), status=MailStatus.FAILED)
    old, new, failed = queue(any_uow, old, new, failed)
    with any_uow:
        assert [m.id for m in any_uow.outbox.find(None, 10)] == [new.id, failed.id, old.id]
        assert [m.id for m in any_uow.outbox.find(None, 2)] == [new.id, failed.id]
        assert any_uow.outbox.find(MailStatus.FAILED, 10) == [failed]
        assert any_uow.outbox.find(MailStatus.SENT, 10) == []


def test_pruning_forgets_what_went_or_failed_before_a_time_and_keeps_what_waits(
    any_uow: Any,
) -> None:
    old = T0 - timedelta(days=31)
    sent = make_mail(created_at=old, status=MailStatus.SENT, sent_at=old, text="", html="")
    failed = make_mail(created_at=old, status=MailStatus.FAILED, last_error="550 no")
    waiting = make_mail(created_at=old)  # queued, however old: still to go
    recent = make_mail(created_at=T0 - timedelta(days=29), status=MailStatus.SENT, sent_at=T0)
    sent, failed, waiting, recent = queue(any_uow, sent, failed, waiting, recent)
    with any_uow:
        assert any_uow.outbox.prune(before=T0 - timedelta(days=30)) == 2
        any_uow.commit()
    with any_uow:
        assert {m.id for m in any_uow.outbox.find(None, 10)} == {waiting.id, recent.id}
        assert any_uow.outbox.get(sent.id or 0) is None
        assert any_uow.outbox.prune(before=T0 - timedelta(days=30)) == 0


def test_pruning_keeps_nothing_unless_committed(any_uow: Any) -> None:
    old = T0 - timedelta(days=31)
    (sent,) = queue(any_uow, make_mail(created_at=old, status=MailStatus.SENT, sent_at=old))
    with any_uow:
        assert any_uow.outbox.prune(before=T0) == 1
    with any_uow:
        assert any_uow.outbox.get(sent.id or 0) is not None


def test_settling_writes_the_delivery_state_and_never_the_message(any_uow: Any) -> None:
    (mail,) = queue(any_uow, make_mail())
    (claimed,) = claim(any_uow, "w1")
    tried = claimed.not_delivered(DeliveryFailed("busy"), RetryPolicy(), T0)
    assert settle(any_uow, evolve(tried, subject="Changed", text="Changed", html="x"), "w1")
    with any_uow:
        kept = any_uow.outbox.get(mail.id)
    assert kept == evolve(mail, attempts=1, next_attempt_at=tried.next_attempt_at,
                          last_error="busy")  # fmt: skip


def test_a_message_id_is_queued_once(any_uow: Any) -> None:
    (first,) = queue(any_uow, make_mail(message_id="<once@quill.test>"))
    with pytest.raises(Conflict), any_uow:
        any_uow.outbox.add(make_mail(message_id="<once@quill.test>", subject="Again"))
        any_uow.commit()
    with any_uow:
        assert any_uow.outbox.find(None, 10) == [first]


def test_the_links_of_one_purpose_expire_in_their_messages_alone(any_uow: Any) -> None:
    lasts, now = T0 + timedelta(days=2), T0 + timedelta(hours=1)
    reset, verify = queue(
        any_uow,
        make_mail(recipient="ann@example.com", kind="reset", link_expires_at=lasts),
        make_mail(recipient="ann@example.com", kind="verify", link_expires_at=lasts),
    )
    with any_uow:
        any_uow.outbox.expire_links("ann@example.com", now, LinkPurpose.RESET)
        any_uow.commit()
    with any_uow:
        expiries = {m.id: m.link_expires_at for m in any_uow.outbox.find(None, 10)}
    assert expiries == {reset.id: now, verify.id: lasts}


def test_the_links_to_an_address_expire_in_its_messages_not_sent_yet(any_uow: Any) -> None:
    lasts, now = T0 + timedelta(days=2), T0 + timedelta(hours=1)
    waiting, failed, sent, other, linkless = queue(
        any_uow,
        make_mail(recipient="old@example.com", link_expires_at=lasts),
        make_mail(recipient="old@example.com", link_expires_at=lasts, status=MailStatus.FAILED),
        make_mail(recipient="old@example.com", link_expires_at=lasts),
        make_mail(recipient="other@example.com", link_expires_at=lasts),
        make_mail(recipient="old@example.com"),
    )
    settle(any_uow, sent.delivered(T0), None)
    with any_uow:
        any_uow.outbox.expire_links("old@example.com", now)
        any_uow.commit()
    with any_uow:
        expiries = {m.id: m.link_expires_at for m in any_uow.outbox.find(None, 10)}
    assert expiries == {
        waiting.id: now,
        failed.id: now,
        sent.id: lasts,
        other.id: lasts,
        linkless.id: None,
    }
