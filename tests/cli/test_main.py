"""The installed `quill` entry point, run as a process: settings and database failures."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import tempfile
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from argon2 import PasswordHasher
from dependency_injector import providers

from infrastructure.settings import DEV_PUBLIC_URL
from interfaces.container import links_follow
from tests.cli.conftest import QUILL_BIN
from tests.cli.expect import one_line_error, process_one_line_error
from tests.mailserver import free_port

SECRET = "s3cret-value-of-more-than-32-characters"
PG_PASSWORD = "hunter2-pw"
UNREACHABLE_PG = f"postgresql+psycopg://quill:{PG_PASSWORD}@127.0.0.1:1/quill"


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path}/q.db"


def test_quill_help_lists_the_commands(quill_process, sqlite_url):
    done = quill_process("--help", DATABASE_URL=sqlite_url)

    assert done.returncode == 0, done.stderr
    commands = done.stdout.split("Commands:")[1].split()
    assert {"create-admin", "db", "seed", "serve", "users"} <= set(commands)


def test_production_without_secrets_is_one_line_naming_the_missing_one(quill_process, sqlite_url):
    done = quill_process("users", "list", APP_ENV="production", DATABASE_URL=sqlite_url)

    assert done.returncode != 0
    assert "SECRET_KEY" in process_one_line_error(done.stderr)
    assert done.stdout == ""


def test_production_without_a_database_url_is_one_line_naming_it(quill_process):
    done = quill_process(
        "db", "current", APP_ENV="production", SECRET_KEY=SECRET, JWT_SECRET_KEY=SECRET
    )

    assert done.returncode != 0
    assert "DATABASE_URL" in process_one_line_error(done.stderr)


def test_an_unparsable_database_url_is_one_line_without_a_traceback(quill_process):
    done = quill_process("db", "current", DATABASE_URL="not-a-url")

    assert done.returncode != 0
    assert process_one_line_error(done.stderr).startswith("Error:")


def test_an_unknown_database_dialect_is_one_line_without_a_traceback(quill_process):
    done = quill_process("users", "list", DATABASE_URL="nosuchdb://host/db")

    assert done.returncode != 0
    assert process_one_line_error(done.stderr).startswith("Error:")


@pytest.mark.parametrize("command", [("users", "list"), ("db", "current"), ("db", "upgrade")])
def test_an_unreachable_database_is_one_line_saying_so_without_a_traceback(quill_process, command):
    """The migrations' commands say it as every use case does, not as the driver's error."""
    done = quill_process(*command, DATABASE_URL=UNREACHABLE_PG)

    assert done.returncode == 1
    said = process_one_line_error(done.stderr)
    assert said.startswith("Error: The service is temporarily unavailable. The database: ")


@pytest.mark.parametrize("command", [("db", "current"), ("users", "list")])
def test_an_unreachable_database_error_never_shows_its_password(quill_process, command):
    done = quill_process(*command, DATABASE_URL=UNREACHABLE_PG)

    assert done.returncode != 0
    assert PG_PASSWORD not in process_one_line_error(done.stderr)


def test_a_use_case_on_a_database_file_out_of_reach_says_why(quill_process):
    """Not only "temporarily unavailable": the operator is told what the database said."""
    done = quill_process("users", "list", DATABASE_URL="sqlite:////nonexistent-quill/q.db")

    assert done.returncode != 0
    assert "The database: unable to open database file" in process_one_line_error(done.stderr)


def test_a_file_that_is_not_a_database_says_so_in_one_line(quill_process, tmp_path):
    (tmp_path / "notes.txt").write_text("not a database\n" * 100)
    done = quill_process("users", "list", DATABASE_URL=f"sqlite:///{tmp_path}/notes.txt")

    assert done.returncode == 1
    assert "The database: file is not a database" in process_one_line_error(done.stderr)


def test_a_database_file_that_cannot_be_opened_is_one_line_without_a_traceback(quill_process):
    done = quill_process("db", "upgrade", DATABASE_URL="sqlite:////nonexistent-quill/q.db")

    assert done.returncode != 0
    assert process_one_line_error(done.stderr).startswith("Error:")


def test_a_piped_password_prompt_warns_in_one_line_without_python_s_warning(
    quill_process, sqlite_url
):
    assert quill_process("db", "upgrade", DATABASE_URL=sqlite_url).returncode == 0
    answers = "root@example.com\nRoot\nCorrect horse 9\nCorrect horse 9\n"
    done = quill_process("create-admin", input=answers, DATABASE_URL=sqlite_url)

    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("Created admin root@example.com (id 1).\n")
    assert "GetPassWarning" not in done.stderr and "getpass.py" not in done.stderr
    assert done.stderr.count("Warning: Password input may be echoed.") == 2


def test_the_entry_point_migrates_the_database_it_is_pointed_at(quill_process, sqlite_url):
    done = quill_process("db", "upgrade", DATABASE_URL=sqlite_url)

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Database at revision")


@pytest.mark.parametrize(
    ("args", "shown"),
    [(["--help"], "users"), (["users", "list", "--help"], "--search"),
     (["db", "downgrade", "--help"], "--revision"), (["mail", "--help"], "retry")],
)  # fmt: skip
def test_help_needs_no_valid_settings(quill_process, args, shown):
    done = quill_process(*args, APP_ENV="production")  # no secrets, no database

    assert done.returncode == 0, done.stderr
    assert shown in done.stdout


def test_bad_settings_are_said_before_any_question_is_asked(quill_process):
    answers = "root@example.com\nRoot\nCorrect horse 9\nCorrect horse 9\n"
    done = quill_process("create-admin", input=answers, APP_ENV="production")

    assert done.returncode == 1
    assert done.stdout == ""  # no "Email:" prompt
    assert done.stderr == "Error: DATABASE_URL must be set when APP_ENV=production.\n"


def test_a_command_on_invalid_settings_is_one_line_on_stderr(quill_process):
    done = quill_process("users", "list", APP_ENV="production")

    assert done.returncode == 1
    assert done.stderr == "Error: DATABASE_URL must be set when APP_ENV=production.\n"


def test_serving_on_an_address_in_use_is_one_line_on_stderr(quill):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = one_line_error(quill("serve", "--port", str(port), "--no-migrate"))
    assert f"Cannot listen on 127.0.0.1:{port}" in line


@pytest.mark.parametrize(
    ("host", "said"),
    [
        ("", "Invalid value for '--host': must name an address (0.0.0.0 for every interface)."),
        (" ", "Invalid value for '--host': must name an address (0.0.0.0 for every interface)."),
        ("a" * 64 + ".example", "not a host name."),  # a label past 63 characters
    ],
)
def test_serving_on_no_address_or_no_host_name_is_one_line(quill, host: str, said: str):
    """An empty host listened on every interface (`--host "$HOST"` with HOST unset)."""
    assert said in one_line_error(quill("serve", "--host", host, "--no-migrate"))


def test_a_database_behind_this_release_is_one_line_asking_for_an_upgrade(
    quill_process, sqlite_url
):
    migrated = quill_process("db", "upgrade", "--revision", "0006", DATABASE_URL=sqlite_url)
    assert migrated.returncode == 0, migrated.stderr
    for command in (("users", "list"), ("mail", "list")):  # a column, a table this release adds
        done = quill_process(*command, DATABASE_URL=sqlite_url)
        assert done.returncode != 0
        line = process_one_line_error(done.stderr)
        assert line == (
            "Error: The database's schema is missing or older than this release:"
            " run `quill db upgrade`."
        ), line


def test_an_insert_into_a_column_a_database_behind_lacks_asks_for_an_upgrade(
    quill_process, sqlite_url
):
    """SQLite says it apart from a read ("table users has no column named username"): it
    was an outage, "temporarily unavailable"."""
    migrated = quill_process("db", "upgrade", "--revision", "0003", DATABASE_URL=sqlite_url)
    assert migrated.returncode == 0, migrated.stderr
    done = quill_process("seed", "--users", "3", "--posts", "5", DATABASE_URL=sqlite_url)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (  # after the first stage's progress bar
        "Error: The database's schema is missing or older than this release:"
        " run `quill db upgrade`."
    )


def test_an_empty_revision_is_one_line(quill_process, sqlite_url):
    done = quill_process("db", "upgrade", "--revision", " ", DATABASE_URL=sqlite_url)
    assert done.returncode == 2
    assert "must name a revision" in process_one_line_error(done.stderr)


@pytest.mark.parametrize(
    ("host", "base"),
    [("127.0.0.1", "http://127.0.0.1:9000"), ("0.0.0.0", "http://127.0.0.1:9000"),
     ("localhost", "http://localhost:9000"), ("::1", "http://[::1]:9000")],
)  # fmt: skip
def test_development_links_follow_the_address_served(container, host, base):
    links_follow(container, host, 9000)
    assert container.config.links.verify_link() == f"{base}/verify-email?token={{token}}"
    assert container.config.links.reset_link() == f"{base}/reset-password?token={{token}}"


@pytest.mark.parametrize("host", ["unix:///tmp/quill.sock", "fe80::1%eth0"])
def test_an_address_no_link_can_name_leaves_the_links_as_they_are(container, host):
    links_follow(container, host, 9000)
    assert container.config.links.verify_link().startswith(f"{DEV_PUBLIC_URL}/verify-email?")


def test_links_elsewhere_stay_whatever_the_address_served(container):
    elsewhere = "https://blog.example/verify-email?token={token}"
    container.config.links.verify_link.from_value(elsewhere)
    links_follow(container, "127.0.0.1", 9000)
    assert container.config.links.verify_link() == elsewhere


def serving(quill, container, monkeypatch, *args: str) -> tuple[Any, list[tuple]]:
    """`quill serve ARGS` up to the server's start, which is recorded instead."""
    served: list[tuple] = []
    monkeypatch.setattr(
        "werkzeug.serving.run_simple", lambda *given, **options: served.append((given, options))
    )
    worker = SimpleNamespace(in_thread=lambda: (None, threading.Event()))
    with container.mail_worker.override(providers.Object(worker)):
        return quill("serve", *args, "--no-migrate"), served


def test_serve_mails_links_to_the_port_it_serves(quill, container, monkeypatch):
    port = free_port()
    done, served = serving(quill, container, monkeypatch, "--port", str(port))

    assert done.exit_code == 0, done.output
    [((host, served_port, _app), _options)] = served
    assert (host, served_port) == ("127.0.0.1", port)
    assert container.config.links.reset_link().startswith(
        f"http://127.0.0.1:{port}/reset-password?"
    )


def test_serve_never_turns_on_the_debugger_or_the_reloader(quill, container, monkeypatch):
    """Flask's app.run reads FLASK_DEBUG: the debugger runs the code it is sent, and its
    reloader's child process found the port taken by its parent."""
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")  # app.run would serve nothing
    done, served = serving(quill, container, monkeypatch, "--port", str(free_port()))
    assert done.exit_code == 0, done.output
    [(_given, options)] = served
    assert not options.get("use_debugger") and not options.get("use_reloader")


def test_serve_refuses_to_be_production_s_server(quill_process, sqlite_url):
    done = quill_process(
        "serve", "--no-migrate", APP_ENV="production", DATABASE_URL=sqlite_url,
        SECRET_KEY="k" * 48, JWT_SECRET_KEY="j" * 48,
    )  # fmt: skip
    assert done.returncode == 1
    assert process_one_line_error(done.stderr).startswith(
        "Error: quill serve is the development server: with APP_ENV=production run"
    )


def test_serve_on_a_socket_path_never_removes_a_file_there(quill, container, monkeypatch):
    """werkzeug removes what is at the path before it listens: a database, say."""
    with tempfile.TemporaryDirectory(dir="/tmp") as folder:  # short: a socket path's limit
        kept = Path(folder, "quill.db")
        kept.write_text("important")
        done, served = serving(quill, container, monkeypatch, "--host", f"unix://{kept}")
        assert one_line_error(done) == (
            f"Error: Cannot listen on unix://{kept}: {kept} is there and is not a socket."
        )
        assert served == [] and kept.read_text() == "important"


def test_serve_on_a_socket_path_too_long_for_one_is_one_line(quill, container, monkeypatch):
    path = "/tmp/" + "q" * 120 + ".sock"
    done, served = serving(quill, container, monkeypatch, "--host", f"unix://{path}")
    assert one_line_error(done).endswith("a socket's path is at most 107 bytes.")
    assert served == []


def test_serve_on_a_socket_another_server_answers_on_is_refused(quill, container, monkeypatch):
    with tempfile.TemporaryDirectory(dir="/tmp") as folder:
        path = str(Path(folder, "live.sock"))
        with socket.socket(socket.AF_UNIX) as live:
            live.bind(path)
            live.listen()
            done, served = serving(quill, container, monkeypatch, "--host", f"unix://{path}")
        assert "a server answers there" in one_line_error(done) and served == []
        # Left by a server that stopped: nobody answers, so it may be replaced.
        done, served = serving(quill, container, monkeypatch, "--host", f"unix://{path}")
        assert done.exit_code == 0, done.output
        assert len(served) == 1


@pytest.mark.parametrize(
    ("args", "position"),
    [
        (("users", "set-role", "a\udcff@example.com", "admin"), 3),
        (("users", "list", "--search", "\udcff"), 4),
        (("create-admin", "--email", "a@example.com", "--password", "Secr\udcffet-1"), 5),
    ],
)
def test_an_argument_that_is_not_utf8_is_one_usage_line_naming_its_place(
    quill_process, sqlite_url, args, position
):
    """Python keeps the byte 0xff of a command line that is not UTF-8 as the character
    U+DCFF. The error names the argument's place, never its value (a password, say)."""
    done = quill_process(*args, DATABASE_URL=sqlite_url)

    assert done.returncode == 2
    assert process_one_line_error(done.stderr) == f"Error: argument {position} is not UTF-8 text."


@pytest.mark.parametrize("name", ["PUBLIC_URL", "SECRET_KEY", "MAIL_FROM", "SMTP_HOST"])
def test_a_setting_that_is_not_utf8_is_one_line_naming_it(quill_process, sqlite_url, name):
    done = quill_process("users", "list", DATABASE_URL=sqlite_url, **{name: "x\udcffy"})

    assert done.returncode == 1
    assert process_one_line_error(done.stderr) == f"Error: {name} must be UTF-8 text."


@pytest.mark.parametrize(
    ("given", "asked"),
    [([], "--email"), (["--email", "a@example.com", "--name", "Ann"], "--password")],
)
def test_a_prompt_whose_piped_answers_ran_out_names_the_option_to_give(
    quill_process, sqlite_url, given, asked
):
    """Not Click's bare "Aborted!": which answer was missing, and how to give it."""
    done = quill_process("create-admin", *given, input="", DATABASE_URL=sqlite_url)

    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    # A hidden prompt with no terminal first says that it cannot hide (getpass's own line).
    error = done.stderr.strip().splitlines()[-1].removeprefix("Password: ")
    answered = "answered and confirmed" if asked == "--password" else "answered"
    assert error.startswith(
        f"Error: stdin ended before {asked} was {answered}: give {asked} to run without a prompt."
    )
    assert len(done.stderr.strip().splitlines()) == (2 if asked == "--password" else 1)


def test_a_prompted_password_with_no_confirmation_piped_says_it_is_asked_twice(
    quill_process, sqlite_url
):
    answers = "a@example.com\nAnn\nCorrect horse 9\n"  # the repeat is missing
    done = quill_process("create-admin", input=answers, DATABASE_URL=sqlite_url)

    assert done.returncode == 2
    assert "stdin ended before --password was answered and confirmed" in done.stderr


def test_a_prompt_with_stdin_closed_names_the_option_to_give(sqlite_url, tmp_path):
    done = subprocess.run(
        ["sh", "-c", f'exec "{QUILL_BIN}" create-admin --email a@example.com <&-'],
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "DATABASE_URL": sqlite_url},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

    assert done.returncode == 2
    assert process_one_line_error(done.stderr).startswith(
        "Error: stdin is closed: give --name to run without a prompt."
    )


def test_answers_piped_with_crlf_line_ends_make_the_password_meant(quill_process, sqlite_url):
    """getpass without a terminal strips the LF alone: the admin's password was
    `Secret-Pass-1\\r`, which nobody could type."""
    assert quill_process("db", "upgrade", DATABASE_URL=sqlite_url).returncode == 0
    answers = "z@example.com\r\nZed\r\nSecret-Pass-1\r\nSecret-Pass-1\r\n"
    done = quill_process("create-admin", input=answers, DATABASE_URL=sqlite_url)
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as db:
        (stored,) = db.execute("SELECT password_hash FROM users").fetchone()
    assert PasswordHasher().verify(stored, "Secret-Pass-1")


def test_a_password_with_a_control_character_is_refused(quill_process, sqlite_url):
    assert quill_process("db", "upgrade", DATABASE_URL=sqlite_url).returncode == 0
    done = quill_process(
        "create-admin", "--email", "z@example.com", "--name", "Zed",
        "--password", "Secret-Pass-1\t", DATABASE_URL=sqlite_url,
    )  # fmt: skip
    assert done.returncode == 1
    assert "Must not contain control characters" in process_one_line_error(done.stderr)
