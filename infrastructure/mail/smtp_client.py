"""smtplib's client, bounded where a mail server could push it: a whole send ends by its
deadline however slowly the server drips its answers, and a reply is of bounded size.

smtplib reads a reply line by line with no limit on their number, and its timeout bounds each
read of the socket alone: a server sending a byte or a `250-` line now and then holds a send,
and the lease of its message, for as long as it likes, and one that floods continuation
lines fills the worker's memory. The classes below override smtplib's public `getreply` and
`send`, which every answer and every command pass through. `getreply` reads the reply from
smtplib's `file` (the socket's reader, which `connect` and `starttls` make anew) as smtplib's
own does: documented attributes of no underscore, but smtplib's state all the same.
"""

from __future__ import annotations

import smtplib
import time
from typing import Any, NoReturn

REPLY_LINE_MAX = 2048  # bytes; RFC 5321 allows 512 for a reply line
REPLY_LINES_MAX = 100  # an EHLO answer has one line per extension: a dozen or two
TOO_SLOW = "the mail server answered too slowly"
SILENT = "the mail server did not answer within SMTP_TIMEOUT"
# A message's data ends so (smtplib's `data` sends it whole, in one `send`).
END_OF_DATA = b"\r\n.\r\n"
MAYBE_KEPT = ", after the whole message: it may have kept it (tried again, it may arrive twice)"


# Both end the connection, as smtplib's own SMTPServerDisconnected says; smtplib then lets
# the answer that came before them stand (its RSET after a refusal ignores a lost server).
class SlowServer(smtplib.SMTPServerDisconnected):
    """The mail server answered too slowly for the send to end by its deadline."""


class MalformedReply(smtplib.SMTPServerDisconnected):
    """An answer too large for any SMTP server to give."""


class Bounded:
    """Mixed into smtplib.SMTP and SMTP_SSL: every read and write ends by `deadline`
    (time.monotonic()), and a reply has at most REPLY_LINES_MAX lines of REPLY_LINE_MAX bytes.
    A line that is not an SMTP answer gives code -1 and the whole line, as smtplib's own
    `getreply` gives -1 (EHLO's fallback to HELO relies on it). `deadline` is set before
    smtplib's constructor connects, so the greeting keeps to it too."""

    sock: Any
    file: Any
    timeout: float
    close: Any  # smtplib.SMTP's, after this class in the method order

    def __init__(self, *args: Any, deadline: float, **kwargs: Any) -> None:
        self.deadline = deadline
        self.sent_whole_message = False  # what the next reply answers: the operator's
        super().__init__(*args, **kwargs)  # to know whether a lost one was delivered

    def send(self, s: bytes | str) -> None:
        self._keep_to_deadline()
        self.sent_whole_message = isinstance(s, bytes) and s.endswith(END_OF_DATA)
        super().send(s)  # type: ignore[misc]

    def getreply(self) -> tuple[int, bytes]:
        if self.file is None:
            self.file = self.sock.makefile("rb")
        lines: list[bytes] = []
        while True:
            line = self._line()
            code, mark = line[:3], line[3:4]
            if not (code.isdigit() and mark in (b" ", b"-", b"\r", b"\n", b"")):
                return -1, line.strip(b" \t\r\n")
            lines.append(line[4:].strip(b" \t\r\n"))
            if mark != b"-":
                return int(code), b"\n".join(lines)
            if len(lines) >= REPLY_LINES_MAX:
                self._refuse(MalformedReply(f"an answer of more than {REPLY_LINES_MAX} lines"))

    def _line(self) -> bytes:
        """One line of the reply, each read of the socket within the time left: `peek` reads
        the socket at most once, and only what it holds up to the line's end is taken."""
        line = b""
        while True:
            self._keep_to_deadline()
            try:
                held = self.file.peek(1)
            except OSError as error:
                if time.monotonic() >= self.deadline:  # the read the deadline cut short
                    self._refuse(SlowServer(self._said(TOO_SLOW)))
                if isinstance(error, TimeoutError):
                    self._refuse(SlowServer(self._said(SILENT)))
                self._refuse(
                    smtplib.SMTPServerDisconnected(self._said(f"Connection lost: {error}"))
                )
            if not held:  # closed: a last line without its end still says what it says
                if line:
                    return line
                self._refuse(
                    smtplib.SMTPServerDisconnected(self._said("Connection unexpectedly closed"))
                )
            end = held.find(b"\n")
            line += self.file.read(len(held) if end < 0 else end + 1)
            if len(line) > REPLY_LINE_MAX:
                self._refuse(MalformedReply(f"an answer line longer than {REPLY_LINE_MAX} bytes"))
            if end >= 0:
                return line

    def _said(self, reason: str) -> str:
        """A reply lost: after the whole message, the server may have kept it."""
        return reason + MAYBE_KEPT if self.sent_whole_message else reason

    def _keep_to_deadline(self) -> None:
        left = self.deadline - time.monotonic()
        if left <= 0:
            self._refuse(SlowServer(TOO_SLOW))
        if self.sock is not None:
            self.sock.settimeout(min(self.timeout, left))

    def _refuse(self, error: smtplib.SMTPServerDisconnected) -> NoReturn:
        self.close()
        raise error


class BoundedSMTP(Bounded, smtplib.SMTP):
    pass


class BoundedSMTPOverTLS(Bounded, smtplib.SMTP_SSL):
    pass
