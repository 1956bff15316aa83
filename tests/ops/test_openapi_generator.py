"""The OpenAPI generator: attrs classes to schemas, limits from the domain, a valid document."""

from __future__ import annotations

import re
import string
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, Optional, TypeVar

import attrs
import jsonschema_rs
import pytest
from attrs import frozen
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.definitions import OPENAPI_31

from application.paging import PER_PAGE_MAX
from application.posts import NewPost
from domain.comments import BODY_MAX, BODY_MIN
from domain.errors import DomainError, InvalidInput
from domain.posts import (
    CONTENT_MAX,
    CONTENT_MIN,
    SEARCH_MAX,
    SUMMARY_MAX,
    TAG_MAX,
    TAGS_MAX,
    TITLE_MAX,
    Post,
    normalize_tags,
)
from domain.users import (
    BIO_MAX,
    EMAIL_MAX,
    IMAGE_MAX,
    NAME_MAX,
    NAME_MIN,
    PASSWORD_MAX,
    PASSWORD_MIN,
    USERNAME_MAX,
    check_password,
    check_username,
    normalize_email,
)
from interfaces.http import openapi
from interfaces.http.converter import SHAPES, Shape
from interfaces.http.errors import HTTP_CODES
from interfaces.http.openapi import builder, document, fields
from interfaces.http.openapi.schemas import BODY_RULE, Schemas, ref

T = TypeVar("T")


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


@frozen(kw_only=True)
class Inner:
    label: str


@frozen(kw_only=True)
class Everything:
    text: str
    count: int
    flag: bool
    ratio: float
    when: datetime
    colour: Colour
    inner: Inner
    tags: list[int]
    maybe: int | None = None
    legacy: Optional[str] = None  # noqa: UP045  # the older spelling means the same
    chosen: Colour = Colour.BLUE
    on: bool = True
    made: list[str] = attrs.Factory(list)
    labels: tuple[str, ...] = ("first",)


@frozen(kw_only=True)
class Box(Generic[T]):
    things: list[T]


def bare() -> Schemas:
    return Schemas(lambda owner, name: {}, {})


def test_each_supported_type_of_a_body_maps_to_its_schema() -> None:
    schemas = bare()
    assert schemas.body(Everything) == ref("Everything")
    body = schemas.components["Everything"]
    assert body["required"] == ["text", "count", "flag", "ratio", "when", "colour", "inner", "tags"]
    assert body["additionalProperties"] is False and body["description"] == BODY_RULE
    assert body["properties"] == {
        "text": {"type": "string"},
        "count": {"type": "integer"},
        "flag": {"type": "boolean"},
        "ratio": {"type": "number"},
        "when": ref("Timestamp"),
        "colour": ref("Colour"),
        "inner": ref("Inner"),
        "tags": {"type": "array", "items": {"type": "integer"}},
        "maybe": {"type": "integer"},  # None means absent: a body's null is refused
        "legacy": {"type": "string"},
        "chosen": {**ref("Colour"), "default": "blue"},
        "on": {"type": "boolean", "default": True},
        "made": {"type": "array", "items": {"type": "string"}},
        "labels": {"type": "array", "items": {"type": "string"}, "default": ["first"]},
    }
    assert schemas.components["Colour"] == {"type": "string", "enum": ["red", "blue"]}
    assert schemas.components["Inner"]["properties"] == {"label": {"type": "string"}}


def test_a_rendered_shape_has_every_key_required_but_its_optional_ones() -> None:
    schemas = bare()
    shape = Shape(
        cls=Everything,
        hidden=frozenset({"ratio", "made"}),
        extra={"score": int, "note": str},
        optional=frozenset({"note"}),
    )
    schemas.shape("Rendered", shape)
    rendered = schemas.components["Rendered"]
    assert "ratio" not in rendered["properties"] and "made" not in rendered["properties"]
    assert rendered["properties"]["maybe"] == {"type": ["integer", "null"]}
    assert rendered["properties"]["when"] == ref("Timestamp")
    assert rendered["properties"]["score"] == {"type": "integer"}
    assert "default" not in rendered["properties"]["chosen"]
    assert rendered["required"] == [key for key in rendered["properties"] if key != "note"]
    assert schemas.components["Inner"]["required"] == ["label"]  # nested: all its fields


def test_a_generic_shape_is_built_for_its_element_and_an_inlined_field_spreads_its_keys() -> None:
    schemas = bare()
    schemas.shape("InnerBox", Shape(cls=Box), items="Inner")
    assert schemas.components["InnerBox"]["properties"]["things"] == {
        "type": "array",
        "items": ref("Inner"),
    }

    @frozen(kw_only=True)
    class Wrapped:
        inner: Inner
        extra: int

    schemas.shape("Flat", Shape(cls=Wrapped, inline=frozenset({"inner"})))
    assert list(schemas.components["Flat"]["properties"]) == ["label", "extra"]


def test_query_parameters_carry_their_field_s_description_defaults_and_requirement() -> None:
    @frozen(kw_only=True)
    class Query:
        needed: str
        page: int = 1
        search: str | None = None

    schemas = Schemas(lambda owner, name: {"description": f"About {name}."}, {})
    assert schemas.parameters(Query) == [
        {
            "name": "needed",
            "in": "query",
            "description": "About needed.",
            "required": True,
            "schema": {"type": "string"},
        },
        {
            "name": "page",
            "in": "query",
            "description": "About page.",
            "schema": {"type": "integer", "default": 1},
        },
        {
            "name": "search",
            "in": "query",
            "description": "About search.",
            "schema": {"type": "string"},
        },
    ]


@pytest.mark.parametrize("kind", [dict[str, int], int | str, object, tuple[int, str]])
def test_a_type_without_a_schema_is_refused(kind: Any) -> None:
    with pytest.raises(TypeError):
        bare().of_type(kind, bare().body, nulls=False)


def test_a_new_field_of_a_body_or_a_rendered_entity_reaches_the_schema() -> None:
    @frozen(kw_only=True)
    class NewPostWithSubtitle(NewPost):
        subtitle: str | None = None

    @frozen(kw_only=True)
    class PostWithMood(Post):
        mood: str = "calm"

    schemas = Schemas(fields.notes, {})
    schemas.body(NewPostWithSubtitle)
    body = schemas.components["NewPostWithSubtitle"]
    assert body["properties"]["subtitle"] == {"type": "string"}
    assert "subtitle" not in body["required"]
    assert body["properties"]["title"]["maxLength"] == TITLE_MAX  # by its name, as in NewPost
    post_shape = SHAPES["Post"]
    schemas.shape("MoodyPost", attrs.evolve(post_shape, cls=PostWithMood))
    rendered = schemas.components["MoodyPost"]
    assert rendered["properties"]["mood"] == {"type": "string"}
    assert "mood" in rendered["required"]
    post = document()["components"]["schemas"]["Post"]
    assert set(rendered["properties"]) == set(post["properties"]) | {"mood"}


def test_the_limits_are_the_domain_s_constants() -> None:
    schemas = document()["components"]["schemas"]
    title, content = (schemas["NewPost"]["properties"][key] for key in ("title", "content"))
    assert title["maxLength"] == TITLE_MAX
    assert (content["minLength"], content["maxLength"]) == (CONTENT_MIN, CONTENT_MAX)
    for body in ("Registration", "UserChanges"):
        name, email = (schemas[body]["properties"][key] for key in ("name", "email"))
        assert (name["minLength"], name["maxLength"]) == (NAME_MIN, NAME_MAX)
        assert email["maxLength"] == EMAIL_MAX
    for body, key in (("Registration", "password"), ("PasswordChange", "new_password")):
        password = schemas[body]["properties"][key]
        assert (password["minLength"], password["maxLength"]) == (PASSWORD_MIN, PASSWORD_MAX)
    listing = document()["paths"]["/api/v1/posts"]["get"]["parameters"]
    by_name = {parameter["name"]: parameter["schema"] for parameter in listing}
    assert by_name["search"]["maxLength"] == SEARCH_MAX
    assert by_name["per_page"]["maximum"] == PER_PAGE_MAX
    assert by_name["page"]["minimum"] == 1 and "maximum" not in by_name["page"]


def test_the_social_limits_are_the_domain_s_constants() -> None:
    schemas = document()["components"]["schemas"]
    new_post = schemas["NewPost"]["properties"]
    assert new_post["summary"]["maxLength"] == SUMMARY_MAX
    tag = new_post["tags"]["items"]
    assert (tag["minLength"], tag["maxLength"]) == (1, TAG_MAX)
    assert schemas["Post"]["properties"]["tags"]["maxItems"] == TAGS_MAX
    changes = schemas["UserChanges"]["properties"]
    assert (changes["bio"]["maxLength"], changes["image"]["maxLength"]) == (BIO_MAX, IMAGE_MAX)
    for body in ("Registration", "UserChanges"):
        assert schemas[body]["properties"]["username"]["maxLength"] == USERNAME_MAX
    body = schemas["NewComment"]["properties"]["body"]
    assert (body["minLength"], body["maxLength"]) == (BODY_MIN, BODY_MAX)
    listing = document()["paths"]["/api/v1/posts"]["get"]["parameters"]
    by_name = {parameter["name"]: parameter["schema"] for parameter in listing}
    assert by_name["tag"]["maxLength"] == TAG_MAX
    assert by_name["author"]["maxLength"] == by_name["favorited_by"]["maxLength"] == USERNAME_MAX


@pytest.mark.parametrize(
    "username", ["ann", "Ann.Lee-2_x", "u" * 40, "", "u" * 41, "ann lee", "zoë", "a/b", "a@b"]
)
def test_the_username_pattern_accepts_what_the_domain_accepts(username: str) -> None:
    pattern = fields.USERNAME["pattern"]
    try:
        check_username(username)
        valid = True
    except InvalidInput:
        valid = False
    assert (re.search(pattern, username) is not None) == valid


@pytest.mark.parametrize("tag", ["python", "a b", "t" * 40, "", "   ", "a,b", "t" * 41])
def test_the_tag_pattern_refuses_what_the_domain_refuses(tag: str) -> None:
    schema = fields.TAG
    try:
        normalize_tags([tag])
        valid = True
    except InvalidInput:
        valid = False
    fits = len(tag) <= schema["maxLength"] and re.search(schema["pattern"], tag) is not None
    assert fits == valid


@pytest.mark.parametrize(
    "password", ["Abcdefgh1", "1abcdefgH", "abcdefgh1", "ABCDEFGHI", "abcdefghi", "ÄÖÜäöü123"]
)
def test_the_password_pattern_needs_what_the_domain_needs(password: str) -> None:
    pattern = fields.PASSWORD["pattern"]
    try:
        check_password(password)
        kinds_missing = False
    except InvalidInput as error:
        kinds_missing = any("contain" in problem for problem in error.errors["password"])
    assert (re.fullmatch(pattern, password) is None) == kinds_missing


# Addresses near the edges of the rule: international parts, the specials a header parses,
# domains DNS cannot hold (`_`, a hyphen at an end, a symbol, mixed directions, a leading
# combining mark), one that composes (NFC) into a valid one, local parts about SMTP's 64 octets.
ADDRESSES = [
    "ann@example.com", "o'brien@x.io", "ünï@exämple.org", "a@例え.テスト", "josé@faß.de",
    "a!#$%&*/=?^_`{|}~-b@x.io", "ann@b_c.com", "ann@-b.com", "ann@b-.com", "ann@☃.org",
    "ann@x\u05d0.com", "ann@exa\u0301mple.org", "ann@\u0301x.org", f"ann@{'b' * 64}.com",
    "a..b@x.io", "a b@x.io",
    f"{'a' * 64}@x.io", f"{'a' * 65}@x.io", f"{'é' * 33}@x.io",
]  # fmt: skip


@given(
    st.one_of(
        st.sampled_from(ADDRESSES),
        st.builds(
            "{}@{}.{}".format,
            st.text(st.characters(exclude_categories=["Cs", "Zs", "Cc"]), min_size=1),
            st.text(st.characters(categories=["L", "N", "M", "Pd"]), min_size=1, max_size=70),
            st.sampled_from(["com", "org", "テスト", "de"]),
        ),
    )
)
@settings(max_examples=400, deadline=None)
def test_every_address_the_domain_keeps_is_the_documents_idn_email(address: str) -> None:
    """What a full user's `email` holds must pass the format the documents name for it."""
    try:
        kept = normalize_email(address)
    except InvalidInput:
        kept = ""
    assume(kept != "")  # Hypothesis fails the test if too few addresses are kept
    assert fields.EMAIL["format"] == "idn-email"
    validator = jsonschema_rs.validator_for(fields.EMAIL, validate_formats=True)
    assert validator.is_valid(kept), kept


def test_a_character_class_writes_runs_as_ranges() -> None:
    assert fields.char_class(string.digits) == "[0-9]"
    assert fields.char_class(string.ascii_uppercase) == "[A-Z]"
    assert fields.char_class("ca-") == r"[\-ac]"


def test_every_code_the_app_answers_with_is_in_the_error_catalogue() -> None:
    def codes(kind: type[DomainError]) -> set[str]:
        return {kind.code}.union(*(codes(sub) for sub in kind.__subclasses__()))

    answered = codes(DomainError) - {DomainError.code} | set(HTTP_CODES.values())
    catalogue = document()["components"]["schemas"]["Error"]["properties"]["code"]["enum"]
    assert answered | {"internal_error"} == set(catalogue)


def test_every_field_note_is_about_a_field_the_document_has(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: set[tuple[type, str]] = set()

    def recording(owner: type, name: str, entries: Any = fields.FIELDS) -> dict[str, Any]:
        asked.add((owner, name))
        return fields.notes(owner, name, entries)

    monkeypatch.setattr(builder, "notes", recording)
    builder.build()
    for key in fields.FIELDS:
        owner_name, _, name = key.rpartition(".")
        assert any(
            name == field and (not owner_name or owner_name in {c.__name__ for c in owner.__mro__})
            for owner, field in asked
        ), key


def test_the_document_is_valid_openapi_3_1_and_built_once() -> None:
    jsonschema_rs.Draft202012Validator(OPENAPI_31).validate(document())
    for schema in document()["components"]["schemas"].values():
        jsonschema_rs.meta.validate(schema)
    assert document() is document()
    assert openapi.document_text() is openapi.document_text()
