"""A real SMTP server on loopback for the mail tests (aiosmtpd), and what it received.

It can refuse a recipient (a 4xx or 5xx of choice) and stall a message until told to go on,
so that the tests can fail, slow down, stop or kill a worker while it sends.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Mailbox:
    """What the server received (each message parsed), and how it behaves."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.greeted_as: list[str] = []  # each EHLO's or HELO's name
        self.refuse: dict[str, str] = {}  # recipient: the answer to RCPT, e.g. "550 no"
        self.refuse_ehlo_over_tls: str | None = None  # to EHLO and HELO after STARTTLS
        self.delay = 0.0  # seconds each message takes to accept
        self.stall_at: int | None = None  # the DATA of this message (1-based) waits
        self.stalled = threading.Event()  # set once a message waits
        self.go_on = threading.Event()  # set to end the wait
        self.accept_stalled = True  # at the end of the wait: accept it, or answer 451
        self._lock = threading.Lock()
        self._data_seen = 0

    # aiosmtpd's handler hooks.

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        self.greeted_as.append(hostname)
        if self.refuse_ehlo_over_tls and session.ssl is not None:
            return [self.refuse_ehlo_over_tls]
        return responses

    async def handle_HELO(self, server: Any, session: Any, envelope: Any, hostname: str) -> str:
        session.host_name = hostname
        self.greeted_as.append(hostname)
        if self.refuse_ehlo_over_tls and session.ssl is not None:
            return self.refuse_ehlo_over_tls
        return f"250 {server.hostname}"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self._data_seen += 1
            stall = self._data_seen == self.stall_at
        if stall:
            self.stalled.set()
            while not self.go_on.is_set():
                await asyncio.sleep(0.01)
            if not self.accept_stalled:
                return "451 4.3.0 try again later"
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.received.append(message)  # type: ignore[arg-type]
        return "250 2.0.0 accepted"

    # What the tests read.

    def message_ids(self) -> list[str]:
        with self._lock:
            return [str(message["Message-ID"]) for message in self.received]

    def duplicates(self) -> int:
        return sum(n - 1 for n in Counter(self.message_ids()).values())

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.received if str(m["To"]) == address]

    def wait_for(self, count: int, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while len(self.message_ids()) < count:
            assert time.monotonic() < deadline, f"{len(self.message_ids())} of {count} arrived"
            time.sleep(0.02)


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


@contextmanager
def smtp_server(
    mailbox: Mailbox,
    port: int | None = None,
    *,
    smtputf8: bool = True,
    starttls: ssl.SSLContext | None = None,
    tls: ssl.SSLContext | None = None,
) -> Iterator[int]:
    """The server on loopback at `port` (a free one by default) until the block ends;
    `smtputf8`: whether it offers SMTPUTF8 (international addresses); `starttls`: the context
    of the STARTTLS it then requires; `tls`: the context it speaks TLS with from the start."""
    port = port or free_port()
    secured: dict[str, Any] = {}
    if starttls is not None:
        secured.update(tls_context=starttls, require_starttls=True)
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=port, enable_SMTPUTF8=smtputf8, ssl_context=tls,
        **secured,
    )  # fmt: skip
    controller.start()
    try:
        yield port
    finally:
        mailbox.go_on.set()  # a stalled message must not keep the server from stopping
        controller.stop()


# A server that misbehaves on cue, which aiosmtpd (a correct server) cannot be made to do.

Answer = bytes | Callable[[socket.socket], None]
SCRIPT_DEFAULTS: dict[str, Answer] = {
    "greeting": b"220 scripted\r\n", "EHLO": b"250 scripted\r\n", "HELO": b"250 scripted\r\n",
    "MAIL": b"250 ok\r\n", "RCPT": b"250 ok\r\n", "DATA": b"354 go on\r\n",
    "END": b"250 taken\r\n", "RSET": b"250 ok\r\n", "QUIT": b"221 bye\r\n",
}  # fmt: skip


class ScriptedSmtp:
    """One connection at a time on loopback, each command answered as `answers` says
    (verbs, "greeting", and "END" for the end of a message's data): bytes to send, or a
    function that writes to the client's socket as it likes (slowly, without end...)."""

    def __init__(self, **answers: Answer) -> None:
        self.answers = {**SCRIPT_DEFAULTS, **answers}
        self.taken = 0  # messages answered by "END"
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:  # closed: the test is over
                return
            with client, suppress(OSError):  # the client may hang up at any point
                self._converse(client)

    def _converse(self, client: socket.socket) -> None:
        lines = client.makefile("rb")
        self._answer(client, "greeting")
        in_data = False
        for line in lines:
            if in_data:
                if line.rstrip(b"\r\n") == b".":
                    in_data = False
                    self.taken += self.answers["END"] == SCRIPT_DEFAULTS["END"]
                    self._answer(client, "END")
                continue
            verb = line.split(b" ", 1)[0].strip().upper().decode("ascii", "replace")
            in_data = verb == "DATA"
            self._answer(client, verb)
            if verb == "QUIT":
                return

    def _answer(self, client: socket.socket, key: str) -> None:
        answer = self.answers.get(key, b"502 not here\r\n")
        if callable(answer):
            answer(client)
        else:
            client.sendall(answer)


@contextmanager
def scripted_smtp(**answers: Answer) -> Iterator[ScriptedSmtp]:
    server = ScriptedSmtp(**answers)
    try:
        yield server
    finally:
        server.listener.close()


def dripping(first: bytes, every: float = 0.1) -> Callable[[socket.socket], None]:
    """An answer that never ends: `first` again and again (a continuation line), slowly."""

    def drip(client: socket.socket) -> None:
        while True:
            client.sendall(first)
            time.sleep(every)

    return drip


def dripping_bytes(answer: bytes, every: float = 0.1) -> Callable[[socket.socket], None]:
    """An answer sent a byte at a time, slowly: each byte well within a read's timeout."""

    def drip(client: socket.socket) -> None:
        for byte in answer:
            client.sendall(bytes([byte]))
            time.sleep(every)

    return drip
