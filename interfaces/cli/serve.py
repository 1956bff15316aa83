"""`quill serve` (the development server) and `quill worker` (mail delivery)."""

from __future__ import annotations

import logging
import math
import os
import signal
import socket
import stat
import threading
from contextlib import suppress
from typing import Any

import click
from dependency_injector.wiring import Provide, inject

from interfaces.cli.app import cli
from interfaces.container import Container, links_follow


def _a_host(_: click.Context, param: click.Parameter, value: str) -> str:
    """An empty host would listen on every interface, as an empty shell variable
    (`--host "$HOST"`) gives it: 0.0.0.0 says so on purpose."""
    if not value.strip():
        raise click.BadParameter("must name an address (0.0.0.0 for every interface).", param=param)
    return value.strip()


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, callback=_a_host)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--no-migrate", is_flag=True, help="Do not migrate the database first.")
@inject
def serve(
    host: str, port: int, no_migrate: bool, migrator: Any = Provide[Container.migrator]
) -> None:
    """Run the development server (migrating the database first)."""
    from werkzeug.serving import run_simple

    from interfaces.http.app import create_app
    from interfaces.http.logs import HideQueryStrings

    container = click.get_current_context().obj
    if container.config.app_env() == "production":  # one process, no worker model, werkzeug's
        raise click.ClickException(
            "quill serve is the development server: with APP_ENV=production run"
            " `gunicorn -c gunicorn.conf.py` and `quill worker` (README, Production)."
        )
    _refuse_a_taken_address(host, port)
    if not no_migrate:
        migrator.upgrade()
    links_follow(container, host, port)
    app = create_app(container)
    # Development delivers its own mail: a worker thread beside the server (one worker, as
    # SQLite wants). The request log of werkzeug's server leaves out query strings (tokens).
    logging.getLogger("werkzeug").addFilter(HideQueryStrings())
    _, stop = container.mail_worker().in_thread()
    try:
        # werkzeug's server itself, not Flask's app.run: that one reads FLASK_DEBUG and
        # FLASK_RUN_FROM_CLI from the environment, which would turn on the debugger (it runs
        # the code it is sent) or quietly serve nothing. No reloader, no debugger, here.
        run_simple(host, port, app, threaded=True)
    finally:
        stop.set()


def _refuse_a_taken_address(host: str, port: int) -> None:
    """One line when the address cannot be listened on (werkzeug would print two, or a
    traceback for a host that does not resolve); tried as werkzeug's server will bind it."""
    from werkzeug.serving import get_sockaddr, select_address_family

    family = select_address_family(host, port)
    if family == getattr(socket, "AF_UNIX", None):
        _refuse_a_path_taken(host)
        return
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
            probe.bind(get_sockaddr(host, port, family))
    except OSError as error:
        reason = error.strerror or str(error)
        raise click.ClickException(f"Cannot listen on {host}:{port}: {reason}.") from None
    except UnicodeError:  # a name DNS cannot hold (a label past 63 characters)
        raise click.ClickException(f"Cannot listen on {host}:{port}: not a host name.") from None


def _refuse_a_path_taken(host: str) -> None:
    """werkzeug's server removes whatever is at a socket's path before it listens there: a
    file (the database, say) or a live server's socket. Only a socket nobody answers on, left
    by a server that stopped, may go."""
    path = host.removeprefix("unix://")
    if not path:
        raise click.ClickException(f"Cannot listen on {host}: it names no path.")
    if len(os.fsencode(path)) > SOCKET_PATH_MAX:
        raise click.ClickException(
            f"Cannot listen on {host}: a socket's path is at most {SOCKET_PATH_MAX} bytes."
        )
    try:
        kind = os.stat(path).st_mode
    except OSError:
        return  # nothing there (or nothing we may see): the server says what it finds
    if not stat.S_ISSOCK(kind):
        raise click.ClickException(f"Cannot listen on {host}: {path} is there and is not a socket.")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe, suppress(OSError):
        probe.connect(path)
        raise click.ClickException(f"Cannot listen on {host}: a server answers there.")


SOCKET_PATH_MAX = 107  # sun_path's 108 bytes on Linux, with the NUL that ends it


def _finite(_: click.Context, param: click.Parameter, value: float) -> float:
    """FloatRange lets `nan` through: it is neither below nor above any bound."""
    if not math.isfinite(value):
        raise click.BadParameter("must be a number of seconds.", param=param)
    return value


@cli.command()
@click.option("--once", is_flag=True, help="Deliver what is due as it starts, then exit.")
@click.option(
    "--poll", type=click.FloatRange(0.1, 3600), default=2.0, show_default=True,
    callback=_finite, help="Seconds between looks at an empty outbox.",
)  # fmt: skip
def worker(once: bool, poll: float) -> None:
    """Deliver queued mail until SIGTERM or Ctrl-C (which let the message in hand finish)."""
    from interfaces.http import logs

    container: Container = click.get_current_context().obj
    logs.configure(container.config.log_level(), container.config.log_format())
    for caution in container.config.mail.cautions() or ():
        logging.getLogger("quill.mail").warning(caution)
    mail_worker = container.mail_worker(poll=poll)
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in STOPPING}
    try:
        totals = mail_worker.run(stop, once=once)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    lost = f", {totals.lost} settled too late (another worker held it)" if totals.lost else ""
    click.echo(
        f"Worker {mail_worker.name} stopped: {totals.sent} sent, {totals.deferred} to try"
        f" again, {totals.failed} failed, {totals.handed_back} handed back{lost}."
    )


STOPPING = (signal.SIGTERM, signal.SIGINT)
