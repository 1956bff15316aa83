"""docs/API.md's general rules, on every route: bodies, errors, paths, request ids, queries."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from dependency_injector import providers
from flask.testing import FlaskClient

from application.posts import PostSearch
from domain.users import Role
from interfaces.container import Container
from interfaces.http.posts import PostListQuery
from tests.api.conftest import Write
from tests.api.helpers import assert_error, assert_field_error, bearer
from tests.conftest import SignedIn
from tests.factories import registration

MIB = 1024 * 1024


# Bodies: content type, JSON, strict fields and types


def test_a_body_that_is_not_json_is_unsupported_media_type(client: FlaskClient) -> None:
    body = json.dumps(registration())
    response = client.post("/api/v1/users", data=body, content_type="text/plain")
    assert_error(response, 415, "unsupported_media_type")


def test_a_form_encoded_body_is_unsupported_media_type(client: FlaskClient) -> None:
    response = client.post("/api/v1/users", data=registration())
    assert_error(response, 415, "unsupported_media_type")


def test_a_body_without_a_content_type_is_unsupported_media_type(client: FlaskClient) -> None:
    response = client.post("/api/v1/users", data=json.dumps(registration()))
    assert_error(response, 415, "unsupported_media_type")


def test_a_json_content_type_with_a_charset_is_accepted(client: FlaskClient) -> None:
    body = json.dumps(registration())
    response = client.post(
        "/api/v1/users", data=body, content_type="application/json; charset=utf-8"
    )
    assert response.status_code == 201


def test_json_that_does_not_parse_is_invalid_json(
    client: FlaskClient, subtests: pytest.Subtests
) -> None:
    for raw in [b"", b"{", b'{"email": }', b"{'email': 'single quotes'}", b'{"a": NaN}', b"nul"]:
        with subtests.test(raw=raw):
            response = client.post("/api/v1/users", data=raw, content_type="application/json")
            assert_error(response, 400, "invalid_json")


def test_a_body_that_is_not_utf8_is_invalid_json(client: FlaskClient) -> None:
    raw = b'{"email": "a@example.com", "name": "\xff\xfe", "password": "Secret-Pass-1"}'
    response = client.post("/api/v1/users", data=raw, content_type="application/json")
    assert_error(response, 400, "invalid_json")


def test_json_that_is_not_an_object_is_invalid_json(
    client: FlaskClient, subtests: pytest.Subtests
) -> None:
    for raw in ["[]", '["a"]', '"text"', "42", "true", "null"]:
        with subtests.test(raw=raw):
            response = client.post("/api/v1/users", data=raw, content_type="application/json")
            assert_error(response, 400, "invalid_json")


def test_deeply_nested_json_is_a_client_error_not_a_crash(client: FlaskClient) -> None:
    raw = '{"name": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = client.post("/api/v1/users", data=raw, content_type="application/json")
    assert_error(response, 400, "invalid_json")


def test_an_unknown_body_field_is_a_validation_error_on_that_field(client: FlaskClient) -> None:
    response = client.post("/api/v1/users", json={**registration(), "nickname": "Nick"})
    assert_field_error(response, "nickname")


def test_a_missing_required_field_is_a_validation_error_on_that_field(
    client: FlaskClient,
) -> None:
    body = registration()
    del body["name"]
    response = client.post("/api/v1/users", json=body)
    assert_field_error(response, "name")


def test_every_missing_field_is_reported_at_once(client: FlaskClient) -> None:
    response = client.post("/api/v1/users", json={})
    assert_field_error(response, "email", "name", "password")


def test_a_boolean_field_takes_only_true_or_false(
    client: FlaskClient, user: SignedIn, subtests: pytest.Subtests
) -> None:
    for value in ["true", 1, 0, "yes", None, [], {}]:
        with subtests.test(value=value):
            body = {"title": "Title", "content": "Content", "published": value}
            response = client.post("/api/v1/posts", json=body, headers=user.headers)
            assert_field_error(response, "published")


def test_a_string_field_takes_only_a_string(
    client: FlaskClient, user: SignedIn, subtests: pytest.Subtests
) -> None:
    for value in [5, 5.0, True, ["Title"], {"text": "Title"}]:
        with subtests.test(value=value):
            body = {"title": value, "content": "Content"}
            response = client.post("/api/v1/posts", json=body, headers=user.headers)
            assert_field_error(response, "title")


def test_an_explicit_null_is_a_validation_error_even_for_an_optional_field(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    response = client.patch(
        f"/api/v1/posts/{post['id']}", json={"title": None}, headers=user.headers
    )
    assert_field_error(response, "title")
    assert client.get(f"/api/v1/posts/{post['id']}").json["title"] == post["title"]


def test_an_explicit_null_for_a_required_field_is_a_validation_error(
    client: FlaskClient,
) -> None:
    response = client.post("/api/v1/users", json={**registration(), "name": None})
    assert_field_error(response, "name")


# Routes that take no body


def bodiless_route(
    name: str, client: FlaskClient, auth: Callable[..., SignedIn], write_post: Write
) -> tuple[str, str, dict[str, str], int]:
    """One v1 write route that takes no body, on a resource of its own: method, path, headers
    and the status it answers."""
    ann, admin = auth(), auth(Role.ADMIN)
    post = write_post(ann)
    if name == "refresh":
        return "POST", "/api/v1/auth/refresh", bearer(ann.refresh_token), 200
    if name == "logout":
        return "POST", "/api/v1/auth/logout", ann.headers, 200
    if name == "resend-verification":
        return "POST", "/api/v1/users/me/verify-email", ann.headers, 202
    if name in ("favorite", "unfavorite"):
        method = "PUT" if name == "favorite" else "DELETE"
        return method, f"/api/v1/posts/{post['id']}/favorite", ann.headers, 200
    if name in ("follow", "unfollow"):
        method = "PUT" if name == "follow" else "DELETE"
        return method, f"/api/v1/profiles/{admin.user['username']}/follow", ann.headers, 200
    if name == "delete-post":
        return "DELETE", f"/api/v1/posts/{post['id']}", ann.headers, 204
    if name == "delete-user":
        return "DELETE", f"/api/v1/users/{ann.id}", admin.headers, 204
    comment = client.post(
        f"/api/v1/posts/{post['id']}/comments", json={"body": "Hi"}, headers=ann.headers
    )
    return "DELETE", f"/api/v1/comments/{comment.json['id']}", ann.headers, 204


BODILESS = [
    "refresh", "logout", "resend-verification", "favorite", "unfavorite", "follow",
    "unfollow", "delete-post", "delete-user", "delete-comment",
]  # fmt: skip
BAD_BODIES = [
    ("text/plain", b"hello", 415, "unsupported_media_type"),
    ("application/json", b"{bad", 400, "invalid_json"),
    ("application/json", b"[1]", 400, "invalid_json"),
]


@pytest.mark.parametrize("name", BODILESS)
def test_a_route_that_takes_no_body_refuses_one_that_is_no_json_object(
    name: str, client: FlaskClient, auth: Callable[..., SignedIn], write_post: Write
) -> None:
    """Refused before anything is done, as is a field (the route takes none: no mass
    assignment); the same call then succeeds, with an empty object."""
    method, path, headers, status = bodiless_route(name, client, auth, write_post)
    for content_type, raw, refused, code in BAD_BODIES:
        response = client.open(
            path, method=method, data=raw, content_type=content_type, headers=headers
        )
        assert_error(response, refused, code)
        assert str(refused) in documented_answers(client, method, path)
    fields = {"role": "admin", "post_id": 1}
    response = client.open(path, method=method, json=fields, headers=headers)
    assert_error(response, 400, "validation_error")
    assert response.json["errors"] == {"post_id": ["Unknown field."], "role": ["Unknown field."]}
    response = client.open(path, method=method, json={}, headers=headers)
    assert response.status_code == status, response.json


def documented_answers(client: FlaskClient, method: str, path: str) -> set[str]:
    """The statuses the served OpenAPI document lists for this request's operation."""
    document = client.get("/api/v1/openapi.json").json
    for template, item in document["paths"].items():
        if re.fullmatch(re.sub(r"\\{[^/]+\\}", "[^/]+", re.escape(template)), path):
            return set(item[method.lower()]["responses"])
    raise AssertionError(f"{path} is not in the document")


def test_every_write_the_document_lists_may_answer_a_bad_body(client: FlaskClient) -> None:
    """Each write route reads what is sent, a body or none (bodies.no_body), so each may
    refuse it."""
    document = client.get("/api/v1/openapi.json").json
    for template, item in document["paths"].items():
        for method in WRITES & set(item):
            assert {"400", "413", "415"} <= set(item[method]["responses"]), (method, template)


WRITES = {"post", "put", "patch", "delete"}


@pytest.mark.parametrize("raw", [b"", b" \r\n", b"{}", b" { } "])
def test_a_route_that_takes_no_body_accepts_none_or_an_empty_object_whatever_its_type(
    raw: bytes, client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    post = write_post(user)
    for content_type in (
        None,
        "application/json",
        "text/plain",
        "application/x-www-form-urlencoded",
    ):
        response = client.put(
            f"/api/v1/posts/{post['id']}/favorite",
            data=raw, content_type=content_type, headers=user.headers,
        )  # fmt: skip
        assert response.status_code == 200, response.json


# Body size


def _padded(body: dict[str, object], size: int) -> bytes:
    raw = json.dumps(body).encode()
    assert len(raw) <= size
    return raw[:-1] + b" " * (size - len(raw)) + b"}"


def test_a_body_of_exactly_one_mebibyte_is_accepted(client: FlaskClient, user: SignedIn) -> None:
    raw = _padded({"title": "Big", "content": "x" * 100_000, "published": True}, MIB)
    assert len(raw) == MIB
    response = client.post(
        "/api/v1/posts", data=raw, content_type="application/json", headers=user.headers
    )
    assert response.status_code == 201, response.json


def streamed(client: FlaskClient, user: SignedIn, raw: bytes) -> Any:
    """A POST whose body has no Content-Length, as a chunked one reaches the app: its end
    is the stream's end (the server says so with wsgi.input_terminated)."""
    return client.post(
        "/api/v1/posts",
        input_stream=io.BytesIO(raw),
        content_type="application/json",
        headers={**user.headers, "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


def test_a_streamed_body_of_exactly_one_mebibyte_is_accepted(
    client: FlaskClient, user: SignedIn
) -> None:
    raw = _padded({"title": "Streamed", "content": "x" * 100_000, "published": True}, MIB)
    response = streamed(client, user, raw)
    assert response.status_code == 201, response.json


@pytest.mark.parametrize("size", [MIB + 1, MIB + 2, 2 * MIB])
def test_a_streamed_body_over_a_mebibyte_is_payload_too_large(
    client: FlaskClient, user: SignedIn, size: int
) -> None:
    raw = _padded({"title": "Streamed", "content": "x", "published": True}, size)
    assert_error(streamed(client, user, raw), 413, "payload_too_large")


def test_a_body_one_byte_over_a_mebibyte_is_payload_too_large(
    client: FlaskClient, user: SignedIn
) -> None:
    raw = _padded({"title": "Big", "content": "x", "published": True}, MIB + 1)
    response = client.post(
        "/api/v1/posts", data=raw, content_type="application/json", headers=user.headers
    )
    assert_error(response, 413, "payload_too_large")


def test_a_large_body_is_refused_before_anybody_signs_in(client: FlaskClient) -> None:
    response = client.post("/api/v1/users", data=b"a" * (2 * MIB), content_type="application/json")
    assert_error(response, 413, "payload_too_large")


# Routes, methods and path ids


def test_an_unknown_route_is_not_found_as_json(
    client: FlaskClient, subtests: pytest.Subtests
) -> None:
    for path in ["/api/v1/nothing-here", "/nothing-here", "/api/v2/posts", "/api/v1//posts",
                 "/api//v1/posts"]:  # fmt: skip
        with subtests.test(path=path):
            assert_error(client.get(path), 404, "not_found")  # never an HTML redirect


def test_a_204_has_no_content_type(client: FlaskClient, user: SignedIn, write_post: Write) -> None:
    post = write_post(user)
    response = client.delete(f"/api/v1/posts/{post['id']}", headers=user.headers)
    assert response.status_code == 204
    assert response.get_data() == b"" and "Content-Type" not in response.headers


def test_a_wrong_method_is_method_not_allowed_as_json(client: FlaskClient) -> None:
    response = client.put("/api/v1/users", json={})
    assert_error(response, 405, "method_not_allowed")
    assert {"GET", "POST"} <= {m.strip() for m in response.headers["Allow"].split(",")}


def test_a_wrong_method_on_an_id_route_is_method_not_allowed(client: FlaskClient) -> None:
    assert_error(client.post("/api/v1/posts/1", json={}), 405, "method_not_allowed")


BAD_IDS = ["0", "-1", "abc", "1.5", str(2**63), str(2**64), "1e3"]


def test_a_post_path_id_that_is_not_a_positive_integer_is_not_found(
    client: FlaskClient, subtests: pytest.Subtests
) -> None:
    for post_id in BAD_IDS:
        with subtests.test(post_id=post_id):
            assert_error(client.get(f"/api/v1/posts/{post_id}"), 404, "not_found")


def test_a_user_path_id_that_is_not_a_positive_integer_is_not_found(
    client: FlaskClient, admin: SignedIn, subtests: pytest.Subtests
) -> None:
    for user_id in BAD_IDS:
        with subtests.test(user_id=user_id):
            response = client.get(f"/api/v1/users/{user_id}", headers=admin.headers)
            assert_error(response, 404, "not_found")


def test_a_bad_path_id_is_not_found_for_every_method(
    client: FlaskClient, user: SignedIn, subtests: pytest.Subtests
) -> None:
    for method in ["put", "patch", "delete"]:
        with subtests.test(method=method):
            response = getattr(client, method)("/api/v1/posts/0", json={}, headers=user.headers)
            assert_error(response, 404, "not_found")


def test_an_unexpected_failure_is_an_internal_error_that_reveals_nothing(
    client: FlaskClient, container: Container
) -> None:
    def explode(*_: object) -> None:
        raise RuntimeError("SELECT password_hash FROM users -- /srv/quill/secret.py line 3")

    with container.list_posts.override(providers.Object(explode)):
        response = client.get("/api/v1/posts")
    body = assert_error(response, 500, "internal_error")
    text = response.get_data(as_text=True)
    assert "SELECT" not in text
    assert "Traceback" not in text
    assert "secret.py" not in body["message"]


# X-Request-ID


def test_a_well_formed_request_id_is_echoed(client: FlaskClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "abc-123_X.y"})
    assert response.headers["X-Request-ID"] == "abc-123_X.y"


def test_a_request_id_of_128_characters_is_echoed(client: FlaskClient) -> None:
    given = "a" * 128
    response = client.get("/healthz", headers={"X-Request-ID": given})
    assert response.headers["X-Request-ID"] == given


def test_a_request_id_of_129_characters_is_replaced(client: FlaskClient) -> None:
    given = "a" * 129
    response = client.get("/healthz", headers={"X-Request-ID": given})
    assert response.headers["X-Request-ID"]
    assert response.headers["X-Request-ID"] != given


def test_a_malformed_request_id_is_replaced(client: FlaskClient, subtests: pytest.Subtests) -> None:
    for given in ["abc\ndef", "abc\r\nX-Evil: 1", "has space", "semi;colon", ""]:
        with subtests.test(given=given):
            response = client.get("/healthz", environ_overrides={"HTTP_X_REQUEST_ID": given})
            replaced = response.headers["X-Request-ID"]
            assert replaced
            assert replaced != given
            assert "\n" not in replaced
            assert "X-Evil" not in response.headers


def test_a_request_without_an_id_gets_a_fresh_one_each_time(client: FlaskClient) -> None:
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert first
    assert second
    assert first != second


def test_error_responses_carry_the_request_id_too(client: FlaskClient) -> None:
    response = client.get("/api/v1/nowhere", headers={"X-Request-ID": "trace-42"})
    assert response.status_code == 404
    assert response.headers["X-Request-ID"] == "trace-42"


# Query strings


def test_a_bad_post_list_query_is_a_validation_error(
    client: FlaskClient, subtests: pytest.Subtests
) -> None:
    for query in [
        "per_page=abc",
        "per_page=0",
        "per_page=101",
        "per_page=-1",
        "per_page=1.5",
        "page=0",
        "page=-1",
        "page=",
        "published=yes",
        "published=True",
        "published=1",
        "author_id=abc",
        "cursor=not-a-cursor",
        "sort=title",
        "page=1&page=2",
    ]:
        with subtests.test(query=query):
            response = client.get(f"/api/v1/posts?{query}")
            assert_error(response, 400, "validation_error")


def test_a_bad_user_list_query_is_a_validation_error(
    client: FlaskClient, admin: SignedIn, subtests: pytest.Subtests
) -> None:
    for query in [
        "per_page=abc",
        "per_page=0",
        "per_page=101",
        "page=0",
        "cursor=xyz",
        "role=admin",
    ]:
        with subtests.test(query=query):
            response = client.get(f"/api/v1/users?{query}", headers=admin.headers)
            assert_error(response, 400, "validation_error")


def test_the_bounds_of_per_page_are_accepted_and_kept(
    client: FlaskClient, user: SignedIn, write_post: Write
) -> None:
    for _ in range(2):
        write_post(user)
    smallest = client.get("/api/v1/posts?per_page=1").json
    assert (smallest["per_page"], len(smallest["items"]), smallest["pages"]) == (1, 1, 2)
    largest = client.get("/api/v1/posts?per_page=100").json
    assert (largest["per_page"], len(largest["items"]), largest["pages"]) == (100, 2, 1)


@pytest.mark.parametrize("page", [10**6, 2**63, 10**40])
def test_any_page_past_the_end_is_an_empty_page(
    client: FlaskClient, user: SignedIn, page: int
) -> None:
    client.post(
        "/api/v1/posts",
        json={"title": "T", "content": "C", "published": True},
        headers=user.headers,
    )
    body = client.get(f"/api/v1/posts?page={page}&per_page=100").get_json()
    assert (body["items"], body["page"], body["total"], body["pages"]) == ([], page, 1, 1)
    assert body["next_cursor"] is None


def test_the_post_list_query_takes_every_filter_the_use_case_knows() -> None:
    search = {field.name for field in attrs.fields(PostSearch)}
    assert search <= {field.name for field in attrs.fields(PostListQuery)}
    assert PostListQuery(tag="news", page=2).search_of() == PostSearch(tag="news")
