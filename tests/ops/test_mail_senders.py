"""The senders: which one the settings choose, and what each does with a message."""

from __future__ import annotations

import email
import email.policy
import logging
import socket
import ssl
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from domain.errors import InvalidInput
from domain.mail import DeliveryFailed
from domain.users import normalize_email
from infrastructure.mail.senders import (
    FolderMailSender,
    LogMailSender,
    SmtpMailSender,
    UnconfiguredMailSender,
    as_email,
    make_sender,
    on_the_wire,
)
from tests.factories import make_mail
from tests.mailserver import (
    Mailbox,
    ScriptedSmtp,
    dripping,
    dripping_bytes,
    free_port,
    scripted_smtp,
    smtp_server,
    text_of,
)

SETTINGS = {
    "smtp_host": "", "smtp_port": 587, "smtp_security": "starttls", "smtp_username": "",
    "smtp_password": "", "smtp_timeout": 5, "smtp_helo_name": "", "smtp_send_time": 50,
    "sender": "Quill <q@quill.test>", "folder": "", "production": False,
}  # fmt: skip


@pytest.mark.parametrize(
    ("given", "kind"),
    [
        ({"smtp_host": "mail.example", "folder": "/tmp/x"}, SmtpMailSender),
        ({"folder": "/tmp/x"}, FolderMailSender),
        ({}, LogMailSender),
        ({"production": True}, UnconfiguredMailSender),
    ],
)
def test_the_settings_choose_the_sender(given: dict[str, object], kind: type) -> None:
    assert isinstance(make_sender(**{**SETTINGS, **given}), kind)  # type: ignore[arg-type]


def test_production_without_mail_settings_sends_nothing_and_logs_no_recipient(
    caplog: pytest.LogCaptureFixture,
) -> None:
    mail = make_mail(recipient="ann@example.com")
    with caplog.at_level(logging.WARNING, logger="quill.mail"), pytest.raises(DeliveryFailed):
        UnconfiguredMailSender().send(mail)
    [record] = caplog.records
    assert record.fields == {"message_id": mail.message_id}  # type: ignore[attr-defined]
    assert "ann@example.com" not in record.getMessage()


def sender_on(port: int, security: str = "none") -> SmtpMailSender:
    return SmtpMailSender(
        host="127.0.0.1", port=port, security=security, username="", password="",
        sender="Quill <q@quill.test>", timeout=5,
    )  # fmt: skip


def test_smtp_sends_text_and_html_with_the_same_message_id_and_date_every_try() -> None:
    box, mail = Mailbox(), make_mail(text="Plain words", html="<p>Rich words</p>")
    with smtp_server(box) as port:
        sender_on(port).send(mail)
        sender_on(port).send(mail)
    first, second = box.received
    assert str(first["Message-ID"]) == str(second["Message-ID"]) == mail.message_id
    assert str(first["Date"]) == str(second["Date"])
    assert str(first["From"]) == "Quill <q@quill.test>" and str(first["To"]) == mail.recipient
    assert str(first["Auto-Submitted"]) == "auto-generated"
    assert text_of(first).strip() == "Plain words"
    html = first.get_body(preferencelist=("html",))
    assert html is not None and "<p>Rich words</p>" in html.get_content()


def test_smtp_greets_with_the_name_it_is_given_else_this_machine_s() -> None:
    """SMTP_HELO_NAME: servers may refuse a greeting that is not a full name, which a
    container's own name seldom is."""
    box = Mailbox()
    with smtp_server(box) as port:
        named = SmtpMailSender(
            host="127.0.0.1", port=port, security="none", username="", password="",
            sender="Quill <q@quill.test>", timeout=5, helo_name="mail.quill.test",
        )  # fmt: skip
        named.send(make_mail())
        sender_on(port).send(make_mail())
    assert box.greeted_as == ["mail.quill.test", socket.getfqdn()]


def test_smtp_failures_are_permanent_for_5xx_and_temporary_otherwise() -> None:
    box = Mailbox()
    box.refuse["gone@example.com"] = "550 5.1.1 no such user"
    box.refuse["busy@example.com"] = "452 4.2.2 mailbox full"
    with smtp_server(box) as port:
        outcomes = {}
        for to in ("gone@example.com", "busy@example.com"):
            with pytest.raises(DeliveryFailed) as failed:
                sender_on(port).send(make_mail(recipient=to))
            outcomes[to] = (failed.value.permanent, failed.value.reason)
        with pytest.raises(DeliveryFailed) as no_tls:  # the server offers no STARTTLS
            sender_on(port, "starttls").send(make_mail())
    assert outcomes == {
        "gone@example.com": (True, "550 5.1.1 no such user"),
        "busy@example.com": (False, "452 4.2.2 mailbox full"),
    }
    assert not no_tls.value.permanent
    with pytest.raises(DeliveryFailed) as refused:  # nobody listens
        sender_on(free_port()).send(make_mail())
    assert not refused.value.permanent and "Connection" in refused.value.reason


def test_an_international_domain_goes_as_idna_to_a_server_without_smtputf8() -> None:
    box = Mailbox()  # a server without SMTPUTF8: a non-ASCII envelope would be refused
    with smtp_server(box, smtputf8=False) as port:
        sender_on(port).send(make_mail(recipient="ann@exämple.com"))
        with pytest.raises(DeliveryFailed) as refused:  # only SMTPUTF8 carries this one
            sender_on(port).send(make_mail(recipient="zoë@example.com"))
    (received,) = box.received
    assert str(received["To"]) == "ann@xn--exmple-cua.com"
    assert refused.value.permanent  # this server never will: not tried ten times
    assert "SMTPUTF8" in refused.value.reason


@pytest.mark.parametrize(
    "address",
    [
        "victim@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com",
        "victim@exa\u200dmple.com",
    ],
)
def test_a_domain_idna_2003_would_map_to_another_is_never_rewritten(address: str) -> None:
    """Python's codec maps full-width letters to plain ones and drops a zero-width joiner
    (and `faß.de` to `fass.de`, another domain): a reset link must not reach another mailbox.
    IDNA 2008 writes neither of these names."""
    assert on_the_wire(address) == address
    box = Mailbox()
    with smtp_server(box, smtputf8=False) as port, pytest.raises(DeliveryFailed) as refused:
        sender_on(port).send(make_mail(recipient=address))
    assert refused.value.permanent and box.received == []


@pytest.mark.parametrize(
    ("typed", "wire"),
    [
        ("ann@xn--fa-hia.de", "ann@xn--fa-hia.de"),  # faß.de, which IDNA 2003 maps to fass.de
        ("zoe@xn--nxasmm1c.com", "zoe@xn--nxasmm1c.com"),  # a Greek final sigma
        ("ann@faß.de", "ann@xn--fa-hia.de"),
    ],
)
def test_an_address_kept_in_unicode_goes_as_the_ascii_form_idna_2008_gives(
    typed: str, wire: str
) -> None:
    """Kept with its domain in Unicode (domain.users), an address is written back in ASCII
    exactly, so a server without SMTPUTF8 takes it as it took the form typed."""
    assert on_the_wire(normalize_email(typed)) == wire


def test_a_domain_in_capitals_is_the_same_domain() -> None:
    assert on_the_wire("ann@Exämple.COM") == "ann@xn--exmple-cua.com"


def test_the_sender_s_international_domain_goes_as_idna_too() -> None:
    message = as_email(make_mail(), '"Ops, Team" <ops@exämple.com>')
    assert str(message["From"]) == '"Ops, Team" <ops@xn--exmple-cua.com>'


def test_a_servers_answer_is_kept_without_control_characters() -> None:
    failed = DeliveryFailed("550 no \x1b]0;pwned\x07 such\r\n user\x1b[31m")
    assert failed.reason == "550 no ]0;pwned such user [31m"
    assert failed.reason.isprintable()


def test_a_folder_holds_each_message_once_as_an_eml_file(tmp_path: Path) -> None:
    mail = make_mail(text="In a file")
    sender = FolderMailSender(str(tmp_path / "mail"), "q@quill.test")
    sender.send(mail)
    sender.send(mail)  # tried twice: still one file
    (path,) = (tmp_path / "mail").iterdir()
    assert path.suffix == ".eml"
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert str(message["Message-ID"]) == mail.message_id
    assert text_of(message).strip() == "In a file"  # type: ignore[arg-type]


def test_a_folder_that_cannot_be_written_is_a_failure_to_try_again(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(DeliveryFailed) as failed:
        FolderMailSender(str(tmp_path / "file"), "q@quill.test").send(make_mail())
    assert not failed.value.permanent


def test_a_message_that_cannot_be_built_is_refused_for_good_and_leaves_no_file(
    tmp_path: Path,
) -> None:
    # Registration refuses this address now; one kept from before must not stop delivery.
    mail = make_mail(recipient="a@[x.io")
    folder = tmp_path / "mail"
    for sender in (FolderMailSender(str(folder), "q@quill.test"), sender_on(free_port())):
        with pytest.raises(DeliveryFailed) as failed:
            sender.send(mail)
        assert failed.value.permanent
        assert failed.value.reason == "the message cannot be built (AttributeError)"
    assert not folder.exists() or not list(folder.iterdir())


@pytest.mark.parametrize(
    "recipient",
    [
        "=?utf-8?q?victim=40other.org?=@example.com",  # To would read victim@other.org
        "=?utf-8?q?a=0D=0ABcc=3A_evil=40attacker.com?=@example.com",
    ],
)
def test_a_to_header_that_reads_as_another_address_is_never_sent(recipient: str) -> None:
    """Registration refuses these now; one kept from before goes to nobody else."""
    box = Mailbox()
    with smtp_server(box) as port, pytest.raises(DeliveryFailed) as failed:
        sender_on(port).send(make_mail(recipient=recipient))
    assert failed.value.permanent and "cannot be built" in failed.value.reason
    assert box.received == []


def test_development_logs_the_message_and_production_without_smtp_sends_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    mail = make_mail(text="Follow http://x/?token=abc")
    with caplog.at_level(logging.INFO, logger="quill.mail"):
        LogMailSender().send(mail)
        with pytest.raises(DeliveryFailed) as unconfigured:
            UnconfiguredMailSender().send(mail)
    logged, warned = caplog.records
    assert logged.fields["text"] == mail.text  # type: ignore[attr-defined]
    assert "text" not in warned.fields and "token" not in warned.getMessage()  # type: ignore[attr-defined]
    assert not unconfigured.value.permanent and "SMTP_HOST" in unconfigured.value.reason


# Addresses registration takes, with every character a header's parser might treat
# specially that the rules let through (RFC 5322's atext, dots between words, non-ASCII),
# and international domains; `assume` makes Hypothesis fail the test if too few are taken.
# Words of the specials the rules refuse are drawn too: one of them taken would be a word
# a header parses as structure, which the property catches.
_ATEXT = st.text(alphabet="ab_+'!#$%&*/=?^`{|}~-\u00e9", min_size=1, max_size=5)
_SPECIALS = st.text(alphabet='a(){}[]<>:;,@\\" \x7f', min_size=1, max_size=3)
_WORD = st.one_of(_ATEXT, _ATEXT, _ATEXT, _SPECIALS)  # mostly taken, so the header is reached
_LOCAL = st.lists(_WORD, min_size=1, max_size=3).map(".".join)
_LABEL = st.from_regex(
    r"[a-z0-9\u00e9\u00df]([a-z0-9\u00e9\u00df-]{0,4}[a-z0-9\u00e9\u00df])?", fullmatch=True
)
_DOMAIN = st.lists(_LABEL, min_size=2, max_size=3).map(".".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(local=_LOCAL, domain=_DOMAIN)
@example(local="o'brien", domain="x.io")
@example(local="jos\u00e9", domain="fa\u00df.de")
@example(local="a,b", domain="x.io")  # refused: a header would read two addresses
@example(local="a", domain="[x.io")
def test_every_address_registration_accepts_goes_whole_into_a_message_header(
    local: str, domain: str
) -> None:
    try:
        address = normalize_email(f"{local}@{domain}")
    except InvalidInput:
        address = None
    assume(address is not None)
    assert address is not None
    message = as_email(make_mail(recipient=address), "Quill <q@quill.test>")
    (carried,) = message["To"].addresses
    assert carried.addr_spec == on_the_wire(address)  # an international domain as IDNA


# A server that misbehaves: the message is taken once or tried again, never failed for
# what the server said of something else, and the send ends by its deadline.


def scripted_sender(server: ScriptedSmtp, security: str = "none") -> SmtpMailSender:
    return SmtpMailSender(
        host="127.0.0.1", port=server.port, security=security, username="", password="",
        sender="Quill <q@quill.test>", timeout=0.5, send_time=3,
    )  # fmt: skip


def failure(server: ScriptedSmtp, security: str = "none") -> DeliveryFailed:
    with pytest.raises(DeliveryFailed) as failed:
        scripted_sender(server, security).send(make_mail())
    return failed.value


def late(answer: bytes, after: float) -> Callable[[socket.socket], None]:
    def wait_then_answer(client: socket.socket) -> None:
        time.sleep(after)
        client.sendall(answer)

    return wait_then_answer


@pytest.mark.parametrize(
    ("step", "maybe_kept"), [("greeting", False), ("RCPT", False), ("END", True)]
)
def test_a_server_silent_past_the_timeout_says_whether_it_had_the_whole_message(
    step: str, maybe_kept: bool
) -> None:
    """After the message's last line, silence may hide a delivery: the operator reading
    `quill mail list` must tell "maybe delivered" from "not delivered"."""
    with scripted_smtp(**{step: late(b"250 ok\r\n", after=1.0)}) as server:  # timeout 0.5 s
        failed = failure(server)
    assert not failed.permanent
    assert "did not answer within SMTP_TIMEOUT" in failed.reason
    assert ("it may have kept it" in failed.reason) is maybe_kept


@pytest.mark.parametrize("quit_answer", [b"421 bye\r\n", b"500 what\r\n", b"hello\r\n", b""])
def test_a_message_taken_has_gone_whatever_the_answer_to_quit(quit_answer: bytes) -> None:
    with scripted_smtp(QUIT=quit_answer) as server:
        scripted_sender(server).send(make_mail())  # no DeliveryFailed: it went
    assert server.taken == 1


@pytest.mark.parametrize(
    ("step", "answer"),
    [
        ("greeting", b"554 no service here\r\n"),
        ("EHLO", b"554 go away\r\n"),
        ("MAIL", b"530 5.7.0 authentication required\r\n"),
        ("MAIL", b"553 5.7.1 sender not allowed\r\n"),
    ],
)
def test_a_refusal_that_is_not_about_the_message_is_tried_again(step: str, answer: bytes) -> None:
    """The session or the sender refused: the settings or the server, the same for every
    message, so another try (after a fix of the settings) may go."""
    with scripted_smtp(**{step: answer, "HELO": answer}) as server:
        failed = failure(server)
    assert not failed.permanent and answer.decode().strip() in failed.reason


def test_starttls_refused_is_tried_again() -> None:
    with scripted_smtp(EHLO=b"250-scripted\r\n250 STARTTLS\r\n", STARTTLS=b"502 no\r\n") as server:
        failed = failure(server, "starttls")
    assert not failed.permanent and "502 no" in failed.reason


@pytest.mark.parametrize(("step", "code"), [("RCPT", b"550"), ("END", b"554")])
def test_a_refusal_of_the_message_itself_is_permanent(step: str, code: bytes) -> None:
    with scripted_smtp(**{step: code + b" refused\r\n"}) as server:
        failed = failure(server)
    assert failed.permanent and failed.reason == f"{code.decode()} refused"


def test_an_answer_that_is_not_smtp_is_said_so_and_tried_again() -> None:
    with scripted_smtp(greeting=b"hello there\r\n") as server:
        failed = failure(server)
    assert not failed.permanent
    assert "an answer that is not SMTP: hello there" in failed.reason


@pytest.mark.parametrize(
    "answer",
    [b"220 " + b"x" * 10_000 + b"\r\n", b"220-flood\r\n" * 200_000 + b"220 done\r\n"],
    ids=["a-long-line", "a-flood-of-lines"],
)
def test_an_answer_too_large_for_smtp_is_tried_again_and_never_read_whole(answer: bytes) -> None:
    with scripted_smtp(greeting=answer) as server:
        failed = failure(server)
    assert not failed.permanent and "MalformedReply" in failed.reason


@pytest.mark.parametrize("step", ["greeting", "END"])
def test_a_server_that_drips_its_answer_is_left_by_the_send_s_deadline(step: str) -> None:
    """Each line comes within the timeout, so only the deadline of the whole send ends it
    (send_time 3 s here): a message's lease outlasts any send."""
    with scripted_smtp(**{step: dripping(b"250-wait\r\n", every=0.1)}) as server:
        started = time.monotonic()
        failed = failure(server)
        took = time.monotonic() - started
    assert not failed.permanent and "too slowly" in failed.reason
    assert took < 3 + 1  # the deadline, and a margin for a loaded machine


# TLS: STARTTLS (the default) and TLS from the start, with the certificate checked.


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for localhost, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_a_message_goes_over_tls_to_a_server_whose_certificate_is_checked(
    security: str, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cert_file, key_file = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    box = Mailbox()
    secured = {"starttls": context} if security == "starttls" else {"tls": context}
    with smtp_server(box, **secured) as port:  # type: ignore[arg-type]
        sender = SmtpMailSender(
            host="localhost", port=port, security=security, username="", password="",
            sender="Quill <q@quill.test>", timeout=5,
        )  # fmt: skip
        with pytest.raises(DeliveryFailed) as unknown:  # the certificate is nobody's we trust
            sender.send(make_mail())
        monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))  # now it is
        sender.send(make_mail(text="Over TLS"))
    assert not unknown.value.permanent and "CERTIFICATE_VERIFY_FAILED" in unknown.value.reason
    (received,) = box.received
    assert text_of(received).strip() == "Over TLS"


def test_a_refused_ehlo_after_starttls_is_tried_again(
    certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """smtplib says EHLO again after STARTTLS: refused there, it is still the session."""
    cert_file, key_file = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))
    box = Mailbox()
    box.refuse_ehlo_over_tls = "554 5.3.2 not now"
    with smtp_server(box, starttls=context) as port, pytest.raises(DeliveryFailed) as failed:
        SmtpMailSender(
            host="localhost", port=port, security="starttls", username="", password="",
            sender="Quill <q@quill.test>", timeout=5,
        ).send(make_mail())  # fmt: skip
    assert not failed.value.permanent and "554 5.3.2 not now" in failed.value.reason


def test_a_refusal_stands_whatever_the_server_does_after_it() -> None:
    """smtplib sends RSET after a refusal and ignores a server lost then: a server too slow
    or too wordy there is one lost too, so the refusal is what the message is failed for."""
    with scripted_smtp(RCPT=b"550 5.1.1 no such user\r\n", RSET=dripping(b"250-x\r\n")) as server:
        failed = failure(server)
    assert failed.permanent and failed.reason == "550 5.1.1 no such user"


def test_a_line_dripped_a_byte_at_a_time_is_left_by_the_send_s_deadline() -> None:
    greeting = dripping_bytes(b"220 " + b"x" * 60 + b"\r\n", every=0.1)  # 6.4 s in all
    with scripted_smtp(greeting=greeting) as server:
        started = time.monotonic()
        failed = failure(server)
        took = time.monotonic() - started
    assert not failed.permanent and "too slowly" in failed.reason and took < 3 + 1


@pytest.mark.parametrize("end", [b"\r\n", b"\n"])
def test_an_answer_of_a_code_alone_is_an_answer(end: bytes) -> None:
    with scripted_smtp(EHLO=b"250" + end, MAIL=b"250" + end, END=b"250" + end) as server:
        scripted_sender(server).send(make_mail())
    assert server.taken == 0  # "END" answered as scripted, not by the default


@pytest.mark.parametrize(
    "answer",
    [
        b"530 5.7.0 authentication required",
        b"554 5.7.1 relay access denied",
        # Postfix's own words for MAIL_FROM's domain and the greeting's name:
        b"550 5.1.8 <q@quill.test>: Sender address rejected: Domain not found",
        b"504 5.5.2 <vm>: Helo command rejected: need fully-qualified hostname",
        b"451 4.3.0 try later",
        b"503 bad sequence of commands",
    ],
)
def test_a_refusal_of_the_session_held_back_until_rcpt_is_tried_again(answer: bytes) -> None:
    """Servers that delay their refusals (Postfix's smtpd_delay_reject) refuse a missing
    login, a relay, the sender or the greeting at RCPT: the settings', not the recipient's,
    so fixing them sends the message."""
    with scripted_smtp(RCPT=answer + b"\r\n") as server:
        failed = failure(server)
    assert not failed.permanent and answer.decode() in failed.reason


@pytest.mark.parametrize(
    "answer",
    [
        b"550 5.1.1 <ann@example.com>: Recipient address rejected: User unknown",
        b"552 5.2.2 mailbox full",
        b"550 5.4.4 unable to route",
        b"550 5.0.0 no such user",  # "other": the code decides
        b"553 mailbox name not allowed",
        b"501 bad address syntax",
    ],
)
def test_a_refusal_of_the_recipient_fails_the_message_at_once(answer: bytes) -> None:
    with scripted_smtp(RCPT=answer + b"\r\n") as server:
        failed = failure(server)
    assert failed.permanent and failed.reason == answer.decode()


def test_a_last_answer_cut_short_by_the_server_hanging_up_still_counts() -> None:
    """`250 ok` to the message, no line end, then the connection closed: it went."""

    def taken_then_gone(client: socket.socket) -> None:
        client.sendall(b"250 ok")
        client.shutdown(socket.SHUT_WR)

    with scripted_smtp(END=taken_then_gone) as server:
        scripted_sender(server).send(make_mail())


def test_a_login_challenge_that_is_not_base64_is_a_failure_to_try_again() -> None:
    with scripted_smtp(EHLO=b"250-scripted\r\n250 AUTH PLAIN\r\n", AUTH=b"334 abc\r\n") as server:
        sender = SmtpMailSender(
            host="127.0.0.1", port=server.port, security="none", username="quill",
            password="secret", sender="Quill <q@quill.test>", timeout=0.5, send_time=3,
        )  # fmt: skip
        with pytest.raises(DeliveryFailed) as failed:
            sender.send(make_mail())
    assert not failed.value.permanent
