"""The one cattrs converter: strict types for what bodies and query strings give (bodies.py and
queries.py read them), and the rendering of entities and pages."""

from __future__ import annotations

import typing
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs
from attrs import frozen
from cattrs.gen import make_dict_unstructure_fn, override
from cattrs.preconf.json import make_converter

from application.auth import LoginResult
from application.paging import Page
from application.ports import TagUse
from application.tokens import TokenPair
from domain.comments import Comment
from domain.posts import SLUG_MAX, Author, Post
from domain.text import is_text
from domain.times import in_utc
from domain.users import Profile, PublicProfile, Role, User
from interfaces.http.cursors import cursor_seal

converter = make_converter(forbid_extra_keys=True)
# What a slug in a path may look like (domain.posts.slug_of): the routes' converter and the
# OpenAPI document both say it, as they do a username's (domain.users.USERNAME_PATTERN).
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
        "next_cursor": None if page.next_cursor is None else cursor_seal().seal(page.next_cursor),
    }
    if page.total_is_lower_bound:  # only then: old clients see the keys they always saw
        rendered["total_is_lower_bound"] = True
    return rendered
