"""Races of issue 17 on PostgreSQL: favorites, follows, slugs and comments, requests released
together on threads against one app, leave every kept count equal to its rows."""

from __future__ import annotations

import random
from typing import Any

import pytest
from flask import Flask

from interfaces.container import Container
from tests.factories import PASSWORD
from tests.pg import wrong_post_counters, wrong_social_counts
from tests.reliability.conftest import (
    HOLD_USER,
    at_once,
    bearer,
    promote_to_admin,
    race,
    scalar,
    sign_up,
)

pytestmark = pytest.mark.postgres
THREADS = 20  # as many as the other races: each keeps connections of a shared server


def users(app: Flask, count: int, prefix: str = "fan") -> list[dict[str, Any]]:
    """Signed up and logged in: each login answer (tokens and user, username included)."""
    return [sign_up(app, f"{prefix}{n}@example.com", f"{prefix.title()} {n}") for n in range(count)]


def conduit_token(app: Flask, person: dict[str, Any]) -> str:
    """A RealWorld token of a signed-up person (tests.reliability.conftest.sign_up)."""
    login = {"user": {"email": person["user"]["email"], "password": PASSWORD}}
    response = app.test_client().post("/api/users/login", json=login)
    assert response.status_code == 200, response.json
    return response.json["user"]["token"]  # type: ignore[no-any-return]


def a_post(app: Flask, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    fields = {"title": "Racing", "content": "c", "published": True, **body}
    created = app.test_client().post("/api/v1/posts", json=fields, headers=headers)
    assert created.status_code == 201, created.json
    return created.json  # type: ignore[no-any-return]


def test_twenty_simultaneous_favorites_by_one_user_make_one(
    pg_app: Flask, pg_container: Container
) -> None:
    [author] = users(pg_app, 1, "author")
    post = a_post(pg_app, bearer(author["access_token"]))
    [fan] = users(pg_app, 1)

    def favorite(_: int) -> tuple[int, Any]:
        response = pg_app.test_client().put(
            f"/api/v1/posts/{post['id']}/favorite", headers=bearer(fan["access_token"])
        )
        return response.status_code, response.json

    answers = at_once(20, favorite)

    assert [status for status, _ in answers] == [200] * 20, answers
    assert all(body["favorited"] for _, body in answers)
    assert scalar(pg_container, "SELECT count(*) FROM favorites") == 1
    assert scalar(pg_container, "SELECT favorites_count FROM posts") == 1
    assert wrong_social_counts(pg_container.engine()) == 0


def test_twenty_simultaneous_favorites_by_twenty_users_count_twenty(
    pg_app: Flask, pg_container: Container
) -> None:
    [author] = users(pg_app, 1, "author")
    post = a_post(pg_app, bearer(author["access_token"]))
    fans = users(pg_app, 20)

    def favorite(i: int) -> int:
        path = f"/api/v1/posts/{post['id']}/favorite"
        return pg_app.test_client().put(path, headers=bearer(fans[i]["access_token"])).status_code

    assert at_once(20, favorite) == [200] * 20
    assert scalar(pg_container, "SELECT count(*) FROM favorites") == 20
    assert scalar(pg_container, "SELECT favorites_count FROM posts") == 20
    read = pg_app.test_client().get(f"/api/v1/posts/{post['id']}")
    assert read.json["favorites_count"] == 20


def test_favorites_and_unfavorites_at_once_leave_the_count_equal_to_the_rows(
    pg_app: Flask, pg_container: Container
) -> None:
    [author] = users(pg_app, 1, "author")
    posts = [a_post(pg_app, bearer(author["access_token"])) for _ in range(2)]
    fans = users(pg_app, 5)
    moves = random.Random(17)
    plan = [(moves.choice(fans), moves.choice(posts), moves.random() < 0.6) for _ in range(60)]

    def act(i: int) -> set[int]:
        statuses = set()
        for fan, post, on in plan[i::THREADS]:
            client, path = pg_app.test_client(), f"/api/v1/posts/{post['id']}/favorite"
            send = client.put if on else client.delete
            statuses.add(send(path, headers=bearer(fan["access_token"])).status_code)
        return statuses

    assert set().union(*at_once(THREADS, act)) == {200}
    assert wrong_social_counts(pg_container.engine()) == 0


def test_a_follow_and_unfollow_storm_leaves_counts_equal_to_rows(
    pg_app: Flask, pg_container: Container
) -> None:
    """Follows and unfollows among a few users at once, each pair both ways: the counts on
    both users' rows move in one order (by id), so none deadlocks and none is lost."""
    people = users(pg_app, 5, "person")
    moves = random.Random(42)
    plan = []
    for _ in range(60):
        who, whom = moves.sample(people, 2)
        plan.append((who, whom, moves.random() < 0.6))

    def act(i: int) -> set[int]:
        statuses = set()
        for who, whom, on in plan[i::THREADS]:
            client = pg_app.test_client()
            path = f"/api/v1/profiles/{whom['user']['username']}/follow"
            send = client.put if on else client.delete
            statuses.add(send(path, headers=bearer(who["access_token"])).status_code)
        return statuses

    assert set().union(*at_once(THREADS, act)) == {200}
    assert wrong_social_counts(pg_container.engine()) == 0
    follows = scalar(pg_container, "SELECT count(*) FROM follows")
    assert scalar(pg_container, "SELECT sum(followers_count) FROM users") == follows
    assert scalar(pg_container, "SELECT sum(follows_count) FROM users") == follows


def test_posts_created_at_once_with_one_title_get_different_slugs(
    pg_app: Flask, pg_container: Container
) -> None:
    writers = users(pg_app, 4, "writer")

    def write(i: int) -> tuple[int, Any]:
        headers = bearer(writers[i % 4]["access_token"])
        response = pg_app.test_client().post(
            "/api/v1/posts",
            json={"title": "Same Title", "content": "c", "published": True, "tags": ["t", "u"]},
            headers=headers,
        )
        return response.status_code, response.json

    answers = at_once(20, write)

    assert [status for status, _ in answers] == [201] * 20, answers
    slugs = {body["slug"] for _, body in answers}
    assert slugs == {"same-title", *(f"same-title-{n}" for n in range(2, 21))}
    assert scalar(pg_container, "SELECT count(DISTINCT slug) FROM posts") == 20
    assert scalar(pg_container, "SELECT posts FROM tags WHERE name = 't'") == 20
    assert wrong_post_counters(pg_container.engine()) == 0
    assert wrong_social_counts(pg_container.engine()) == 0


def test_a_comment_deleted_by_many_at_once_is_deleted_once_the_rest_find_it_gone(
    pg_app: Flask, pg_container: Container
) -> None:
    """Its author, the post's author and an admin, over both APIs: one 204, the rest 404."""
    author, commenter, admin = users(pg_app, 3, "deleter")
    promote_to_admin(pg_container, admin)
    post = a_post(pg_app, bearer(author["access_token"]))
    people = (author, commenter, admin)
    v1 = [bearer(p["access_token"]) for p in people]
    conduit = [{"Authorization": f"Token {conduit_token(pg_app, p)}"} for p in people]
    for _ in range(3):
        path = f"/api/v1/posts/{post['id']}/comments"
        comment = pg_app.test_client().post(path, json={"body": "b"}, headers=v1[1]).json

        def delete(i: int, comment_id: int = comment["id"]) -> int:
            client = pg_app.test_client()
            if i % 2:
                path = f"/api/v1/comments/{comment_id}"
                return client.delete(path, headers=v1[i % 3]).status_code
            path = f"/api/articles/{post['slug']}/comments/{comment_id}"
            return client.delete(path, headers=conduit[i % 3]).status_code

        assert sorted(at_once(12, delete)) == [204] + [404] * 11
    assert scalar(pg_container, "SELECT comments_count FROM posts") == 0
    assert wrong_social_counts(pg_container.engine()) == 0


def test_tagged_posts_written_at_once_with_tags_in_any_order_never_deadlock(
    pg_app: Flask, pg_container: Container
) -> None:
    writer = bearer(users(pg_app, 1, "writer")[0]["access_token"])
    names = ["alpha", "beta", "gamma", "delta"]

    def write(i: int) -> int:
        tags = random.Random(i).sample(names, 3)
        body = {"title": f"Tagged {i}", "content": "c", "published": i % 4 != 0, "tags": tags}
        client = pg_app.test_client()
        return client.post("/api/v1/posts", json=body, headers=writer).status_code

    assert at_once(20, write) == [201] * 20
    assert wrong_social_counts(pg_container.engine()) == 0


def test_favorites_and_comments_racing_the_posts_deletion_never_fail_the_server(
    pg_app: Flask, pg_container: Container
) -> None:
    """Each either lands before the deletion (and goes with the post) or finds the post gone:
    a 404 whether it looked after the deletion or the deletion won while it wrote. Removing
    a favorite or a comment takes the post's row first, as the deletion does: no deadlock."""
    [author] = users(pg_app, 1, "author")
    headers = bearer(author["access_token"])
    fans = [bearer(fan["access_token"]) for fan in users(pg_app, 6)]
    for round_ in range(3):
        post_id = a_post(pg_app, headers, title=f"Doomed {round_}")["id"]
        client = pg_app.test_client()
        comments = []
        for fan in fans:
            assert client.put(f"/api/v1/posts/{post_id}/favorite", headers=fan).status_code == 200
            path = f"/api/v1/posts/{post_id}/comments"
            comments.append(client.post(path, json={"body": "early"}, headers=fan).json["id"])

        def act(i: int, post_id: int = post_id, comments: list[int] = comments) -> int:
            client, fan = pg_app.test_client(), fans[i % 6]
            match i % 4 if i else None:
                case None:
                    return client.delete(f"/api/v1/posts/{post_id}", headers=headers).status_code
                case 0:
                    path = f"/api/v1/comments/{comments[i % 6]}"
                    return client.delete(path, headers=fan).status_code
                case 1:
                    path = f"/api/v1/posts/{post_id}/favorite"
                    return (client.put if i % 8 == 1 else client.delete)(
                        path, headers=fan
                    ).status_code
                case _:
                    path = f"/api/v1/posts/{post_id}/comments"
                    return client.post(path, json={"body": f"c {i}"}, headers=fan).status_code

        answers = at_once(THREADS, act)

        assert answers[0] == 204, answers
        assert set(answers[1:]) <= {200, 201, 204, 404}, answers
    assert scalar(pg_container, "SELECT count(*) FROM posts") == 0
    assert scalar(pg_container, "SELECT count(*) FROM favorites") == 0
    assert scalar(pg_container, "SELECT count(*) FROM comments") == 0
    assert wrong_post_counters(pg_container.engine()) == 0


def test_a_users_deletion_racing_their_follows_favorites_and_comments_keeps_counts_right(
    pg_app: Flask, pg_container: Container
) -> None:
    """What the deleted user did and undoes (follows, favorites, comments), and what others do
    to them and their post, run while the user goes: no request fails the server, and every
    count others keep ends equal to the rows that remain."""
    [admin] = users(pg_app, 1, "admin")
    promote_to_admin(pg_container, admin)
    for round_ in range(2):
        people = users(pg_app, 4, f"person{round_}_")
        doomed, others = people[0], people[1:]
        mine = bearer(doomed["access_token"])
        theirs = a_post(pg_app, mine, tags=["x", "y"])["id"]
        posts = [a_post(pg_app, bearer(o["access_token"]), tags=["x"])["id"] for o in others]
        names = [o["user"]["username"] for o in others]
        client = pg_app.test_client()
        comments = []
        for post_id, name, other in zip(posts, names, others, strict=True):
            client.put(f"/api/v1/posts/{post_id}/favorite", headers=mine)
            path = f"/api/v1/posts/{post_id}/comments"
            comments.append(client.post(path, json={"body": "mine"}, headers=mine).json["id"])
            client.put(f"/api/v1/profiles/{name}/follow", headers=mine)
            path = f"/api/v1/profiles/{doomed['user']['username']}/follow"
            client.put(path, headers=bearer(other["access_token"]))
        assert wrong_social_counts(pg_container.engine()) == 0

        def act(i: int, posts: list[int] = posts, names: list[str] = names,
                comments: list[int] = comments, theirs: int = theirs,
                doomed: dict[str, Any] = doomed, others: list[Any] = others,
                mine: dict[str, str] = mine) -> int:  # fmt: skip
            client, k = pg_app.test_client(), i % 3
            if i == 0:
                path = f"/api/v1/users/{doomed['user']['id']}"
                return client.delete(path, headers=bearer(admin["access_token"])).status_code
            other = bearer(others[k]["access_token"])
            follow = f"/api/v1/profiles/{doomed['user']['username']}/follow"
            request = [
                lambda: client.delete(f"/api/v1/posts/{posts[k]}/favorite", headers=mine),
                lambda: client.delete(f"/api/v1/comments/{comments[k]}", headers=mine),
                lambda: client.delete(f"/api/v1/profiles/{names[k]}/follow", headers=mine),
                lambda: client.put(f"/api/v1/posts/{posts[k]}/favorite", headers=mine),
                lambda: client.put(f"/api/v1/posts/{theirs}/favorite", headers=other),
                lambda: client.post(
                    f"/api/v1/posts/{theirs}/comments", json={"body": "c"}, headers=other
                ),
                lambda: client.delete(follow, headers=other),
                lambda: client.put(follow, headers=other),
                lambda: client.delete(f"/api/v1/posts/{posts[k]}/favorite", headers=other),
            ][i % 9]
            return request().status_code  # type: ignore[no-any-return]

        answers = at_once(THREADS, act)

        assert answers[0] == 204, answers
        assert set(answers[1:]) <= {200, 201, 204, 401, 404}, answers
        assert wrong_social_counts(pg_container.engine()) == 0
        assert wrong_post_counters(pg_container.engine()) == 0


@pytest.mark.parametrize("change", ["deactivate", "delete"])
def test_an_admin_unfollowing_a_user_an_admin_is_changing_waits_instead_of_deadlocking(
    pg_app: Flask, pg_container: Container, change: str
) -> None:
    """The admin change locks the active admins with the user; the unfollow locks both users.
    In two orders (admins first; users by id) they deadlocked: the unfollow answered 503.
    A third transaction holds the user's row so that both queue on it, and then lets go."""
    deciding, user, unfollowing = users(pg_app, 3, "person")  # ids in this order
    for admin in (deciding, unfollowing):
        promote_to_admin(pg_container, admin)
    user_id, username = user["user"]["id"], user["user"]["username"]
    follow = f"/api/v1/profiles/{username}/follow"
    client = pg_app.test_client()
    assert client.put(follow, headers=bearer(unfollowing["access_token"])).status_code == 200

    def change_user() -> Any:
        path, admin = f"/api/v1/users/{user_id}", bearer(deciding["access_token"])
        if change == "deactivate":
            return client.patch(path, json={"is_active": False}, headers=admin)
        return client.delete(path, headers=admin)

    def unfollow() -> Any:
        return client.delete(follow, headers=bearer(unfollowing["access_token"]))

    answers = race(pg_container, HOLD_USER, {"id": user_id}, change_user, unfollow)
    expected_change = 200 if change == "deactivate" else 204
    assert answers["first"][0] == expected_change and answers["second"][0] in (200, 404), answers
    assert scalar(pg_container, "SELECT count(*) FROM follows") == 0
    assert wrong_social_counts(pg_container.engine()) == 0


def test_a_follow_waiting_on_a_deactivation_is_not_found_and_keeps_nothing(
    pg_app: Flask, pg_container: Container
) -> None:
    """The follow read the user as active before the deactivation committed; it decides on
    the user as they are once their row is locked."""
    deciding, user, following = users(pg_app, 3, "person")
    promote_to_admin(pg_container, deciding)
    user_id, username = user["user"]["id"], user["user"]["username"]
    client = pg_app.test_client()

    def deactivate() -> Any:
        path, admin = f"/api/v1/users/{user_id}", bearer(deciding["access_token"])
        return client.patch(path, json={"is_active": False}, headers=admin)

    def follow() -> Any:
        path = f"/api/v1/profiles/{username}/follow"
        return client.put(path, headers=bearer(following["access_token"]))

    answers = race(pg_container, HOLD_USER, {"id": user_id}, deactivate, follow)
    assert answers["first"][0] == 200
    assert answers["second"][0] == 404, answers["second"]
    assert scalar(pg_container, "SELECT count(*) FROM follows") == 0
    assert wrong_social_counts(pg_container.engine()) == 0
