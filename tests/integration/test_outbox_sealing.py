"""What the SQL outbox keeps of a message at rest: its bodies sealed (infrastructure.db.sealing),
so a copy of the database holds no live link; the in-memory fake keeps nothing at rest."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select

from domain.mail import DeliveryFailed, MailStatus, RetryPolicy
from infrastructure.db.models import OutboxRow
from infrastructure.db.outbox import UNREADABLE
from infrastructure.db.sealing import BodySeal, UnreadableBody
from tests.factories import T0, make_mail
from tests.integration.conftest import TEST_SEAL, empty_tables, sql_uow
from tests.integration.test_outbox_contract import claim, queue, settle

outbox = OutboxRow.__table__
LINK = "https://quill.test/reset-password?token=Zm9vYmFyYmF6cXV4cXV1eA"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Engine:
    kind = "pg" if request.param == "postgres" else "sqlite"
    found: Engine = request.getfixturevalue(f"{kind}_engine")
    empty_tables(found)
    return found


def stored_bodies(engine: Engine, mail_id: int | None) -> tuple[str, str]:
    with engine.connect() as connection:
        row = connection.execute(
            select(outbox.c.text_body, outbox.c.html_body).where(outbox.c.id == mail_id)
        ).one()
    return row.text_body, row.html_body


def test_a_queued_messages_bodies_are_stored_sealed_and_read_back_whole(engine: Engine) -> None:
    uow = sql_uow(engine)
    (mail,) = queue(uow, make_mail(text=f"Reset: {LINK}", html=f'<a href="{LINK}">Reset</a>'))
    text, html = stored_bodies(engine, mail.id)
    assert text.startswith("fernet:") and html.startswith("fernet:")
    assert "token" not in text + html and "Reset" not in text + html
    with uow:
        assert uow.outbox.get(mail.id) == mail
    (claimed,) = claim(uow, "w1")
    assert (claimed.text, claimed.html) == (mail.text, mail.html)


def test_a_try_that_failed_leaves_the_sealed_bodies_and_a_send_drops_them(engine: Engine) -> None:
    uow = sql_uow(engine)
    (mail,) = queue(uow, make_mail(text=LINK))
    sealed = stored_bodies(engine, mail.id)
    (claimed,) = claim(uow, "w1")
    assert settle(uow, claimed.not_delivered(DeliveryFailed("busy"), RetryPolicy(), T0), "w1")
    assert stored_bodies(engine, mail.id) == sealed
    (again,) = claim(uow, "w2", now=T0 + timedelta(hours=2))
    assert settle(uow, again.delivered(T0), "w2")
    assert stored_bodies(engine, mail.id) == ("", "")


def test_a_message_sealed_under_another_key_is_claimed_as_unreadable_and_kept_sealed(
    engine: Engine,
) -> None:
    old_key = BodySeal("an older secret key")
    (mail,) = queue(sql_uow(engine, old_key), make_mail(text=LINK))
    sealed = stored_bodies(engine, mail.id)
    uow = sql_uow(engine)
    (claimed,) = claim(uow, "w1")
    assert (claimed.unreadable, claimed.text, claimed.html) == (UNREADABLE, "", "")
    # The use case's failed try (DeliverMail), then an operator's retry: the sealed bodies
    # are never overwritten, so a worker with the old key still sends the message whole.
    tried = claimed.not_delivered(DeliveryFailed(UNREADABLE), RetryPolicy(max_tries=1), T0)
    assert settle(uow, tried, "w1")
    with uow:
        listed = uow.outbox.get(mail.id)
    assert listed is not None
    assert (listed.status, listed.last_error, listed.unreadable) == (
        MailStatus.FAILED,
        UNREADABLE,
        UNREADABLE,
    )
    assert settle(uow, listed.queued_again(T0), None)
    assert stored_bodies(engine, mail.id) == sealed
    (opened,) = claim(sql_uow(engine, old_key), "w2")
    assert (opened.unreadable, opened.text) == (None, LINK)


def test_a_message_queued_before_bodies_were_sealed_is_read_as_it_was_stored(
    engine: Engine,
) -> None:
    plain: dict[str, Any] = {
        "message_id": "<plain@quill.test>", "kind": "test", "recipient": "to@example.com",
        "subject": "Old", "text_body": "Plain text", "html_body": "<p>Plain</p>",
        "status": "queued", "attempts": 0, "created_at": T0, "next_attempt_at": T0,
    }  # fmt: skip
    with engine.begin() as connection:
        connection.execute(insert(outbox).values(plain))
    (claimed,) = claim(sql_uow(engine), "w1")
    assert (claimed.text, claimed.html) == ("Plain text", "<p>Plain</p>")


def test_a_seal_opens_only_what_its_own_key_sealed() -> None:
    sealed = TEST_SEAL.seal("é & ü")
    assert TEST_SEAL.open(sealed) == "é & ü"
    assert TEST_SEAL.seal("") == ""
    with pytest.raises(UnreadableBody):
        BodySeal("another key").open(sealed)
    with pytest.raises(UnreadableBody):
        TEST_SEAL.open(sealed[:-4] + "AAAA")  # tampered with
