"""Rows locked in one order (docs/ARCHITECTURE.md): a user's deletion, an admin's change, and
follows, favorites and comments between the users and posts involved, whatever their ids,
wait for each other instead of deadlocking. Each test lines two requests up on a row a third
connection holds, then lets go; a deadlock would answer 503 for one of them. Each docstring
tells the cycle that deadlocked before the locks were ordered (e455158, dbddc18)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from interfaces.container import Container
from tests.reliability.conftest import HOLD_USER, bearer, promote_to_admin, race, sign_up

pytestmark = pytest.mark.postgres

Person = dict[str, Any]  # a signed-up user as sign_up returns them


def person(app: Flask, name: str) -> dict[str, Any]:
    return sign_up(app, f"{name}@example.com", name.title())


def follow(client: FlaskClient, method: str, follower: Person, followed: Person) -> Any:
    """`follower` follows (PUT) or unfollows (DELETE) `followed`, over HTTP."""
    path = f"/api/v1/profiles/{followed['user']['username']}/follow"
    return client.open(path, method=method, headers=bearer(follower["access_token"]))


def delete_user(client: FlaskClient, admin: Person, user: Person) -> Any:
    path = f"/api/v1/users/{user['user']['id']}"
    return client.delete(path, headers=bearer(admin["access_token"]))


# A follow or unfollow between the doomed user (T) and an older one (O): who follows whom
# before the race, then the request that races the deletion (method, follower, followed).
SCENES = {
    "older_follows_doomed": (("doomed", "older"), ("PUT", "older", "doomed")),
    "older_unfollows_doomed": (("older", "doomed"), ("DELETE", "older", "doomed")),
    "doomed_unfollows_older": (("doomed", "older"), ("DELETE", "doomed", "older")),
}


def set_scene(
    pg_app: Flask, pg_container: Container, who: str
) -> tuple[FlaskClient, Callable[[], Any], Callable[[], Any], Person]:
    """An admin, O and T, the follow before the race made; the deletion of T and the racing
    follow request, and T."""
    people = {n: person(pg_app, n) for n in ("admin", "older", "doomed")}
    promote_to_admin(pg_container, people["admin"])
    client = pg_app.test_client()
    (follower, followed), (method, racer, raced) = SCENES[who]
    assert follow(client, "PUT", people[follower], people[followed]).status_code == 200
    return (
        client,
        lambda: delete_user(client, people["admin"], people["doomed"]),
        lambda: follow(client, method, people[racer], people[raced]),
        people["doomed"],
    )


@pytest.mark.parametrize(
    "who", ["older_unfollows_doomed", "doomed_unfollows_older", "older_follows_doomed"]
)
def test_a_deletion_and_a_follow_between_the_doomed_and_an_older_user(
    pg_app: Flask, pg_container: Container, who: str
) -> None:
    """Deletion: admins+T FOR UPDATE (id order), then LOCK_OTHERS (O, older) NO KEY UPDATE.
    The follow: LOCK_BOTH O then T. O < T: O then T against T then O. (When O follows T, O
    is in LOCK_OTHERS because T follows O.)"""
    _, delete, racing, doomed = set_scene(pg_app, pg_container, who)
    answers = race(pg_container, HOLD_USER, {"id": doomed["user"]["id"]}, delete, racing)
    assert answers["first"][0] == 204 and answers["second"][0] in (200, 401, 404), answers


def test_a_deletion_and_a_follow_between_an_older_user_and_an_admin(
    pg_app: Flask, pg_container: Container
) -> None:
    """Deletion of T by D: D, A, T FOR UPDATE, then O (O follows T) NO KEY UPDATE.
    A follows O: LOCK_BOTH O then A. O < A."""
    deciding, older, admin, doomed = (
        person(pg_app, n) for n in ("deciding", "older", "admin", "doomed")
    )
    for a in (deciding, admin):
        promote_to_admin(pg_container, a)
    client = pg_app.test_client()
    assert follow(client, "PUT", older, doomed).status_code == 200

    def delete() -> Any:
        return delete_user(client, deciding, doomed)

    def admin_follows() -> Any:
        return follow(client, "PUT", admin, older)

    answers = race(pg_container, HOLD_USER, {"id": admin["user"]["id"]}, delete, admin_follows)
    assert answers["first"][0] == 204 and answers["second"][0] == 200, answers


def test_a_deletion_and_a_deactivation_of_someone_they_follow(
    pg_app: Flask, pg_container: Container
) -> None:
    """O (id below every admin) follows T. Deleting T: A, T, then O. Deactivating O: O, A."""
    older, admin, doomed = (person(pg_app, n) for n in ("older", "admin", "doomed"))
    promote_to_admin(pg_container, admin)
    client = pg_app.test_client()
    assert follow(client, "PUT", older, doomed).status_code == 200
    headers = bearer(admin["access_token"])

    def delete() -> Any:
        return client.delete(f"/api/v1/users/{doomed['user']['id']}", headers=headers)

    def deactivate() -> Any:
        return client.patch(
            f"/api/v1/users/{older['user']['id']}", json={"is_active": False}, headers=headers
        )

    answers = race(pg_container, HOLD_USER, {"id": admin["user"]["id"]}, delete, deactivate)
    assert answers["first"][0] == 204 and answers["second"][0] == 200, answers


@pytest.mark.parametrize("who", ["older_unfollows_doomed", "doomed_unfollows_older"])
def test_a_follow_arriving_while_the_deletion_is_under_way(
    pg_app: Flask, pg_container: Container, who: str
) -> None:
    """The natural order: the deletion has locked T and is between its statements (held here on
    the users' row count, count_users) when the unfollow comes: it takes O NO KEY UPDATE, waits
    on T; the deletion's LOCK_OTHERS then waits on O."""
    _, delete, unfollow, _ = set_scene(pg_app, pg_container, who)
    answers = race(
        pg_container,
        "SELECT 1 FROM row_counts WHERE name = 'users' FOR UPDATE",
        {},
        delete,
        unfollow,
    )
    assert answers["first"][0] == 204 and answers["second"][0] in (200, 401, 404), answers


def test_two_deletions_of_users_who_follow_each_other_below_the_admins_ids(
    pg_app: Flask, pg_container: Container
) -> None:
    """O (id below every admin) follows T. Deleting T: A, T, then O (LOCK_OTHERS). Deleting O:
    O, then A (with_user in id order). Before 9b7e4ae both took the admins first."""
    older, admin, doomed = (person(pg_app, n) for n in ("older", "admin", "doomed"))
    promote_to_admin(pg_container, admin)
    client = pg_app.test_client()
    assert follow(client, "PUT", older, doomed).status_code == 200
    headers = bearer(admin["access_token"])

    def delete_t() -> Any:
        return client.delete(f"/api/v1/users/{doomed['user']['id']}", headers=headers)

    def delete_o() -> Any:
        return client.delete(f"/api/v1/users/{older['user']['id']}", headers=headers)

    answers = race(pg_container, HOLD_USER, {"id": admin["user"]["id"]}, delete_t, delete_o)
    assert answers["first"][0] == 204 and answers["second"][0] == 204, answers


@pytest.mark.parametrize("what", ["comment", "favorite"])
def test_a_deletion_and_a_comment_on_a_post_the_doomed_commented_on_themself(
    pg_app: Flask, pg_container: Container, what: str
) -> None:
    """T commented on their own post P: the deletion takes P NO KEY UPDATE (LOCK_POSTS), and
    later deletes it (FOR UPDATE, by the cascade). X's comment (or favorite) on P holds P KEY
    SHARE (foreign key) and waits to count (NO KEY UPDATE): the deletion's raise waits for X."""
    admin, doomed, other = (person(pg_app, n) for n in ("admin", "doomed", "other"))
    promote_to_admin(pg_container, admin)
    client = pg_app.test_client()
    mine = bearer(doomed["access_token"])
    post = client.post(
        "/api/v1/posts",
        json={"title": "Mine", "content": "c", "published": True, "tags": ["held"]},
        headers=mine,
    )
    assert post.status_code == 201, post.json
    post_id = post.json["id"]
    reply = client.post(f"/api/v1/posts/{post_id}/comments", json={"body": "me"}, headers=mine)
    assert reply.status_code == 201

    def delete() -> Any:
        return delete_user(client, admin, doomed)

    def write() -> Any:
        theirs = bearer(other["access_token"])
        if what == "comment":
            return client.post(
                f"/api/v1/posts/{post_id}/comments", json={"body": "x"}, headers=theirs
            )
        return client.put(f"/api/v1/posts/{post_id}/favorite", headers=theirs)

    # The holder keeps the tag's row: the deletion stops at uncount_tags, after LOCK_POSTS.
    answers = race(
        pg_container,
        "SELECT 1 FROM tags WHERE name = :name FOR UPDATE",
        {"name": "held"},
        delete,
        write,
    )
    assert answers["first"][0] == 204 and answers["second"][0] in (200, 201, 404), answers


def test_the_doomed_commenting_on_their_own_post_while_deleted(
    pg_app: Flask, pg_container: Container
) -> None:
    """The comment's foreign-key checks run posts' first (trigger OIDs): KEY SHARE on P, then
    KEY SHARE on T, which the deletion holds FOR UPDATE. The deletion's cascade then deletes P
    (FOR UPDATE), which waits for the comment's KEY SHARE."""
    admin, doomed = (person(pg_app, n) for n in ("admin", "doomed"))
    promote_to_admin(pg_container, admin)
    client = pg_app.test_client()
    mine = bearer(doomed["access_token"])
    post = client.post(
        "/api/v1/posts", json={"title": "Mine", "content": "c", "published": True}, headers=mine
    )
    assert post.status_code == 201, post.json
    post_id = post.json["id"]

    def delete() -> Any:
        return delete_user(client, admin, doomed)

    def comment() -> Any:
        return client.post(f"/api/v1/posts/{post_id}/comments", json={"body": "me"}, headers=mine)

    answers = race(
        pg_container,
        "SELECT 1 FROM row_counts WHERE name = 'users' FOR UPDATE",
        {},
        delete,
        comment,
    )
    assert answers["first"][0] == 204 and answers["second"][0] in (401, 404), answers


def test_storm_a_deletion_while_older_followers_unfollow(
    pg_app: Flask, pg_container: Container
) -> None:
    """No third connection: a deletion and the older followers' unfollows, released together."""
    from tests.reliability.conftest import at_once

    [admin] = [person(pg_app, "stormadmin")]
    promote_to_admin(pg_container, admin)
    tally: dict[int, int] = {}
    for round_ in range(8):
        fans = [person(pg_app, f"fan{round_}x{i}") for i in range(6)]
        doomed = person(pg_app, f"doomed{round_}")
        client = pg_app.test_client()
        path = f"/api/v1/profiles/{doomed['user']['username']}/follow"
        for fan in fans:
            assert client.put(path, headers=bearer(fan["access_token"])).status_code == 200

        def act(
            i: int, fans: list[Any] = fans, doomed: dict[str, Any] = doomed, path: str = path
        ) -> int:
            c = pg_app.test_client()
            if i == 0:
                return c.delete(
                    f"/api/v1/users/{doomed['user']['id']}", headers=bearer(admin["access_token"])
                ).status_code
            return c.delete(path, headers=bearer(fans[i - 1]["access_token"])).status_code

        for code in at_once(7, act):
            tally[code] = tally.get(code, 0) + 1
    assert 503 not in tally, tally
