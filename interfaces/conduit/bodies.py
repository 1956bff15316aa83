"""RealWorld request bodies and query strings.

A body is an envelope around the fields (`{"user": {...}}`). Types are strict (a number is not a
string); keys the adapter does not know are ignored, as RealWorld front ends send whole objects
back (nothing but the declared fields is ever read, so nothing is assigned by surprise). A
required field that is missing, null, empty or blank (domain.text.is_blank: spaces and
invisible formatting) "can't be blank", in RealWorld's words (Rails', whose `blank?` it is),
but for a password, which may be spaces. What a value must be beyond that (in an update too)
is the use cases' to say.
"""

from __future__ import annotations

import types
import typing
from typing import Any, TypeVar

import attrs

from domain.errors import InvalidInput
from domain.text import is_blank
from interfaces.http.bodies import json_body
from interfaces.http.converter import check_text
from interfaces.http.queries import query_args, whole_number

T = TypeVar("T")

BLANK = "can't be blank"
NULL = "can't be null"


def required(*, key: str | None = None, secret: bool = False) -> Any:
    """A field the request must give, not blank; a `secret` (a password) only not empty: its
    spaces are as good as any character."""
    return attrs.field(metadata={"required": True, "key": key, "secret": secret})


def optional(*, key: str | None = None, null_as: object = None) -> Any:
    """A field that may be left out (then None). Null is refused unless `null_as` says what
    it stands for (for `bio` and `image`, "": clear it)."""
    return attrs.field(default=None, metadata={"key": key, "null_as": null_as})


def key_of(field: attrs.Attribute[Any]) -> str:
    return field.metadata.get("key") or field.name


def keys_of(cls: type) -> list[str]:
    """The keys of a body class's fields, as the client sends them."""
    return [key_of(field) for field in attrs.fields(cls)]  # type: ignore[misc]


def parse_envelope(name: str, cls: type[T]) -> T:
    """The body `{name: {...}}` as a `cls`; 415, 413 and 400 on the way, 422 for its fields.
    A `cls` whose `at_least_one` is true refuses an object naming none of its fields."""
    data = json_body()
    inner = data.get(name)
    if inner is None:
        raise InvalidInput.on(name, BLANK)
    if not isinstance(inner, dict):
        raise InvalidInput.on(name, "must be an object")
    if getattr(cls, "at_least_one", False) and not any(key in inner for key in keys_of(cls)):
        raise InvalidInput.on(name, f"must have at least one of {', '.join(keys_of(cls))}")
    return fields_of(inner, cls)


def fields_of(data: dict[str, Any], cls: type[T]) -> T:
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for field in attrs.fields(attrs.resolve_types(cls)):  # type: ignore[arg-type]
        key = key_of(field)
        try:
            found = _value(field, data.get(key, _ABSENT))
        except ValueError as problem:
            errors[key] = [str(problem)]
            continue
        if found is not _ABSENT:
            values[field.name] = found
    if errors:
        raise InvalidInput(errors)
    return cls(**values)


class _Absent:
    pass


_ABSENT = _Absent()


def _value(field: attrs.Attribute[Any], raw: Any) -> Any:
    if field.metadata.get("required"):
        if raw is _ABSENT or raw is None or _blank(raw, secret=field.metadata.get("secret", False)):
            raise ValueError(BLANK)
    elif raw is _ABSENT:
        return _ABSENT
    elif raw is None:
        if field.metadata.get("null_as") is None:
            raise ValueError(NULL)
        return field.metadata["null_as"]
    return _typed(field.type, raw)


def _blank(raw: Any, *, secret: bool) -> bool:
    if type(raw) is not str:
        return False
    return raw == "" if secret else is_blank(raw)


def _typed(tp: Any, raw: Any) -> Any:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):  # X | None: absent is None
        (tp,) = [arg for arg in typing.get_args(tp) if arg is not type(None)]
    if tp is str:
        if type(raw) is not str:
            raise ValueError("must be a string")
        return check_text(raw)
    if typing.get_origin(tp) is tuple:
        if type(raw) is not list or any(type(item) is not str for item in raw):
            raise ValueError("must be a list of strings")
        return tuple(check_text(item) for item in raw)
    raise TypeError(f"no parser for {tp!r}")


def query_number(name: str, default: int) -> int:
    """A whole number from the query string (`limit`, `offset`); its bounds are the use case's."""
    raw = query_args().get(name)
    if raw is None:
        return default
    number = whole_number(raw)
    if number is None:
        raise InvalidInput.on(name, "must be a whole number")
    return number


def query_text(name: str) -> str | None:
    raw = query_args().get(name)
    if raw is None:
        return None
    try:
        return check_text(raw)
    except ValueError as problem:
        raise InvalidInput.on(name, str(problem)) from None
