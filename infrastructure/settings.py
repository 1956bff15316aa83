"""Settings read from the environment, validated once at start-up."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterator, Mapping
from datetime import timedelta
from email.utils import getaddresses
from pathlib import Path

from attrs import field, frozen
from sqlalchemy import URL, make_url
from sqlalchemy.exc import ArgumentError

from domain.text import has_control, is_text
from domain.users import LOCAL_PART_MAX, PasswordRules
from infrastructure.mail.senders import address_of

DEV_SECRET = "quill-development-secret-not-for-production"  # refused in production
DEV_DATABASE_URL = "sqlite:///quill.db"
ENVIRONMENTS = ("development", "testing", "production")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEV_PUBLIC_URL = "http://127.0.0.1:8000"
DEV_MAIL_FROM = "Quill <quill@localhost>"
# One send is about ten exchanges with the mail server (connect, EHLO, STARTTLS, login, MAIL,
# RCPT, DATA, the message, QUIT), and SMTP_TIMEOUT bounds each on its own.
SMTP_EXCHANGES = 10


class SettingsError(ValueError):
    """A bad or missing setting; the message names the variable and never its secret value."""


@frozen(kw_only=True)
class Settings:
    app_env: str = "development"
    # Out of the repr, as smtp_password: a printed Settings shows no secret.
    database_url: str = field(default=DEV_DATABASE_URL, repr=False)
    secret_key: str = field(default=DEV_SECRET, repr=False)
    jwt_secret_key: str = field(default=DEV_SECRET, repr=False)
    access_token_ttl: timedelta = timedelta(minutes=15)
    refresh_token_ttl: timedelta = timedelta(days=30)
    cors_origins: tuple[str, ...] = ()
    log_level: str = "INFO"
    log_format: str = "json"
    argon2_time_cost: int = 3
    argon2_memory_cost: int = 65536
    argon2_parallelism: int = 4
    # E-mail verification, password reset and their mail (read by mail_settings below).
    require_verified_email: bool = False
    verify_token_ttl: timedelta = timedelta(days=2)
    reset_token_ttl: timedelta = timedelta(minutes=30)
    public_url: str = DEV_PUBLIC_URL
    verify_link: str = f"{DEV_PUBLIC_URL}/verify-email?token={{token}}"
    reset_link: str = f"{DEV_PUBLIC_URL}/reset-password?token={{token}}"
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "starttls"
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_timeout: int = 30
    smtp_helo_name: str = ""  # "": this machine's name
    mail_from: str = DEV_MAIL_FROM
    mail_dir: str = ""
    mail_max_tries: int = 10
    mail_retry_delay: int = 30
    mail_lease: int = 600
    password_rules: PasswordRules = PasswordRules.COMPOSED

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = TextEnvironment(os.environ if env is None else env)
        app_env = _choice(env, "APP_ENV", ENVIRONMENTS, "development")
        production = app_env == "production"
        if production:
            for name in ("DATABASE_URL", "SECRET_KEY", "JWT_SECRET_KEY"):
                if not env.get(name):
                    raise SettingsError(f"{name} must be set when APP_ENV=production.")
        settings = cls(
            app_env=app_env,
            database_url=_database_url(env.get("DATABASE_URL") or DEV_DATABASE_URL),
            secret_key=env.get("SECRET_KEY") or DEV_SECRET,
            jwt_secret_key=env.get("JWT_SECRET_KEY") or env.get("SECRET_KEY") or DEV_SECRET,
            access_token_ttl=timedelta(seconds=_int(env, "ACCESS_TOKEN_TTL", 900, 1, 86400)),
            refresh_token_ttl=timedelta(
                seconds=_int(env, "REFRESH_TOKEN_TTL", 30 * 86400, 1, 365 * 86400)
            ),
            cors_origins=_origins(env.get("CORS_ORIGINS", "")),
            log_level=_choice(env, "LOG_LEVEL", LOG_LEVELS, "INFO", upper=True),
            log_format=_choice(
                env, "LOG_FORMAT", ("json", "text"), "text" if app_env == "development" else "json"
            ),
            argon2_time_cost=_int(env, "ARGON2_TIME_COST", 3, 1, 20),
            argon2_memory_cost=_int(env, "ARGON2_MEMORY_COST", 65536, 8, 4 * 1024 * 1024),
            argon2_parallelism=_int(env, "ARGON2_PARALLELISM", 4, 1, 64),
            **mail_settings(env, production=production),
            password_rules=PasswordRules(
                _choice(env, "PASSWORD_RULES", tuple(PasswordRules), PasswordRules.COMPOSED)
            ),
        )
        if settings.argon2_memory_cost < 8 * settings.argon2_parallelism:
            raise SettingsError(  # argon2's own rule: 8 KiB of memory for each lane
                "ARGON2_MEMORY_COST must be at least 8 times ARGON2_PARALLELISM (KiB)."
            )
        if production:
            settings.refuse_development_secrets()
        return settings

    @property
    def mail_send_time(self) -> timedelta:
        """The longest one send may take: a worker starts one only while this much of its
        lease is left."""
        return timedelta(seconds=SMTP_EXCHANGES * self.smtp_timeout)

    def mail_cautions(self) -> list[str]:
        """What a production deployment that really sends mail still takes from development:
        links to 127.0.0.1, which no reader can follow, and a sender at localhost, which mail
        servers refuse. Warned of by the worker, not refused: every other process (a
        migration, the API) runs well without mail settings."""
        if self.app_env != "production" or not self.smtp_host:
            return []
        cautions = []
        for name, link in (("VERIFY_LINK", self.verify_link), ("RESET_LINK", self.reset_link)):
            if at_development_address(link):
                cautions.append(f"{name} points at {DEV_PUBLIC_URL}: set PUBLIC_URL (or {name}).")
            elif link.startswith("http://"):
                cautions.append(
                    f"{name} is plain http: its token crosses the network readable; use https."
                )
        if self.mail_from == DEV_MAIL_FROM:
            cautions.append(f"MAIL_FROM is {DEV_MAIL_FROM}: set the sender mail servers expect.")
        return cautions

    def refuse_development_secrets(self) -> None:
        for name, value in (
            ("SECRET_KEY", self.secret_key),
            ("JWT_SECRET_KEY", self.jwt_secret_key),
        ):
            if value.strip() == DEV_SECRET:
                raise SettingsError(
                    f"{name} is the development secret, which is in the source: set a secret"
                    " of your own, of at least 32 characters, in production."
                )
            if len(value.strip()) < 32:
                raise SettingsError(
                    f"{name} must be a secret of at least 32 characters in production."
                )


class TextEnvironment(Mapping[str, str]):
    """The environment as the settings read it: a value whose bytes are not UTF-8 (Python
    keeps them as lone surrogates) is refused as it is read, before it can fail deep inside
    a request or a mail."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env

    def __getitem__(self, name: str) -> str:
        value = self._env[name]
        if not is_text(value):
            raise SettingsError(f"{name} must be UTF-8 text.")
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._env)

    def __len__(self) -> int:
        return len(self._env)


def at_development_address(link: str) -> bool:
    """Whether a mailed link still points at the development server's default address."""
    return link.startswith(f"{DEV_PUBLIC_URL}/")


_WHOLE = re.compile(r"[0-9]{1,12}")  # ASCII digits: str.isdigit() also takes "²" and "١٢٠"


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    if not _WHOLE.fullmatch(raw) or not low <= int(raw) <= high:
        raise SettingsError(f"{name} must be a whole number from {low} to {high}.")
    return int(raw)


# The databases Quill speaks, by the scheme of DATABASE_URL; PostgreSQL through psycopg 3,
# whichever of the usual spellings names it.
SCHEMES = {
    "sqlite": "sqlite",
    "sqlite+pysqlite": "sqlite+pysqlite",
    "postgresql+psycopg": "postgresql+psycopg",
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
}
DATABASE_URL_HELP = (
    "DATABASE_URL must be sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST:PORT/NAME."
)


def _database_url(raw: str) -> str:
    """The URL as SQLAlchemy takes it; a message naming the setting, never its password."""
    scheme, separator, rest = raw.strip().partition("://")
    if not separator or scheme.lower() not in SCHEMES:
        raise SettingsError(DATABASE_URL_HELP)
    url = f"{SCHEMES[scheme.lower()]}://{rest}"
    try:
        parsed = make_url(url)
        port = parsed.port  # a port that is not a number fails here
    except (ArgumentError, ValueError):
        raise SettingsError(DATABASE_URL_HELP) from None
    parts = [parsed.username, parsed.password, parsed.host, parsed.database, *parsed.query]
    for value in parsed.query.values():  # a key given twice holds a tuple of its values
        parts += [value] if isinstance(value, str) else list(value)
    if any(part and has_control(part) for part in parts):
        # libpq stops reading its connection string at a NUL (`%00`): the port, user and
        # password after it would be dropped, and another server reached without a word.
        raise SettingsError(f"{DATABASE_URL_HELP} It must hold no control character (%00...).")
    if parsed.get_backend_name() == "sqlite":
        if parsed.host or parsed.port:
            raise SettingsError(DATABASE_URL_HELP)  # sqlite://quill.db: a "host", not a file
        if parsed.query:  # SQLAlchemy would warn in two lines and ignore them (`?mode=ro`)
            raise SettingsError("DATABASE_URL for SQLite takes no query: sqlite:///PATH.")
        if parsed.database in (None, "", ":memory:"):
            # Each connection would get a database of its own, lost with it: a migration that
            # succeeds, then a schema missing everywhere.
            raise SettingsError(
                "DATABASE_URL names no database file (sqlite:// is one in memory, which no"
                " other connection sees): sqlite:///PATH."
            )
    if port is not None and not 1 <= port <= 65535:
        raise SettingsError(DATABASE_URL_HELP)
    if "@" in (parsed.host or ""):  # the rest of a password with an @ in it, which a driver's
        raise SettingsError(  # "cannot resolve host" message would then quote
            f"{DATABASE_URL_HELP} Write an @ in the password as %40."
        )
    if parsed.get_backend_name() == "postgresql":
        _check_hosts(parsed)
    return url


def _check_hosts(parsed: URL) -> None:
    """The hosts and ports the driver will be given (SQLAlchemy's dialect reads them from the
    URL's authority and its `host`/`port` query), each one it can use: a port that is no
    number, or a name DNS cannot hold (`db..internal`, a label past 63 characters), failed
    only on connecting, deep in a request, as an error no outage handling expects."""
    try:
        _, given = parsed.get_dialect()().create_connect_args(parsed)
    except (ArgumentError, ValueError):  # `?port=abc`
        raise SettingsError(DATABASE_URL_HELP) from None
    for port in str(given.get("port") or "").split(","):  # one per host; empty: the default
        if port and not (port.isdigit() and 1 <= int(port) <= 65535):
            raise SettingsError(DATABASE_URL_HELP)
    if given.get("hostaddr"):  # the driver connects there, and resolves no name
        return
    for host in str(given.get("host") or "").split(","):
        if not host or host.startswith("/") or ":" in host:  # a socket's folder, IPv6
            continue
        if not _is_host_name(host):  # as SMTP_HOST's: a name DNS can hold, or an IPv4 address
            raise SettingsError(
                f"DATABASE_URL's host {host!r} is no host name DNS can hold (an empty label,"
                " or one of more than 63 characters)."
            )


# An origin as browsers send it: a scheme, then a host and maybe a port, no path. Any scheme
# (capacitor://localhost, chrome-extension://...), an IPv6 literal's brackets. No pattern:
# `https://app\.example\.com` or `https://*.example.com` is a mistake, and each origin is
# matched exactly (interfaces/http/app.py).
_ORIGIN = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/\s*\\?$^()]+")


def _origins(raw: str) -> tuple[str, ...]:
    """The origins allowed, or `*` for any (the API takes no cookies: a token is sent on
    purpose or not at all). A trailing `/`, which no browser sends, is dropped."""
    origins = tuple(o.strip().removesuffix("/") for o in raw.split(",") if o.strip())
    for origin in origins:
        if origin != "*" and not _ORIGIN.fullmatch(origin):
            raise SettingsError(
                "CORS_ORIGINS must be origins such as https://app.example.com or"
                " http://localhost:3000 (a scheme, a host, maybe a port; no path), or *,"
                " separated by commas."
            )
    return origins


def _choice(
    env: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str, upper: bool = False
) -> str:
    raw = (env.get(name) or default).strip()
    value = raw.upper() if upper else raw.lower()
    if value not in allowed:
        raise SettingsError(f"{name} must be one of: {', '.join(allowed)}.")
    return value


# E-mail verification, password reset and their mail.

SMTP_SECURITIES = ("starttls", "tls", "none")
# A host, then a path, query or fragment or nothing: the two parts share no character, so a
# long value that fails is refused at once (`[^\s/?#]+[^\s]*` tried every split: 12 s at 40 kB).
_URL = re.compile(r"^https?://[^\s/?#]+(?:[/?#]\S*)?$")
MAIL_FROM_MAX = 200  # a header line holds 998; the name and address alone, here
# A sender's address: one @ with text on each side, no space and none of the characters a
# mail header parses as structure.
_SENDER = re.compile(r'^[^\s()<>\[\]:;@\\,"]+@[^\s()<>\[\]:;@\\,"]+$')


def mail_settings(env: Mapping[str, str], *, production: bool = False) -> dict[str, object]:
    public_url = _public_url(env)
    mail_from = _mail_from(env)
    for name in ("SMTP_USERNAME", "SMTP_PASSWORD"):
        if not (env.get(name) or "").isascii():
            raise SettingsError(f"{name} must be ASCII: the SMTP login sends it so.")
    smtp_host = _host(env, "SMTP_HOST")
    security = _choice(env, "SMTP_SECURITY", SMTP_SECURITIES, "starttls")
    # In production only: development may log in to a mail catcher beside it (a container's).
    clear_login = security == "none" and bool(env.get("SMTP_USERNAME"))
    if production and clear_login and smtp_host and not _on_this_machine(smtp_host):
        raise SettingsError(
            "SMTP_SECURITY=none would send the SMTP login unencrypted to SMTP_HOST:"
            " use starttls or tls (or a relay on this machine)."
        )
    smtp_timeout = _int(env, "SMTP_TIMEOUT", 30, 1, 600)
    lease = _mail_lease(env, smtp_timeout)  # before the others, as it always was
    return {
        "require_verified_email": _bool(env, "REQUIRE_VERIFIED_EMAIL", False),
        "verify_token_ttl": timedelta(
            seconds=_int(env, "VERIFY_TOKEN_TTL", 2 * 86400, 1, 30 * 86400)
        ),
        "reset_token_ttl": timedelta(seconds=_int(env, "RESET_TOKEN_TTL", 1800, 1, 86400)),
        "public_url": public_url,
        "verify_link": _link(env, "VERIFY_LINK", f"{public_url}/verify-email?token={{token}}"),
        "reset_link": _link(env, "RESET_LINK", f"{public_url}/reset-password?token={{token}}"),
        "smtp_host": smtp_host,
        "smtp_port": _int(env, "SMTP_PORT", 587, 1, 65535),
        "smtp_security": security,
        "smtp_username": env.get("SMTP_USERNAME") or "",
        "smtp_password": env.get("SMTP_PASSWORD") or "",
        "smtp_timeout": smtp_timeout,
        "smtp_helo_name": _helo_name(env),
        "mail_from": mail_from,
        "mail_dir": _mail_dir(env),
        "mail_max_tries": _int(env, "MAIL_MAX_TRIES", 10, 1, 100),
        "mail_retry_delay": _int(env, "MAIL_RETRY_DELAY", 30, 1, 86400),
        "mail_lease": lease,
    }


def _public_url(env: Mapping[str, str]) -> str:
    public_url = (env.get("PUBLIC_URL") or DEV_PUBLIC_URL).strip().rstrip("/")
    if not _URL.match(public_url):
        raise SettingsError("PUBLIC_URL must be an http:// or https:// URL.")
    if "?" in public_url or "#" in public_url:  # `…/?x` + `/verify-email?token=` breaks links
        raise SettingsError("PUBLIC_URL must have no query or fragment: links add a path to it.")
    return public_url


def _mail_from(env: Mapping[str, str]) -> str:
    mail_from = (env.get("MAIL_FROM") or DEV_MAIL_FROM).strip()
    addresses = getaddresses([mail_from])
    address = addresses[0][1] if len(addresses) == 1 else ""
    # The parser is lenient: it takes `Quill quill@example.com` for one address with a space
    # in it, and drops the space of `<quill@exa mple.com>`. What it found must be what was
    # written, whole: alone, as the name's <address>, or before a (comment).
    written = (
        mail_from == address
        or mail_from.endswith(f"<{address}>")
        or re.fullmatch(rf"{re.escape(address)}\s*\([^()]*\)", mail_from) is not None
    )
    if not (_SENDER.match(address) and written) or any(c in mail_from for c in "\r\n"):
        raise SettingsError("MAIL_FROM must be one address, or a name and <address>.")
    local, _, domain = address.rpartition("@")
    # Its domain ends every Message-ID, and names each message's file in MAIL_DIR.
    if len(local) > LOCAL_PART_MAX or not _is_host_name(domain) or len(mail_from) > MAIL_FROM_MAX:
        raise SettingsError(
            f"MAIL_FROM must be at most {MAIL_FROM_MAX} characters, its address's local part"
            f" at most {LOCAL_PART_MAX} and its domain a host name (mail.example.com, localhost)."
        )
    if not address_of(mail_from).isascii():  # as every envelope and Message-ID takes it
        raise SettingsError(
            "MAIL_FROM's address must be ASCII, but for an international domain (sent as"
            " IDNA): it names the sender of every message, and its domain every Message-ID."
        )
    return mail_from


def _mail_lease(env: Mapping[str, str], smtp_timeout: int) -> int:
    """How long a worker holds a message: longer than the longest send it starts."""
    longest_send = SMTP_EXCHANGES * smtp_timeout
    lease = _int(env, "MAIL_LEASE", 600, 2, 86400)
    if lease <= longest_send:
        raise SettingsError(
            f"MAIL_LEASE must be more than {SMTP_EXCHANGES} times SMTP_TIMEOUT ({longest_send} s):"
            f" one send may take {SMTP_EXCHANGES} exchanges with the mail server, each allowed"
            " SMTP_TIMEOUT."
        )
    return lease


# A DNS name (underscores too, as container networks name hosts) or an address.
_HOST_NAME = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$")


def _host(env: Mapping[str, str], name: str) -> str:
    """A host name or an IP address (an international name as IDNA), or "" when unset;
    checked here, not on every message's try: `mail.example.com:25` (the port is SMTP_PORT),
    a URL or an empty label would fail each message's lookup."""
    host = (env.get(name) or "").strip()
    if not host:
        return ""
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    if not _is_host_name(host):
        raise SettingsError(f"{name} must be a host name or an IP address, without a port.")
    return host


def _is_host_name(host: str) -> bool:
    name = host.removesuffix(".")
    try:  # the codec's tables are large: only an international name needs them
        ascii_host = name if name.isascii() else name.encode("idna").decode()
    except UnicodeError:
        return False
    labels = ascii_host.split(".")
    return len(ascii_host) <= 253 and all(_HOST_NAME.match(label) for label in labels)


def _mail_dir(env: Mapping[str, str]) -> str:
    """A folder, made when the first message is written; not a file already there, nor a path
    under one (`/etc/passwd/mail`), which would fail every message's try."""
    folder = (env.get("MAIL_DIR") or "").strip()
    if not folder:
        return folder
    path = Path(folder)
    try:
        found = next((known for known in (path, *path.parents) if known.exists()), None)
        if found is not None and not found.is_dir():
            raise SettingsError("MAIL_DIR must be a folder (or a path to make one at), not a file.")
    except OSError as error:  # a name too long, a folder this user may not look into
        raise SettingsError(f"MAIL_DIR cannot be used: {error.strerror}.") from None
    return folder


def _on_this_machine(host: str) -> bool:
    if host.lower().removesuffix(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _helo_name(env: Mapping[str, str]) -> str:
    """The name Quill greets the mail server with (EHLO): a DNS name, or an address, written
    as the protocol wants it (`[192.0.2.1]`, `[IPv6:2001:db8::1]`). Servers may refuse a
    greeting that is not a full name, which a container's own name seldom is."""
    name = _host(env, "SMTP_HELO_NAME")
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return name
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
        raise SettingsError("SMTP_HELO_NAME must be a host name or an address without a scope.")
    return f"[IPv6:{address}]" if address.version == 6 else f"[{address}]"


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw not in ("true", "false", "1", "0", "yes", "no"):
        raise SettingsError(f"{name} must be true or false.")
    return raw in ("true", "1", "yes")


def _link(env: Mapping[str, str], name: str, default: str) -> str:
    """A URL template with `{token}` where a link's token goes."""
    link = (env.get(name) or default).strip()
    if "{token}" not in link or not _URL.match(link):
        raise SettingsError(f"{name} must be an http(s) URL containing {{token}}.")
    return link
