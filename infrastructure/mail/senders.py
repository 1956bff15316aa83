"""Senders: SMTP (smtplib), the log (development), a folder of .eml files. Each raises
`DeliveryFailed` and nothing else for a message that did not go."""

from __future__ import annotations

import logging
import os
import re
import smtplib
import socket
import ssl
import tempfile
import time
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path

from domain.mail import DeliveryFailed, OutgoingMail
from domain.users import idna_ascii
from infrastructure.mail.smtp_client import BoundedSMTP, BoundedSMTPOverTLS

log = logging.getLogger("quill.mail")

SECURITIES = ("starttls", "tls", "none")


def as_email(mail: OutgoingMail, sender: str) -> EmailMessage:
    """The message as it goes out: plain text with an HTML alternative, and the Message-ID
    and Date it was queued with, the same on every try."""
    message = EmailMessage()
    name, address = parseaddr(sender)
    message["From"] = formataddr((name, on_the_wire(address))) if name else on_the_wire(address)
    recipient = on_the_wire(mail.recipient)
    message["To"] = recipient
    if message["To"].addresses[0].addr_spec != recipient:  # read as another address
        raise ValueError("the recipient's address does not read back as itself")
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.created_at)
    message["Message-ID"] = mail.message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies, please
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


def built(mail: OutgoingMail, sender: str) -> EmailMessage:
    """`as_email`, or a permanent `DeliveryFailed`: a message that cannot be built now never
    can be. The standard library's header parser fails on some addresses with any error at
    all (an AttributeError, for one), so every one counts; only its type is kept, since its
    text may quote the message."""
    try:
        return as_email(mail, sender)
    except Exception as error:
        reason = f"the message cannot be built ({type(error).__name__})"
        raise DeliveryFailed(reason, permanent=True) from None


def on_the_wire(address: str) -> str:
    """An address with an international domain in its ASCII form (IDNA, `xn--`), which every
    mail server takes; only a non-ASCII local part still needs one that offers SMTPUTF8.

    Written as addresses are checked (domain.users.idna_ascii: IDNA 2008, exactly or not at
    all, `faß.de` as `xn--fa-hia.de`). Python's own codec, IDNA 2003, maps some names to
    others (`faß.de` to `fass.de`, full-width letters to plain ones), and a link must never go
    to another domain than the address the user gave. A name IDNA 2008 cannot write goes as
    it is, for a server that offers SMTPUTF8."""
    local, _, domain = address.rpartition("@")
    if domain.isascii():
        return address
    # Lower-cased: IDNA 2008 takes no capital, and a domain name ignores case.
    ascii_domain = idna_ascii(domain.lower())
    return f"{local}@{ascii_domain}" if ascii_domain else address


def address_of(sender: str) -> str:
    """The bare address of `Name <address>` as it goes on the wire: the envelope's sender,
    and the domain of every Message-ID."""
    return on_the_wire(parseaddr(sender)[1])


class SmtpMailSender:
    """One connection per message, with STARTTLS, TLS or neither, and a login when a user
    name is set; the whole send ends within `send_time` seconds, however slowly the server
    answers (smtp_client). Looking the server's name up is the resolver's, outside that bound
    (the lease's margin over `send_time` covers it).

    Only what the server says of this message is a permanent refusal: a 5xx to its recipient
    (RCPT; not one about the session held back until then, see _of_the_recipient) or to
    its content (DATA).
    Anything before it (the connection, the greeting, EHLO, STARTTLS, the login) and a
    refused sender (MAIL FROM) are the same for every message, a matter of the settings or of
    the server: worth another try, by which time they may be fixed. 4xx, lost connections,
    timeouts and answers that are not SMTP are tried again. Once the server has taken the
    message (the 250 to its DATA) it has gone, whatever the server answers to QUIT."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        security: str,
        username: str,
        password: str,
        sender: str,
        timeout: float = 30,
        send_time: float = 300,
        helo_name: str = "",
    ) -> None:
        if security not in SECURITIES:
            raise ValueError(f"SMTP security must be one of {SECURITIES}")
        self._host, self._port, self._security = host, port, security
        self._username, self._password = username, password
        self._sender, self._timeout = sender, timeout
        # The last exchange started by the deadline may take one timeout more.
        self._deadline_after = max(send_time - timeout, timeout)
        self._envelope_sender = address_of(sender)
        # Once, here: smtplib would look this machine's name up on every send, and a name
        # lookup keeps to no timeout of ours.
        self._local_hostname = helo_name or socket.getfqdn()

    def send(self, mail: OutgoingMail) -> None:
        message = built(mail, self._sender)
        smtp = self._open(deadline=time.monotonic() + self._deadline_after)
        try:
            self._hand_over(smtp, message, on_the_wire(mail.recipient))
        finally:
            _hang_up(smtp)

    def _open(self, deadline: float) -> smtplib.SMTP:
        """Connected, greeted, secured and logged in. What fails here is the same for every
        message (the settings, the server): for another try."""
        smtp: smtplib.SMTP | None = None
        try:
            smtp = self._connect(deadline)  # another greeting than 220: SMTPConnectError
            smtp.ehlo_or_helo_if_needed()
            if self._security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo_or_helo_if_needed()  # STARTTLS forgets the EHLO before it
            if self._username:
                smtp.login(self._username, self._password)
            return smtp
        # ssl.SSLError is an OSError; a challenge to the login that is not base64 a ValueError.
        except (smtplib.SMTPException, OSError, ValueError) as error:
            if smtp is not None:
                _hang_up(smtp)
            raise DeliveryFailed(_not_opened(error)) from None

    def _connect(self, deadline: float) -> smtplib.SMTP:
        # The host goes to the constructor: it is also the name TLS checks the certificate of.
        if self._security == "tls":
            return BoundedSMTPOverTLS(
                self._host, self._port, timeout=self._timeout, local_hostname=self._local_hostname,
                context=ssl.create_default_context(), deadline=deadline,
            )  # fmt: skip
        return BoundedSMTP(
            self._host, self._port, timeout=self._timeout, local_hostname=self._local_hostname,
            deadline=deadline,
        )  # fmt: skip

    def _hand_over(self, smtp: smtplib.SMTP, message: EmailMessage, recipient: str) -> None:
        try:
            smtp.send_message(message, from_addr=self._envelope_sender, to_addrs=[recipient])
        except smtplib.SMTPNotSupportedError:  # here: an address only SMTPUTF8 carries
            reason = "the mail server does not take international addresses (SMTPUTF8)"
            raise DeliveryFailed(reason, permanent=True) from None
        except smtplib.SMTPSenderRefused as refused:  # MAIL_FROM, or a login the server wants
            said = _said(refused.smtp_code, refused.smtp_error)
            raise DeliveryFailed(f"the sender was refused: {said}") from None
        except smtplib.SMTPRecipientsRefused as refused:
            code, text = next(iter(refused.recipients.values()))
            permanent = _of_the_recipient(code, text)
            raise DeliveryFailed(_said(code, text), permanent=permanent) from None
        except smtplib.SMTPResponseException as error:  # DATA, or the message, refused
            code = error.smtp_code
            said = _said(code, error.smtp_error)
            raise DeliveryFailed(said, permanent=500 <= code < 600) from None
        except (smtplib.SMTPException, OSError, ValueError) as error:
            raise DeliveryFailed(_trouble(error)) from None


def _hang_up(smtp: smtplib.SMTP) -> None:
    """QUIT, whatever the server answers to it (or does not): the message went, or did not,
    before it."""
    try:
        if smtp.sock is not None:
            smtp.quit()
    except (smtplib.SMTPException, OSError):
        pass
    finally:
        smtp.close()


def _of_the_recipient(code: int, text: bytes | str) -> bool:
    """A 5xx to RCPT that is about this recipient. Many servers hold refusals of the whole
    session back until RCPT (Postfix's smtpd_delay_reject): a missing login, a relay, the
    sender's address, the greeting's name. Those are the settings', and are tried again;
    the enhanced status code (RFC 3463) tells them apart where the server gives one."""
    if not 500 <= code < 600:
        return False
    enhanced = ENHANCED_STATUS.match(_text(text))
    if enhanced and enhanced["subject"] != "0":
        subject, detail = enhanced["subject"], enhanced["detail"]
        if subject == "1":  # addressing: the recipient's, but for 5.1.7/5.1.8 the sender's
            return detail not in ("7", "8")
        return subject in RECIPIENT_SUBJECTS
    return code not in SESSION_CODES


# RFC 3463's subjects of a recipient's refusal: its mailbox (2), the route to its domain
# (4), what its server takes (6). Not the mail system (3), the protocol (5), policy (7).
ENHANCED_STATUS = re.compile(r"\s*5\.(?P<subject>\d{1,3})\.(?P<detail>\d{1,3})\b")
RECIPIENT_SUBJECTS = ("2", "4", "6")
# Without an enhanced code: the protocol's and the login's codes are the session's.
SESSION_CODES = (500, 502, 503, 504, 530, 535)


def _not_opened(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return f"login refused: {_said(error.smtp_code, error.smtp_error)}"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"the mail server refused the session: {_said(error.smtp_code, error.smtp_error)}"
    return _trouble(error)


def _trouble(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"


def _text(said: bytes | str) -> str:
    return said.decode("utf-8", "replace") if isinstance(said, bytes) else str(said)


def _said(code: int, text: bytes | str) -> str:
    words = _text(text)
    if code == -1:  # smtp_client's code for a line that is not an SMTP answer
        return f"an answer that is not SMTP: {' '.join(words.split())}"
    return f"{code} {' '.join(words.split())}"


class LogMailSender:
    """Development's mail: each message written to the log, its text too, so that the link
    in it can be followed."""

    def send(self, mail: OutgoingMail) -> None:
        fields = {
            "to": mail.recipient, "subject": mail.subject, "message_id": mail.message_id,
            "text": mail.text,
        }  # fmt: skip
        log.info("mail (to the log: no SMTP_HOST)", extra={"fields": fields})


class UnconfiguredMailSender:
    """Production without SMTP_HOST or MAIL_DIR: a link in a log would be a secret in a log,
    so nothing is sent, and every message stays queued (then fails, to be retried with
    `quill mail retry`) until mail is configured: none is lost."""

    def send(self, mail: OutgoingMail) -> None:
        fields = {"message_id": mail.message_id}  # no recipient: the log is not the outbox
        log.warning("mail not sent: set SMTP_HOST (or MAIL_DIR)", extra={"fields": fields})
        raise DeliveryFailed("mail is not configured: set SMTP_HOST (or MAIL_DIR)")


class FolderMailSender:
    """Each message as an .eml file in a folder, named after its Message-ID: a message tried
    twice is one file, written whole or not at all (a rename)."""

    def __init__(self, folder: str, sender: str) -> None:
        self._folder = Path(folder)
        self._sender = sender

    def send(self, mail: OutgoingMail) -> None:
        name = re.sub(r"[^A-Za-z0-9._-]", "_", mail.message_id.strip("<>")) + ".eml"
        content = built(mail, self._sender).as_bytes()  # before any file: none left on failure
        part = None
        try:
            self._folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("wb", dir=self._folder, delete=False) as part:
                part.write(content)
            os.replace(part.name, self._folder / name)
        except OSError as error:
            if part is not None:  # a half-written file is nobody's message
                Path(part.name).unlink(missing_ok=True)
            raise DeliveryFailed(f"{type(error).__name__}: {error}") from None


def make_sender(
    *,
    smtp_host: str,
    smtp_port: int,
    smtp_security: str,
    smtp_username: str,
    smtp_password: str,
    smtp_timeout: float,
    smtp_helo_name: str,
    smtp_send_time: float,
    sender: str,
    folder: str,
    production: bool,
) -> SmtpMailSender | FolderMailSender | LogMailSender | UnconfiguredMailSender:
    """SMTP when SMTP_HOST is set; else the folder MAIL_DIR when set; else the log, but not
    in production."""
    if smtp_host:
        return SmtpMailSender(
            host=smtp_host, port=smtp_port, security=smtp_security, username=smtp_username,
            password=smtp_password, sender=sender, timeout=smtp_timeout,
            send_time=smtp_send_time, helo_name=smtp_helo_name,
        )  # fmt: skip
    if folder:
        return FolderMailSender(folder, sender)
    return UnconfiguredMailSender() if production else LogMailSender()
