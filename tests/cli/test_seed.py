"""`quill seed`: sample data that is safe to run twice, and exact volumes on request."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from infrastructure.memory import InMemoryUnitOfWork

CREDENTIALS = re.compile(r"Sample admin: (?P<email>\S+) / (?P<password>\S+)")


def test_seed_prints_sample_admin_credentials_that_log_in_over_http(quill, log_in):
    result = quill("seed")

    assert result.exit_code == 0, result.output
    found = CREDENTIALS.search(result.stdout)
    assert found, result.stdout
    response = log_in(found["email"], found["password"])
    assert response.status_code == 200, response.json
    assert response.json["user"]["role"] == "admin"


def test_seed_adds_published_sample_posts_anybody_can_read(quill, client: FlaskClient):
    quill("seed")

    response = client.get("/api/v1/posts")

    assert response.status_code == 200
    assert response.json["total"] > 0


def test_seeding_twice_adds_nothing_the_second_time(quill, uow: InMemoryUnitOfWork):
    quill("seed")
    users, posts = dict(uow.store.users), dict(uow.store.posts)

    result = quill("seed")

    assert result.exit_code == 0, result.output
    assert uow.store.users == users
    assert uow.store.posts == posts


def test_seeding_twice_says_nothing_was_added_and_prints_no_password(quill):
    quill("seed")

    result = quill("seed")

    assert "nothing added" in result.stdout
    assert not CREDENTIALS.search(result.stdout)


def test_seed_with_volumes_adds_exactly_that_many_users_and_posts(quill, auth, uow):
    auth()  # something already there, which must stay as it was
    before_users, before_posts = set(uow.store.users), set(uow.store.posts)

    result = quill("seed", "--users", "3", "--posts", "20")

    assert result.exit_code == 0, result.output
    new_users = set(uow.store.users) - before_users
    new_posts = set(uow.store.posts) - before_posts
    assert len(new_users) == 3
    assert len(new_posts) == 20
    assert {uow.store.posts[i].author.id for i in new_posts} <= new_users


def test_seed_with_volumes_reports_the_counts_on_stdout(quill):
    result = quill("seed", "--users", "3", "--posts", "20")

    assert "3 users" in result.stdout
    assert "20 posts" in result.stdout


def test_seed_with_volumes_shows_progress_on_stderr_only(quill):
    result = quill("seed", "--users", "3", "--posts", "20")

    assert "Seeding" in result.stderr
    assert "Seeding" not in result.stdout


def test_seeded_volume_posts_are_visible_over_http(quill, client: FlaskClient, uow):
    quill("seed", "--users", "3", "--posts", "20")
    published = sum(1 for post in uow.store.posts.values() if post.published)

    response = client.get("/api/v1/posts", query_string={"per_page": 100})

    assert response.json["total"] == published
