"""Mail that must go out: a message in the outbox, its delivery state, and when to try again."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from attrs import evolve, field, frozen

ERROR_MAX = 500  # characters of a delivery error kept with the message
LINK_EXPIRED = "Its link expired before it could be sent; the user can ask for a new one."


class MailStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class DeliveryFailed(Exception):
    """The mail server did not take a message. `permanent`: it refused it for good (a 5xx),
    so trying again would only be refused again. `reason` names no secret."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        # A mail server's words, shown to operators on a terminal: no control characters.
        printable = "".join(c if c.isprintable() else " " for c in reason)
        self.reason = " ".join(printable.split())[:ERROR_MAX]
        self.permanent = permanent
        super().__init__(self.reason)


@frozen(kw_only=True)
class Letter:
    """A message's words, as its templates made them."""

    subject: str
    text: str
    html: str


@frozen(kw_only=True)
class RetryPolicy:
    """Exponential backoff: `first_delay`, doubling up to `longest_delay`, for at most
    `max_tries` tries in all; then the message has failed."""

    max_tries: int = 10
    first_delay: timedelta = timedelta(seconds=30)
    longest_delay: timedelta = timedelta(hours=1)

    def delay(self, tries: int) -> timedelta:
        """The wait after the `tries`-th failed try (1-based)."""
        seconds = self.first_delay.total_seconds() * 2 ** min(tries - 1, 40)
        return min(timedelta(seconds=seconds), self.longest_delay)


@frozen(kw_only=True)
class OutgoingMail:
    id: int | None
    # RFC 5322's Message-ID, made once when the message is queued: every try sends the same
    # one, so a receiver can recognise a message it already has.
    message_id: str
    kind: str
    recipient: str
    subject: str
    text: str = field(repr=False)  # the body holds the link, so never in a repr or a log
    html: str = field(repr=False)
    status: MailStatus = MailStatus.QUEUED
    attempts: int = 0
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None = None
    last_error: str | None = None
    # Why the stored bodies could not be read back, when they could not: such a message is
    # never sent (its text and html are empty); each try fails until one can read it.
    unreadable: str | None = None
    # When the link it carries stops working (None: it carries none). A dead link is not
    # worth a message: one still queued then is given up on, and not queued again.
    link_expires_at: datetime | None = None
    # Until when a worker holds it (sending it now, or the lease of one that stopped): no other
    # worker takes it before then. None when none does; settling it (each outcome below) frees it.
    held_until: datetime | None = None

    @classmethod
    def queue(
        cls,
        *,
        message_id: str,
        kind: str,
        recipient: str,
        letter: Letter,
        now: datetime,
        link_expires_at: datetime | None = None,
    ) -> OutgoingMail:
        return cls(
            id=None,
            message_id=message_id,
            kind=kind,
            recipient=recipient,
            subject=letter.subject,
            text=letter.text,
            html=letter.html,
            created_at=now,
            next_attempt_at=now,
            link_expires_at=link_expires_at,
        )

    def link_expired(self, now: datetime) -> bool:
        return self.link_expires_at is not None and now >= self.link_expires_at

    def delivered(self, now: datetime) -> OutgoingMail:
        """Sent. The body is dropped: its link is no business of the outbox any more."""
        return evolve(
            self, status=MailStatus.SENT, sent_at=now, text="", html="", last_error=None,
            held_until=None,
        )  # fmt: skip

    def not_delivered(
        self, failure: DeliveryFailed, policy: RetryPolicy, now: datetime
    ) -> OutgoingMail:
        """Another try later, or failed for good: refused permanently, or out of tries.
        `attempts` already counts the try that failed (it is counted as it is claimed)."""
        if failure.permanent or self.attempts >= policy.max_tries:
            return evolve(
                self, status=MailStatus.FAILED, last_error=failure.reason, held_until=None
            )
        return evolve(
            self, next_attempt_at=now + policy.delay(self.attempts), last_error=failure.reason,
            held_until=None,
        )  # fmt: skip

    def too_late(self) -> OutgoingMail:
        """Given up on, unsent: its link expired while it waited (see link_expires_at). The
        claim's try does not count (as not_tried): the server was not asked."""
        return evolve(self.not_tried(), status=MailStatus.FAILED, last_error=LINK_EXPIRED)

    def not_tried(self) -> OutgoingMail:
        """Handed back unsent (its worker is stopping): the claim's try does not count."""
        return evolve(self, attempts=max(0, self.attempts - 1), held_until=None)

    def queued_again(self, now: datetime) -> OutgoingMail:
        """An operator's retry of a failed message: a fresh set of tries, from now."""
        return evolve(self, status=MailStatus.QUEUED, attempts=0, next_attempt_at=now)
