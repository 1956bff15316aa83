"""`quill seed`: sample data that is safe to run twice, and exact volumes on request."""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from contextlib import closing
from pathlib import Path

from flask.testing import FlaskClient

from application.paging import Window
from application.ports import PostFilter
from application.seed import COMMON_TAG
from infrastructure.memory import InMemoryUnitOfWork
from interfaces.container import Container

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


def test_seed_of_posts_without_users_is_refused_in_one_line(quill, uow):
    result = quill("seed", "--users", "0", "--posts", "5")

    assert result.exit_code != 0
    assert result.stderr.count("\n") == 1 and "at least 1 user" in result.stderr
    assert not uow.store.posts


def test_seeded_volume_posts_are_visible_over_http(quill, client: FlaskClient, uow):
    quill("seed", "--users", "3", "--posts", "20")
    published = sum(1 for post in uow.store.posts.values() if post.published)

    response = client.get("/api/v1/posts", query_string={"per_page": 100})

    assert response.json["total"] == published


# --- issue 17: follows, tags, favorites and comments ------------------------------------------

ADDED = re.compile(
    r"Added (?P<users>\d+) users and (?P<posts>\d+) posts, with (?P<tags>\d+) tags on posts, "
    r"(?P<follows>\d+) follows, (?P<favorites>\d+) favorites and (?P<comments>\d+) comments\."
)
STAGES = ("users", "follows", "posts", "favorites", "comments")


def added(result) -> dict[str, int]:
    found = ADDED.search(result.stdout)
    assert found, result.stdout
    return {key: int(value) for key, value in found.groupdict().items()}


def test_sample_seed_tags_posts_and_lists_the_tags(quill, client: FlaskClient):
    quill("seed")

    tags = client.get("/api/v1/tags").json["tags"]
    posts = client.get("/api/v1/posts").json["items"]

    assert {"mathematics", "programming"} <= {tag["name"] for tag in tags}
    assert all(post["tags"] and post["summary"] for post in posts)
    assert {tag for post in posts for tag in post["tags"]} == {tag["name"] for tag in tags}


def test_sample_seed_authors_follow_each_other(quill, client: FlaskClient):
    quill("seed")

    ada = client.get("/api/v1/profiles/ada_lovelace").json
    grace = client.get("/api/v1/profiles/grace_hopper").json

    assert (ada["followers"], ada["follows"]) == (2, 1)
    assert (grace["followers"], grace["follows"]) == (0, 2)
    assert ada["bio"]


def test_sample_seed_favorites_and_comments_the_published_posts_of_followed_authors(
    quill, client: FlaskClient
):
    quill("seed")

    posts = client.get("/api/v1/posts", query_string={"per_page": 100}).json["items"]
    by_ada = next(post for post in posts if post["author"]["username"] == "ada_lovelace")
    comments = client.get(f"/api/v1/posts/{by_ada['id']}/comments").json

    assert by_ada["favorites_count"] == by_ada["comments_count"] == 2  # Alan and Grace
    assert {c["author"]["username"] for c in comments["items"]} == {"alan_turing", "grace_hopper"}
    by_grace = [post for post in posts if post["author"]["username"] == "grace_hopper"]
    assert by_grace and all(post["favorites_count"] == 0 for post in by_grace)  # nobody follows


def test_sample_seed_reports_what_it_added_and_it_is_what_is_stored(quill, uow: InMemoryUnitOfWork):
    counts = added(quill("seed"))

    store = uow.store
    assert counts["users"] == len(store.users)
    assert counts["posts"] == len(store.posts)
    assert counts["tags"] == sum(len(post.tags) for post in store.posts.values())
    assert (counts["follows"], counts["favorites"], counts["comments"]) == (
        len(store.follows),
        len(store.favorites),
        len(store.comments),
    )
    assert min(counts.values()) > 0


def test_seeding_twice_adds_no_follows_favorites_or_comments(quill, uow: InMemoryUnitOfWork):
    quill("seed")
    before = (dict(uow.store.follows), dict(uow.store.favorites), dict(uow.store.comments))

    quill("seed")

    assert (uow.store.follows, uow.store.favorites, uow.store.comments) == before


def test_sample_seed_takes_the_next_username_when_one_is_taken(quill, auth, client: FlaskClient):
    auth(email="someone@example.com", name="Someone", username="ada_lovelace")

    result = quill("seed")

    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/profiles/ada_lovelace_2").json["name"] == "Ada Lovelace"


def test_seed_with_volumes_reports_what_it_stored(quill, uow: InMemoryUnitOfWork):
    counts = added(quill("seed", "--users", "50", "--posts", "500"))

    store = uow.store
    assert (counts["users"], counts["posts"]) == (50, 500)
    assert counts["tags"] == sum(len(post.tags) for post in store.posts.values())
    assert counts["follows"] == len(store.follows)
    assert counts["favorites"] == len(store.favorites)
    assert counts["comments"] == len(store.comments)


def test_seed_with_volumes_has_followers_favorites_comments_and_tags_in_proportion(
    quill, uow: InMemoryUnitOfWork
):
    quill("seed", "--users", "50", "--posts", "500")

    store = uow.store
    follows = Counter(follower for follower, _ in store.follows)
    assert set(follows) == set(store.users)
    assert all(10 <= n <= 49 for n in follows.values())  # 10 to 99, but there are 49 others
    assert all(a != b for a, b in store.follows)
    published = {i for i, post in store.posts.items() if post.published}
    assert {post for _, post in store.favorites} <= published
    assert {comment.post_id for comment in store.comments.values()} <= published
    assert 1 <= len(store.favorites) / len(published) <= 3
    assert 0.2 <= len(store.comments) / len(published) <= 1
    assert all(len(post.tags) <= 4 for post in store.posts.values())
    uses = Counter(tag for post in store.posts.values() for tag in post.tags)
    assert uses.most_common(1)[0][0] == COMMON_TAG
    assert len(uses) >= 50  # a vocabulary of a few hundred


def test_seed_with_volumes_heaps_favorites_on_a_few_posts(quill, uow: InMemoryUnitOfWork):
    quill("seed", "--users", "50", "--posts", "500")

    favorites = sorted(Counter(post for _, post in uow.store.favorites).values(), reverse=True)
    assert sum(favorites[: len(favorites) // 10]) >= len(uow.store.favorites) / 3


def test_seed_with_volumes_has_a_few_authors_followed_by_many(quill, uow: InMemoryUnitOfWork):
    quill("seed", "--users", "300", "--posts", "30")

    followers = sorted(Counter(followed for _, followed in uow.store.follows).values())
    assert followers[-1] >= 5 * followers[len(followers) // 2]
    assert followers[-1] >= len(uow.store.users) / 4


def test_seeded_volume_posts_can_be_listed_by_their_common_tag(quill, client: FlaskClient, uow):
    quill("seed", "--users", "50", "--posts", "500")
    tagged = [p for p in uow.store.posts.values() if p.published and COMMON_TAG in p.tags]

    response = client.get("/api/v1/posts", query_string={"tag": COMMON_TAG})

    assert response.json["total"] == len(tagged) > 0
    assert client.get("/api/v1/tags").json["tags"][0] == {"name": COMMON_TAG, "posts": len(tagged)}


def test_seed_with_volumes_shows_a_progress_bar_for_each_stage_on_stderr(quill):
    result = quill("seed", "--users", "50", "--posts", "500")

    shown = [stage for stage in STAGES if f"Seeding {stage}" in result.stderr]
    assert shown == list(STAGES)
    assert "Seeding" not in result.stdout


def test_seeded_slugs_are_unique_across_runs(quill, uow: InMemoryUnitOfWork):
    quill("seed", "--users", "3", "--posts", "20")
    quill("seed", "--users", "3", "--posts", "20")

    slugs = [post.slug for post in uow.store.posts.values()]
    assert len(set(slugs)) == len(slugs) == 40


# --- on SQLite: the SQL adapters' counters against the rows ----------------------------------


def counted_by_rows(database: Path) -> dict[str, dict]:
    """Each count a page or a profile shows, as the rows make it."""
    with closing(sqlite3.connect(database)) as rows:

        def grouped(sql: str) -> dict:
            return dict(rows.execute(sql).fetchall())

        return {
            "followers": grouped("SELECT followed_id, count(*) FROM follows GROUP BY 1"),
            "follows": grouped("SELECT follower_id, count(*) FROM follows GROUP BY 1"),
            "favorites": grouped("SELECT post_id, count(*) FROM favorites GROUP BY 1"),
            "comments": grouped("SELECT post_id, count(*) FROM comments GROUP BY 1"),
            "tags": grouped(
                "SELECT t.name, count(*) FROM post_tags pt JOIN tags t ON t.id = pt.tag_id "
                "JOIN posts p ON p.id = pt.post_id WHERE p.published GROUP BY 1"
            ),
            "totals": {
                table: rows.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("users", "posts", "follows", "favorites", "comments", "post_tags")
            },
        }


def assert_counts_equal_rows(container: Container, by_rows: dict[str, dict]) -> None:
    """What the repositories read (the kept counters) is what the rows say."""
    with container.uow().read_only() as uow:
        users = uow.users.find(None, Window(after=None, offset=0, limit=1000)).items
        for user in users:
            stats = uow.follows.stats(user.id, None)
            expected = (by_rows["followers"].get(user.id, 0), by_rows["follows"].get(user.id, 0))
            assert (stats.followers, stats.follows) == expected, user
        window = Window(after=None, offset=0, limit=10_000)
        posts = uow.posts.find(PostFilter(published=True), window).items
        posts += uow.posts.find(PostFilter(published=False), window).items
        assert len(posts) == by_rows["totals"]["posts"]
        for post in posts:
            expected = (by_rows["favorites"].get(post.id, 0), by_rows["comments"].get(post.id, 0))
            assert (post.favorites_count, post.comments_count) == expected, post
        used = {tag.name: tag.posts for tag in uow.tags.most_used(10_000)}
        assert used == by_rows["tags"]


def test_seed_with_volumes_on_sqlite_stores_what_it_reports_with_counts_equal_to_rows(
    sqlite_quill, sqlite_container: Container, sqlite_file: Path
):
    assert sqlite_quill("db", "upgrade").exit_code == 0

    result = sqlite_quill("seed", "--users", "50", "--posts", "500")

    assert result.exit_code == 0, result.output
    counts, by_rows = added(result), counted_by_rows(sqlite_file)
    assert by_rows["totals"] == {
        "users": 50,
        "posts": 500,
        "follows": counts["follows"],
        "favorites": counts["favorites"],
        "comments": counts["comments"],
        "post_tags": counts["tags"],
    }
    assert min(by_rows["totals"].values()) > 0
    assert_counts_equal_rows(sqlite_container, by_rows)


def test_sample_seed_on_sqlite_twice_adds_once_with_counts_equal_to_rows(
    sqlite_quill, sqlite_container: Container, sqlite_file: Path
):
    assert sqlite_quill("db", "upgrade").exit_code == 0
    counts = added(sqlite_quill("seed"))
    by_rows = counted_by_rows(sqlite_file)

    again = sqlite_quill("seed")

    assert again.exit_code == 0 and "nothing added" in again.stdout, again.output
    assert counted_by_rows(sqlite_file) == by_rows
    assert by_rows["totals"]["follows"] == counts["follows"] > 0
    assert by_rows["totals"]["comments"] == counts["comments"] > 0
    assert_counts_equal_rows(sqlite_container, by_rows)
