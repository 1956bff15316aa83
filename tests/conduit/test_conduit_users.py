"""RealWorld's users over Conduit: registration, login, the current user, changing it; tokens."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from infrastructure.memory import InMemoryUnitOfWork
from tests.api.helpers import last_token, mails
from tests.conduit.conftest import Join, Member, documented
from tests.factories import FixedClock

MISSING = {"errors": {"token": ["is missing"]}}


def _login(client: FlaskClient, email: str, password: str):
    return client.post("/api/users/login", json={"user": {"email": email, "password": password}})


# POST /api/users


def test_registration_answers_201_with_the_user_and_a_token(client: FlaskClient) -> None:
    body = {"username": "ann", "email": "ann@example.com", "password": "password123"}
    response = client.post("/api/users", json={"user": body})
    assert response.status_code == 201
    assert response.json["user"]["email"] == "ann@example.com"
    assert isinstance(response.json["user"]["token"], str) and response.json["user"]["token"]


def test_the_registration_token_is_the_new_user_s(client: FlaskClient, member: Member) -> None:
    response = client.get("/api/user", headers=member.headers)
    assert response.status_code == 200
    assert response.json["user"]["email"] == member.user["email"]


@pytest.mark.parametrize("field", ["username", "email", "password"])
@pytest.mark.parametrize("value", ["", None, "absent"])
def test_a_blank_registration_field_can_t_be_blank(
    client: FlaskClient, field: str, value: str | None
) -> None:
    body: dict[str, object] = {
        "username": "ann",
        "email": "ann@example.com",
        "password": "pw123456",
    }
    if value == "absent":
        del body[field]
    else:
        body[field] = value
    response = client.post("/api/users", json={"user": body})
    assert response.status_code == 422
    assert response.json == {"errors": {field: ["can't be blank"]}}


@pytest.mark.parametrize("field", ["username", "email"])
def test_a_registration_field_of_whitespace_alone_can_t_be_blank(
    client: FlaskClient, field: str
) -> None:
    body = {"username": "ann", "email": "ann@example.com", "password": "pw123456", field: "  "}
    response = client.post("/api/users", json={"user": body})
    assert (response.status_code, response.json) == (422, {"errors": {field: ["can't be blank"]}})


def test_a_password_of_spaces_is_a_password(client: FlaskClient) -> None:
    """Blank is Rails' word, but a password's spaces count as characters (the length rules
    take them, as v1 does): registered with one, its owner logs in with it."""
    body = {"username": "ann", "email": "ann@example.com", "password": " " * 8}
    assert client.post("/api/users", json={"user": body}).status_code == 201
    assert _login(client, "ann@example.com", " " * 8).status_code == 200


def test_a_taken_email_has_already_been_taken(client: FlaskClient, join: Join) -> None:
    join(email="ann@example.com")
    body = {"username": "other", "email": "ANN@example.com", "password": "password123"}
    response = client.post("/api/users", json={"user": body})
    assert response.status_code == 409
    assert response.json == {"errors": {"email": ["has already been taken"]}}


@pytest.mark.parametrize(("password", "status"), [("bonjour1", 201), ("short7c", 422)])
def test_registration_follows_the_length_password_rules(
    client: FlaskClient, password: str, status: int
) -> None:
    body = {"username": "ann", "email": "ann@example.com", "password": password}
    assert client.post("/api/users", json={"user": body}).status_code == status


def test_a_body_without_the_user_envelope_is_422_on_user(client: FlaskClient) -> None:
    response = client.post("/api/users", json={"email": "ann@example.com"})
    assert response.status_code == 422
    assert response.json == {"errors": {"user": ["can't be blank"]}}


def test_keys_a_body_does_not_declare_are_ignored(client: FlaskClient) -> None:
    body = {"username": "ann", "email": "a@example.com", "password": "password123", "role": "admin"}
    assert client.post("/api/users", json={"user": body}).status_code == 201


def test_a_field_of_the_wrong_type_is_422(client: FlaskClient) -> None:
    body = {"username": "ann", "email": 5, "password": "password123"}
    response = client.post("/api/users", json={"user": body})
    assert response.status_code == 422
    assert response.json == {"errors": {"email": ["must be a string"]}}


# POST /api/users/login


def test_login_answers_the_user_with_a_token(client: FlaskClient, member: Member) -> None:
    response = _login(client, member.user["email"], member.password)
    assert response.status_code == 200
    token = response.json["user"]["token"]
    assert client.get("/api/user", headers={"Authorization": f"Token {token}"}).status_code == 200


def test_a_wrong_password_is_401_invalid_credentials(client: FlaskClient, member: Member) -> None:
    response = _login(client, member.user["email"], "wrongpassword")
    assert response.status_code == 401
    assert response.json == {"errors": {"credentials": ["invalid"]}}


def test_an_unknown_email_is_answered_alike(client: FlaskClient) -> None:
    response = _login(client, "nobody@example.com", "wrongpassword")
    assert (response.status_code, response.json) == (401, {"errors": {"credentials": ["invalid"]}})


@pytest.mark.parametrize("field", ["email", "password"])
def test_a_blank_login_field_can_t_be_blank(
    client: FlaskClient, member: Member, field: str
) -> None:
    given = {"email": member.user["email"], "password": member.password, field: ""}
    response = client.post("/api/users/login", json={"user": given})
    assert response.status_code == 422
    assert response.json == {"errors": {field: ["can't be blank"]}}


def test_too_many_failed_logins_are_429_with_retry_after(
    client: FlaskClient, member: Member
) -> None:
    for _ in range(5):
        _login(client, member.user["email"], "wrongpassword")
    response = _login(client, member.user["email"], member.password)
    assert response.status_code == 429
    assert "credentials" in response.json["errors"]
    assert int(response.headers["Retry-After"]) > 0
    assert "Retry-After" in documented("post", "/api/users/login")["429"]["headers"]


# GET /api/user and tokens


def test_without_a_token_the_current_user_is_401_token_is_missing(client: FlaskClient) -> None:
    response = client.get("/api/user")
    assert (response.status_code, response.json) == (401, MISSING)
    assert response.headers["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("scheme", ["Token", "Bearer", "token", "BEARER"])
def test_the_token_goes_in_either_scheme(client: FlaskClient, member: Member, scheme: str) -> None:
    response = client.get("/api/user", headers={"Authorization": f"{scheme} {member.token}"})
    assert response.status_code == 200
    assert response.json["user"]["token"] == member.token


@pytest.mark.parametrize("header", ["Basic abc", "Token", "Token ", "garbage", "Token not.a.jwt"])
def test_a_malformed_authorization_is_401_token_is_invalid(
    client: FlaskClient, header: str
) -> None:
    response = client.get("/api/user", headers={"Authorization": header})
    assert (response.status_code, response.json) == (401, {"errors": {"token": ["is invalid"]}})


@pytest.mark.parametrize("path", ["/api/articles", "/api/articles/hello", "/api/profiles/ann"])
def test_another_scheme_on_a_route_with_an_optional_token_is_read_as_no_token(
    client: FlaskClient, join: Join, path: str
) -> None:
    """A proxy's Basic credentials, which the browser adds, leave the page anonymous; a
    Token that does not work is still refused."""
    ann = join(username="ann")
    article = {"title": "Hello", "description": "d", "body": "b"}
    made = client.post("/api/articles", json={"article": article}, headers=ann.headers)
    assert made.status_code == 201
    assert client.get(path, headers={"Authorization": "Basic dXNlcjpwYXNz"}).status_code == 200
    refused = client.get(path, headers={"Authorization": "Token not.a.jwt"})
    assert (refused.status_code, refused.json) == (401, {"errors": {"token": ["is invalid"]}})


def test_the_token_lives_as_long_as_its_session(
    client: FlaskClient, member: Member, clock: FixedClock
) -> None:
    clock.advance(days=29)
    assert client.get("/api/user", headers=member.headers).status_code == 200
    clock.advance(days=1)
    response = client.get("/api/user", headers=member.headers)
    assert (response.status_code, response.json) == (401, {"errors": {"token": ["has expired"]}})


def test_a_password_change_through_v1_ends_the_conduit_token(
    client: FlaskClient, member: Member
) -> None:
    change = {"current_password": member.password, "new_password": "bonjour12"}
    v1 = {"Authorization": f"Bearer {_v1_token(client, member)}"}
    assert client.post("/api/v1/users/me/password", json=change, headers=v1).status_code == 204
    response = client.get("/api/user", headers=member.headers)
    assert response.json == {"errors": {"token": ["has been revoked"]}}


# tokens are each API's own


def _v1_token(client: FlaskClient, member: Member) -> str:
    credentials = {"email": member.user["email"], "password": member.password}
    return str(client.post("/api/v1/auth/login", json=credentials).json["access_token"])


INVALID = {"errors": {"token": ["is invalid"]}}


@pytest.mark.parametrize("scheme", ["Token", "Bearer"])
@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/user"), ("PUT", "/api/user"), ("GET", "/api/articles/feed"),
     ("POST", "/api/profiles/anybody/follow")],
)  # fmt: skip
def test_a_v1_token_is_invalid_here_in_either_scheme(
    client: FlaskClient, member: Member, scheme: str, method: str, path: str
) -> None:
    headers = {"Authorization": f"{scheme} {_v1_token(client, member)}"}
    response = client.open(path, method=method, json={"user": {"bio": "x"}}, headers=headers)
    assert (response.status_code, response.json) == (401, INVALID)
    assert response.headers["WWW-Authenticate"] == "Token"


def test_a_v1_token_cannot_set_a_password_without_the_current_one(
    client: FlaskClient, member: Member
) -> None:
    """v1 asks the current password to change it; Conduit's PUT /user does not, so only a
    session-long Conduit token, never a short v1 one, may do it."""
    headers = {"Authorization": f"Token {_v1_token(client, member)}"}
    response = client.put("/api/user", json={"user": {"password": "bonjour12"}}, headers=headers)
    assert (response.status_code, response.json) == (401, INVALID)
    assert _login(client, member.user["email"], member.password).status_code == 200
    assert _login(client, member.user["email"], "bonjour12").status_code == 401


def test_a_conduit_token_is_refused_by_v1(client: FlaskClient, member: Member) -> None:
    bearer = {"Authorization": f"Bearer {member.token}"}
    for method, path in [("GET", "/api/v1/users/me"), ("POST", "/api/v1/auth/refresh")]:
        response = client.open(path, method=method, headers=bearer)
        assert (response.status_code, response.json["code"]) == (401, "token_invalid")
    assert client.get("/api/user", headers=member.headers).status_code == 200


def test_answers_holding_a_token_are_not_stored(client: FlaskClient, member: Member) -> None:
    assert (
        _login(client, member.user["email"], member.password).headers["Cache-Control"] == "no-store"
    )
    body = {"username": "bob", "email": "bob@example.com", "password": "password123"}
    assert client.post("/api/users", json={"user": body}).headers["Cache-Control"] == "no-store"


# PUT /api/user


def test_without_a_token_changing_the_user_is_401_before_the_body_is_read(
    client: FlaskClient,
) -> None:
    response = client.put("/api/user", json={"user": {"bio": "x"}})
    assert (response.status_code, response.json) == (401, MISSING)


def test_the_email_changes_and_the_token_stays(client: FlaskClient, member: Member) -> None:
    response = client.put(
        "/api/user", json={"user": {"email": "new@example.com"}}, headers=member.headers
    )
    assert response.status_code == 200
    assert response.json["user"]["email"] == "new@example.com"
    assert response.json["user"]["token"] == member.token
    assert (
        client.get("/api/user", headers=member.headers).json["user"]["email"] == "new@example.com"
    )


@pytest.mark.parametrize(
    "body",
    [{"email": ""}, {"email": None}, {"password": ""}, {"password": None}, {"password": "short7c"}],
)
def test_an_invalid_change_is_422(
    client: FlaskClient, member: Member, body: dict[str, object]
) -> None:
    response = client.put("/api/user", json={"user": body}, headers=member.headers)
    assert response.status_code == 422
    assert list(response.json["errors"]) == list(body)


@pytest.mark.parametrize("body", [{}, {"token": "x", "following": True}])
def test_an_update_naming_no_field_is_422_and_changes_nothing(
    client: FlaskClient, member: Member, body: dict[str, object]
) -> None:
    """RealWorld's `UpdateUserRequest`: at least one field is required."""
    before = client.get("/api/user", headers=member.headers).json
    response = client.put("/api/user", json={"user": body}, headers=member.headers)
    assert (response.status_code, response.json) == (
        422,
        {"errors": {"user": ["must have at least one of email, username, password, bio, image"]}},
    )
    assert client.get("/api/user", headers=member.headers).json == before


@pytest.mark.parametrize("password", ["bonjour1", "a" * 64])
def test_a_new_password_needs_no_current_one_and_keeps_the_token(
    client: FlaskClient, member: Member, password: str
) -> None:
    response = client.put(
        "/api/user", json={"user": {"password": password}}, headers=member.headers
    )
    assert response.status_code == 200
    assert client.get("/api/user", headers=member.headers).status_code == 200
    assert _login(client, member.user["email"], password).status_code == 200
    assert _login(client, member.user["email"], member.password).status_code == 401


def test_a_new_password_ends_the_user_s_other_sessions(client: FlaskClient, member: Member) -> None:
    other = _login(client, member.user["email"], member.password).json["user"]["token"]
    client.put("/api/user", json={"user": {"password": "bonjour12"}}, headers=member.headers)
    response = client.get("/api/user", headers={"Authorization": f"Token {other}"})
    assert response.json == {"errors": {"token": ["has been revoked"]}}


def test_a_verified_email_is_told_when_the_user_moves_away_from_it(
    client: FlaskClient, member: Member, uow: InMemoryUnitOfWork
) -> None:
    """The same use case as v1's: the old address, verified, learns of the change."""
    email = member.user["email"]
    token = last_token(uow, "verify", email)
    assert client.post("/api/v1/auth/verify-email", json={"token": token}).status_code == 200
    moved = client.put(
        "/api/user", json={"user": {"email": "new@example.com"}}, headers=member.headers
    )
    assert moved.status_code == 200
    assert [mail.recipient for mail in mails(uow, "address-changed")] == [email]


def test_a_taken_email_is_409_and_changes_nothing(client: FlaskClient, join: Join) -> None:
    ann, bob = join(), join()
    response = client.put(
        "/api/user",
        json={"user": {"email": bob.user["email"], "password": "bonjour12"}},
        headers=ann.headers,
    )
    assert (response.status_code, response.json) == (
        409,
        {"errors": {"email": ["has already been taken"]}},
    )
    assert _login(client, ann.user["email"], ann.password).status_code == 200


# usernames, bio and image (issue 17)


def test_a_new_user_has_their_username_and_no_bio_or_image(client: FlaskClient) -> None:
    body = {"username": "Ann.B", "email": "ann@example.com", "password": "password123"}
    user = client.post("/api/users", json={"user": body}).json["user"]
    assert (user["username"], user["bio"], user["image"]) == ("Ann.B", None, None)
    assert set(user) == {"email", "token", "username", "bio", "image"}


def test_a_username_too_short_to_be_a_name_is_422(client: FlaskClient) -> None:
    """Quill's name is the username here: one character makes no name (v1 asks 2)."""
    body = {"username": "a", "email": "a@example.com", "password": "password123"}
    response = client.post("/api/users", json={"user": body})
    assert response.status_code == 422
    assert response.json == {
        "errors": {"username": ["must be at least 2 characters: your name too"]}
    }


def test_a_taken_username_has_already_been_taken_in_any_case(
    client: FlaskClient, join: Join
) -> None:
    join(username="ann")
    body = {"username": "ANN", "email": "other@example.com", "password": "password123"}
    response = client.post("/api/users", json={"user": body})
    assert (response.status_code, response.json) == (
        409,
        {"errors": {"username": ["has already been taken"]}},
    )


@pytest.mark.parametrize("field", ["bio", "image"])
@pytest.mark.parametrize("cleared", ["", None])
def test_an_empty_or_null_bio_or_image_clears_it(
    client: FlaskClient, member: Member, field: str, cleared: str | None
) -> None:
    value = "Hi" if field == "bio" else "https://example.com/a.jpg"
    assert (
        client.put("/api/user", json={"user": {field: value}}, headers=member.headers).json["user"][
            field
        ]
        == value
    )
    response = client.put("/api/user", json={"user": {field: cleared}}, headers=member.headers)
    assert response.status_code == 200 and response.json["user"][field] is None
    assert client.get("/api/user", headers=member.headers).json["user"][field] is None


def test_username_and_email_change_together_and_the_token_stays(
    client: FlaskClient, member: Member
) -> None:
    body = {"username": "renamed", "email": "renamed@example.com"}
    user = client.put("/api/user", json={"user": body}, headers=member.headers).json["user"]
    assert (user["username"], user["email"], user["token"]) == (
        "renamed",
        "renamed@example.com",
        member.token,
    )
    assert client.get("/api/user", headers=member.headers).json["user"]["username"] == "renamed"


@pytest.mark.parametrize("value", ["", None, "no spaces allowed"])
def test_an_invalid_username_change_is_422(
    client: FlaskClient, member: Member, value: str | None
) -> None:
    response = client.put("/api/user", json={"user": {"username": value}}, headers=member.headers)
    assert response.status_code == 422 and "username" in response.json["errors"]


@pytest.mark.parametrize("dots", [".", ".."])
def test_a_username_no_profile_path_can_reach_is_422(
    client: FlaskClient, member: Member, dots: str
) -> None:
    """/api/profiles/.. is /api/ to every client: such a user would have no profile."""
    body = {"username": dots, "email": "dots@example.com", "password": "password123"}
    registered = client.post("/api/users", json={"user": body})
    changed = client.put("/api/user", json={"user": {"username": dots}}, headers=member.headers)
    for response in (registered, changed):
        assert response.status_code == 422
        assert response.json == {
            "errors": {"username": ["must not be '.' or '..': no address reaches it"]}
        }


def test_an_image_that_is_not_a_url_is_422(client: FlaskClient, member: Member) -> None:
    response = client.put(
        "/api/user", json={"user": {"image": "not a url"}}, headers=member.headers
    )
    assert response.status_code == 422 and "image" in response.json["errors"]
