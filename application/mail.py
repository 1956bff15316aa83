"""Delivering the outbox (claim, send, settle) and what an operator does with it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import attrs
from attrs import field, frozen

from application.accounts import Letters
from application.ports import Clock, MailSender, UnitOfWork
from domain.errors import InvalidInput, MailLinkExpired, MailNotFailed, MailNotFound
from domain.ids import stored
from domain.mail import DeliveryFailed, MailStatus, OutgoingMail, RetryPolicy
from domain.users import Actor, normalize_email


@frozen(kw_only=True)
class DeliveryPolicy:
    """`batch` messages per claim, held for `lease`; a message is only sent while at least
    `send_time` (the longest one send may take) of its lease is left, so that no claim runs
    out while its worker is still sending, and another worker never sends it too."""

    retry: RetryPolicy = field(factory=RetryPolicy)
    batch: int = 20
    lease: timedelta = timedelta(minutes=5)
    send_time: timedelta = timedelta(seconds=30)


@frozen(kw_only=True)
class Unsent:
    """A message this round did not send, and why: for the operator's log (never its
    recipient). `retry_at`: when it is tried again; None when it was given up on."""

    mail_id: int
    kind: str
    reason: str
    retry_at: datetime | None = None


@frozen(kw_only=True)
class DeliveryRound:
    as_of: datetime  # the messages due by then were the round's to claim
    claimed: int = 0
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    handed_back: int = 0
    lost: int = 0  # settled too late: the claim had run out and another worker held it
    given_up: tuple[Unsent, ...] = ()
    put_off: tuple[Unsent, ...] = ()  # to be tried again


OUTCOMES = {MailStatus.SENT: "sent", MailStatus.FAILED: "failed"}  # else: another try later


@frozen
class DeliveryTotals:
    """What a worker's rounds came to, each round added as it ends."""

    sent: int = 0
    deferred: int = 0
    failed: int = 0
    handed_back: int = 0
    lost: int = 0

    def __add__(self, done: DeliveryRound) -> DeliveryTotals:
        return DeliveryTotals(
            **{
                key: getattr(self, key) + getattr(done, key)
                for key in attrs.fields_dict(DeliveryTotals)
            }
        )


def never() -> bool:
    return False


@frozen
class DeliverMail:
    """One round of a worker: claim the messages that are due, send each, and settle each in
    a unit of its own. Nothing is sent inside a transaction, so a slow mail server holds no
    lock. With `stop` true the message in hand is finished and the rest handed back."""

    uow: UnitOfWork
    sender: MailSender
    clock: Clock
    policy: DeliveryPolicy = field(factory=DeliveryPolicy)

    def __call__(
        self, worker: str, stop: Callable[[], bool] = never, due_by: datetime | None = None
    ) -> DeliveryRound:
        """`due_by`: claim only what was due by then (`quill worker --once`: what was due
        when it started, not the retries that come due while it sends)."""
        now = self.clock()
        as_of = now if due_by is None else min(now, due_by)
        lease_until = now + self.policy.lease
        with self.uow as uow:
            claimed = uow.outbox.claim(worker, as_of, lease_until, self.policy.batch)
            uow.commit()
        counts = dict.fromkeys(("sent", "deferred", "failed", "handed_back", "lost"), 0)
        given_up: list[Unsent] = []
        put_off: list[Unsent] = []
        for index, mail in enumerate(claimed):
            if stop() or self.clock() + self.policy.send_time > lease_until:
                for rest in claimed[index:]:
                    self._settle(rest.not_tried(), worker)
                counts["handed_back"] = len(claimed) - index
                break
            settled = self._send(mail)
            counts[OUTCOMES.get(settled.status, "deferred")] += 1
            if settled.status is MailStatus.FAILED:
                given_up.append(_unsent(settled))
            elif settled.status is not MailStatus.SENT:
                put_off.append(_unsent(settled, retry_at=settled.next_attempt_at))
            if not self._settle(settled, worker):
                counts["lost"] += 1
        return DeliveryRound(
            as_of=as_of,
            claimed=len(claimed),
            given_up=tuple(given_up),
            put_off=tuple(put_off),
            **counts,
        )

    def _send(self, mail: OutgoingMail) -> OutgoingMail:
        if mail.link_expired(self.clock()):
            return mail.too_late()
        if mail.unreadable is not None:  # a failed try: another worker may read it, or not
            return mail.not_delivered(
                DeliveryFailed(mail.unreadable), self.policy.retry, self.clock()
            )
        try:
            self.sender.send(mail)
        except DeliveryFailed as failure:
            return mail.not_delivered(failure, self.policy.retry, self.clock())
        except Exception as error:
            # A sender should raise nothing else; if it does, that is a failed try of this
            # message alone (bounded like any other), and the round goes on with the rest.
            unexpected = DeliveryFailed(f"unexpected {type(error).__name__}")
            return mail.not_delivered(unexpected, self.policy.retry, self.clock())
        return mail.delivered(self.clock())

    def _settle(self, mail: OutgoingMail, worker: str) -> bool:
        with self.uow as uow:
            kept = uow.outbox.settle(mail, worker)
            uow.commit()
        return kept


def _unsent(mail: OutgoingMail, retry_at: datetime | None = None) -> Unsent:
    return Unsent(
        mail_id=stored(mail.id), kind=mail.kind, reason=mail.last_error or "", retry_at=retry_at
    )


@frozen
class ListMail:
    """The outbox, newest first; `failed` for the messages that gave up; `limit` 1 to
    LIST_MAX of them."""

    uow: UnitOfWork

    LIST_MAX = 1000

    def __call__(
        self, actor: Actor, *, failed: bool = False, limit: int = 100
    ) -> list[OutgoingMail]:
        actor.check_admin()
        if not 1 <= limit <= self.LIST_MAX:
            raise InvalidInput.on("limit", f"Must be a whole number from 1 to {self.LIST_MAX}.")
        with self.uow.read_only() as uow:
            return uow.outbox.find(MailStatus.FAILED if failed else None, limit)


@frozen
class RetryMail:
    """A failed message queued again, with a fresh set of tries; not one whose link has
    expired, which would only lead its reader to an error."""

    uow: UnitOfWork
    clock: Clock

    def __call__(self, actor: Actor, mail_id: int) -> OutgoingMail:
        actor.check_admin()
        with self.uow as uow:
            mail = uow.outbox.get(mail_id)
            if mail is None:
                raise MailNotFound()
            if mail.status is not MailStatus.FAILED:
                raise MailNotFailed()
            now = self.clock()
            if mail.link_expired(now):
                raise MailLinkExpired()
            again = mail.queued_again(now)
            uow.outbox.settle(again)
            uow.commit()
        return again


@frozen
class PruneMail:
    """Forget the sent or failed messages queued more than `days` days ago (1 to KEEP_MAX), their
    recipients with them: a record of what went, kept only as long as it helps. Queued
    messages stay, however old. How many went."""

    uow: UnitOfWork
    clock: Clock

    KEEP_MAX = 3650

    def __call__(self, actor: Actor, days: int) -> int:
        actor.check_admin()
        if not 1 <= days <= self.KEEP_MAX:
            raise InvalidInput.on("days", f"Must be a whole number from 1 to {self.KEEP_MAX}.")
        with self.uow as uow:
            gone = uow.outbox.prune(before=self.clock() - timedelta(days=days))
            uow.commit()
        return gone


@frozen
class QueueTestMail:
    """A message that says only that mail works, queued like any other."""

    uow: UnitOfWork
    letters: Letters
    clock: Clock

    def __call__(self, actor: Actor, to: str) -> OutgoingMail:
        actor.check_admin()
        mail = self.letters.test(to=normalize_email(to), now=self.clock())
        with self.uow as uow:
            mail = uow.outbox.add(mail)
            uow.commit()
        return mail
