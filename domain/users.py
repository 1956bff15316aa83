"""Users, their roles, the rules on e-mail, name and password, and the acting caller."""

from __future__ import annotations

import re
import string
from datetime import datetime
from enum import StrEnum

from attrs import evolve, field, frozen

from domain.errors import InvalidInput

EMAIL_MAX = 254
NAME_MIN, NAME_MAX = 2, 100
PASSWORD_MIN, PASSWORD_MAX = 8, 128
# A password holds at least one character of each kind. ASCII only: the OpenAPI document
# turns these into the pattern clients check against, so both say the same.
PASSWORD_NEEDS = {"upper-case letter": string.ascii_uppercase, "digit": string.digits}
# Deliberately plain: one @, no spaces, a dotted domain. Deliverability is the mailer's job.
_EMAIL = re.compile(r"^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f.]+(\.[^@\s\x00-\x1f.]+)+$")


class Role(StrEnum):
    USER = "user"
    ADMIN = "admin"


def normalize_email(raw: str) -> str:
    """E-mail addresses are unique without regard to case, so they are kept lower-cased."""
    email = raw.strip().lower()
    if len(email) > EMAIL_MAX or not _EMAIL.match(email):
        raise InvalidInput.on("email", "Must be a valid e-mail address.")
    return email


def normalize_name(raw: str) -> str:
    name = raw.strip()
    if not NAME_MIN <= len(name) <= NAME_MAX or not name.isprintable():
        raise InvalidInput.on(
            "name", f"Must be {NAME_MIN} to {NAME_MAX} printable characters after trimming."
        )
    return name


class PasswordRules(StrEnum):
    """The deployment's password policy (PASSWORD_RULES), the same for every API and the CLI.

    `composed`: 8..128 characters with an upper-case letter and a digit (the default).
    `length`: 8..128 characters, nothing more, as NIST SP 800-63B advises and RealWorld expects.
    """

    COMPOSED = "composed"
    LENGTH = "length"

    @property
    def needs(self) -> dict[str, str]:
        """The kinds of character a password must contain, by name."""
        return PASSWORD_NEEDS if self is PasswordRules.COMPOSED else {}


def check_password(
    raw: str, field_name: str = "password", rules: PasswordRules = PasswordRules.COMPOSED
) -> None:
    problems = []
    if not PASSWORD_MIN <= len(raw) <= PASSWORD_MAX:
        problems.append(f"Must be {PASSWORD_MIN} to {PASSWORD_MAX} characters long.")
    for kind, characters in rules.needs.items():
        if not any(c in characters for c in raw):
            problems.append(f"Must contain at least one {kind}.")
    if problems:
        raise InvalidInput({field_name: problems})


def _aware(_: object, attribute: object, value: datetime) -> None:
    if value.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")


@frozen(kw_only=True)
class User:
    id: int | None
    email: str
    name: str
    password_hash: str = field(repr=False)
    role: Role = Role.USER
    is_active: bool = True
    created_at: datetime = field(validator=_aware)
    updated_at: datetime = field(validator=_aware)

    @classmethod
    def register(
        cls, *, email: str, name: str, password_hash: str, now: datetime, role: Role = Role.USER
    ) -> User:
        return cls(
            id=None,
            email=email,
            name=name,
            password_hash=password_hash,
            role=role,
            created_at=now,
            updated_at=now,
        )

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_active_admin(self) -> bool:
        return self.is_admin and self.is_active

    def rehashed(self, password_hash: str) -> User:
        """The same password under new hashing parameters: not a change anybody sees."""
        return evolve(self, password_hash=password_hash)

    def change(self, *, now: datetime, **changes: object) -> User:
        """Apply the given field changes; `updated_at` moves only if something really changed."""
        real = {k: v for k, v in changes.items() if getattr(self, k) != v}
        return evolve(self, **real, updated_at=now) if real else self  # type: ignore[arg-type]


@frozen(kw_only=True)
class PublicProfile:
    """What anybody may see of another user."""

    id: int
    name: str
    created_at: datetime


@frozen(kw_only=True)
class Actor:
    """The authenticated caller, with the role read afresh for this request."""

    id: int
    name: str
    role: Role
    session_id: str

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def may_manage(self, user_id: int) -> bool:
        return self.is_admin or self.id == user_id
