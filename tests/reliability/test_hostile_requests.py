"""Hostile requests, case by case: bodies, content types, sizes, paging, ids, request ids."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from interfaces.http import logs
from tests.factories import PASSWORD
from tests.reliability.hostile import MIB, assert_handled, forged_cursor

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")


# Every route that reads a JSON body: method, path, who.
BODY_ROUTES = [
    ("POST", "/api/v1/users", None),
    ("POST", "/api/v1/auth/login", None),
    ("POST", "/api/v1/users/me/password", "user"),
    ("PATCH", "/api/v1/users/{user}", "user"),
    ("POST", "/api/v1/posts", "user"),
    ("PUT", "/api/v1/posts/{post}", "user"),
    ("PATCH", "/api/v1/posts/{post}", "user"),
    ("POST", "/api/v1/posts/{post}/comments", "user"),
]
ROUTE_IDS = [f"{method} {path}" for method, path, _ in BODY_ROUTES]


def send(
    client: FlaskClient, world: dict[str, Any], route: tuple[str, str, str | None], **kw: Any
) -> Any:
    method, path, who = route
    headers = kw.pop("headers", {})
    if who is not None:
        headers = {**world[who].headers, **headers}
    url = path.format(user=world["user"].id, post=world["post"])
    return client.open(url, method=method, headers=headers, **kw)


def assert_error(response: Any, status: int, code: str) -> None:
    assert_handled(response)
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.json["code"] == code


def mismatches(answers: dict[str, Any], status: int, code: str) -> dict[str, str]:
    """The cases not answered `status` with `code`, with what they got instead."""
    wrong = {}
    for case, response in answers.items():
        got = response.get_json(silent=True) or {}
        if response.status_code != status or got.get("code") != code:
            wrong[case] = f"{response.status_code} {response.get_data(as_text=True)[:120]}"
    return wrong


INVALID_UTF8 = [
    b'{"title": "\xff\xfe"}',
    b'{"email": "a\xc3@example.com"}',
    b'{"title": "\xed\xa0\x80"}',  # an encoded surrogate
    b"\xef\xbb\xbf{}",  # a byte-order mark before the object
    b"\x00\x00\x00{",
    b"\x80",
]


def test_a_body_that_is_not_utf8_is_invalid_json(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    answers = {
        f"{name} {body!r}": send(client, world, route, data=body, content_type="application/json")
        for name, route in zip(ROUTE_IDS, BODY_ROUTES, strict=True)
        for body in INVALID_UTF8
    }
    assert mismatches(answers, 400, "invalid_json") == {}


NOT_JSON = [
    None,
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/jsonp",
    "application/xml",
    "json",
]


def test_a_body_without_the_json_content_type_is_unsupported(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    answers = {
        f"{name} {kind}": send(
            client,
            world,
            route,
            data=b'{"title": "x"}',
            headers={} if kind is None else {"Content-Type": kind},
        )
        for name, route in zip(ROUTE_IDS, BODY_ROUTES, strict=True)
        for kind in NOT_JSON
    }
    assert mismatches(answers, 415, "unsupported_media_type") == {}


def padded_to(size: int, field: str = "content") -> bytes:
    """A JSON object of exactly `size` bytes."""
    skeleton = json.dumps({field: ""}).encode()
    return json.dumps({field: "x" * (size - len(skeleton))}).encode()


def test_a_body_over_one_mebibyte_is_payload_too_large(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    body = padded_to(MIB + 1)
    answers = {
        name: send(client, world, route, data=body, content_type="application/json")
        for name, route in zip(ROUTE_IDS, BODY_ROUTES, strict=True)
    }
    assert mismatches(answers, 413, "payload_too_large") == {}


def test_a_body_of_exactly_one_mebibyte_is_read(client: FlaskClient, world: dict[str, Any]) -> None:
    body = padded_to(MIB)
    assert len(body) == MIB
    answers = {
        name: send(client, world, route, data=body, content_type="application/json")
        for name, route in zip(ROUTE_IDS, BODY_ROUTES, strict=True)
    }
    # Read and judged: the content is too long for a post, an unknown field elsewhere.
    assert mismatches(answers, 400, "validation_error") == {}


def test_a_body_that_lies_about_its_length_is_refused_before_it_is_read(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    response = client.post(
        "/api/v1/posts",
        data=b"{}",
        content_type="application/json",
        headers=world["user"].headers,
        environ_overrides={"CONTENT_LENGTH": str(50 * MIB)},
    )
    assert_error(response, 413, "payload_too_large")


BAD_PAGING = [
    "per_page=0", "per_page=101", "per_page=-1", "per_page=abc", "per_page=1e2",
    "per_page=" + "9" * 400, "per_page=", "per_page=%205",
    "page=0", "page=-1", "page=abc", "page=1.0", "page=" + "9" * 4001,
    "page=1&page=2", "published=1", "published=TRUE", "author_id=18446744073709551616",
    "author_id=-3", "unknown=1",
]  # fmt: skip
FORGED_CURSORS = [
    "not a cursor",
    "A" * 10_000,
    "%00",
    forged_cursor("2026-11-24T10:00:00+00:00", "99999999999999999999"),
    forged_cursor("2026-11-24T10:00:00+00:00", "0"),
    forged_cursor("2026-11-24T10:00:00+00:00", "-1"),
    forged_cursor("2026-11-24T10:00:00+00:00", "1; DROP TABLE posts"),
    forged_cursor("2026-11-24T10:00:00", "1"),  # no time zone
    forged_cursor("9999-12-31T23:59:59-14:00", "1"),  # past the end of time in UTC
    forged_cursor("0001-01-01T00:00:00+14:00", "1"),  # before its start
    forged_cursor("yesterday", "1"),
    forged_cursor("\ud800", "1"),
]


# Every list that pages; {post} is the world's post.
LISTED = ("/api/v1/posts", "/api/v1/users", "/api/v1/feed", "/api/v1/posts/{post}/comments")


def test_absurd_paging_and_forged_cursors_are_validation_errors(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    queries = BAD_PAGING + [f"cursor={quote(c)}" for c in FORGED_CURSORS]
    answers = {
        f"{path}?{query[:60]}": client.get(
            f"{path.format(post=world['post'])}?{query}", headers=world["admin"].headers
        )
        for path in LISTED
        for query in queries
    }
    assert mismatches(answers, 400, "validation_error") == {}


def test_a_page_past_any_end_is_an_empty_page_of_every_list(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    for path in LISTED:
        for page in ("9" * 40, "9" * 4000):
            response = client.get(
                f"{path.format(post=world['post'])}?page={page}", headers=world["admin"].headers
            )
            assert response.status_code == 200, (path, response.get_json())
            assert response.get_json()["items"] == []
            assert response.get_json()["page"] == int(page)


def test_bad_filters_of_posts_are_validation_errors(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    queries = [
        "tag=", "tag=" + "t" * 41, "tag=%00", "author=", "author=" + "a" * 41, "author=a%00",
        "favorited_by=", "favorited_by=" + "f" * 41, "favorited_by=%00", "tag=a&tag=b",
    ]  # fmt: skip
    answers = {query[:60]: client.get(f"/api/v1/posts?{query}") for query in queries}
    assert mismatches(answers, 400, "validation_error") == {}


BIG_IDS = ["9223372036854775808", "18446744073709551616", "9" * 40, "0", "-1", "01", "1e3"]


def test_ids_beyond_64_bits_or_not_positive_are_not_found(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    answers = {
        f"{method} /{resource}/{ident}": client.open(
            f"/api/v1/{resource}/{ident}",
            method=method,
            json={"title": "t"},
            headers=world["admin"].headers,
        )
        for method in ("GET", "PUT", "PATCH", "DELETE")
        for resource in ("posts", "users", "comments")
        for ident in BIG_IDS
    }
    nested = {
        f"{method} /posts/{ident}/{what}": client.open(
            f"/api/v1/posts/{ident}/{what}",
            method=method,
            json={"body": "b"},
            headers=world["admin"].headers,
        )
        for method, what in (("PUT", "favorite"), ("DELETE", "favorite"), ("GET", "comments"),
                             ("POST", "comments"))
        for ident in BIG_IDS
    }  # fmt: skip
    assert mismatches({**answers, **nested}, 404, "not_found") == {}


BAD_NAMES = ["%00", "a%00b", "a%20b", "a" * 41, "zo%C3%AB", "%ED%A0%80", "..%2F..", "%FF"]


def test_usernames_and_slugs_that_cannot_be_are_not_found(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    answers = {
        f"{method} {path}": client.open(path, method=method, headers=world["user"].headers)
        for name in BAD_NAMES
        for method, path in (
            ("GET", f"/api/v1/profiles/{name}"),
            ("PUT", f"/api/v1/profiles/{name}/follow"),
            ("DELETE", f"/api/v1/profiles/{name}/follow"),
            ("GET", f"/api/v1/posts/by-slug/{name}"),
        )
    }
    assert mismatches(answers, 404, "not_found") == {}


HOSTILE_REQUEST_IDS = [
    "abc\ndef",
    "abc\r\nX-Injected: 1",
    "r" * 10_240,
    "a b",
    "caf\u00e9",
    "\u2028",
    '"},{"level":"CRITICAL',
]


@pytest.fixture
def log_lines(app: Flask) -> Iterator[Callable[[str], list[str]]]:
    """Send the app's log to a buffer in the given format; read back its lines."""
    logger = logging.getLogger(logs.LOGGER)
    saved = (logger.level, list(logger.handlers))
    buffer = io.StringIO()

    def read(fmt: str) -> list[str]:
        return buffer.getvalue().splitlines()

    def use(fmt: str) -> None:
        buffer.seek(0)
        buffer.truncate()
        logs.configure("DEBUG", fmt, stream=buffer)

    read.use = use  # type: ignore[attr-defined]
    yield read
    logger.setLevel(saved[0])
    logger.handlers[:] = saved[1]


@pytest.mark.parametrize("fmt", ["json", "text"])
@pytest.mark.parametrize("given", HOSTILE_REQUEST_IDS)
def test_a_hostile_request_id_is_replaced_and_never_breaks_a_log_line(
    client: FlaskClient, log_lines: Any, fmt: str, given: str
) -> None:
    log_lines.use(fmt)
    response = client.get("/api/v1/posts/999", environ_overrides={"HTTP_X_REQUEST_ID": given})
    assert response.status_code == 404
    answered = response.headers["X-Request-ID"]
    assert answered != given and REQUEST_ID.fullmatch(answered)
    lines = log_lines(fmt)
    assert lines, "the request was not logged"
    for line in lines:
        assert given not in line and "\r" not in line
        if fmt == "json":
            assert json.loads(line)["request_id"] == answered


def test_a_well_formed_request_id_is_echoed(client: FlaskClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "trace-1.2_3"})
    assert response.headers["X-Request-ID"] == "trace-1.2_3"


def test_a_body_nested_a_hundred_thousand_deep_is_invalid_json(
    client: FlaskClient,
) -> None:
    body = b'{"name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = client.post("/api/v1/users", data=body, content_type="application/json")
    assert_error(response, 400, "invalid_json")


def test_a_registration_with_every_field_at_its_limit_plus_one_is_a_validation_error(
    client: FlaskClient,
) -> None:
    body = {"email": "a" * 250 + "@e.co", "name": "n" * 101, "password": "P1" + "x" * 127}
    response = client.post("/api/v1/users", json=body)
    assert_error(response, 400, "validation_error")
    assert set(response.json["errors"]) == {"email", "name", "password"}
    assert PASSWORD  # the valid password of the factories is not what is tested here
