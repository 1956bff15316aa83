"""Mail is never lost and never sent twice: `quill worker` against a real SMTP server on
loopback that is down, refuses, stalls, or is raced by a second worker; and a worker killed
mid-batch. Each test prints its figures (queued, delivered, duplicates, lost)."""

from __future__ import annotations

import re
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from application.users import OPERATOR
from domain.mail import MailStatus, OutgoingMail
from interfaces.container import Container, build_container
from tests.factories import make_mail
from tests.mailserver import Mailbox, free_port, smtp_server
from tests.ops.server import BIN, ROOT, environment, migrate
from tests.pg import dispose_pools
from tests.reliability.conftest import empty_tables

SENT = re.compile(r"(\d+) sent, (\d+) to try again, (\d+) failed, (\d+) handed back")


def mail_env(database_url: str, port: int, **extra: str) -> dict[str, str]:
    return environment(
        database_url, SMTP_HOST="127.0.0.1", SMTP_PORT=str(port), SMTP_SECURITY="none",
        MAIL_FROM="quill@quill.test", MAIL_RETRY_DELAY="1", LOG_LEVEL="WARNING", **extra,
    )  # fmt: skip


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'quill.db'}"
    migrate(url)
    return url


@pytest.fixture
def port() -> int:
    return free_port()


@contextmanager
def open_container(env: dict[str, str]) -> Iterator[Container]:
    container = build_container(env)
    try:
        yield container
    finally:
        dispose_pools(container)


def queue(container: Container, count: int, prefix: str = "to") -> list[str]:
    """`count` test messages, as `quill mail send-test` queues them; their Message-IDs."""
    send = container.queue_test_mail()
    return [send(OPERATOR, f"{prefix}{n}@example.com").message_id for n in range(count)]


def outbox(container: Container) -> list[OutgoingMail]:
    return container.list_mail()(OPERATOR, limit=1000)


def statuses(container: Container) -> Counter[MailStatus]:
    return Counter(mail.status for mail in outbox(container))


def run_once(env: dict[str, str]) -> tuple[int, ...]:
    done = subprocess.run(
        [BIN / "quill", "worker", "--once"], env=env, cwd=ROOT, capture_output=True,
        text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return totals(done.stdout)


def totals(stdout: str) -> tuple[int, ...]:
    found = SENT.search(stdout)
    assert found, stdout
    return tuple(int(n) for n in found.groups())


def start_worker(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [BIN / "quill", "worker", "--poll", "0.1"], env=env, cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def stop_worker(worker: subprocess.Popen[str]) -> tuple[int, ...]:
    worker.send_signal(signal.SIGTERM)
    stdout, stderr = worker.communicate(timeout=60)
    assert worker.returncode == 0, stderr
    return totals(stdout)


def wait_until(condition: object, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "waited too long"
        time.sleep(0.05)


def figures(name: str, queued: list[str], box: Mailbox) -> tuple[int, int]:
    delivered = set(box.message_ids())
    duplicates, lost = box.duplicates(), len(set(queued) - delivered)
    print(
        f"\n[mail faults] {name}: queued={len(queued)} delivered={len(delivered & set(queued))}"
        f" duplicates={duplicates} lost={lost}"
    )
    return duplicates, lost


def test_mail_queued_while_the_server_is_down_is_all_delivered_once_it_is_back(
    sqlite_url: str, port: int
) -> None:
    env = mail_env(sqlite_url, port)
    with open_container(env) as container:
        queued = queue(container, 50)
        sent, deferred, failed, _ = run_once(env)  # nobody listens on the port
        # Each tried at least once (a retry may come due while the others are tried).
        assert (sent, failed) == (0, 0) and deferred >= 50
        kept = outbox(container)
        assert len(kept) == 50 and all(m.status is MailStatus.QUEUED for m in kept)
        assert all(m.attempts >= 1 and "Connection" in (m.last_error or "") for m in kept)
        box = Mailbox()
        with smtp_server(box, port):
            due = max(mail.next_attempt_at for mail in kept)
            time.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()) + 0.1)
            assert run_once(env) == (50, 0, 0, 0)
            assert statuses(container) == {MailStatus.SENT: 50}
            assert figures("server down, then back", queued, box) == (0, 0)
            assert sorted(box.message_ids()) == sorted(queued)


def test_refused_messages_fail_after_bounded_tries_and_the_others_still_go(
    sqlite_url: str, port: int
) -> None:
    env = mail_env(sqlite_url, port, MAIL_MAX_TRIES="3")
    box = Mailbox()
    box.refuse["never@example.com"] = "550 5.1.1 no such mailbox"
    box.refuse["busy@example.com"] = "451 4.2.0 mailbox busy"
    with open_container(env) as container:
        queued = queue(container, 8)
        send = container.queue_test_mail()
        refused = [
            send(OPERATOR, to).message_id for to in ("never@example.com", "busy@example.com")
        ]
        with smtp_server(box, port):
            worker = start_worker(env)
            # Tries of the 451: at 0 s, after 1 s, after 2 more: then out of tries.
            wait_until(lambda: MailStatus.QUEUED not in statuses(container), seconds=30)
            sent, _, failed, _ = stop_worker(worker)
        assert (sent, failed) == (8, 2)
        by_recipient = {mail.recipient: mail for mail in outbox(container)}
        never, busy = by_recipient["never@example.com"], by_recipient["busy@example.com"]
        assert (never.status, never.attempts) == (MailStatus.FAILED, 1)
        assert never.last_error == "550 5.1.1 no such mailbox"
        assert (busy.status, busy.attempts) == (MailStatus.FAILED, 3)
        assert busy.last_error == "451 4.2.0 mailbox busy"
        assert figures("5xx and 4xx refusals", queued, box) == (0, 0)
        assert not set(refused) & set(box.message_ids())
        listed = subprocess.run(
            [BIN / "quill", "mail", "list", "--failed"], env=env, cwd=ROOT,
            capture_output=True, text=True, timeout=60, check=True,
        ).stdout  # fmt: skip
        assert "never@example.com" in listed and "busy@example.com" in listed


@pytest.mark.parametrize("sender", ["smtp", "folder"])
def test_a_message_that_cannot_be_built_fails_alone_and_the_others_still_go(
    sqlite_url: str, port: int, tmp_path: Path, sender: str
) -> None:
    folder = tmp_path / "mail"
    if sender == "smtp":
        env = mail_env(sqlite_url, port)
    else:
        env = environment(sqlite_url, MAIL_DIR=str(folder), LOG_LEVEL="WARNING")
    box = Mailbox()
    with open_container(env) as container:
        queued = queue(container, 5)
        # Kept from before registration refused such addresses: put in the outbox directly.
        with container.uow() as uow:
            bad = uow.outbox.add(make_mail(recipient="a@[x.io", created_at=datetime.now(UTC)))
            uow.commit()
        with smtp_server(box, port):
            assert run_once(env) == (5, 0, 1, 0)
        (failed,) = [m for m in outbox(container) if m.status is not MailStatus.SENT]
        assert (failed.id, failed.status, failed.attempts) == (bad.id, MailStatus.FAILED, 1)
        assert failed.last_error == "the message cannot be built (AttributeError)"
        assert run_once(env) == (0, 0, 0, 0)  # claimed no more
    if sender == "smtp":
        assert figures("a message that cannot be built", queued, box) == (0, 0)
    else:  # the five messages, and no temporary file left behind
        assert sorted(path.suffix for path in folder.iterdir()) == [".eml"] * 5


def test_a_worker_killed_mid_batch_leaves_what_it_held_to_the_next_run(
    sqlite_url: str, port: int
) -> None:
    # A short lease for the next worker to take over soon, yet more than ten timeouts.
    env = mail_env(sqlite_url, port, MAIL_LEASE="25", SMTP_TIMEOUT="2")
    box = Mailbox()
    box.stall_at, box.accept_stalled = 6, False
    with open_container(env) as container:
        queued = queue(container, 30)
        with smtp_server(box, port):
            killed = start_worker(env)
            assert box.stalled.wait(timeout=60)  # sent 5 of its 20, waiting on the 6th
            killed.send_signal(signal.SIGKILL)
            killed.communicate(timeout=30)
            box.go_on.set()
            assert len(box.message_ids()) == 5
            held = [m for m in outbox(container) if m.status is MailStatus.QUEUED]
            assert sum(1 for m in held if m.attempts == 1) == 15  # claimed by the dead one
            worker = start_worker(env)
            box.wait_for(30, seconds=90)  # the held ones once the dead worker's lease ran out
            time.sleep(0.5)  # time for a second copy of anything to arrive
            stop_worker(worker)
        assert statuses(container) == {MailStatus.SENT: 30}
        assert figures("worker killed mid-batch", queued, box) == (0, 0)
        tried_twice = [m for m in outbox(container) if m.attempts == 2]
        assert len(tried_twice) == 15  # the killed worker's claim counted as a try


def test_sigterm_lets_the_message_in_hand_finish_and_hands_back_the_rest(
    sqlite_url: str, port: int
) -> None:
    env = mail_env(sqlite_url, port, SMTP_TIMEOUT="20")
    box = Mailbox()
    box.stall_at = 3
    with open_container(env) as container:
        queued = queue(container, 10)
        with smtp_server(box, port):
            worker = start_worker(env)
            assert box.stalled.wait(timeout=60)
            worker.send_signal(signal.SIGTERM)
            time.sleep(0.5)  # the worker has the signal and still waits on the server
            assert worker.poll() is None
            box.go_on.set()
            stdout, stderr = worker.communicate(timeout=60)
            assert worker.returncode == 0, stderr
            assert totals(stdout) == (3, 0, 0, 7)
            assert len(box.message_ids()) == 3
            rest = [m for m in outbox(container) if m.status is MailStatus.QUEUED]
            assert len(rest) == 7 and all(m.attempts == 0 for m in rest)
            assert run_once(env) == (7, 0, 0, 0)
        assert figures("SIGTERM mid-batch", queued, box) == (0, 0)


@pytest.mark.postgres
def test_two_workers_on_postgresql_deliver_each_of_200_messages_once(
    pg_url: str, port: int
) -> None:
    env = mail_env(pg_url, port, SMTP_TIMEOUT="55")  # the stalled message outlasts the waits
    box = Mailbox()
    box.delay = 0.005  # each message takes a moment: both workers are busy at once
    # The first message waits until another has arrived: a worker sends one message at a
    # time, so that one came from the other worker, however late it started.
    box.stall_at = 1
    with open_container(env) as container:
        empty_tables(container.engine())
        queued = queue(container, 200)
        with smtp_server(box, port):
            workers = [start_worker(env) for _ in range(2)]
            assert box.stalled.wait(timeout=25)
            box.wait_for(1, seconds=25)
            box.go_on.set()
            box.wait_for(200, seconds=120)
            time.sleep(0.5)  # time for a second copy of anything to arrive
            counts = [stop_worker(worker) for worker in workers]
        sent = [count[0] for count in counts]
        print(f"\n[mail faults] two workers: each sent {sent}")
        assert sum(sent) == 200 and all(n > 0 for n in sent)
        assert statuses(container) == {MailStatus.SENT: 200}
        assert figures("two workers on PostgreSQL", queued, box) == (0, 0)
