"""Query strings, as strictly as bodies: unknown, repeated or ill-typed parameters are 400;
the paging every list takes."""

from __future__ import annotations

import re
from typing import Any, TypeVar
from urllib.parse import unquote_to_bytes

import attrs
from attrs import frozen
from flask import request
from werkzeug.datastructures import MultiDict

from application.paging import PER_PAGE_DEFAULT, PageRequest
from domain.errors import InvalidInput
from domain.ids import ID_MAX
from interfaces.http.converter import check_text, converter
from interfaces.http.cursors import cursor_seal

T = TypeVar("T")


@frozen
class NoQuery:
    """The query of a list that takes none (`GET /tags`): each parameter is unknown, as on
    every list."""


@frozen(kw_only=True)
class PagedQuery:
    """The paging parameters every list route takes; routes add their filters."""

    # Numbers of any size, which the use case bounds (PageRequest): past the end is empty,
    # and a per_page of a thousand digits gets the same "from 1 to 100" as one of three.
    page: int = attrs.field(default=1, metadata={"any_size": True})
    per_page: int = attrs.field(default=PER_PAGE_DEFAULT, metadata={"any_size": True})
    cursor: str | None = None

    def paging(self) -> PageRequest:
        cursor = None if self.cursor is None else cursor_seal().open(self.cursor)
        return PageRequest(page=self.page, per_page=self.per_page, cursor=cursor)


_DIGITS = re.compile(r"[0-9]{1,4000}")  # within the 4,300 digits int() reads by default


def whole_number(raw: str, *, any_size: bool = False) -> int | None:
    """The whole number a query string's value writes in ASCII digits, else None: at most
    ID_MAX (an id is a BIGINT), or of `any_size` for one the use case bounds."""
    if not _DIGITS.fullmatch(raw):
        return None
    number = int(raw)
    return number if any_size or number <= ID_MAX else None


def _from_query(name: str, raw: str, field: attrs.Attribute[Any]) -> Any:
    kind = field.type
    if kind in (int, int | None):
        number = whole_number(raw, any_size=field.metadata.get("any_size", False))
        if number is None:  # an id's digits past a BIGINT, or no number
            past = _DIGITS.fullmatch(raw) is not None
            raise InvalidInput.on(
                name, f"Must be at most {ID_MAX}." if past else "Must be a whole number."
            )
        return number
    if kind in (bool, bool | None):
        if raw not in ("true", "false"):
            raise InvalidInput.on(name, "Must be true or false.")
        return raw == "true"
    try:
        return check_text(raw)
    except ValueError as error:
        raise InvalidInput.on(name, str(error)) from None


def query_args() -> MultiDict[str, str]:
    """The query's parameters, refused (400) where their bytes are not UTF-8 text, as a
    body's would be: werkzeug keeps such a byte as its escape, so `?search=%FF` would search
    for the three characters `%FF` (and `%ED%A0%80`, a lone surrogate, for nine)."""
    raw = request.query_string
    if b"%" in raw or not raw.isascii():  # else every byte is ASCII text already
        for pair in raw.split(b"&"):
            name, _, value = pair.partition(b"=")
            try:
                unquote_to_bytes(name).decode()
                unquote_to_bytes(value).decode()
            except UnicodeDecodeError:
                said = unquote_to_bytes(name.replace(b"+", b" ")).decode(errors="replace")
                raise InvalidInput.on(said, "Must be UTF-8 text.") from None
    return request.args


def parse_query(cls: type[T]) -> T:
    """Query strings are as strict as bodies: unknown, repeated or ill-typed parameters are 400."""
    fields = {f.name: f for f in attrs.fields(attrs.resolve_types(cls))}  # type: ignore[arg-type]
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name, raws in query_args().lists():
        if name not in fields:
            errors[name] = ["Unknown parameter."]
        elif len(raws) > 1:
            errors[name] = ["Give this parameter once."]
        else:
            try:
                values[name] = _from_query(name, raws[0], fields[name])
            except InvalidInput as error:
                errors.update(error.errors)
    if errors:
        raise InvalidInput(errors)
    return converter.structure(values, cls)
