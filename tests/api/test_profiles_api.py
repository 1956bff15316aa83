"""Usernames, bios and images over HTTP; profiles by username; following and unfollowing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.api.helpers import (
    FULL_USER_KEYS,
    PROFILE_KEYS,
    PUBLIC_USER_KEYS,
    assert_error,
    assert_field_error,
)
from tests.conftest import SignedIn
from tests.factories import registration

USERS = "/api/v1/users"
PROFILES = "/api/v1/profiles"


def _register(client: FlaskClient, **fields: object) -> TestResponse:
    return client.post(USERS, json=registration(**fields))


def _patch(client: FlaskClient, who: SignedIn, body: dict[str, object]) -> TestResponse:
    return client.patch(f"{USERS}/{who.id}", json=body, headers=who.headers)


def _follow(client: FlaskClient, who: SignedIn, username: str) -> TestResponse:
    return client.put(f"{PROFILES}/{username}/follow", headers=who.headers)


def _unfollow(client: FlaskClient, who: SignedIn, username: str) -> TestResponse:
    return client.delete(f"{PROFILES}/{username}/follow", headers=who.headers)


# Usernames at registration


def test_a_registration_without_a_username_gets_one_derived_from_the_name(
    client: FlaskClient,
) -> None:
    response = _register(client, name="Zoë O'Brien-Smith")
    assert response.status_code == 201
    user = response.json
    assert set(user) == FULL_USER_KEYS
    assert user["username"] == "zoe_o_brien_smith"
    assert (user["bio"], user["image"]) == (None, None)


def test_a_derived_username_that_is_taken_gets_a_numeric_suffix(client: FlaskClient) -> None:
    names = [_register(client, name="Ann Lee").json["username"] for _ in range(3)]
    assert names == ["ann_lee", "ann_lee_2", "ann_lee_3"]


def test_a_name_with_nothing_left_in_ascii_derives_user_n(client: FlaskClient) -> None:
    assert _register(client, name="李小龍").json["username"] == "user_1"
    assert _register(client, name="王菲菲").json["username"] == "user_2"


def test_a_given_username_is_kept_as_given(client: FlaskClient) -> None:
    response = _register(client, username="Ann.Lee-2_x")
    assert response.status_code == 201
    assert response.json["username"] == "Ann.Lee-2_x"


def test_a_taken_username_is_a_conflict_without_regard_to_case(client: FlaskClient) -> None:
    assert _register(client, username="ann").status_code == 201
    assert_error(_register(client, username="ANN"), 409, "username_taken")


def test_a_given_username_that_a_derived_one_took_is_a_conflict(client: FlaskClient) -> None:
    assert _register(client, name="Bob Ross").json["username"] == "bob_ross"
    assert_error(_register(client, username="Bob_Ross"), 409, "username_taken")


BAD_USERNAMES = {
    "empty": "",
    "too long": "a" * 41,
    "a space": "ann lee",
    "a slash": "ann/lee",
    "an accent": "zoë",
    "an at sign": "ann@lee",
    "a number": 5,
    "a list": ["ann"],
}


def test_a_bad_username_is_a_validation_error_on_it(
    client: FlaskClient, subtests: pytest.Subtests
) -> None:
    for case, username in BAD_USERNAMES.items():
        with subtests.test(case):
            assert_field_error(_register(client, username=username), "username")


def test_a_null_username_is_a_validation_error(client: FlaskClient) -> None:
    assert_field_error(_register(client, username=None), "username")


def test_the_longest_username_is_accepted(client: FlaskClient) -> None:
    assert _register(client, username="u" * 40).json["username"] == "u" * 40


def test_login_answers_the_user_with_their_username(client: FlaskClient, user: SignedIn) -> None:
    assert user.user["username"]
    assert client.get(f"{USERS}/me", headers=user.headers).json == user.user


# PATCH /users/<id>: username, bio, image


def test_a_user_changes_their_username_bio_and_image(client: FlaskClient, user: SignedIn) -> None:
    body = {"username": "new.name", "bio": "I write.", "image": "https://example.com/me.png"}
    response = _patch(client, user, body)
    assert response.status_code == 200
    assert {key: response.json[key] for key in body} == body
    assert client.get(f"{USERS}/me", headers=user.headers).json == response.json


@pytest.mark.parametrize("cleared", ["", None])
def test_an_empty_or_null_bio_or_image_clears_it(
    client: FlaskClient, user: SignedIn, cleared: str | None
) -> None:
    """Both are null or text (docs/API.md): a client may send back the null it read."""
    _patch(client, user, {"bio": "Something", "image": "http://example.com/a.jpg"})
    response = _patch(client, user, {"bio": cleared, "image": cleared})
    assert response.status_code == 200
    assert (response.json["bio"], response.json["image"]) == (None, None)
    assert client.get(f"{USERS}/me", headers=user.headers).json == response.json


def test_absent_bio_and_image_stay_as_they_are(client: FlaskClient, user: SignedIn) -> None:
    _patch(client, user, {"bio": "Kept", "image": "https://example.com/k.png"})
    response = _patch(client, user, {"name": "Other Name"})
    assert (response.json["bio"], response.json["image"]) == ("Kept", "https://example.com/k.png")


def test_renaming_to_a_username_taken_in_another_case_is_a_conflict(
    client: FlaskClient, user: SignedIn, other: SignedIn
) -> None:
    taken = other.user["username"].upper()
    assert_error(_patch(client, user, {"username": taken}), 409, "username_taken")


def test_a_user_may_change_the_case_of_their_own_username(
    client: FlaskClient, user: SignedIn
) -> None:
    upper = user.user["username"].upper()
    response = _patch(client, user, {"username": upper})
    assert response.status_code == 200
    assert response.json["username"] == upper


def test_an_admin_changes_another_user_s_profile_fields(
    client: FlaskClient, admin: SignedIn, user: SignedIn
) -> None:
    response = client.patch(
        f"{USERS}/{user.id}", json={"bio": "Set by an admin"}, headers=admin.headers
    )
    assert response.status_code == 200
    assert response.json["bio"] == "Set by an admin"


def test_nobody_else_changes_a_user_s_profile_fields(
    client: FlaskClient, user: SignedIn, other: SignedIn
) -> None:
    response = client.patch(f"{USERS}/{other.id}", json={"bio": "Mine now"}, headers=user.headers)
    assert_error(response, 403, "forbidden")


BAD_PROFILE_FIELDS = {
    "bio over 1,000": ({"bio": "b" * 1001}, "bio"),
    "bio not a string": ({"bio": 5}, "bio"),
    "image not a URL": ({"image": "not a url"}, "image"),
    "image of another scheme": ({"image": "ftp://example.com/a.png"}, "image"),
    "image javascript": ({"image": "javascript:alert(1)"}, "image"),
    "image without a host": ({"image": "https://"}, "image"),
    "image over 2,000": ({"image": "https://example.com/" + "a" * 2000}, "image"),
    "name null": ({"name": None}, "name"),  # only bio and image take null
    "username blank": ({"username": ""}, "username"),
    "username with a space": ({"username": "a b"}, "username"),
}


def test_bad_profile_fields_are_validation_errors_and_change_nothing(
    client: FlaskClient, user: SignedIn, subtests: pytest.Subtests
) -> None:
    for case, (body, field) in BAD_PROFILE_FIELDS.items():
        with subtests.test(case):
            assert_field_error(_patch(client, user, body), field)
    assert client.get(f"{USERS}/me", headers=user.headers).json == user.user


def test_the_longest_bio_and_image_are_accepted(client: FlaskClient, user: SignedIn) -> None:
    image = "https://example.com/" + "a" * (2000 - len("https://example.com/"))
    response = _patch(client, user, {"bio": "b" * 1000, "image": image})
    assert response.status_code == 200
    assert (len(response.json["bio"]), response.json["image"]) == (1000, image)


def test_the_public_user_stays_id_name_and_created_at(
    client: FlaskClient, user: SignedIn, other: SignedIn
) -> None:
    _patch(client, other, {"bio": "Private enough", "image": "https://example.com/o.png"})
    response = client.get(f"{USERS}/{other.id}", headers=user.headers)
    assert set(response.json) == PUBLIC_USER_KEYS


# GET /profiles/<username>


def test_anybody_reads_a_profile_by_username(client: FlaskClient, user: SignedIn) -> None:
    _patch(client, user, {"bio": "Hello", "image": "https://example.com/u.png"})
    response = client.get(f"{PROFILES}/{user.user['username']}")
    assert response.status_code == 200
    assert response.json == {
        "username": user.user["username"],
        "name": user.user["name"],
        "bio": "Hello",
        "image": "https://example.com/u.png",
        "following": False,
        "followers": 0,
        "follows": 0,
    }


def test_a_profile_is_looked_up_without_regard_to_case_and_shown_as_given(
    client: FlaskClient,
) -> None:
    assert _register(client, username="MixedCase").status_code == 201
    response = client.get(f"{PROFILES}/mixedcase")
    assert response.status_code == 200
    assert response.json["username"] == "MixedCase"


def test_an_unknown_username_is_not_found(client: FlaskClient) -> None:
    assert_error(client.get(f"{PROFILES}/nobody_at_all"), 404, "not_found")


@pytest.mark.parametrize("path", ["a%20b", "%00", "a" * 41, "zo%C3%AB", "a@b"])
def test_a_path_that_cannot_be_a_username_is_not_found(client: FlaskClient, path: str) -> None:
    assert_error(client.get(f"{PROFILES}/{path}"), 404, "not_found")


def test_a_deactivated_user_has_no_profile(
    client: FlaskClient, admin: SignedIn, user: SignedIn, other: SignedIn
) -> None:
    client.patch(f"{USERS}/{user.id}", json={"is_active": False}, headers=admin.headers)
    username = user.user["username"]
    assert_error(client.get(f"{PROFILES}/{username}"), 404, "not_found")
    assert_error(_follow(client, other, username), 404, "not_found")


def test_a_bad_token_on_a_profile_is_refused_not_ignored(
    client: FlaskClient, user: SignedIn
) -> None:
    response = client.get(
        f"{PROFILES}/{user.user['username']}", headers={"Authorization": "Bearer nonsense"}
    )
    assert_error(response, 401, "token_invalid")


# PUT/DELETE /profiles/<username>/follow


def test_following_answers_the_profile_as_the_follower_sees_it(
    client: FlaskClient, user: SignedIn, other: SignedIn
) -> None:
    response = _follow(client, user, other.user["username"])
    assert response.status_code == 200
    assert set(response.json) == PROFILE_KEYS
    assert (response.json["following"], response.json["followers"]) == (True, 1)
    mine = client.get(f"{PROFILES}/{user.user['username']}").json
    assert (mine["follows"], mine["followers"]) == (1, 0)


def test_following_is_per_caller(
    client: FlaskClient, auth: Callable[..., SignedIn], user: SignedIn, other: SignedIn
) -> None:
    third = auth()
    _follow(client, user, other.user["username"])
    url = f"{PROFILES}/{other.user['username']}"
    assert client.get(url, headers=user.headers).json["following"] is True
    assert client.get(url, headers=third.headers).json["following"] is False
    assert client.get(url).json["following"] is False


def test_following_twice_is_following_once(
    client: FlaskClient, user: SignedIn, other: SignedIn
) -> None:
    first = _follow(client, user, other.user["username"]).json
    second = _follow(client, user, other.user["username"])
    assert second.status_code == 200
    assert second.json == first


def test_unfollowing_answers_the_profile_and_is_idempotent(
    client: FlaskClient, user: SignedIn, other: SignedIn
) -> None:
    username = other.user["username"]
    _follow(client, user, username)
    for _ in range(2):
        response = _unfollow(client, user, username)
        assert response.status_code == 200
        assert (response.json["following"], response.json["followers"]) == (False, 0)


def test_unfollowing_someone_never_followed_is_fine(
    client: FlaskClient, user: SignedIn, other: SignedIn
) -> None:
    response = _unfollow(client, user, other.user["username"])
    assert response.status_code == 200
    assert response.json["following"] is False


def test_following_by_username_in_another_case_follows_them(
    client: FlaskClient, user: SignedIn, other: SignedIn
) -> None:
    response = _follow(client, user, other.user["username"].upper())
    assert response.status_code == 200
    assert response.json["username"] == other.user["username"]


def test_following_oneself_is_a_validation_error(client: FlaskClient, user: SignedIn) -> None:
    assert_error(_follow(client, user, user.user["username"]), 400, "validation_error")
    assert client.get(f"{PROFILES}/{user.user['username']}").json["followers"] == 0


def test_unfollowing_oneself_is_idempotent_and_answers_ones_profile(
    client: FlaskClient, user: SignedIn
) -> None:
    # Nobody follows themself, so "not following oneself" already holds: a 200, as for
    # anyone else one does not follow (only following oneself is refused).
    response = _unfollow(client, user, user.user["username"])
    assert response.status_code == 200
    assert response.json == client.get(f"{PROFILES}/{user.user['username']}").json
    assert (response.json["following"], response.json["followers"]) == (False, 0)


def test_following_an_unknown_user_is_not_found(client: FlaskClient, user: SignedIn) -> None:
    assert_error(_follow(client, user, "nobody_at_all"), 404, "not_found")
    assert_error(_unfollow(client, user, "nobody_at_all"), 404, "not_found")


def test_following_needs_a_token(client: FlaskClient, other: SignedIn) -> None:
    url = f"{PROFILES}/{other.user['username']}/follow"
    assert_error(client.put(url), 401, "not_authenticated")
    assert_error(client.delete(url), 401, "not_authenticated")


def test_following_with_another_method_is_not_allowed(
    client: FlaskClient, user: SignedIn, other: SignedIn
) -> None:
    url = f"{PROFILES}/{other.user['username']}/follow"
    response = client.post(url, headers=user.headers)
    assert_error(response, 405, "method_not_allowed")
    assert "PUT" in response.headers["Allow"]


def test_a_renamed_user_is_found_under_the_new_username_only(
    client: FlaskClient, user: SignedIn, other: SignedIn
) -> None:
    old = other.user["username"]
    _follow(client, user, old)
    _patch(client, other, {"username": "renamed"})
    assert_error(client.get(f"{PROFILES}/{old}"), 404, "not_found")
    assert client.get(f"{PROFILES}/renamed").json["followers"] == 1


def test_deleting_a_user_deletes_their_follows(
    client: FlaskClient, admin: SignedIn, user: SignedIn, other: SignedIn
) -> None:
    _follow(client, user, other.user["username"])
    _follow(client, other, user.user["username"])
    assert client.delete(f"{USERS}/{user.id}", headers=admin.headers).status_code == 204
    profile = client.get(f"{PROFILES}/{other.user['username']}").json
    assert (profile["followers"], profile["follows"]) == (0, 0)
