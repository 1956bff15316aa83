"""Fakes of the mail repositories (mailed links, link requests, the outbox) and of the mail
sender."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from attrs import evolve

from domain.links import LinkPurpose, LinkToken
from domain.mail import DeliveryFailed, MailStatus, OutgoingMail
from infrastructure.memory.store import InMemoryStore, refers_to, unique


class InMemoryLinkTokenRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def add(self, token: LinkToken, *, keep: bool = True) -> None:
        if keep:
            refers_to(self._store, caller=token.user_id)
            unique(token.token_hash, {t.token_hash for t in self._store.link_tokens.values()})
            token_id = self._store.take_id("link_tokens")
            self._store.link_tokens[token_id] = evolve(token, id=token_id)

    def get_by_hash(self, token_hash: str) -> LinkToken | None:
        found = (t for t in self._store.link_tokens.values() if t.token_hash == token_hash)
        return next(found, None)

    def use(self, token_id: int, now: datetime) -> bool:
        token = self._store.link_tokens.get(token_id)
        if token is None or token.used_at is not None:
            return False
        self._store.link_tokens[token_id] = evolve(token, used_at=now)
        return True

    def use_all(self, user_id: int, purpose: LinkPurpose, now: datetime) -> None:
        for key, token in self._store.link_tokens.items():
            if token.user_id == user_id and token.purpose is purpose and token.used_at is None:
                self._store.link_tokens[key] = evolve(token, used_at=now)

    def prune(self, before: datetime) -> None:
        self._store.link_tokens = {
            key: t for key, t in self._store.link_tokens.items() if t.expires_at >= before
        }


class InMemoryLinkRequestRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def lock(self, purpose: LinkPurpose, key: str) -> None:
        pass  # one thread at a time in the tests that use it

    def add(self, purpose: LinkPurpose, key: str, at: datetime) -> None:
        self._store.link_requests.append((purpose, key, at))

    def since(self, purpose: LinkPurpose, key: str, since: datetime) -> list[datetime]:
        return sorted(
            at for p, k, at in self._store.link_requests if (p, k) == (purpose, key) and at > since
        )

    def prune(self, before: datetime) -> None:
        self._store.link_requests = [r for r in self._store.link_requests if r[2] >= before]


class InMemoryOutboxRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def add(self, mail: OutgoingMail, *, keep: bool = True) -> OutgoingMail:
        if not keep:
            return mail
        unique(mail.message_id, {m.message_id for m in self._store.outbox.values()})
        stored = evolve(mail, id=self._store.take_id("outbox"))
        self._store.outbox[stored.id] = stored  # type: ignore[index]
        return stored

    def get(self, mail_id: int) -> OutgoingMail | None:
        mail = self._store.outbox.get(mail_id)
        return None if mail is None else self._as_read(mail)

    def _as_read(self, mail: OutgoingMail) -> OutgoingMail:
        """With its claim's lease, as the SQL adapters read it from the row."""
        claim = self._store.claims.get(mail.id)  # type: ignore[arg-type]
        return mail if claim is None else evolve(mail, held_until=claim[1])

    def claim(
        self, worker: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[OutgoingMail]:
        def free(mail: OutgoingMail) -> bool:
            claim = self._store.claims.get(mail.id)  # type: ignore[arg-type]
            return claim is None or claim[1] <= now

        due = sorted(
            (
                m for m in self._store.outbox.values()
                if m.status is MailStatus.QUEUED and m.next_attempt_at <= now and free(m)
            ),
            key=lambda m: (m.next_attempt_at, m.id),
        )[:limit]  # fmt: skip
        claimed = []
        for mail in due:
            counted = evolve(mail, attempts=mail.attempts + 1)
            self._store.outbox[mail.id] = counted  # type: ignore[index]
            self._store.claims[mail.id] = (worker, lease_until)  # type: ignore[index]
            claimed.append(evolve(counted, held_until=lease_until))
        return claimed

    def settle(self, mail: OutgoingMail, worker: str | None = None) -> bool:
        claim = self._store.claims.get(mail.id)  # type: ignore[arg-type]
        if mail.id not in self._store.outbox or (
            worker is not None and (claim is None or claim[0] != worker)
        ):
            return False
        kept = self._store.outbox[mail.id]  # type: ignore[index]
        state = evolve(
            kept, status=mail.status, attempts=mail.attempts,
            next_attempt_at=mail.next_attempt_at, sent_at=mail.sent_at,
            last_error=mail.last_error,
        )  # fmt: skip
        if mail.status is MailStatus.SENT:
            state = evolve(state, text="", html="")
        self._store.outbox[mail.id] = state  # type: ignore[index]
        self._store.claims.pop(mail.id, None)  # type: ignore[arg-type]
        return True

    def expire_links(
        self, recipient: str, now: datetime, purpose: LinkPurpose | None = None
    ) -> None:
        for key, mail in self._store.outbox.items():
            unsent = mail.status is not MailStatus.SENT and mail.recipient == recipient
            if purpose is not None and mail.kind != purpose:
                continue
            if unsent and mail.link_expires_at is not None and mail.link_expires_at > now:
                self._store.outbox[key] = evolve(mail, link_expires_at=now)

    def prune(self, before: datetime) -> int:
        gone = [
            key for key, mail in self._store.outbox.items()
            if mail.status is not MailStatus.QUEUED and mail.created_at < before
        ]  # fmt: skip
        for key in gone:
            del self._store.outbox[key]
            self._store.claims.pop(key, None)
        return len(gone)

    def find(self, status: MailStatus | None, limit: int) -> list[OutgoingMail]:
        found = [m for m in self._store.outbox.values() if status in (None, m.status)]
        newest = sorted(found, key=lambda m: (m.created_at, m.id), reverse=True)[:limit]
        return [self._as_read(mail) for mail in newest]


class InMemoryMailSender:
    """A mail server in memory: records what it is given, and fails as told: `down` (every
    message, for another try), or `refuse` (a recipient's messages, with a failure of choice).
    `meanwhile` runs as a message is being sent, as a signal could arrive then."""

    def __init__(self) -> None:
        self.sent: list[OutgoingMail] = []
        self.down = False
        self.refuse: dict[str, DeliveryFailed] = {}
        self.meanwhile: Callable[[OutgoingMail], object] | None = None

    def send(self, mail: OutgoingMail) -> None:
        if self.meanwhile is not None:
            self.meanwhile(mail)
        if self.down:
            raise DeliveryFailed("ConnectionRefusedError: [Errno 111] Connection refused")
        if mail.recipient in self.refuse:
            raise self.refuse[mail.recipient]
        self.sent.append(mail)
