"""The one cattrs converter: strict parsing of bodies and query strings, rendering of entities."""

from __future__ import annotations

import json
import logging
import re
import typing
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

import attrs
from attrs import frozen
from cattrs.gen import make_dict_unstructure_fn, override
from cattrs.preconf.json import make_converter
from flask import current_app, request
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    RequestEntityTooLarge,
    UnsupportedMediaType,
)

from application.auth import LoginResult
from application.paging import PER_PAGE_DEFAULT, Page, PageRequest
from application.ports import TagUse
from application.tokens import TokenPair
from application.users import UserChanges
from domain.comments import Comment
from domain.errors import InvalidInput
from domain.posts import SLUG_MAX, Author, Post
from domain.text import is_text
from domain.times import in_utc
from domain.users import USERNAME_MAX, Profile, PublicProfile, Role, User
from interfaces.http.cursors import CursorSeal

T = TypeVar("T")
log = logging.getLogger(__name__)
converter = make_converter(forbid_extra_keys=True)
# What a username and a slug in a path may look like (domain.users.check_username, slug_of):
# the routes' converters and the OpenAPI document both say it.
USERNAME_PATTERN = f"[A-Za-z0-9_.-]{{1,{USERNAME_MAX}}}"
SLUG_PATTERN = f"[a-z0-9-]{{1,{SLUG_MAX}}}"


def _strict(kind: type, label: str) -> Any:
    def structure(value: Any, _: type) -> Any:
        if type(value) is not kind:  # cattrs would coerce "5" to 5 and 1 to True
            raise TypeError(f"Must be {label}.")
        return value

    return structure


def check_text(value: str) -> str:
    """Text every layer below can store: valid UTF-8 (no lone surrogates) and no NUL."""
    if "\x00" in value or (not value.isascii() and not is_text(value)):
        raise ValueError("Must be text without NUL characters or invalid Unicode.")
    return value


def _text(value: Any, _: type) -> str:
    if type(value) is not str:
        raise TypeError("Must be a string.")
    return check_text(value)


converter.register_structure_hook(str, _text)
converter.register_structure_hook(int, _strict(int, "a whole number"))
converter.register_structure_hook(bool, _strict(bool, "true or false"))


def _role(value: Any, _: type) -> Role:
    # Role is a str subclass, so without its own hook the strict str hook would let any text in.
    if type(value) is not str or value not in set(Role):
        raise ValueError(f"Must be one of: {', '.join(Role)}.")
    return Role(value)


converter.register_structure_hook(Role, _role)


ITEM_LABELS = {str: "strings", int: "whole numbers", bool: "booleans"}


def _is_tuple(tp: Any) -> bool:
    return typing.get_origin(tp) is tuple


def _list_as_tuple(value: Any, tp: Any) -> tuple[Any, ...]:
    """A JSON list, each item as strict as a field (`tuple[X, ...]` only): cattrs would take
    any iterable, a string as a tuple of its characters."""
    if type(value) is not list:
        raise TypeError("Must be a list.")
    item = typing.get_args(tp)[0]
    try:
        return tuple(converter.structure(element, item) for element in value)
    except TypeError:
        raise TypeError(f"Must be a list of {ITEM_LABELS.get(item, 'values')}.") from None


converter.register_structure_hook_func(_is_tuple, _list_as_tuple)


def rfc3339(value: datetime) -> str:
    return in_utc(value).isoformat().replace("+00:00", "Z")


# Rendered entities keep their datetimes: the JSON provider writes them as RFC 3339 in UTC,
# in orjson's native code, far more cheaply than isoformat() per value here would.
converter.register_unstructure_hook(datetime, in_utc)


@frozen(kw_only=True)
class Shape:
    """The JSON object an attrs class is rendered as: its fields but `hidden`, the fields in
    `inline` replaced by their own keys, then `extra` keys (name: type); keys in `optional` may
    be absent. The OpenAPI document's response schemas are built from these, and nothing else."""

    cls: type
    hidden: frozenset[str] = frozenset()
    inline: frozenset[str] = frozenset()
    extra: Mapping[str, Any] = attrs.field(factory=dict)
    optional: frozenset[str] = frozenset()


@frozen(kw_only=True)
class TagList:
    """The answer of GET /tags."""

    tags: list[TagUse]


# Every rendered representation, by its schema's name. The hooks below and the routes render
# exactly these keys (tests/ops/test_rendered_shapes.py compares every one with its schema).
SHAPES = {
    "User": Shape(cls=User, hidden=frozenset({"password_hash"})),
    "PublicUser": Shape(cls=PublicProfile),
    # Of a post or a comment: what the v1 API shows of its author, whatever else is read with it.
    "Author": Shape(
        cls=Author,
        hidden=frozenset(f.name for f in attrs.fields(Author)) - {"id", "name", "username"},
    ),
    "Post": Shape(cls=Post, hidden=frozenset({"version"}), extra={"author_id": int}),
    "TokenPair": Shape(cls=TokenPair),
    "LoginResult": Shape(cls=LoginResult, inline=frozenset({"tokens"})),
    "Profile": Shape(cls=Profile, hidden=frozenset({"user_id"})),
    "Comment": Shape(cls=Comment),
    "TagUse": Shape(cls=TagUse),
    "TagList": Shape(cls=TagList),
    "Page": Shape(
        cls=Page,
        extra={"pages": int, "total_is_lower_bound": bool},
        # Only when a search's count was capped: `total` is then at least that many.
        optional=frozenset({"total_is_lower_bound"}),
    ),
}
converter.register_unstructure_hook(
    User,
    make_dict_unstructure_fn(
        User, converter, **{name: override(omit=True) for name in SHAPES["User"].hidden}
    ),
)


def _author(author: Author) -> dict[str, Any]:
    """The keys of SHAPES["Author"]."""
    return {"id": author.id, "name": author.name, "username": author.username}


converter.register_unstructure_hook(Author, _author)


def _post(post: Post) -> dict[str, Any]:
    """The keys of SHAPES["Post"], written out: one dict literal, no hook per field."""
    return {
        "id": post.id,
        "title": post.title,
        "content": post.content,
        "published": post.published,
        "published_at": None if post.published_at is None else in_utc(post.published_at),
        "author_id": post.author.id,
        "author": _author(post.author),
        "created_at": in_utc(post.created_at),
        "updated_at": in_utc(post.updated_at),
        "slug": post.slug,
        "summary": post.summary,
        "tags": list(post.tags),
        "favorites_count": post.favorites_count,
        "comments_count": post.comments_count,
        "favorited": post.favorited,
    }


converter.register_unstructure_hook(Post, _post)
converter.register_unstructure_hook(
    Profile,
    make_dict_unstructure_fn(
        Profile, converter, **{name: override(omit=True) for name in SHAPES["Profile"].hidden}
    ),
)


def render_page(page: Page[Any]) -> dict[str, Any]:
    """The keys of SHAPES["Page"]."""
    rendered = {
        "items": [converter.unstructure(item) for item in page.items],
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "pages": page.pages,
        "next_cursor": None if page.next_cursor is None else _cursor_seal().seal(page.next_cursor),
    }
    if page.total_is_lower_bound:  # only then: old clients see the keys they always saw
        rendered["total_is_lower_bound"] = True
    return rendered


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
    """A body of optional fields alone (a PATCH's) may be left out: no bytes at all are `{}`,
    whatever their content type ("An empty body changes nothing"; some clients send no type
    with no body). Bytes that are not JSON (blanks too) are refused, as on every route."""
    return any(field.default is attrs.NOTHING for field in attrs.fields(cls))


def parse_body(cls: type[T]) -> T:
    data = json_body() if body_required(cls) or _body_bytes() else {}
    if null_means := NULL_MEANS.get(cls):
        data = {k: null_means[k] if v is None and k in null_means else v for k, v in data.items()}
    nulls = {key: ["Must not be null."] for key, value in data.items() if value is None}
    if nulls:
        raise InvalidInput(nulls)
    return converter.structure(data, cls)


def no_body() -> None:
    """A route that takes no body accepts none, or `{}` whatever its content type (what
    `fetch` and `curl -d '{}'` send as text or a form). Any other body must still be a JSON
    object sent as JSON (415, invalid JSON), as every body, and each of its fields is one the
    route does not take: unknown, as on every route (400)."""
    if _EMPTY.fullmatch(_body_bytes()) is None and (fields := json_body()):
        raise InvalidInput({name: ["Unknown field."] for name in sorted(fields)})


_EMPTY = re.compile(rb"\s*(\{\s*\})?\s*")


@frozen
class NoQuery:
    """The query of a list that takes none (`GET /tags`): each parameter is unknown, as on
    every list."""


@frozen(kw_only=True)
class PagedQuery:
    """The paging parameters every list route takes; routes add their filters."""

    page: int = attrs.field(default=1, metadata={"any_size": True})  # past the end: empty
    per_page: int = PER_PAGE_DEFAULT
    cursor: str | None = None

    def paging(self) -> PageRequest:
        cursor = None if self.cursor is None else _cursor_seal().open(self.cursor)
        return PageRequest(page=self.page, per_page=self.per_page, cursor=cursor)


CURSOR_SEAL = "quill.cursor_seal"  # the app's CursorSeal, in app.extensions


def _cursor_seal() -> CursorSeal:
    seal: CursorSeal = current_app.extensions[CURSOR_SEAL]
    return seal


_DIGITS = re.compile(r"[0-9]{1,19}")
_ANY_DIGITS = re.compile(r"[0-9]{1,4000}")  # int() reads 4,300; a request line holds fewer


def whole_number(raw: str, *, any_size: bool = False) -> int | None:
    """The whole number a query string's value writes in ASCII digits, else None: below 2**63
    (an id is a BIGINT), or of `any_size` for one the use case bounds or needs no bound."""
    if any_size:
        return int(raw) if _ANY_DIGITS.fullmatch(raw) else None
    if not _DIGITS.fullmatch(raw) or int(raw) >= 2**63:
        return None
    return int(raw)


def _from_query(name: str, raw: str, field: attrs.Attribute[Any]) -> Any:
    kind = field.type
    if kind in (int, int | None):
        number = whole_number(raw, any_size=field.metadata.get("any_size", False))
        if number is None:
            raise InvalidInput.on(name, "Must be a whole number.")
        return number
    if kind in (bool, bool | None):
        if raw not in ("true", "false"):
            raise InvalidInput.on(name, "Must be true or false.")
        return raw == "true"
    try:
        return check_text(raw)
    except ValueError as error:
        raise InvalidInput.on(name, str(error)) from None


def parse_query(cls: type[T]) -> T:
    """Query strings are as strict as bodies: unknown, repeated or ill-typed parameters are 400."""
    fields = {f.name: f for f in attrs.fields(attrs.resolve_types(cls))}  # type: ignore[arg-type]
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name, raws in request.args.lists():
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
