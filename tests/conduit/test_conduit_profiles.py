"""RealWorld's profiles and follows over Conduit."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.conduit.conftest import Join, Member

MISSING = {"errors": {"token": ["is missing"]}}
NO_PROFILE = {"errors": {"profile": ["not found"]}}


def test_a_profile_is_its_username_bio_image_and_following(client: FlaskClient, join: Join) -> None:
    celeb = join(username="celeb")
    response = client.get("/api/profiles/celeb")
    assert response.status_code == 200
    assert response.json == {
        "profile": {"username": "celeb", "bio": None, "image": None, "following": False}
    }
    assert celeb.user["username"] == "celeb"


def test_following_is_for_the_caller(client: FlaskClient, join: Join) -> None:
    fan = join()
    join(username="celeb")
    followed = client.post("/api/profiles/celeb/follow", headers=fan.headers)
    assert followed.status_code == 200 and followed.json["profile"]["following"] is True
    assert client.get("/api/profiles/celeb", headers=fan.headers).json["profile"]["following"]
    assert not client.get("/api/profiles/celeb").json["profile"]["following"]


def test_following_twice_and_unfollowing_twice_are_fine(client: FlaskClient, join: Join) -> None:
    fan = join()
    join(username="celeb")
    for _ in range(2):
        assert client.post("/api/profiles/celeb/follow", headers=fan.headers).status_code == 200
    for _ in range(2):
        response = client.delete("/api/profiles/celeb/follow", headers=fan.headers)
        assert response.status_code == 200 and response.json["profile"]["following"] is False


def test_a_follow_needs_no_body_and_ignores_one(client: FlaskClient, join: Join) -> None:
    fan = join()
    join(username="celeb")
    response = client.post(
        "/api/profiles/celeb/follow", json={"user": {"email": "x@example.com"}}, headers=fan.headers
    )
    assert response.status_code == 200
    assert response.json["profile"] == {
        "username": "celeb", "bio": None, "image": None, "following": True,
    }  # fmt: skip


def test_an_unknown_profile_is_404(client: FlaskClient, member: Member) -> None:
    assert client.get("/api/profiles/nobody").json == NO_PROFILE
    for method in (client.post, client.delete):
        response = method("/api/profiles/nobody/follow", headers=member.headers)
        assert (response.status_code, response.json) == (404, NO_PROFILE)


def test_following_without_a_token_is_401_even_for_an_unknown_user(client: FlaskClient) -> None:
    for method in (client.post, client.delete):
        response = method("/api/profiles/nobody/follow")
        assert (response.status_code, response.json) == (401, MISSING)


def test_following_oneself_is_422(client: FlaskClient, member: Member) -> None:
    username = member.user["username"]
    response = client.post(f"/api/profiles/{username}/follow", headers=member.headers)
    assert response.status_code == 422 and "username" in response.json["errors"]


def test_unfollowing_oneself_answers_ones_profile(client: FlaskClient, member: Member) -> None:
    username = member.user["username"]
    response = client.delete(f"/api/profiles/{username}/follow", headers=member.headers)
    assert response.status_code == 200
    assert response.json["profile"]["username"] == username
    assert response.json["profile"]["following"] is False


def test_a_deactivated_user_has_no_profile(client: FlaskClient, join: Join, container) -> None:
    from application.users import OPERATOR, UserChanges

    join(username="gone", email="gone@example.com")
    container.update_user()(OPERATOR, "gone@example.com", UserChanges(is_active=False))
    assert client.get("/api/profiles/gone").json == NO_PROFILE
