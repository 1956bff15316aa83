"""The scenarios, the accounts they act as, and Quill's answers that the ceiling replays."""

from __future__ import annotations

import json
import secrets
import urllib.parse
import urllib.request
from typing import Any

from application.seed import COMMON_TAG
from attrs import frozen

from bench.database import quill

PASSWORD = "Bench-Pass-12345"
CONTENT = " ".join(["A benchmark post, written by wrk through Quill's own use case."] * 8)


@frozen(kw_only=True)
class Scenario:
    key: str
    label: str
    method: str
    path: str
    token: str | None = None
    body: dict[str, Any] | None = None
    status: int = 200
    connections: int | None = None  # None: the run's default
    search: str | None = None  # a list's search text: the ceiling answers by it; warmed each round
    scheme: str = "Bearer"  # of the Authorization header; RealWorld clients send "Token"


# S4's post. A draft: what S4 writes stays out of the lists and searches that later
# scenarios read, so they read the seeded data their labels describe, not a run's pile of
# S4's posts (the same work for S4: one insert, its counters, its indexes).
NEW_POST = {"title": "Benchmark post", "content": CONTENT, "published": False}


def call(base: str, scenario: Scenario) -> tuple[int, bytes]:
    data = None if scenario.body is None else json.dumps(scenario.body).encode()
    headers = {"Content-Type": "application/json"} if data else {}
    if scenario.token:
        headers["Authorization"] = f"{scenario.scheme} {scenario.token}"
    request = urllib.request.Request(
        base + scenario.path, data=data, headers=headers, method=scenario.method
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.read()


def _post(base: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    _, raw = call(base, Scenario(key="", label="", method="POST", path=path, body=body))
    result: dict[str, Any] = json.loads(raw)
    return result


def accounts(base: str, env: dict[str, str]) -> dict[str, Any]:
    """A user registered over HTTP and an admin made by `quill create-admin`, both logged in;
    the user also through the RealWorld API, for its reads."""
    tag = secrets.token_hex(4)
    user = {"email": f"bench-{tag}@bench.example", "name": "Bench User", "password": PASSWORD}
    _post(base, "/api/v1/users", user)
    admin = {"email": f"admin-{tag}@bench.example", "name": "Bench Admin", "password": PASSWORD}
    quill(env, "create-admin", *(f"--{k}={v}" for k, v in admin.items()))
    login = {key: user[key] for key in ("email", "password")}
    return {
        "login": login,
        "user_token": _post(base, "/api/v1/auth/login", login)["access_token"],
        "conduit_token": conduit_token(base, login),
        "admin_token": _post(
            base, "/api/v1/auth/login", {"email": admin["email"], "password": PASSWORD}
        )["access_token"],
    }


def conduit_token(base: str, login: dict[str, str]) -> str:
    """The user's token from RealWorld's own login: Conduit's routes take no v1 token."""
    token: str = _post(base, "/api/users/login", {"user": login})["user"]["token"]
    return token


FEED_DEPTH = 50  # S9-deep: the feed's page this far in, reached by cursor
# Lists whose pages the report shows, not searches: {scenario: (items key, total key)}.
LISTED = {key: ("items", "total") for key in ("S8", "S9", "S9-deep", "S10")}
LISTED |= {key: ("articles", "articlesCount") for key in ("C1", "C2")}  # Conduit's envelope


def follow_and_walk(base: str, token: str, usernames: list[str]) -> dict[str, Any]:
    """The user of `token` follows these authors over HTTP, then walks their feed by cursor,
    once, to page FEED_DEPTH (or the last full page before it): S9 and S9-deep read it."""
    for username in usernames:
        path = f"/api/v1/profiles/{urllib.parse.quote(username)}/follow"
        call(base, Scenario(key="", label="", method="PUT", path=path, token=token))
    cursor, page = None, 1
    while page < FEED_DEPTH:
        query = {"per_page": 20, **({"cursor": cursor} if cursor else {})}
        path = f"/api/v1/feed?{urllib.parse.urlencode(query)}"
        _, raw = call(base, Scenario(key="", label="", method="GET", path=path, token=token))
        following = json.loads(raw)["next_cursor"]
        if following is None:
            break
        cursor, page = following, page + 1
    if cursor is None:
        raise RuntimeError("the followed authors' feed has a single page: too few posts")
    return {"feed_cursor": cursor, "feed_page": page, "feed_authors": len(usernames)}


def default_search(users: int) -> str:
    """An e-mail fragment that picks out a handful of the seeded users (user{i}-{run}@...)."""
    return f"user{max(users // 3, 1)}-"


# Seeded post i holds this word iff i % 3 == 2 (title WORDS[i % 21], content
# WORDS[(7i + 3j) % 21]): a third of the posts, published or not. Unlike "quill", it is not in
# the posts S4 writes during the run.
COMMON_POST_WORD = "coffee"
# Every account's e-mail: the seeded users' (@seed.example) and the run's own (@bench.example).
EVERY_USER = "example"


def few_matches(count: int) -> int:
    """n such that n and n0..n9 are below `count` and n00 above it: a prefix of 11 of the
    seeded numbers 0..count-1 (user4242 among 100,000 users, the issue's example)."""
    return max(count * 4242 // 100_000, 1)


def searches(users: int, posts: int) -> dict[str, str]:
    """The new search scenarios' texts for the seeded counts."""
    return {
        "P-search-common": COMMON_POST_WORD,
        "P-search-selective": f"Post {few_matches(posts)}",  # seeded titles: "Post <i>: <word>"
        "U-search-all": EVERY_USER,
        "U-search-selective": f"user{few_matches(users)}",  # seeded: user<i>-<run>@seed.example
    }


def _listed(path: str, search: str) -> str:
    return f"{path}?{urllib.parse.urlencode({'per_page': 20, 'search': search})}"


def build(found: dict[str, Any], who: dict[str, Any], search: str) -> list[Scenario]:
    user, admin = who["user_token"], who["admin_token"]
    texts = searches(found["users"], found["posts"])
    common, few_posts = texts["P-search-common"], texts["P-search-selective"]
    every, few_users = texts["U-search-all"], texts["U-search-selective"]
    posts, users = "/api/v1/posts", "/api/v1/users"
    deep = urllib.parse.urlencode({"per_page": 20, "cursor": found["deep_cursor"]})
    tagged = urllib.parse.urlencode({"per_page": 20, "tag": COMMON_TAG})
    deep_feed = urllib.parse.urlencode({"per_page": 20, "cursor": who["feed_cursor"]})
    followed, page = who["feed_authors"], who["feed_page"]
    new_post = NEW_POST
    return [
        Scenario(key="S1", label="GET /posts/<id>, Bearer", method="GET",
                 path=f"/api/v1/posts/{found['post_id']}", token=user),
        Scenario(key="S2", label="GET /posts?per_page=20 (= S7 first page)", method="GET",
                 path="/api/v1/posts?per_page=20"),
        Scenario(key="S3", label="GET /users/me", method="GET", path="/api/v1/users/me",
                 token=user),
        Scenario(key="S4", label="POST /posts", method="POST", path="/api/v1/posts",
                 token=user, body=new_post, status=201),
        Scenario(key="S5", label="POST /auth/login (argon2)", method="POST",
                 path="/api/v1/auth/login", body=who["login"]),
        Scenario(key="S6-base", label="GET /users?per_page=20 (admin)", method="GET",
                 path="/api/v1/users?per_page=20", token=admin),
        Scenario(key="S6", label=f"GET /users?search={search} (admin)", method="GET",
                 path=_listed(users, search), token=admin, search=search),
        Scenario(key="S7", label="GET /posts?cursor=<deep> (per_page=20)", method="GET",
                 path=f"/api/v1/posts?{deep}"),
        Scenario(key="P-search-common", label=f"GET /posts?search={common} (a third of posts)",
                 method="GET", path=_listed(posts, common), search=common),
        Scenario(key="P-search-selective", label=f"GET /posts?search={few_posts} (a few)",
                 method="GET", path=_listed(posts, few_posts), search=few_posts),
        Scenario(key="U-search-all", label=f"GET /users?search={every} (admin, every user)",
                 method="GET", path=_listed(users, every), token=admin, search=every),
        Scenario(key="U-search-selective", label=f"GET /users?search={few_users} (admin, a few)",
                 method="GET", path=_listed(users, few_users), token=admin, search=few_users),
        Scenario(key="S8", label=f"GET /posts?tag={COMMON_TAG} (the most used tag)",
                 method="GET", path=f"{posts}?{tagged}"),
        Scenario(key="S9", label=f"GET /feed?per_page=20 ({followed} authors followed)",
                 method="GET", path="/api/v1/feed?per_page=20", token=user),
        Scenario(key="S9-deep", label=f"GET /feed?cursor=<page {page}> (per_page=20)",
                 method="GET", path=f"/api/v1/feed?{deep_feed}", token=user),
        Scenario(key="S10", label="GET /posts/<id>/comments (the most commented post)",
                 method="GET", path=f"{posts}/{found['commented_post_id']}/comments?per_page=20"),
        *conduit(found, who),
    ]  # fmt: skip


def conduit(found: dict[str, Any], who: dict[str, Any]) -> list[Scenario]:
    """The RealWorld adapter's reads as the same user, logged in through it and with its own
    `Token` scheme: so each article's `favorited` and its author's `following` are the
    caller's."""
    user, followed = who["conduit_token"], who["feed_authors"]
    return [
        Scenario(key="C1", label="GET /api/articles?limit=20, Token (favorited, following)",
                 method="GET", path="/api/articles?limit=20", token=user, scheme="Token"),
        Scenario(key="C2", label=f"GET /api/articles/feed?limit=20 ({followed} authors followed)",
                 method="GET", path="/api/articles/feed?limit=20", token=user, scheme="Token"),
        Scenario(key="C3", label="GET /api/articles/<slug> (S1's post), Token", method="GET",
                 path=f"/api/articles/{urllib.parse.quote(found['post_slug'])}", token=user,
                 scheme="Token"),
    ]  # fmt: skip


def capture(base: str, scenarios: list[Scenario]) -> dict[str, Any]:
    """Each scenario once against Quill: checks it answers as expected, keeps the body."""
    bodies: dict[str, Any] = {}
    for scenario in scenarios:
        status, raw = call(base, scenario)
        if status != scenario.status:
            raise RuntimeError(f"{scenario.key}: Quill answered {status}, not {scenario.status}")
        bodies[scenario.key] = json.loads(raw)
    return bodies
