"""Request bodies, strictly: JSON objects sent as JSON, at most MAX_BODY bytes, no unknown
field and no null but where one means something; a route that takes none refuses one."""

from __future__ import annotations

import json
import logging
import re
from functools import cache
from typing import Any, TypeVar

import attrs
from flask import request
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    RequestEntityTooLarge,
    UnsupportedMediaType,
)

from application.users import UserChanges
from domain.errors import InvalidInput
from interfaces.http.converter import converter

T = TypeVar("T")
log = logging.getLogger(__name__)


MAX_BODY = 1024 * 1024  # bytes of a request body, at most


class NotJson(BadRequest):
    """A body that is not JSON at all (each API words it its own way)."""

    description = "The body is not valid JSON."


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def json_body() -> dict[str, Any]:
    """The request body as a JSON object, or a 415/413/400 raised on the way."""
    if request.mimetype != "application/json":
        raise UnsupportedMediaType("Send the body as application/json.")
    raw = _body_bytes()
    if len(raw) > MAX_BODY:
        raise RequestEntityTooLarge()
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise NotJson() from None
    if not isinstance(data, dict):
        raise BadRequest("The body must be a JSON object.")
    return data


def _body_bytes() -> bytes:
    try:
        return request.get_data(cache=True)  # a streamed body stops a byte past the limit
    except (HTTPException, MemoryError):  # the limit (413), a client gone mid-body (400)
        raise
    except Exception as error:
        # The WSGI server's own error for a body it cannot unframe (gunicorn raises its
        # ParseException for a bad chunk): the request's fault. Its text quotes the client's
        # bytes, so only its kind is logged.
        log.info("request body unreadable: %s", type(error).__name__)
        raise BadRequest("The body could not be read.") from None


# Body fields whose value may be null (docs/API.md), and what their null stands for: a
# user's bio and image are null or text, and null clears them as "" does. Every other null is
# refused. The OpenAPI document reads this too.
NULL_MEANS: dict[type, dict[str, object]] = {UserChanges: {"bio": "", "image": ""}}


@cache  # asked on every request with a body; a class's fields never change
def body_required(cls: type) -> bool:
    """Whether a field must be given: else (a PATCH's body) the body may be left out."""
    return any(field.default is attrs.NOTHING for field in attrs.fields(cls))


def parse_body(cls: type[T]) -> T:
    data = {} if _left_out(cls) else json_body()
    if null_means := NULL_MEANS.get(cls):
        data = {k: null_means[k] if v is None and k in null_means else v for k, v in data.items()}
    nulls = {key: ["Must not be null."] for key, value in data.items() if value is None}
    if nulls:
        raise InvalidInput(nulls)
    return converter.structure(data, cls)


def _left_out(cls: type) -> bool:
    """A body that may be left out was: no bytes at all, or `{}`, whatever their content type
    ("An empty body changes nothing"; some clients send no type with no body, and `fetch`
    sends text). Other bytes that are not JSON (blanks too) are refused, as on every route."""
    if body_required(cls):
        return False
    raw = _body_bytes()
    return not raw or _EMPTY_OBJECT.fullmatch(raw) is not None


def no_body() -> None:
    """A route that takes no body accepts none, or `{}` whatever its content type (what
    `fetch` and `curl -d '{}'` send as text or a form). Any other body must still be a JSON
    object sent as JSON (415, invalid JSON), as every body, and each of its fields is one the
    route does not take: unknown, as on every route (400)."""
    if _EMPTY.fullmatch(_body_bytes()) is None and (fields := json_body()):
        raise InvalidInput({name: ["Unknown field."] for name in sorted(fields)})


_BLANKS = rb"[ \t\r\n]*"  # JSON's own (RFC 8259), not \s, which takes \v and \f too
_EMPTY_OBJECT = re.compile(_BLANKS + rb"\{" + _BLANKS + rb"\}" + _BLANKS)
_EMPTY = re.compile(_BLANKS + rb"(\{" + _BLANKS + rb"\})?" + _BLANKS)  # blanks alone too
