"""Assertions shared by the API tests: the error shape and the representations of docs/API.md."""

from __future__ import annotations

import re
from typing import Any

from werkzeug.test import TestResponse

from domain.mail import OutgoingMail
from infrastructure.memory import InMemoryUnitOfWork

FULL_USER_KEYS = {
    "id",
    "email",
    "name",
    "role",
    "is_active",
    "created_at",
    "updated_at",
    "username",
    "bio",
    "image",
}
FULL_USER_KEYS |= {"email_verified"}  # e-mail verification (docs/API.md)
PUBLIC_USER_KEYS = {"id", "name", "created_at"}
POST_KEYS = {
    "id",
    "title",
    "content",
    "published",
    "published_at",
    "author_id",
    "author",
    "created_at",
    "updated_at",
    "slug",
    "summary",
    "tags",
    "favorites_count",
    "comments_count",
    "favorited",
}
AUTHOR_KEYS = {"id", "name", "username"}
PROFILE_KEYS = {"username", "name", "bio", "image", "following", "followers", "follows"}
COMMENT_KEYS = {"id", "post_id", "body", "author", "created_at", "updated_at"}
PAGE_KEYS = {"items", "total", "page", "per_page", "pages", "next_cursor"}
TOKEN_KEYS = {"access_token", "refresh_token", "token_type", "expires_in"}


def assert_error(response: TestResponse, status: int, code: str) -> dict[str, Any]:
    """`{"message": str, "code": str}`, plus `errors` exactly when it is a validation error."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/json"
    body: dict[str, Any] = response.get_json()
    assert body["code"] == code
    assert isinstance(body["message"], str)
    assert body["message"]
    if code == "validation_error":
        assert set(body) == {"message", "code", "errors"}
        assert isinstance(body["errors"], dict)
        assert body["errors"]
        for field, problems in body["errors"].items():
            assert isinstance(field, str)
            assert isinstance(problems, list)
            assert problems
            assert all(isinstance(problem, str) for problem in problems)
    else:
        assert set(body) == {"message", "code"}
    return body


def assert_field_error(response: TestResponse, *fields: str) -> None:
    body = assert_error(response, 400, "validation_error")
    for field in fields:
        assert field in body["errors"], body["errors"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


TOKEN = re.compile(r"token=([A-Za-z0-9_-]+)")


def mails(uow: InMemoryUnitOfWork, kind: str | None = None) -> list[OutgoingMail]:
    found = sorted(uow.store.outbox.values(), key=lambda mail: mail.id or 0)
    return [mail for mail in found if kind in (None, mail.kind)]


def last_token(uow: InMemoryUnitOfWork, kind: str, to: str) -> str:
    mail = [m for m in mails(uow, kind) if m.recipient == to][-1]
    found = TOKEN.search(mail.text)
    assert found is not None
    return found.group(1)
