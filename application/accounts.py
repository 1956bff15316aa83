"""E-mail verification and password reset: links mailed in the unit of work of their change."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from attrs import frozen

from application.ports import Clock, MailTemplates, PasswordHasher, UnitOfWork
from domain.errors import (
    CallerDeleted,
    InvalidInput,
    InvalidLink,
    UserNotFound,
    VerificationThrottled,
)
from domain.ids import stored
from domain.links import TOKEN_MAX, LinkPurpose, LinkToken, token_hash
from domain.mail import OutgoingMail
from domain.times import wait_in_window
from domain.users import (
    Actor,
    PasswordRules,
    User,
    check_password,
    email_key,
    normalize_email,
)

TOKEN_BYTES = 32  # 256 random bits in every link


def new_link_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


@frozen(kw_only=True)
class LinkPolicy:
    """How long links work, and how many mails of each kind one may ask for in a window."""

    verify_ttl: timedelta = timedelta(days=2)
    reset_ttl: timedelta = timedelta(minutes=30)
    per_window: int = 3
    window: timedelta = timedelta(hours=1)

    def wait(self, recent: list[datetime], now: datetime) -> int | None:
        """Seconds until one more mail of a kind may be asked for (`recent`: those asked for
        in the window, oldest first), or None if one may be now."""
        return wait_in_window(recent, self.per_window, self.window, now)


def lasting(ttl: timedelta) -> str:
    """'30 minutes', '2 days': how long a link works, as its mail says it."""
    seconds = int(ttl.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} seconds"


@frozen(kw_only=True)
class Letters:
    """Messages made from templates: the product's name, the link, a Message-ID of their own."""

    templates: MailTemplates
    verify_link: str  # URL templates with `{token}` where the token goes
    reset_link: str
    sender_domain: str  # the right-hand side of every Message-ID
    product: str = "Quill"

    # No mail greets anybody by name: the name is whatever the person who typed the address
    # chose (the address may be a stranger's), or whoever holds the account now (the notice
    # of a changed address goes to its owner when the account may have been taken from them).
    def verification(self, *, to: str, token: str, now: datetime, ttl: timedelta) -> OutgoingMail:
        link = self.verify_link.replace("{token}", token)
        values = {"link": link, "lasts": lasting(ttl)}
        return self._queue(LinkPurpose.VERIFY, to, values, now, link_expires_at=now + ttl)

    def reset(self, *, to: str, token: str, now: datetime, ttl: timedelta) -> OutgoingMail:
        link = self.reset_link.replace("{token}", token)
        values = {"link": link, "lasts": lasting(ttl)}
        return self._queue(LinkPurpose.RESET, to, values, now, link_expires_at=now + ttl)

    def address_changed(self, *, to: str, new: str, now: datetime) -> OutgoingMail:
        # The new address half hidden: enough for its owner to know it, not to give it away
        # (an admin may move someone off a mailbox that others now read).
        local, _, domain = new.rpartition("@")
        values = {
            "old": to,
            "new": f"{local[:1]}***@{domain}",
            "when": f"{now:%Y-%m-%d %H:%M} UTC",
        }
        return self._queue("address-changed", to, values, now)

    def test(self, *, to: str, now: datetime) -> OutgoingMail:
        return self._queue("test", to, {}, now)

    def _queue(
        self,
        kind: str,
        to: str,
        values: dict[str, str],
        now: datetime,
        link_expires_at: datetime | None = None,
    ) -> OutgoingMail:
        letter = self.templates.render(kind, {"product": self.product, **values})
        return OutgoingMail.queue(
            message_id=f"<{secrets.token_hex(16)}@{self.sender_domain}>",
            kind=kind,
            recipient=to,
            letter=letter,
            now=now,
            link_expires_at=link_expires_at,
        )


@frozen
class AddressVerification:
    """Mails a user a link that verifies their current address, in the caller's unit of work:
    the change that made the address new and its mail are kept together or not at all.

    At most `per_window` links a window per user, for the links a user asks for (an address
    change, a resend), and per address, for the links registration and address changes send
    to it (so that many accounts cannot flood one address). A registration's link, the
    account's first, is not counted for its user. Over a limit the change is kept and no mail
    is queued: the user may ask again later (ResendVerification)."""

    letters: Letters
    policy: LinkPolicy

    def __call__(
        self, uow: UnitOfWork, user: User, now: datetime, *, registering: bool = False
    ) -> bool:
        """A link for a new account (`registering`) or a changed address; True if queued."""
        keys = [user.email] if registering else [str(user.id), user.email]
        if self.wait(uow, keys, now) is not None:
            return False
        self.queue(uow, user, now, keys)
        return True

    def changed(self, uow: UnitOfWork, before: User, after: User, now: datetime) -> bool:
        """An address changed: a link to the new one, as __call__, and a notice to the old one
        when it was verified, so that its owner learns of a change they did not make (a stolen
        token's), even past the links' limit. One never verified gets none: anyone can name any
        address, and flipping an account between it and another would mail it at will."""
        if before.email_verified:
            notice = self.letters.address_changed(to=before.email, new=after.email, now=now)
            uow.outbox.add(notice)
        return self(uow, after, now)

    def wait(self, uow: UnitOfWork, keys: list[str], now: datetime) -> int | None:
        """Seconds until every one of `keys` (a user id, an address) allows another link;
        None if they do now. Each is locked, in the order given, until the unit ends."""
        waits = []
        for key in keys:
            uow.link_requests.lock(LinkPurpose.VERIFY, key)
            recent = uow.link_requests.since(LinkPurpose.VERIFY, key, now - self.policy.window)
            waits.append(self.policy.wait(recent, now))
        return max((wait for wait in waits if wait is not None), default=None)

    def queue(self, uow: UnitOfWork, user: User, now: datetime, keys: list[str]) -> None:
        """The link and its mail, counted for each of `keys`."""
        for key in keys:
            uow.link_requests.add(LinkPurpose.VERIFY, key, now)
        _retire_links(uow, LinkPurpose.VERIFY, stored(user.id), user.email, now)
        token = new_link_token()
        link = LinkToken.issue(
            purpose=LinkPurpose.VERIFY,
            user_id=user.id,
            email=user.email,
            token=token,
            now=now,
            ttl=self.policy.verify_ttl,
        )
        uow.link_tokens.add(link)
        uow.outbox.add(
            self.letters.verification(
                to=user.email, token=token, now=now, ttl=self.policy.verify_ttl
            )
        )


def _retire_links(
    uow: UnitOfWork, purpose: LinkPurpose, user_id: int, email: str, now: datetime
) -> None:
    """A new link replaces the user's earlier ones of its kind: one link of each kind works
    at a time, and a message still waiting with an earlier one is given up on unsent."""
    uow.link_tokens.use_all(user_id, purpose, now)
    uow.outbox.expire_links(email, now, purpose)


def digest_of(token: str) -> str:
    """The stored form of a link's token; one that cannot be ours is refused unread."""
    if not 0 < len(token) <= TOKEN_MAX:
        raise InvalidLink()
    return token_hash(token)


@frozen(kw_only=True)
class EmailVerification:
    token: str


@frozen
class VerifyEmail:
    """A verification link marks the address it was sent to verified, once."""

    uow: UnitOfWork
    clock: Clock

    def __call__(self, verification: EmailVerification) -> User:
        digest = digest_of(verification.token)
        now = self.clock()
        with self.uow as uow:
            # The user locked: an e-mail change either commits first (and the link no longer
            # works) or waits for this one.
            link, user = _working_link(uow, LinkPurpose.VERIFY, digest, now, lock=True)
            if not uow.link_tokens.use(stored(link.id), now):
                raise InvalidLink()
            verified = user.change(email_verified=True, now=now)
            uow.users.save(verified)
            uow.commit()
        return verified


@frozen
class ResendVerification:
    """A new verification link for the caller, at most `per_window` a window; none when the
    address is verified already. True when one was queued."""

    uow: UnitOfWork
    verification: AddressVerification
    clock: Clock

    def __call__(self, actor: Actor) -> bool:
        now = self.clock()
        keys = [str(actor.id)]  # counted for the user: their own address, asked for again
        with self.uow as uow:
            uow.link_requests.lock(LinkPurpose.VERIFY, keys[0])
            user = uow.users.get(actor.id)
            if user is None:  # deleted since the request was authenticated
                raise CallerDeleted()
            if user.email_verified:
                return False
            wait = self.verification.wait(uow, keys, now)
            if wait is not None:
                raise VerificationThrottled(retry_after=wait)
            uow.link_requests.prune(before=now - self.verification.policy.window)
            uow.link_tokens.prune(before=now)
            self.verification.queue(uow, user, now, keys)
            uow.commit()
        return True


@frozen(kw_only=True)
class ResetRequest:
    email: str


@frozen
class RequestPasswordReset:
    """Mails a reset link to an active account's address, at most `per_window` a window per
    address. The caller learns nothing: the same answer, and the same work, whether or not the
    address has an account (or is throttled, active, or not)."""

    uow: UnitOfWork
    letters: Letters
    policy: LinkPolicy
    clock: Clock

    def __call__(self, request: ResetRequest) -> None:
        try:
            email = normalize_email(request.email)
        except InvalidInput:
            return  # no account has such an address: answered as any other, nothing kept
        now = self.clock()
        token = new_link_token()
        with self.uow as uow:
            uow.link_requests.lock(LinkPurpose.RESET, email)
            recent = uow.link_requests.since(LinkPurpose.RESET, email, now - self.policy.window)
            if self.policy.wait(recent, now) is not None:
                return  # nothing written, nothing sent; answered as any other request
            # Locked (the same statement whether or not it finds a row): an account deleted
            # meanwhile would fail its link's foreign key, and this answer is always 202.
            user = uow.users.get_by_email(email, lock=True)
            mails = user is not None and user.is_active
            uow.link_requests.prune(before=now - self.policy.window)
            uow.link_tokens.prune(before=now)
            uow.link_requests.add(LinkPurpose.RESET, email, now)
            # Nobody's (user id 0, no address): the same statements without an account, or for
            # one that is inactive, whose links work again if it is reactivated.
            user_id, to = (stored(user.id), email) if mails and user else (0, "")
            _retire_links(uow, LinkPurpose.RESET, user_id, to, now)
            # Without an account the link and its mail are still made and sent to the
            # database, which stores neither (keep=False): the same statements either way.
            link = LinkToken.issue(
                purpose=LinkPurpose.RESET,
                user_id=user.id if user is not None else None,
                email=email,
                token=token,
                now=now,
                ttl=self.policy.reset_ttl,
            )
            mail = self.letters.reset(to=email, token=token, now=now, ttl=self.policy.reset_ttl)
            uow.link_tokens.add(link, keep=mails)
            uow.outbox.add(mail, keep=mails)
            uow.commit()


@frozen(kw_only=True)
class PasswordReset:
    token: str
    new_password: str


@frozen
class ResetPassword:
    """A reset link sets a new password, once; every session of the user ends, every other
    reset link of theirs stops working, and their address counts as verified (the link
    reached it). A bad link is refused before a password is hashed for it."""

    uow: UnitOfWork
    hasher: PasswordHasher
    clock: Clock
    password_rules: PasswordRules = PasswordRules.COMPOSED

    def __call__(self, reset: PasswordReset) -> None:
        digest = digest_of(reset.token)
        now = self.clock()
        with self.uow.read_only() as uow:
            _working_link(uow, LinkPurpose.RESET, digest, now)
        check_password(reset.new_password, "new_password", self.password_rules)
        password_hash = self.hasher.hash(reset.new_password)  # slow: no lock held meanwhile
        with self.uow as uow:
            link, user = _working_link(uow, LinkPurpose.RESET, digest, now, lock=True)
            assert user.id is not None
            if not uow.link_tokens.use(stored(link.id), now):
                raise InvalidLink()
            end_reset_links(uow, user, now)
            uow.users.save(user.change(password_hash=password_hash, email_verified=True, now=now))
            uow.sessions.revoke_all_for_user(user.id, now)
            uow.login_attempts.clear(user.email)  # a throttled owner may log in at once
            uow.commit()


def end_reset_links(uow: UnitOfWork, user: User, now: datetime) -> None:
    """A new password, however set, ends the user's reset links, and the mails that carry
    them still queued: each was a way in that the new password closes."""
    uow.link_tokens.use_all(stored(user.id), LinkPurpose.RESET, now)
    uow.outbox.expire_links(user.email, now, LinkPurpose.RESET)


def _working_link(
    uow: UnitOfWork, purpose: LinkPurpose, digest: str, now: datetime, lock: bool = False
) -> tuple[LinkToken, User]:
    """The link by its token's digest and its user, if it works for `purpose` now; else
    InvalidLink. `lock`: the user's row, for a use of the link."""
    link = uow.link_tokens.get_by_hash(digest)
    user = None
    if link is not None and link.user_id is not None:
        user = uow.users.get(link.user_id, lock=lock)
    if link is None or user is None or not link.works_for(purpose, user, now):
        raise InvalidLink()
    return link, user


@frozen
class CheckResetLink:
    """That a reset link works now (else `InvalidLink`), without using it: the reset page
    shows its form only then, and says plainly that the link is bad otherwise."""

    uow: UnitOfWork
    clock: Clock

    def __call__(self, token: str) -> None:
        digest = digest_of(token)
        with self.uow.read_only() as uow:
            _working_link(uow, LinkPurpose.RESET, digest, self.clock())


@frozen
class MarkEmailVerified:
    """An admin vouches for an address (the command line's `quill users verify`)."""

    uow: UnitOfWork
    clock: Clock

    def __call__(self, actor: Actor, email: str) -> User:
        actor.check_admin()
        with self.uow as uow:
            user = uow.users.get_by_email(email_key(email), lock=True)
            if user is None:
                raise UserNotFound()
            verified = user.change(email_verified=True, now=self.clock())
            if verified is not user:
                uow.users.save(verified)
                uow.commit()
        return verified
