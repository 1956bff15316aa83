"""Registering, reading and managing user accounts."""

from __future__ import annotations

from collections.abc import Callable

from attrs import frozen

from application.paging import Page, PageRequest, paginate
from application.ports import Clock, PasswordHasher, UnitOfWork
from domain.errors import (
    AdminOnly,
    EmailTaken,
    InvalidInput,
    LastAdmin,
    NotAccountOwner,
    UserNotFound,
)
from domain.users import (
    Actor,
    PasswordRules,
    PublicProfile,
    Role,
    User,
    check_password,
    normalize_email,
    normalize_name,
)

# The command line acts as the operator of the installation, with an admin's rights.
OPERATOR = Actor(id=0, name="quill operator", role=Role.ADMIN, session_id="")

UserRef = int | str  # a user id, or (from the command line) an e-mail address


@frozen(kw_only=True)
class Registration:
    email: str
    name: str
    password: str


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


@frozen
class RegisterUser:
    uow: UnitOfWork
    hasher: PasswordHasher
    clock: Clock
    password_rules: PasswordRules = PasswordRules.COMPOSED

    def __call__(
        self,
        registration: Registration,
        role: Role = Role.USER,
        *,
        also: Callable[[UnitOfWork, User], object] | None = None,
    ) -> User:
        """Over HTTP `role` is always USER: nobody registers as an admin. The CLI makes admins.
        `also` runs in the same unit, with the new user, before it commits (SignUp opens the
        first session so)."""
        email, name, _ = InvalidInput.gather(
            lambda: normalize_email(registration.email),
            lambda: normalize_name(registration.name),
            lambda: check_password(registration.password, rules=self.password_rules),
        )
        with self.uow as uow:
            if uow.users.get_by_email(str(email)) is not None:
                raise EmailTaken()
            user = User.register(
                email=str(email),
                name=str(name),
                password_hash=self.hasher.hash(registration.password),
                now=self.clock(),
                role=role,
            )
            user = uow.users.add(user)
            if also is not None:
                also(uow, user)
            uow.commit()
        return user


@frozen
class ChangePassword:
    """A new password ends every other session of the user; this one stays signed in."""

    uow: UnitOfWork
    hasher: PasswordHasher
    clock: Clock
    password_rules: PasswordRules = PasswordRules.COMPOSED

    def __call__(self, actor: Actor, change: PasswordChange) -> None:
        now = self.clock()
        with self.uow as uow:
            # Locked: a login checking the old password waits for this change to commit.
            user = uow.users.get(actor.id, lock=True)
            if user is None:
                raise UserNotFound()
            InvalidInput.gather(
                lambda: self._check_current(user, change.current_password),
                lambda: check_password(change.new_password, "new_password", self.password_rules),
            )
            uow.users.save(
                user.change(password_hash=self.hasher.hash(change.new_password), now=now)
            )
            uow.sessions.revoke_all_for_user(user.id or 0, now, keep=actor.session_id)
            uow.commit()

    def _check_current(self, user: User, password: str) -> None:
        if not self.hasher.verify(user.password_hash, password):
            raise InvalidInput.on("current_password", "Does not match your password.")


@frozen
class ListUsers:
    uow: UnitOfWork

    def __call__(self, actor: Actor, request: PageRequest, search: str | None = None) -> Page[User]:
        if not actor.is_admin:
            raise AdminOnly()
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
        user = uow.users.get_by_email(ref.strip().lower(), lock=lock)
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
    """`new_password` (RealWorld's PUT /user): the account's owner sets a new password without
    giving the current one, as their session vouches for them; like any password change it
    ends their other sessions. Only with a `hasher`."""

    uow: UnitOfWork
    clock: Clock
    hasher: PasswordHasher | None = None
    password_rules: PasswordRules = PasswordRules.COMPOSED

    def __call__(
        self,
        actor: Actor,
        ref: UserRef,
        changes: UserChanges,
        *,
        new_password: str | None = None,
    ) -> User:
        now = self.clock()
        password_hash = None if new_password is None else self._hashed(new_password)
        with self.uow as uow:
            # Locks in one order for every writer: active admins, then the user, then sessions.
            touches_rights = changes.role is not None or changes.is_active is not None
            admins = uow.users.lock_active_admin_ids() if touches_rights else []
            user = _load(uow, ref, lock=True)  # a concurrent password change cannot undo this
            assert user.id is not None
            if not actor.may_manage(user.id):
                raise NotAccountOwner()
            if not actor.is_admin and (changes.role is not None or changes.is_active is not None):
                raise AdminOnly("Only an admin may change a role or deactivate an account.")
            if password_hash is not None and actor.id != user.id:
                raise NotAccountOwner("Only the account's owner may set its password so.")
            wanted = _wanted(changes)
            if password_hash is not None:
                wanted["password_hash"] = password_hash
            changed = user.change(now=now, **wanted)
            if changed == user:
                return user
            if changed.email != user.email and uow.users.get_by_email(changed.email):
                raise EmailTaken()
            if not changed.is_active_admin:
                _keep_an_admin(user, admins)
            uow.users.save(changed)
            if not changed.is_active:
                uow.sessions.revoke_all_for_user(user.id, now)
            elif password_hash is not None:
                uow.sessions.revoke_all_for_user(user.id, now, keep=actor.session_id)
            uow.commit()
        return changed

    def _hashed(self, new_password: str) -> str:
        """Checked and hashed before the unit begins: no lock is held while hashing."""
        assert self.hasher is not None, "UpdateUser sets passwords only with a hasher"
        check_password(new_password, "password", self.password_rules)
        return self.hasher.hash(new_password)


def _wanted(changes: UserChanges) -> dict[str, object]:
    name, email = InvalidInput.gather(
        lambda: None if changes.name is None else normalize_name(changes.name),
        lambda: None if changes.email is None else normalize_email(changes.email),
    )
    wanted = {"name": name, "email": email, "role": changes.role, "is_active": changes.is_active}
    return {key: value for key, value in wanted.items() if value is not None}


@frozen
class DeleteUser:
    """Admins only; the user's posts and sessions go with them."""

    uow: UnitOfWork

    def __call__(self, actor: Actor, ref: UserRef) -> None:
        if not actor.is_admin:
            raise AdminOnly()
        with self.uow as uow:
            admins = uow.users.lock_active_admin_ids()
            user = _load(uow, ref)
            _keep_an_admin(user, admins)
            uow.users.remove(user.id or 0)
            uow.commit()
