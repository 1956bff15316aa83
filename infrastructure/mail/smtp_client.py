"""smtplib's client, bounded where a mail server could push it: a whole send ends by its
deadline however slowly the server drips its answers, and a reply is of bounded size.

smtplib reads a reply line by line with no limit on their number, and its timeout bounds each
read alone: a server answering `250-` every few seconds holds a send, and the lease of its
message, for ever, and one that floods continuation lines fills the worker's memory. Both
classes below override smtplib's public `getreply` and `send`, the two places every command
and every answer pass through.
"""

from __future__ import annotations

import math
import smtplib
import time
from typing import Any

REPLY_LINE_MAX = 2048  # bytes; RFC 5321 allows 512 for a reply line
REPLY_LINES_MAX = 100  # an EHLO answer has one line per extension: a dozen or two


class SlowServer(smtplib.SMTPException):
    """The mail server answered too slowly for the send to end by its deadline."""


class MalformedReply(smtplib.SMTPException):
    """An answer too large for any SMTP server to give."""


class Bounded:
    """Mixed into smtplib.SMTP and SMTP_SSL: every read and write ends by `deadline`
    (time.monotonic()), and a reply has at most REPLY_LINES_MAX lines of REPLY_LINE_MAX bytes.
    A line that is not an SMTP answer gives code -1 and the whole line, as smtplib's own
    `getreply` gives -1 (EHLO's fallback to HELO relies on it)."""

    deadline = math.inf
    sock: Any
    file: Any
    timeout: float
    close: Any  # smtplib.SMTP's, after this class in the method order

    def send(self, s: bytes | str) -> None:
        self._keep_to_deadline()
        super().send(s)  # type: ignore[misc]

    def getreply(self) -> tuple[int, bytes]:
        if self.file is None:
            self.file = self.sock.makefile("rb")
        lines: list[bytes] = []
        while True:
            self._keep_to_deadline()
            try:
                line = self.file.readline(REPLY_LINE_MAX + 1)
            except OSError as error:
                self.close()
                if time.monotonic() >= self.deadline:  # the read the deadline cut short
                    raise SlowServer("the mail server answered too slowly") from None
                raise smtplib.SMTPServerDisconnected(f"Connection lost: {error}") from None
            if not line:
                self.close()
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            if len(line) > REPLY_LINE_MAX:
                self.close()
                raise MalformedReply(f"an answer line longer than {REPLY_LINE_MAX} bytes")
            code, mark = line[:3], line[3:4]
            if not (code.isdigit() and mark in (b" ", b"-", b"\r", b"\n", b"")):
                return -1, line.strip(b" \t\r\n")
            lines.append(line[4:].strip(b" \t\r\n"))
            if mark != b"-":
                return int(code), b"\n".join(lines)
            if len(lines) >= REPLY_LINES_MAX:
                self.close()
                raise MalformedReply(f"an answer of more than {REPLY_LINES_MAX} lines")

    def _keep_to_deadline(self) -> None:
        left = self.deadline - time.monotonic()
        if left <= 0:
            self.close()
            raise SlowServer("the mail server answered too slowly")
        if self.sock is not None:
            self.sock.settimeout(min(self.timeout, left))


class BoundedSMTP(Bounded, smtplib.SMTP):
    pass


class BoundedSMTPOverTLS(Bounded, smtplib.SMTP_SSL):
    pass
