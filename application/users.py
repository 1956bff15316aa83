"""Registering, reading and managing user accounts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from itertools import islice
from typing import Protocol, TypeVar

from attrs import field, frozen

from application.accounts import end_reset_links
from application.paging import Page, PageRequest, paginate
from application.ports import Clock, PasswordHasher, UnitOfWork
from application.tokens import LoginThrottle
from domain.errors import (
    AdminOnly,
    EmailTaken,
    InvalidInput,
    LastAdmin,
    NotAccountOwner,
    PasswordGuessesThrottled,
    UsernameTaken,
    UserNotFound,
)
from domain.ids import stored
from domain.links import LinkPurpose
from domain.users import (
    NAME_MIN,
    USER_SEARCH_MAX,
    Actor,
    PasswordRules,
    PublicProfile,
    Role,
    User,
    check_password,
    check_username,
    derived_usernames,
    email_key,
    normalize_bio,
    normalize_email,
    normalize_image,
    normalize_name,
    username_key,
)

T = TypeVar("T")


class AddressVerifier(Protocol):
    """Mails a user a link to verify their address, in the unit of work that made it new
    (application.accounts.AddressVerification); True if queued, False if over its limit."""

    def __call__(
        self, uow: UnitOfWork, user: User, now: datetime, *, registering: bool = False
    ) -> bool: ...

    def changed(self, uow: UnitOfWork, before: User, after: User, now: datetime) -> bool:
        """The link for a changed address, and a notice of the change to the old one."""
        ...


VerifyAddress = AddressVerifier | None  # None where no mail goes out

# The command line acts as the operator of the installation, with an admin's rights.
OPERATOR = Actor(id=0, name="quill operator", role=Role.ADMIN, session_id="")

UserRef = int | str  # a user id, or (from the command line) an e-mail address


@frozen(kw_only=True)
class Registration:
    """`username` is derived from the name when not given; `name` is the username when not
    given (the RealWorld API registers by username alone). One of them is needed."""

    email: str
    name: str | None
    password: str
    username: str | None = None


@frozen(kw_only=True)
class PasswordChange:
    current_password: str
    new_password: str


@frozen(kw_only=True)
class UserChanges:
    """What PATCH may change; `None` leaves a field alone. Role and activity are admin-only."""

    name: str | None = None
    email: str | None = None
    role: Role | None = None
    is_active: bool | None = None
    username: str | None = None
    bio: str | None = None  # "" clears it
    image: str | None = None  # "" clears it


@frozen
class RegisterUser:
    """A new account: every field checked, the password hashed before the unit that stores
    it, the address unique and (unless vouched for) mailed a link to verify it."""

    uow: UnitOfWork
    hasher: PasswordHasher
    clock: Clock
    verify_address: VerifyAddress = None
    password_rules: PasswordRules = PasswordRules.COMPOSED

    def __call__(
        self, registration: Registration, role: Role = Role.USER, *, verified: bool = False
    ) -> User:
        """Over HTTP `role` is always USER and `verified` false: nobody registers as an admin
        or vouches for their own address. The CLI makes admins, whose address the operator
        vouches for (`verified`: no link is mailed)."""
        account = checked_account(registration, self.hasher, self.password_rules)

        def store() -> User:
            with self.uow as uow:
                user = register(
                    uow, account, self.clock(), role,
                    verify_address=self.verify_address, verified=verified,
                )  # fmt: skip
                uow.commit()
            return user

        return deriving_again(account, store)


@frozen(kw_only=True)
class CheckedAccount:
    """A registration's fields, valid and normalised, its password already hashed."""

    email: str
    name: str | None
    username: str | None  # None: derived from the name when stored
    password_hash: str = field(repr=False)


def checked_account(
    registration: Registration, hasher: PasswordHasher, rules: PasswordRules
) -> CheckedAccount:
    """Every field checked (all problems reported together), then the password hashed: before
    any unit of work begins, so the slow hash holds no lock (on SQLite, the write lock)."""
    chosen = registration.username
    given_name = registration.name
    email, name, _, _ = InvalidInput.gather(
        lambda: normalize_email(registration.email),
        lambda: _given_name(given_name, chosen),
        lambda: check_password(registration.password, rules=rules),
        lambda: None if chosen is None else _chosen_username(chosen, named=given_name is not None),
    )
    return CheckedAccount(
        email=str(email),
        name=None if name is None else str(name),
        username=chosen,
        password_hash=hasher.hash(registration.password),
    )


def register(
    uow: UnitOfWork,
    account: CheckedAccount,
    now: datetime,
    role: Role,
    *,
    verify_address: VerifyAddress = None,
    verified: bool = False,
) -> User:
    """Store a new account in `uow` (which the caller commits), with its verification mail,
    or with its address `verified` already (someone trusted vouches for it) and none."""
    if uow.users.get_by_email(account.email) is not None:
        raise EmailTaken()
    if account.username is None:
        username = _free_username(uow, str(account.name))
    elif uow.users.get_by_username(account.username) is not None:
        raise UsernameTaken()
    else:
        username = account.username
    user = User.register(
        email=account.email,
        name=account.name if account.name is not None else username,
        username=username,
        password_hash=account.password_hash,
        now=now,
        role=role,
    )
    if verified:
        user = user.change(email_verified=True, now=now)
    user = uow.users.add(user)
    if verify_address is not None and not verified:
        verify_address(uow, user, now, registering=True)
    return user


# Each try of the registrations racing for one derived username lets at least one through.
DERIVING_TRIES = 20


def deriving_again(account: CheckedAccount, unit: Callable[[], T]) -> T:
    """Run `unit`, a registration's whole unit of work, again while the username it derived
    is taken by a concurrent registration before it commits (the unique index refuses it):
    the next try derives past that one. A username the caller chose is refused at once."""
    for _ in range(DERIVING_TRIES - 1):
        try:
            return unit()
        except UsernameTaken:
            if account.username is not None:
                raise
    return unit()


def _given_name(name: str | None, username: str | None) -> str | None:
    """Checked with the other fields, so a missing name is reported with their problems."""
    if name is None and username is None:
        raise InvalidInput.on("name", "A name or a username is needed.")
    return None if name is None else normalize_name(name)


def _chosen_username(username: str, *, named: bool) -> str:
    """Without a name (RealWorld's registration) the username is the name too: it must make one."""
    check_username(username)
    if not named and len(username) < NAME_MIN:
        raise InvalidInput.on("username", f"Must be at least {NAME_MIN} characters: your name too.")
    return username


def _free_username(uow: UnitOfWork, name: str) -> str:
    """The first username derived from `name` that nobody has, asking the store about a batch
    of candidates at a time (a batch twice as large each round). A concurrent registration
    taking it first makes the unique index refuse this one: see deriving_again."""
    candidates = derived_usernames(name)
    size = 8
    while True:
        batch = list(islice(candidates, size))
        taken = uow.users.taken_usernames([username_key(c) for c in batch])
        free = [c for c in batch if username_key(c) not in taken]
        if free:
            return free[0]
        size *= 2


@frozen
class ChangePassword:
    """A new password ends every other session of the user (this one stays signed in) and
    every reset link mailed before it: a link is a way in that the owner just closed."""

    uow: UnitOfWork
    hasher: PasswordHasher
    clock: Clock
    password_rules: PasswordRules = PasswordRules.COMPOSED
    throttle: LoginThrottle = field(factory=LoginThrottle)

    def __call__(self, actor: Actor, change: PasswordChange) -> None:
        now = self.clock()
        with self.uow as uow:
            # Locked: a login checking the old password waits for this change to commit.
            user = uow.users.get(actor.id, lock=True)
            if user is None:
                raise UserNotFound()
            # Guesses of the current password through a token are limited as failed logins
            # are, with a count of their own: a stranger's failed logins never block this.
            start = now - self.throttle.window
            guesses = uow.password_guesses.since(actor.id, start)
            self.throttle.refuse_past_limit(guesses, now, PasswordGuessesThrottled)
            matches = self.hasher.verify(user.password_hash, change.current_password)
            if not matches:
                uow.password_guesses.forget(actor.id, before=start)
                uow.password_guesses.add(actor.id, now)
                uow.commit()  # the guess is counted; nothing else is changed
            # Refused here when the current password was wrong (with the new one's problems
            # too, if any): the guess is kept above, the change never reaches save().
            InvalidInput.gather(
                lambda: self._check_current(matches),
                lambda: check_password(change.new_password, "new_password", self.password_rules),
            )
            uow.users.save(
                user.change(password_hash=self.hasher.hash(change.new_password), now=now)
            )
            uow.sessions.revoke_all_for_user(actor.id, now, keep=actor.session_id)
            uow.password_guesses.forget(actor.id)
            end_reset_links(uow, user, now)
            uow.commit()

    @staticmethod
    def _check_current(matches: bool) -> None:
        if not matches:
            raise InvalidInput.on("current_password", "Does not match your password.")


@frozen
class ListUsers:
    """Admins only: every account, newest first, or those whose name or address holds
    `search` (counted up to the search cap)."""

    uow: UnitOfWork

    def __call__(self, actor: Actor, request: PageRequest, search: str | None = None) -> Page[User]:
        actor.check_admin()
        if search is not None and len(search) > USER_SEARCH_MAX:
            raise InvalidInput.on("search", f"Must be at most {USER_SEARCH_MAX} characters.")
        with self.uow.read_only() as uow:
            return paginate(
                request,
                lambda window: uow.users.find(search, window),
                lambda at_most: uow.users.count(search, at_most),
                searching=bool(search),
            )


@frozen
class GetUser:
    """Full record to the user themself and to admins; a public profile to anybody else."""

    uow: UnitOfWork

    def __call__(self, actor: Actor, user_id: int) -> User | PublicProfile:
        with self.uow.read_only() as uow:
            user = uow.users.get(user_id)
        if user is None or user.id is None:
            raise UserNotFound()
        if actor.may_manage(user.id):
            return user
        return PublicProfile(id=user.id, name=user.name, created_at=user.created_at)


def _load(uow: UnitOfWork, ref: UserRef, lock: bool = False) -> User:
    if isinstance(ref, int):
        user = uow.users.get(ref, lock=lock)
    else:
        user = uow.users.get_by_email(email_key(ref), lock=lock)
    if user is None:
        raise UserNotFound()
    return user


def _keep_an_admin(user: User, active_admins: list[int]) -> None:
    """Refuse to remove the last active admin. `active_admins` were read under lock, so
    concurrent demotions serialise instead of each seeing the other still there."""
    if user.is_active_admin and active_admins == [user.id]:
        raise LastAdmin()


@frozen
class UpdateUser:
    """The user themself or an admin; role and activity are an admin's to change, and never
    leave no active admin. A new address is unverified and mailed a link."""

    uow: UnitOfWork
    clock: Clock
    verify_address: VerifyAddress = None

    def __call__(self, actor: Actor, ref: UserRef, changes: UserChanges) -> User:
        with self.uow as uow:
            user, admins = _locked_for_change(uow, actor, ref, changes)
            wanted = _wanted(changes)  # after the rights: a stranger learns nothing of its rules
            return _change(uow, actor, user, admins, wanted, self.clock(), self.verify_address)


@frozen
class UpdateOwnAccount:
    """The caller's own account, a new password included, in one unit: the RealWorld API's
    PUT /user, which asks no current password (the session vouches for the caller). A new
    password ends every other session and reset link, as a password change does."""

    uow: UnitOfWork
    hasher: PasswordHasher
    clock: Clock
    verify_address: VerifyAddress = None
    password_rules: PasswordRules = PasswordRules.COMPOSED

    def __call__(self, actor: Actor, changes: UserChanges, new_password: str | None) -> User:
        rules = self.password_rules
        wanted, _ = InvalidInput.gather(
            lambda: _wanted(changes),
            lambda: None if new_password is None else check_password(new_password, rules=rules),
        )
        assert isinstance(wanted, dict)
        if new_password is not None:  # hashed before the unit begins: no lock held meanwhile
            wanted["password_hash"] = self.hasher.hash(new_password)
        with self.uow as uow:
            user, admins = _locked_for_change(uow, actor, actor.id, changes)
            return _change(uow, actor, user, admins, wanted, self.clock(), self.verify_address)


def _locked_for_change(
    uow: UnitOfWork, actor: Actor, ref: UserRef, changes: UserChanges
) -> tuple[User, list[int]]:
    """The user, locked, and the active admins when the change touches rights (locked with
    the user: users' rows in id order, the order every writer keeps), once the actor may."""
    touches_rights = changes.role is not None or changes.is_active is not None
    admins: list[int] = []
    if touches_rights:
        admins = uow.users.lock_active_admin_ids(with_user=_load(uow, ref).id)
    user = _load(uow, ref, lock=True)  # a concurrent password change cannot undo this
    assert user.id is not None
    if not actor.may_manage(user.id):
        raise NotAccountOwner()
    if not actor.is_admin and touches_rights:
        raise AdminOnly("Only an admin may change a role or deactivate an account.")
    return user, admins


def _change(
    uow: UnitOfWork,
    actor: Actor,
    user: User,
    admins: list[int],
    wanted: dict[str, object],
    now: datetime,
    verify_address: VerifyAddress,
) -> User:
    """`wanted` applied to the locked `user`, and what follows from it; the unit committed."""
    changed = user.change(now=now, **wanted)
    if changed == user:
        return user
    _refuse_taken(uow, user, changed)
    if not changed.is_active_admin:
        _keep_an_admin(user, admins)
    uow.users.save(changed)
    _after_change(uow, actor, user, changed, now, verify_address, "password_hash" in wanted)
    uow.commit()
    return changed


def _refuse_taken(uow: UnitOfWork, user: User, changed: User) -> None:
    if changed.email != user.email and uow.users.get_by_email(changed.email):
        raise EmailTaken()
    renamed = username_key(changed.username) != username_key(user.username)
    if renamed and uow.users.get_by_username(changed.username) is not None:
        raise UsernameTaken()


def _after_change(
    uow: UnitOfWork,
    actor: Actor,
    user: User,
    changed: User,
    now: datetime,
    verify_address: VerifyAddress,
    new_password: bool,
) -> None:
    """Sessions, links and mail that the change ends or calls for."""
    user_id = stored(user.id)
    if not changed.is_active:
        uow.sessions.revoke_all_for_user(user_id, now)
    elif new_password:
        uow.sessions.revoke_all_for_user(user_id, now, keep=actor.session_id)
    if new_password:
        end_reset_links(uow, user, now)
    if changed.email != user.email:
        # Links mailed before the change die now, not only while the address differs: an
        # address changed away and back must not bring them to life again.
        for purpose in LinkPurpose:
            uow.link_tokens.use_all(user_id, purpose, now)
        uow.outbox.expire_links(user.email, now)  # not sent yet: they would lead nowhere
        if verify_address is not None:
            verify_address.changed(uow, user, changed, now)


def _wanted(changes: UserChanges) -> dict[str, object]:
    name, email, username, bio, image = InvalidInput.gather(
        lambda: None if changes.name is None else normalize_name(changes.name),
        lambda: None if changes.email is None else normalize_email(changes.email),
        lambda: None if changes.username is None else check_username(changes.username),
        lambda: None if changes.bio is None else normalize_bio(changes.bio),
        lambda: None if changes.image is None else normalize_image(changes.image),
    )
    wanted = {
        "name": name, "email": email, "role": changes.role, "is_active": changes.is_active,
        "username": username,
    }  # fmt: skip
    wanted = {key: value for key, value in wanted.items() if value is not None}
    # For these two, None is a value: an empty string in the request clears them.
    if changes.bio is not None:
        wanted["bio"] = bio
    if changes.image is not None:
        wanted["image"] = image
    return wanted


@frozen
class DeleteUser:
    """Admins only; the user's posts and sessions go with them, and the links mailed to them
    die with their account."""

    uow: UnitOfWork
    clock: Clock

    def __call__(self, actor: Actor, ref: UserRef) -> None:
        actor.check_admin()
        with self.uow as uow:
            doomed = _load(uow, ref).id
            admins = uow.users.lock_active_admin_ids(with_user=doomed, with_ties=True)
            user = _load(uow, ref)  # as it is now that it is locked
            _keep_an_admin(user, admins)
            uow.users.remove(stored(user.id))
            uow.outbox.expire_links(user.email, self.clock())
            uow.commit()
