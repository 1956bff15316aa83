"""The outbox's message bodies at rest, sealed.

A link's token is stored only as its hash (link_tokens), but the message that carries the link
waits in the outbox until a worker sends it, and a failed one until an operator retries it.
Its bodies are kept encrypted and authenticated (cryptography's Fernet: AES-128-CBC with
HMAC-SHA256) under a key derived from SECRET_KEY, so that a copy of the database alone holds
no live link. A sent message keeps no body at all (OutgoingMail.delivered).

What it guards against is a copy read (a backup, a dump, a replica): someone who can write to
the database can do worse than queue a message. Rows queued before bodies were sealed carry no
mark and are read as stored; they leave the table as they are sent. A body sealed under another
key cannot be opened: the message is tried and given up on like any other failure, and its
sealed bodies are kept, so a worker with the right key can still send it after a retry.
"""

from __future__ import annotations

import base64
import hmac

from cryptography.fernet import Fernet, InvalidToken

SEALED = "fernet:"  # what a sealed body starts with; one queued before sealing has no mark
PURPOSE = b"quill outbox bodies"  # the key is SECRET_KEY's for this use alone


class UnreadableBody(Exception):
    """A body sealed under another SECRET_KEY: no try can send it."""


class BodySeal:
    def __init__(self, secret_key: str) -> None:
        key = hmac.digest(secret_key.encode(), PURPOSE, "sha256")
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, body: str) -> str:
        """`""` stays `""`: there is nothing to hide in a sent message's empty body."""
        return SEALED + self._fernet.encrypt(body.encode()).decode() if body else ""

    def open(self, stored: str) -> str:
        if not stored.startswith(SEALED):
            return stored  # empty, or queued before bodies were sealed
        try:
            return self._fernet.decrypt(stored.removeprefix(SEALED)).decode()
        except InvalidToken:
            raise UnreadableBody() from None
