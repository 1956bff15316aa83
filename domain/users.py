"""Users, their roles, the rules on e-mail, name and password, and the acting caller."""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterator
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit

from attrs import evolve, field, frozen

from domain.errors import AdminOnly, EmailUnverified, InvalidInput
from domain.text import ascii_words, has_control, is_blank, is_printable

EMAIL_MAX = 254
LOCAL_PART_MAX = 64  # octets before the @ (RFC 5321)
DOMAIN_MAX = 253  # characters of a domain name DNS holds, written in ASCII
USER_SEARCH_MAX = EMAIL_MAX  # no name or address is longer: a longer search finds nobody
NAME_MIN, NAME_MAX = 2, 100
PASSWORD_MIN, PASSWORD_MAX = 8, 128
# A password holds at least one character of each kind. ASCII only: the OpenAPI document
# turns these into the pattern clients check against, so both say the same; and the names
# say so, or "Ärgerlich1" would seem to hold the upper-case letter it is refused for.
PASSWORD_NEEDS = {
    "upper-case letter (A to Z)": string.ascii_uppercase,
    "digit (0 to 9)": string.digits,
}
USERNAME_MAX = 40
BIO_MAX = 1_000
IMAGE_MAX = 2_000
# What a username may be (check_username); the routes' converter and the OpenAPI documents
# say it too.
USERNAME_PATTERN = rf"[A-Za-z0-9_.-]{{1,{USERNAME_MAX}}}"
_USERNAME = re.compile(USERNAME_PATTERN)
# Deliberately plain: words joined by single dots, one @, a domain of two words or more. A word
# has no space, control character or RFC 5322 special `( ) < > [ ] : ; @ \ , " .`: a mail
# header parses those as structure, so every address kept here can be a message's To header.
# Deliverability is the mailer's job; the shape SMTP and DNS need is checked (_smtp_shaped).
# Nor, though RFC 5322 allows them, an encoded word (RFC 2047: a header parser decodes
# `=?utf-8?q?ann=40evil.example?=@example.com` to another address than the envelope's), a
# control character (C0 or C1: a terminal's CSI) or a direction control, which reorders what
# an operator reads. Other invisible characters stay: Persian spells with the zero-width
# non-joiner, and IDNA 2008 (_is_host_name) rules on a domain's.
_ENCODED_WORD = re.compile(r"=\?[^?]*\?[bq]\?[^?]*\?=")  # in an address lower-cased
_DIRECTION = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_WORD = r'[^\s\x00-\x1f\x7f()<>\[\]:;@\\,".]+'
_EMAIL = re.compile(rf"^{_WORD}(\.{_WORD})*@{_WORD}(\.{_WORD})+$")
# A domain's label DNS holds as it is: IDNA keeps `--` at the 3rd and 4th places for `xn--`.
_PLAIN_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")


class Role(StrEnum):
    USER = "user"
    ADMIN = "admin"


def folded_email(raw: str) -> str:
    """An address as it is kept: trimmed, lower-cased and composed (NFC), so that `é` typed as
    one character or as `e` and an accent is one address, not two accounts; its domain in
    Unicode (`unicode_domain`), so that `exämple.org` and `xn--exmple-cua.org` are one too."""
    email = unicodedata.normalize("NFC", raw.strip().lower())
    local, at, domain = email.rpartition("@")
    return f"{local}@{unicode_domain(domain)}" if at else email


def unicode_domain(domain: str) -> str:
    """A domain whose labels IDNA wrote in ASCII (`xn--`: the A-labels of DNS) as the Unicode
    they stand for (U-labels), one name written two ways; a name no valid IDNA decodes, or
    longer than DNS holds (whose decoding would only cost time), stays as typed."""
    if len(domain) > DOMAIN_MAX or not any(part.startswith("xn--") for part in domain.split(".")):
        return domain
    import idna  # loaded for an A-label only, as in _is_host_name

    try:
        return str(idna.decode(domain, strict=True))  # labels split at `.` alone, as DNS does
    except (UnicodeError, ValueError):  # idna.IDNAError is a UnicodeError
        return domain


def email_key(raw: str) -> str:
    """What an address is looked up by: folded as addresses are kept, cut to the longest one
    kept (a longer one finds nobody, and is still counted as a guess)."""
    return folded_email(raw)[:EMAIL_MAX]


def normalize_email(raw: str) -> str:
    """E-mail addresses are unique without regard to case or Unicode composition, so they
    are kept folded (`folded_email`)."""
    email = folded_email(raw)
    plain = not (has_control(email) or _DIRECTION.search(email) or _ENCODED_WORD.search(email))
    if len(email) > EMAIL_MAX or not (plain and _EMAIL.match(email) and _smtp_shaped(email)):
        raise InvalidInput.on("email", "Must be a valid e-mail address.")
    return email


def _smtp_shaped(email: str) -> bool:
    """What SMTP carries: a local part of at most 64 octets (RFC 5321), a domain DNS holds."""
    local, domain = email.split("@")
    return len(local.encode("utf-8", "replace")) <= LOCAL_PART_MAX and _is_host_name(domain)


def _is_host_name(domain: str) -> bool:
    """Labels of letters, digits and inner hyphens, international ones as IDNA 2008 allows
    them (the `idna` package; Python's own codec is IDNA 2003, which takes `☃`): what the
    OpenAPI documents' `idn-email` promises of every address Quill hands out."""
    if all(_PLAIN_LABEL.fullmatch(label) and label[2:4] != "--" for label in domain.split(".")):
        return True  # the usual name: IDNA's tables, large, stay unloaded
    return idna_ascii(domain) is not None


def idna_ascii(domain: str) -> str | None:
    """The ASCII form IDNA 2008 writes of a domain, exactly: without UTS 46's mapping (which
    would make `faß.de` another name) and with labels parted at `.` alone, as DNS parts them
    (`。` is no dot in a domain kept); None when it writes none. What addresses are checked by
    here, and what the mail's envelope carries (infrastructure.mail.senders.on_the_wire)."""
    import idna  # an international name, or an A-label (`xn--`): loaded only for one

    try:
        return str(idna.encode(domain, uts46=False, strict=True).decode("ascii"))
    except (UnicodeError, ValueError):  # idna.IDNAError is a UnicodeError
        return None


def normalize_name(raw: str) -> str:
    name = raw.strip()
    if not NAME_MIN <= len(name) <= NAME_MAX or not is_printable(name) or is_blank(name):
        raise InvalidInput.on(
            "name", f"Must be {NAME_MIN} to {NAME_MAX} printable characters after trimming."
        )
    return name


class PasswordRules(StrEnum):
    """The deployment's password policy (PASSWORD_RULES), the same for every API and the CLI.

    `composed`: 8..128 characters with an upper-case letter and a digit, ASCII's (the default).
    `length`: 8..128 characters, nothing more, as NIST SP 800-63B advises and RealWorld expects.
    """

    COMPOSED = "composed"
    LENGTH = "length"

    @property
    def needs(self) -> dict[str, str]:
        """The kinds of character a password must contain, by name."""
        return PASSWORD_NEEDS if self is PasswordRules.COMPOSED else {}

    @property
    def described(self) -> str:
        """The rules in a sentence, as the OpenAPI document and the reset page tell them."""
        if not self.needs:
            return f"{PASSWORD_MIN} to {PASSWORD_MAX} characters of any kind but control ones."
        needs = " and one ".join(self.needs)
        return (
            f"{PASSWORD_MIN} to {PASSWORD_MAX} characters with at least one {needs}, and no"
            " control character."
        )


def check_password(
    raw: str, field_name: str = "password", rules: PasswordRules = PasswordRules.COMPOSED
) -> None:
    problems = []
    if not PASSWORD_MIN <= len(raw) <= PASSWORD_MAX:
        problems.append(f"Must be {PASSWORD_MIN} to {PASSWORD_MAX} characters long.")
    for kind, characters in rules.needs.items():
        if not any(c in characters for c in raw):
            problems.append(f"Must contain at least one {kind}.")
    # Nobody types one: a line end piped in with the password (CRLF) would be kept in it,
    # and the password the person meant would never work.
    if has_control(raw):
        problems.append("Must not contain control characters (a tab, a line end).")
    if problems:
        raise InvalidInput({field_name: problems})


# Dot segments: a browser or an HTTP client removes them from a path (/api/profiles/.. is
# /api/), so a user named so would have a profile nobody could reach.
_DOT_SEGMENTS = frozenset({".", ".."})


def check_username(raw: str) -> str:
    """Kept as given; unique without regard to case (the store compares lower-cased)."""
    if not _USERNAME.fullmatch(raw):
        raise InvalidInput.on(
            "username",
            f"Must be 1 to {USERNAME_MAX} ASCII letters or digits, '_', '-' or '.'.",
        )
    if raw in _DOT_SEGMENTS:
        raise InvalidInput.on("username", "Must not be '.' or '..': no address reaches it.")
    return raw


def username_key(username: str) -> str:
    """What two usernames are compared by: they are ASCII, so lower-casing is enough."""
    return username.lower()


def derived_usernames(name: str) -> Iterator[str]:
    """Usernames to try, in order, for someone who gave none: their name in lower-case ASCII
    (accents dropped, other runs of characters made `_`), then with `_2`, `_3` ... when taken;
    `user_1`, `user_2` ... when nothing of the name is left."""
    # Cut before a suffix too: a run of other characters is one `_`, never a trailing one or
    # `__2`.
    base = "_".join(ascii_words(name))[:USERNAME_MAX].rstrip("_")
    n = 1
    if base:
        yield base
        n = 2
    base = base or "user"
    while True:
        suffix = f"_{n}"
        yield base[: USERNAME_MAX - len(suffix)].rstrip("_") + suffix
        n += 1


def normalize_bio(raw: str) -> str | None:
    """An empty string clears the bio."""
    if raw == "":
        return None
    if len(raw) > BIO_MAX:
        raise InvalidInput.on("bio", f"Must be at most {BIO_MAX:,} characters.")
    return raw


def normalize_image(raw: str) -> str | None:
    """An empty string clears the image; otherwise an absolute http(s) URL."""
    if raw == "":
        return None
    problem = f"Must be an http or https URL of at most {IMAGE_MAX:,} characters."
    if len(raw) > IMAGE_MAX or any(c.isspace() or not c.isprintable() for c in raw):
        raise InvalidInput.on("image", problem)
    try:
        parts = urlsplit(raw)
    except ValueError:
        raise InvalidInput.on("image", problem) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput.on("image", problem)
    return raw


def _aware(_: object, attribute: object, value: datetime) -> None:
    if value.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")


@frozen(kw_only=True)
class User:
    id: int | None
    email: str
    name: str
    username: str
    password_hash: str = field(repr=False)
    role: Role = Role.USER
    is_active: bool = True
    created_at: datetime = field(validator=_aware)
    updated_at: datetime = field(validator=_aware)
    bio: str | None = None
    image: str | None = None
    email_verified: bool = False

    @classmethod
    def register(
        cls,
        *,
        email: str,
        name: str,
        username: str,
        password_hash: str,
        now: datetime,
        role: Role = Role.USER,
    ) -> User:
        return cls(
            id=None,
            email=email,
            name=name,
            username=username,
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
        if "email" in real:
            real["email_verified"] = False  # a new address is unverified until its owner says
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
    username: str = ""
    # False only where REQUIRE_VERIFIED_EMAIL holds and this caller's address is unverified.
    may_write: bool = True
    # Their profile as the author of what they write now (see Author.acting).
    bio: str | None = None
    image: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def check_may_write(self) -> None:
        """Writing (posts, comments) may need a verified address; reading never does."""
        if not self.may_write:
            raise EmailUnverified()

    def may_manage(self, user_id: int) -> bool:
        return self.is_admin or self.id == user_id

    def check_admin(self) -> None:
        """What only an admin may do (user management, the outbox)."""
        if not self.is_admin:
            raise AdminOnly()


@frozen(kw_only=True)
class Profile:
    """What anybody sees of an active user by their username, as `viewer` sees it."""

    user_id: int
    username: str
    name: str
    bio: str | None
    image: str | None
    following: bool  # whether the viewer follows them; False for an anonymous viewer
    followers: int
    follows: int


def check_follow(follower_id: int, followed_id: int) -> None:
    if follower_id == followed_id:
        raise InvalidInput.on("username", "You cannot follow yourself.")
