"""`quill serve` (the development server) and `quill worker` (mail delivery)."""

from __future__ import annotations

import logging
import math
import signal
import socket
import threading
from typing import Any

import click
from dependency_injector.wiring import Provide, inject

from interfaces.cli.app import cli
from interfaces.container import Container, links_follow


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--no-migrate", is_flag=True, help="Do not migrate the database first.")
@inject
def serve(
    host: str, port: int, no_migrate: bool, migrator: Any = Provide[Container.migrator]
) -> None:
    """Run the development server (migrating the database first)."""
    from interfaces.http.app import create_app
    from interfaces.http.pages import HideQueryStrings

    _refuse_a_taken_address(host, port)
    if not no_migrate:
        migrator.upgrade()
    container = click.get_current_context().obj
    links_follow(container, host, port)
    app = create_app(container)
    # Development delivers its own mail: a worker thread beside the server (one worker, as
    # SQLite wants). The request log of werkzeug's server leaves out query strings (tokens).
    logging.getLogger("werkzeug").addFilter(HideQueryStrings())
    _, stop = container.mail_worker().in_thread()
    try:
        app.run(host=host, port=port)
    finally:
        stop.set()


def _refuse_a_taken_address(host: str, port: int) -> None:
    """One line when the address cannot be listened on (werkzeug would print two, or a
    traceback for a host that does not resolve); tried as werkzeug's server will bind it."""
    from werkzeug.serving import get_sockaddr, select_address_family

    family = select_address_family(host, port)
    if family == getattr(socket, "AF_UNIX", None):
        return  # a socket file: the server makes it and says what it finds
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
            probe.bind(get_sockaddr(host, port, family))
    except OSError as error:
        reason = error.strerror or str(error)
        raise click.ClickException(f"Cannot listen on {host}:{port}: {reason}.") from None


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
    click.echo(
        f"Worker {mail_worker.name} stopped: {totals['sent']} sent, {totals['deferred']} to"
        f" try again, {totals['failed']} failed, {totals['handed_back']} handed back."
    )


STOPPING = (signal.SIGTERM, signal.SIGINT)
