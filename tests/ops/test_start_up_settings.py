"""Settings an operator may get wrong are refused at start-up, one line naming the setting
(never its secret): the database's URL, whole numbers, argon2's cost, CORS origins, and the
mail of a production deployment that really sends it."""

from __future__ import annotations

import pathlib
import subprocess

import pytest

from infrastructure.mail.senders import address_of
from infrastructure.settings import Settings, SettingsError
from interfaces.container import build_container
from tests.factories import T0
from tests.ops.server import BIN, ROOT, UNOPENED, environment

PRODUCTION = {
    "APP_ENV": "production",
    "DATABASE_URL": "postgresql+psycopg://quill:pw@db:5432/quill",
    "SECRET_KEY": "k" * 48,
    "JWT_SECRET_KEY": "j" * 48,
}


@pytest.mark.parametrize(
    "url",
    [
        "garbage",
        "mysql://user@host/quill",
        "postgresql+psycopg2://user@host/quill",
        "postgresql+psycopg://user:secret-pw@host:notaport/quill",
        "postgresql+psycopg://user:secret-pw@host:70000/quill",
        "sqlite://quill.db",  # two slashes: "quill.db" is a host, and no file is named
        "postgresql+psycopg://user:secret-pw@rest@127.0.0.1:5432/quill",  # @ not as %40
        # libpq stops at a NUL: the port, user and password after it were dropped, and the
        # server on the default port reached instead, without a word.
        "postgresql://postgres:secret-pw@127.0.0.1:55433/quill%00",
        "postgresql://postgres:secret-pw%00@127.0.0.1:55433/quill",
        "postgresql://post%0Agres:secret-pw@127.0.0.1:55433/quill",
        "postgresql://postgres:secret-pw@127.0.0.1/quill?sslmode=require%00",
        "postgresql://postgres:secret-pw@127.0.0.1/quill?application_name%00x=1",  # a key
        "postgresql://postgres:secret-pw@127.0.0.1/quill?sslmode=disable&sslmode=x%00y",
        "sqlite:///quill%00.db",
        "postgresql://postgres:secret-pw@127.0.0.1/quill?port=abc",  # the dialect's port
        "postgresql://postgres:secret-pw@127.0.0.1/quill?port=0",
        "postgresql://postgres:secret-pw@/quill?host=a:5432&host=b:99999",  # one per host
    ],
)
def test_a_database_url_quill_cannot_use_is_refused_without_its_password(url: str) -> None:
    with pytest.raises(SettingsError, match="DATABASE_URL must be") as refused:
        Settings.from_env({"DATABASE_URL": url})
    assert "secret-pw" not in str(refused.value)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u:secret-pw@db..internal/quill",  # an empty label
        "postgresql://u:secret-pw@.db/quill",
        f"postgresql://u:secret-pw@{'a' * 64}.example/quill",  # a label past 63 characters
        "postgresql://u:secret-pw@db/quill?host=db..internal",
        "postgresql://u:secret-pw@db.example,db..internal/quill",  # libpq's hosts to try
    ],
)
def test_a_database_host_dns_cannot_hold_is_refused_at_start_up(url: str) -> None:
    """It failed only on connecting, as an error no outage handling expects: /readyz and
    every request answered 500, and the mail worker logged a traceback each round."""
    with pytest.raises(SettingsError, match=r"DATABASE_URL's host .* is no host name") as refused:
        Settings.from_env({"DATABASE_URL": url})
    assert "secret-pw" not in str(refused.value)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u@db.example,db2.example:5433/quill",
        "postgresql://u@/quill?host=/var/run/postgresql",  # a socket's folder
        "postgresql://u@[::1]:5432/quill",
        "postgresql://u@b\u00fccher.example/quill",
        "postgresql://u@localhost./quill",
        f"postgresql://u@{'a' * 64}.example/quill?hostaddr=10.0.0.5",  # no name resolved
        "postgresql://u@/quill?host=a:5432&host=b:5433",  # SQLAlchemy's form for libpq's hosts
    ],
)
def test_the_hosts_libpq_takes_are_taken(url: str) -> None:
    assert "/quill" in Settings.from_env({"DATABASE_URL": url}).database_url


@pytest.mark.parametrize("url", ["sqlite:///quill.db?mode=ro", "sqlite:///q.db?timeout=5"])
def test_an_sqlite_url_with_a_query_is_refused(url: str) -> None:
    """SQLAlchemy warned in two lines and ignored it: `mode=ro` was not read-only."""
    with pytest.raises(SettingsError, match="DATABASE_URL for SQLite takes no query"):
        Settings.from_env({"DATABASE_URL": url})


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///", "sqlite:///:memory:"])
def test_an_sqlite_database_in_memory_is_refused(url: str) -> None:
    """Each connection would have its own, lost with it: `quill db upgrade` succeeded, then
    every command said the schema was missing; the server answered 500."""
    with pytest.raises(SettingsError, match="DATABASE_URL names no database file"):
        Settings.from_env({"DATABASE_URL": url})


@pytest.mark.parametrize("url", ["https://a.example/?x=1", "https://a.example#top"])
def test_a_public_url_with_a_query_or_fragment_is_refused(url: str) -> None:
    """Links are PUBLIC_URL plus a path: `https://a.example#top/verify-email?token=...`."""
    with pytest.raises(SettingsError, match="PUBLIC_URL must have no query or fragment"):
        Settings.from_env({"PUBLIC_URL": url})


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u:p@db:5432/quill", "postgresql+psycopg://u:p@db:5432/quill"),
        ("postgresql://u:p@db/quill", "postgresql+psycopg://u:p@db/quill"),
        ("postgresql+psycopg://u@db/quill", "postgresql+psycopg://u@db/quill"),
        ("postgresql+psycopg://u@db:5432", "postgresql+psycopg://u@db:5432"),  # libpq's own
        ("sqlite:////var/lib/quill.db", "sqlite:////var/lib/quill.db"),
        ("sqlite+pysqlite:///quill.db", "sqlite+pysqlite:///quill.db"),
    ],
)
def test_postgresql_is_reached_through_psycopg_whichever_usual_scheme_names_it(
    given: str, used: str
) -> None:
    assert Settings.from_env({"DATABASE_URL": given}).database_url == used


@pytest.mark.parametrize("value", ["²", "١٢٠", "12.5", "-3", "1e3"])
def test_a_whole_number_setting_takes_ascii_digits_only(value: str) -> None:
    with pytest.raises(SettingsError, match="ACCESS_TOKEN_TTL must be a whole number"):
        Settings.from_env({"ACCESS_TOKEN_TTL": value})


def test_argon2_parameters_it_would_refuse_to_hash_with_are_refused_at_start_up() -> None:
    with pytest.raises(SettingsError, match="ARGON2_MEMORY_COST must be at least 8 times"):
        Settings.from_env({"ARGON2_MEMORY_COST": "8", "ARGON2_PARALLELISM": "64"})
    cheapest = Settings.from_env({"ARGON2_MEMORY_COST": "8", "ARGON2_PARALLELISM": "1"})
    assert (cheapest.argon2_memory_cost, cheapest.argon2_parallelism) == (8, 1)


@pytest.mark.parametrize(
    "origins",
    [
        "app.example.com", "null", "https://app.example.com/path", "https://", "localhost:3000",
        # What flask-cors would read as a pattern matched at an origin's start:
        "https://app\\.example\\.com", "https://*.example.com", "https://app.example.com$",
        "https://(a|b).example.com", "https://a?.example.com",
    ],
)  # fmt: skip
def test_an_origin_a_browser_never_sends_is_refused(origins: str) -> None:
    with pytest.raises(SettingsError, match="CORS_ORIGINS must be origins"):
        Settings.from_env({"CORS_ORIGINS": f"http://localhost:3000,{origins}"})


def test_origins_are_taken_as_browsers_send_them() -> None:
    given = " https://app.example.com/ , http://localhost:3000,capacitor://localhost ,"
    assert Settings.from_env({"CORS_ORIGINS": given}).cors_origins == (
        "https://app.example.com",  # a trailing slash no browser sends is dropped
        "http://localhost:3000",
        "capacitor://localhost",
    )
    assert Settings.from_env({"CORS_ORIGINS": "*"}).cors_origins == ("*",)


@pytest.mark.parametrize(
    "mail_from",
    [
        "Ops <ops@example.com>, evil@example.com",
        "a@x, b@y",
        "Quill quill@example.com",  # the brackets forgotten: not an address with a space
        "Quill <quill@exa mple.com>",  # not sent as quill@example.com, another domain
        "@example.com",
        "quill@",
        "a <b@c.d> e",
        "quill@exa mple.com (Quill)",
    ],
)
def test_mail_from_is_one_address(mail_from: str) -> None:
    with pytest.raises(SettingsError, match="MAIL_FROM must be one address"):
        Settings.from_env({"MAIL_FROM": mail_from})


@pytest.mark.parametrize(
    "mail_from",
    [
        '"Ops, Team" <ops@example.com>',
        "Quill<q@example.com>",
        "<q@example.com>",
        "q@localhost",
        "noreply@example.com (Quill)",
    ],
)
def test_mail_from_may_be_an_address_alone_with_a_name_or_a_comment(mail_from: str) -> None:
    assert Settings.from_env({"MAIL_FROM": mail_from}).mail_from == mail_from


@pytest.mark.parametrize(
    "mail_from",
    ["Quill <jösé@example.org>", "Quill <q@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com>"],
)  # a full-width name IDNA 2008 does not write (and IDNA 2003 would make another)
def test_mail_from_must_go_out_as_ascii(mail_from: str) -> None:
    """A sender no message could carry is refused at start, not on every message."""
    with pytest.raises(SettingsError, match="MAIL_FROM's address must be ASCII"):
        Settings.from_env({"MAIL_FROM": mail_from})


def test_mail_from_at_a_domain_only_idna_2008_writes_goes_out_in_its_ascii_form() -> None:
    settings = Settings.from_env({"MAIL_FROM": "Quill <q@faß.de>"})
    assert address_of(settings.mail_from) == "q@xn--fa-hia.de"  # not fass.de, another domain


def test_mail_from_at_an_international_domain_names_message_ids_in_idna() -> None:
    container = build_container({"MAIL_FROM": "Quill <quill@bücher.de>"})
    mail = container.letters().test(to="ann@example.com", now=T0)
    assert mail.message_id.endswith("@xn--bcher-kva.de>") and mail.message_id.isascii()


@pytest.mark.parametrize("name", ["SMTP_USERNAME", "SMTP_PASSWORD"])
def test_smtp_credentials_must_be_ascii(name: str) -> None:
    with pytest.raises(SettingsError, match=f"{name} must be ASCII") as refused:
        Settings.from_env({name: "pässword-1"})
    assert "pässword" not in str(refused.value)


@pytest.mark.parametrize("host", ["smtp.example.com", "192.0.2.7", "localhost.example"])
def test_a_login_sent_unencrypted_off_this_machine_is_refused_in_production(host: str) -> None:
    login = {"SMTP_USERNAME": "quill", "SMTP_PASSWORD": "s3cret-pw", "SMTP_SECURITY": "none"}
    with pytest.raises(SettingsError, match="SMTP_SECURITY=none would send") as refused:
        Settings.from_env({**PRODUCTION, **login, "SMTP_HOST": host})
    assert "s3cret-pw" not in str(refused.value)
    # Development may log in to a mail catcher beside it (`SMTP_HOST=mailhog`).
    assert Settings.from_env({**login, "SMTP_HOST": host}).smtp_security == "none"


@pytest.mark.parametrize(
    "given",
    [
        {"SMTP_HOST": "127.0.0.1", "SMTP_USERNAME": "quill"},  # a relay on this machine
        {"SMTP_HOST": "localhost", "SMTP_USERNAME": "quill"},
        {"SMTP_HOST": "::1", "SMTP_USERNAME": "quill"},
        {"SMTP_HOST": "smtp.example.com"},  # no login to give away
        {"SMTP_USERNAME": "quill"},  # no SMTP_HOST: nothing goes over SMTP
    ],
)
def test_an_unencrypted_session_is_allowed_where_no_login_crosses_the_network(
    given: dict[str, str],
) -> None:
    settings = Settings.from_env({**PRODUCTION, **given, "SMTP_SECURITY": "none"})
    assert settings.smtp_security == "none"


@pytest.mark.parametrize(
    ("given", "greeting"),
    [
        ("", ""),  # this machine's own name, found when the sender is made
        (" mail.example.com ", "mail.example.com"),
        ("192.0.2.1", "[192.0.2.1]"),
        ("2001:db8::1", "[IPv6:2001:db8::1]"),
    ],
)
def test_smtp_helo_name_is_a_name_or_an_address_written_as_smtp_wants(
    given: str, greeting: str
) -> None:
    assert Settings.from_env({"SMTP_HELO_NAME": given}).smtp_helo_name == greeting


@pytest.mark.parametrize(
    "given", ["mail example.com", "mail.example.com:25", "[192.0.2.1]", "fe80::1%eth0"]
)
def test_smtp_helo_name_must_be_a_name_or_an_address(given: str) -> None:
    with pytest.raises(SettingsError, match="SMTP_HELO_NAME must be a host name"):
        Settings.from_env({"SMTP_HELO_NAME": given})


def test_a_database_url_may_hold_any_printable_character_in_its_password() -> None:
    """A no-break space is not a control character (%C2%A0)."""
    url = "postgresql+psycopg://u:pass%C2%A0word@db/quill"
    assert Settings.from_env({"DATABASE_URL": url}).database_url == url


def test_the_development_secret_padded_with_spaces_is_refused_in_production() -> None:
    padded = " quill-development-secret-not-for-production "
    with pytest.raises(SettingsError, match="SECRET_KEY is the development secret"):
        Settings.from_env({**PRODUCTION, "SECRET_KEY": padded})


def test_a_printed_settings_shows_no_secret() -> None:
    shown = repr(Settings.from_env({**PRODUCTION, "SMTP_PASSWORD": "smtp-secret"}))
    for secret in ("k" * 48, "j" * 48, ":pw@", "smtp-secret"):
        assert secret not in shown


@pytest.mark.parametrize(
    "mail_from",
    [
        f"q@{'a' * 300}.com",  # every message's file name in MAIL_DIR too long
        "q@x..com",
        "q@-x.com",
        f"{'q' * 65}@example.com",
        f"{'N' * 200} <q@example.com>",
    ],
)
def test_mail_from_must_fit_a_header_and_name_a_host(mail_from: str) -> None:
    with pytest.raises(SettingsError, match="MAIL_FROM must be at most 200 characters"):
        Settings.from_env({"MAIL_FROM": mail_from})


def test_mail_dir_must_not_be_a_file(tmp_path: pathlib.Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    for under_a_file in ("file", "file/mail", "file/mail/sent"):
        with pytest.raises(SettingsError, match="MAIL_DIR must be a folder"):
            Settings.from_env({"MAIL_DIR": str(tmp_path / under_a_file)})
    new = str(tmp_path / "new" / "mail")
    assert Settings.from_env({"MAIL_DIR": new}).mail_dir == new
    with pytest.raises(SettingsError, match="MAIL_DIR cannot be used: File name too long"):
        Settings.from_env({"MAIL_DIR": str(tmp_path / ("a" * 300) / "mail")})


@pytest.mark.parametrize(
    ("name", "value"),
    [("PUBLIC_URL", "http://{a} b"), ("VERIFY_LINK", "https://{a} x/{{token}}")],
)
def test_a_long_url_setting_with_a_space_is_refused_as_it_is_read(name: str, value: str) -> None:
    """Its pattern once tried every split of the host and the rest, a time growing with the
    square of the length: about 70 s at 100,000 characters, so 200,000 would take minutes.
    The timeout only catches that hang; the refusal itself takes a fraction of a second."""
    check = (
        "from infrastructure.settings import Settings, SettingsError\n"
        f"value = {value!r}.format(a='a' * 200_000)\n"
        "try:\n"
        f"    Settings.from_env({{{name!r}: value}})\n"
        "except SettingsError as error:\n"
        f"    assert str(error).startswith({name + ' must be an http'!r}), error\n"
        "else:\n"
        "    raise SystemExit('taken')\n"
    )
    subprocess.run([BIN / "python", "-c", check], cwd=ROOT, check=True, timeout=60)


def test_a_secret_of_spaces_is_refused_in_production() -> None:
    with pytest.raises(SettingsError, match="SECRET_KEY must be a secret"):
        Settings.from_env({**PRODUCTION, "SECRET_KEY": " " * 48})


def test_production_sending_mail_on_development_links_and_sender_is_warned_of() -> None:
    """Warned of, not refused: a migration or the API need no mail settings to run."""
    sending = {**PRODUCTION, "SMTP_HOST": "smtp.example.com"}
    assert Settings.from_env(sending).mail_cautions() == [
        "VERIFY_LINK points at http://127.0.0.1:8000: set PUBLIC_URL (or VERIFY_LINK).",
        "RESET_LINK points at http://127.0.0.1:8000: set PUBLIC_URL (or RESET_LINK).",
        "MAIL_FROM is Quill <quill@localhost>: set the sender mail servers expect.",
    ]


def test_production_mailing_links_in_plain_http_is_warned_of() -> None:
    """A reset link's token read on the way is the account."""
    sending = {
        **PRODUCTION, "SMTP_HOST": "smtp.example.com", "MAIL_FROM": "q@example.com",
        "PUBLIC_URL": "http://quill.example.com",
        "RESET_LINK": "https://app.example.com/reset?token={token}",
    }  # fmt: skip
    assert Settings.from_env(sending).mail_cautions() == [
        "VERIFY_LINK is plain http: its token crosses the network readable; use https."
    ]
    mailing = {
        **sending, "PUBLIC_URL": "https://quill.example.com", "MAIL_FROM": "q@example.com"
    }  # fmt: skip
    assert Settings.from_env(mailing).mail_cautions() == []
    assert Settings.from_env(PRODUCTION).mail_cautions() == []  # nothing is mailed out


def _gunicorn(*options: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BIN / "gunicorn", "-c", "gunicorn.conf.py", *options],
        env={**environment(UNOPENED), **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("name", "value", "bounds"),
    [
        ("WEB_CONCURRENCY", "0", "1 to 1024"),
        ("GUNICORN_THREADS", "x", "1 to 1024"),
        ("GUNICORN_TIMEOUT", "-5", "0 to 86400"),
        # Past a day, each worker's timer overflowed as it started: replaced, forever.
        ("GUNICORN_TIMEOUT", "99999999999999999999", "0 to 86400"),
        ("PORT", "99999", "1 to 65535"),  # gunicorn's own answer was a traceback
        ("PORT", "abc", "1 to 65535"),
        ("GUNICORN_THREADS", "9" * 5000, "1 to 1024"),  # int() refuses 4,300 digits
    ],
)
def test_gunicorn_refuses_a_setting_of_its_own_in_one_line(
    name: str, value: str, bounds: str
) -> None:
    """Not 0 workers listening and answering nobody; not a config file's traceback."""
    done = _gunicorn("--check-config", **{name: value})
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        f"quill: {name} must be a whole number from {bounds}."
    ]


def test_an_empty_address_in_bind_is_refused_not_taken_for_every_interface() -> None:
    """gunicorn reads an empty entry as its own default, 0.0.0.0:8000: a listener nobody asked
    for, on every interface."""
    done = _gunicorn("--check-config", BIND="127.0.0.1:8216,")
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "quill: BIND must be addresses separated by commas, none of them empty."
    ]


@pytest.mark.parametrize(
    ("bind", "refused"),
    [
        ("127.0.0.1:99999", "quill: BIND's 127.0.0.1:99999 must be host:port with a port from"),
        ("127.0.0.1:0", "quill: BIND's 127.0.0.1:0 must be host:port with a port from"),
        ("127.0.0.1:abc", "quill: BIND's 127.0.0.1:abc must be host:port with a port from"),
        ("fd://99", "quill: BIND's fd://99 names no open file descriptor."),
        ("unix:", "quill: BIND's unix: must name a socket's path, not a file's."),
    ],
)
def test_an_address_in_bind_gunicorn_cannot_use_is_one_line(bind: str, refused: str) -> None:
    """gunicorn's own answers were tracebacks (an OverflowError, a bad file descriptor)."""
    done = _gunicorn("--check-config", BIND=bind)
    assert done.returncode != 0
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(refused)


def test_port_is_not_read_where_bind_gives_every_port() -> None:
    printed = _gunicorn("--print-config", BIND="127.0.0.1:9000", PORT="abc")
    assert printed.returncode == 0, printed.stderr
    assert "['127.0.0.1:9000']" in printed.stdout


def test_a_file_at_a_socket_path_in_bind_is_refused_and_kept(tmp_path: pathlib.Path) -> None:
    kept = tmp_path / "quill.db"
    kept.write_text("important")
    done = _gunicorn("--check-config", BIND=f"unix:{kept}")
    assert done.stderr.strip().splitlines() == [
        f"quill: BIND's unix:{kept} must name a socket's path, not a file's."
    ]
    assert kept.read_text() == "important"


@pytest.mark.parametrize(
    ("bind", "bound"),
    [
        ("", "['0.0.0.0:8216']"),
        (" a:1 , b:2 ", "['a:1', 'b:2']"),
        ("127.0.0.1", "['127.0.0.1:8216']"),  # a host alone: on PORT, not gunicorn's 8000
        ("[::1]", "['[::1]:8216']"),
        ("[::1]:9000", "['[::1]:9000']"),
    ],
)
def test_bind_without_a_port_means_port_and_empty_every_interface(bind: str, bound: str) -> None:
    printed = _gunicorn("--print-config", BIND=bind, PORT="8216").stdout.splitlines()
    settings = dict(line.split("=", 1) for line in printed if "=" in line)
    assert {name.strip(): value.strip() for name, value in settings.items()}["bind"] == bound


@pytest.mark.parametrize(
    "host",
    ["mail.example.com:25", "smtp://mail.example.com", "bad..host", "mail example.com", "-x.com"],
)
def test_smtp_host_is_a_host_name_or_an_address(host: str) -> None:
    with pytest.raises(SettingsError, match="SMTP_HOST must be a host name or an IP address"):
        Settings.from_env({"SMTP_HOST": host})


@pytest.mark.parametrize(
    "host", ["mail.example.com", "localhost", "127.0.0.1", "::1", "mail_relay", "bücher.de."]
)
def test_smtp_host_takes_names_and_addresses(host: str) -> None:
    assert Settings.from_env({"SMTP_HOST": host}).smtp_host == host
