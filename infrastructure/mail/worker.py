"""The mail worker: rounds of DeliverMail until told to stop (`quill worker`, or a thread of
the development server)."""

from __future__ import annotations

import logging
import os
import re
import secrets
import socket
import threading

import attrs

from application.mail import DeliverMail, DeliveryRound, DeliveryTotals
from domain.errors import ServiceUnavailable
from infrastructure.db.health import SCHEMA_BEHIND_ADVICE, outage_reason, schema_behind

log = logging.getLogger("quill.mail")
ADDRESS = re.compile(r"[^\s<>@]+@[^\s<>@]+")  # an e-mail address, in a mail server's words


def _reason(error: Exception) -> str:
    """What the operator can act on: the advice for a schema behind; for an outage, what the
    database driver said."""
    if schema_behind(error):
        return SCHEMA_BEHIND_ADVICE
    said = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return outage_reason(said, error) if isinstance(error, ServiceUnavailable) else said


def worker_name() -> str:
    """Unique among the workers sharing a database: host, process and a random part."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(4)}"


class MailWorker:
    """Delivers until `stop` is set: at once again while messages keep coming, else every
    `poll` seconds. A failed round (the database is away, say) is logged in a line and tried
    again later: the worker never dies of it. With `once`, it stops when nothing is due, and
    a failed round is raised to the caller (the CLI says why in one line); it delivers what
    was due when its first round began, so that retries coming due meanwhile (a server that
    keeps failing) do not keep it running."""

    def __init__(self, deliver: DeliverMail, poll: float = 2.0) -> None:
        self._deliver = deliver
        self._poll = poll
        self.name = worker_name()

    def run(self, stop: threading.Event, *, once: bool = False) -> DeliveryTotals:
        totals = DeliveryTotals()
        pause = self._poll
        due_by = None
        while not stop.is_set():
            try:
                done = self._deliver(self.name, stop.is_set, due_by)
            except Exception as error:
                if once:
                    raise
                # An outage, or a schema not yet migrated (a worker started before `quill db
                # upgrade`), is one line a round; anything else keeps its traceback, for it is
                # a fault to find, not to wait out.
                waiting = isinstance(error, ServiceUnavailable) or schema_behind(error)
                reason = _reason(error)
                log.error(
                    "mail delivery round failed (%s: %s); trying again in %g s",
                    type(error).__name__, reason, pause, exc_info=not waiting,
                )  # fmt: skip
                stop.wait(pause)
                pause = min(pause * 2, 60)
                continue
            pause = self._poll
            if once:
                due_by = done.as_of
            if done.claimed:
                totals += done
                self._log(done)
            if done.claimed == 0:
                if once:
                    break
                stop.wait(self._poll)
        return totals

    def in_thread(self) -> tuple[threading.Thread, threading.Event]:
        """The worker in a daemon thread (the development server's); the event stops it."""
        stop = threading.Event()
        thread = threading.Thread(target=self.run, args=(stop,), name="quill-mail", daemon=True)
        thread.start()
        return thread, stop

    def _log(self, done: DeliveryRound) -> None:
        fields = {
            key: getattr(done, key) for key in ("claimed", *attrs.fields_dict(DeliveryTotals))
        }
        log.info("mail delivery round", extra={"fields": fields})
        # Servers quote the recipient, which the log never holds.
        for later in done.put_off:  # why, so a setting at fault is seen before tries run out
            retry_at = f"{later.retry_at:%Y-%m-%d %H:%M:%S} UTC" if later.retry_at else "?"
            log.info(
                "mail %d (%s) not sent, tried again at %s: %s", later.mail_id, later.kind,
                retry_at, ADDRESS.sub("[address]", later.reason),
                extra={"fields": {"mail_id": later.mail_id, "kind": later.kind}},
            )  # fmt: skip
        for gave_up in done.given_up:  # each needs an operator: `quill mail list --failed`
            log.warning(
                "mail %d (%s) given up: %s", gave_up.mail_id, gave_up.kind,
                ADDRESS.sub("[address]", gave_up.reason),
                extra={"fields": {"mail_id": gave_up.mail_id, "kind": gave_up.kind}},
            )  # fmt: skip
