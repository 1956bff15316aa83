"""A page's cursor as clients see it: the list's position (application.paging.Cursor) sealed
with the deployment's SECRET_KEY, so that a cursor this API did not issue, made up or
altered, is refused rather than followed."""

from __future__ import annotations

import base64
import hashlib
import hmac

from flask import current_app

from application.paging import NOT_A_CURSOR
from domain.errors import InvalidInput

MAC_BYTES = 16


class CursorSeal:
    def __init__(self, secret_key: str) -> None:
        # A key of its own, so a cursor's seal is never a valid MAC of anything else.
        self._key = hashlib.sha256(b"quill page cursor\x00" + secret_key.encode()).digest()

    def seal(self, cursor: str) -> str:
        return f"{cursor}.{self._mac(cursor)}"

    def open(self, sealed: str) -> str:
        """The cursor inside; 400 on `cursor` unless this deployment sealed it."""
        cursor, dot, mac = sealed.rpartition(".")
        given = mac.encode(errors="replace")
        if not dot or not hmac.compare_digest(given, self._mac(cursor).encode()):
            raise InvalidInput.on("cursor", NOT_A_CURSOR)
        return cursor

    def _mac(self, cursor: str) -> str:
        digest = hmac.new(self._key, cursor.encode(errors="replace"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:MAC_BYTES]).decode().rstrip("=")


CURSOR_SEAL = "quill.cursor_seal"  # the app's CursorSeal, in app.extensions


def cursor_seal() -> CursorSeal:
    """The app's seal, which create_app keeps in its extensions."""
    seal: CursorSeal = current_app.extensions[CURSOR_SEAL]
    return seal
