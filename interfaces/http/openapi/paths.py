"""Every route of the API: what each operation is for, who may call it, what it answers."""

from __future__ import annotations

from typing import Any

from application.auth import Credentials
from application.posts import TAGS_LISTED, NewPost, PostChanges, PostReplacement
from application.tokens import LoginThrottle
from application.users import PasswordChange, Registration, UserChanges
from interfaces.http.comments import NewComment
from interfaces.http.openapi.accounts import account_paths, with_verified_writers
from interfaces.http.openapi.errors import answer
from interfaces.http.openapi.operations import ANYBODY, PUBLIC, REFRESH, TOKEN, operation
from interfaces.http.openapi.schemas import Schemas, ref
from interfaces.http.posts import PostListQuery
from interfaces.http.queries import NoQuery, PagedQuery
from interfaces.http.users import UserListQuery

Schema = dict[str, Any]
USERS, AUTH, POSTS, OPS = "Users", "Authentication", "Posts", "Operations"
PROFILES, COMMENTS = "Profiles", "Comments"
THROTTLE = LoginThrottle()  # as the container makes it: its defaults
THROTTLE_MINUTES = int(THROTTLE.window.total_seconds() // 60)
REFUSED = ("Unauthorized", "Forbidden")  # no valid token, or not allowed


def paths(schemas: Schemas) -> dict[str, Schema]:
    found: dict[str, Schema] = {}
    for part in (user_paths, auth_paths, profile_paths, post_paths, comment_paths, ops_paths):
        found.update(part(schemas))
    # E-mail verification and password reset.
    found.update(account_paths(schemas))
    return with_verified_writers(found)


def user_paths(s: Schemas) -> dict[str, Schema]:
    user_id = [{"$ref": "#/components/parameters/UserId"}]
    return {
        "/api/v1/users": {
            "post": operation(
                s, "registerUser", "Register", USERS, PUBLIC,
                {
                    201: answer("The new user (full).", "User", "Location"),
                    409: answer(
                        "The e-mail address (`email_taken`) or the username (`username_taken`)"
                        " is taken.",
                        "TakenError",
                    ),
                },
                about="Anybody may register; nobody can register as an admin. Without a"
                " `username`, one is derived from `name`.",
                body=Registration,
            ),
            "get": operation(
                s, "listUsers", "List users (admin)", USERS, TOKEN,
                {200: answer("A page of full users.", "UserPage")},
                errors=REFUSED, query=UserListQuery,
            ),
        },
        "/api/v1/users/me": {
            "get": operation(
                s, "getCurrentUser", "The caller's own account", USERS, TOKEN,
                {200: answer("The caller (full).", "User")},
                errors=("Unauthorized",),
            ),
        },
        "/api/v1/users/me/password": {
            "post": operation(
                s, "changePassword", "Change one's password", USERS, TOKEN,
                {
                    204: answer("Changed; every other session of the user is ended."),
                    429: answer(
                        f"{THROTTLE.max_failures} wrong current passwords within"
                        f" {THROTTLE_MINUTES} minutes (`rate_limited`); failed logins are"
                        " counted apart.",
                        "RateLimitedError", "Retry-After",
                    ),
                },
                about="A wrong `current_password` is a `validation_error` on that field.",
                errors=("Unauthorized",), body=PasswordChange,
            ),
        },
        "/api/v1/users/{user_id}": {
            "parameters": user_id,
            "get": operation(
                s, "getUser", "A user", USERS, TOKEN,
                {
                    200: answer(
                        "The full user to themself and to admins; the public profile to"
                        " anybody else.",
                        {"oneOf": [ref("User"), ref("PublicUser")]},
                    )
                },
                errors=("Unauthorized", "NotFound"),
            ),
            "patch": operation(
                s, "updateUser", "Change a user (self or admin)", USERS, TOKEN,
                {
                    200: answer("The user after the change (full).", "User"),
                    403: answer(
                        "Not the caller's account, or `role`/`is_active` sent by a non-admin"
                        " (`forbidden`).",
                        "ForbiddenError",
                    ),
                    409: answer(
                        "`email_taken`, `username_taken`, or `last_admin` when the last active"
                        " admin would be demoted or deactivated.",
                        "ConflictError",
                    ),
                },
                errors=("Unauthorized", "NotFound"), body=UserChanges,
            ),
            "delete": operation(
                s, "deleteUser", "Delete a user with their posts and sessions (admin)", USERS,
                TOKEN,
                {
                    204: answer("Deleted."),
                    409: answer(
                        "The last active admin cannot be deleted (`last_admin`).", "LastAdminError"
                    ),
                },
                errors=(*REFUSED, "NotFound"),
                empty_body=True,
            ),
        },
    }  # fmt: skip


def auth_paths(s: Schemas) -> dict[str, Schema]:
    return {
        "/api/v1/auth/login": {
            "post": operation(
                s, "logIn", "Log in", AUTH, PUBLIC,
                {
                    200: answer("Tokens of a new session, and the user.", "LoginResult"),
                    401: answer(
                        "Unknown e-mail or wrong password, answered alike"
                        " (`invalid_credentials`).",
                        "InvalidCredentialsError", "WWW-Authenticate",
                    ),
                    403: answer(
                        "The account is deactivated (`account_inactive`).", "AccountInactiveError"
                    ),
                    429: answer(
                        f"{THROTTLE.max_failures} failed logins for this e-mail within"
                        f" {THROTTLE_MINUTES} minutes (`rate_limited`); counted across all"
                        " servers sharing the database.",
                        "RateLimitedError", "Retry-After",
                    ),
                },
                about="Opens a session. The e-mail is matched without regard to case.",
                body=Credentials, private=True,
            ),
        },
        "/api/v1/auth/refresh": {
            "post": operation(
                s, "refreshTokens", "Refresh (rotate) tokens", AUTH, REFRESH,
                {
                    200: answer("New tokens; the refresh token sent stops working.", "TokenPair"),
                    401: answer(
                        "Not a valid refresh token, or its session has ended. Presenting an"
                        " already rotated refresh token ends the whole session"
                        " (`token_revoked`).",
                        "UnauthorizedError", "WWW-Authenticate",
                    ),
                },
                about="Send the refresh token as `Authorization: Bearer <refresh_token>`, no"
                " body.",
                empty_body=True,
            ),
        },
        "/api/v1/auth/logout": {
            "post": operation(
                s, "logOut", "Log out", AUTH, TOKEN,
                {
                    200: answer(
                        "The session is ended: its access and refresh tokens are refused from"
                        " now on.",
                        "Message",
                    ),
                    401: answer(
                        "Missing, bad, expired or revoked access token.",
                        "UnauthorizedError", "WWW-Authenticate",
                    ),
                },
                empty_body=True,
            ),
        },
    }  # fmt: skip


def post_paths(s: Schemas) -> dict[str, Schema]:
    post_id = [{"$ref": "#/components/parameters/PostId"}]
    changed = {200: answer("The post after the change.", "Post", "ETag")}
    favorited = {200: answer("The post, as the caller now sees it.", "Post", "ETag")}
    editor = (*REFUSED, "NotFound", "PreconditionFailed")
    return {
        "/api/v1/posts": {
            "get": operation(
                s, "listPosts", "List posts", POSTS, ANYBODY,
                {200: answer("A page of posts.", "PostPage")},
                about="Anybody; with a token (which must then be valid) the caller's drafts can"
                " be listed with `published=false`, and `favorited` says whether the caller"
                " favorited each post. The filters combine.",
                errors=("Unauthorized",), query=PostListQuery,
            ),
            "post": operation(
                s, "createPost", "Write a post", POSTS, TOKEN,
                {
                    201: answer(
                        "The new post; the caller is its author.", "Post", "Location", "ETag"
                    )
                },
                errors=("Unauthorized",), body=NewPost,
            ),
        },
        "/api/v1/posts/{post_id}": {
            "parameters": post_id,
            "get": operation(
                s, "getPost", "A post", POSTS, ANYBODY,
                {200: answer("The post.", "Post", "ETag")},
                about="Published posts to anybody; drafts to their author and admins only (404"
                " to others).",
                errors=("Unauthorized", "NotFound"),
            ),
            "put": operation(
                s, "replacePost", "Replace a post (author or admin)", POSTS, TOKEN, changed,
                errors=editor, body=PostReplacement, if_match=True,
            ),
            "patch": operation(
                s, "changePost", "Change a post (author or admin)", POSTS, TOKEN, changed,
                errors=editor, body=PostChanges, if_match=True,
            ),
            "delete": operation(
                s, "deletePost", "Delete a post (author or admin)", POSTS, TOKEN,
                {204: answer("Deleted.")},
                errors=editor, if_match=True,
                empty_body=True,
            ),
        },
        "/api/v1/posts/by-slug/{slug}": {
            "parameters": [{"$ref": "#/components/parameters/Slug"}],
            "get": operation(
                s, "getPostBySlug", "A post by its slug", POSTS, ANYBODY,
                {200: answer("The post.", "Post", "ETag")},
                about="As `GET /api/v1/posts/{post_id}`: the same visibility, the same `ETag`.",
                errors=("Unauthorized", "NotFound"),
            ),
        },
        "/api/v1/posts/{post_id}/favorite": {
            "parameters": post_id,
            "put": operation(
                s, "favoritePost", "Favorite a post", POSTS, TOKEN, favorited,
                about="Idempotent. The post's `ETag` and `updated_at` do not change.",
                errors=("Unauthorized", "NotFound"),
                empty_body=True,
            ),
            "delete": operation(
                s, "unfavoritePost", "Unfavorite a post", POSTS, TOKEN, favorited,
                about="Idempotent. The post's `ETag` and `updated_at` do not change.",
                errors=("Unauthorized", "NotFound"),
                empty_body=True,
            ),
        },
        "/api/v1/feed": {
            "get": operation(
                s, "feed", "The caller's feed", POSTS, TOKEN,
                {200: answer("A page of posts.", "PostPage")},
                about="Published posts by the authors the caller follows, newest first; paged"
                " as `GET /api/v1/posts` (`cursor` included).",
                errors=("Unauthorized",), query=PagedQuery,
            ),
        },
        "/api/v1/tags": {
            "get": operation(
                s, "listTags", "Tags in use", POSTS, PUBLIC,
                {200: answer(f"The {TAGS_LISTED} tags on most published posts.", "TagList")},
                query=NoQuery,
            ),
        },
    }  # fmt: skip


def profile_paths(s: Schemas) -> dict[str, Schema]:
    username = [{"$ref": "#/components/parameters/Username"}]
    followed = {200: answer("Their profile, as the caller now sees it.", "Profile")}
    own_username = answer("The caller's own username (`validation_error`).", "ValidationError")
    return {
        "/api/v1/profiles/{username}": {
            "parameters": username,
            "get": operation(
                s, "getProfile", "A profile", PROFILES, ANYBODY,
                {200: answer("The profile.", "Profile")},
                about="`following` says whether the caller follows them (false without a"
                " token). An unknown or deactivated user is 404.",
                errors=("Unauthorized", "NotFound"),
            ),
        },
        "/api/v1/profiles/{username}/follow": {
            "parameters": username,
            "put": operation(
                s, "followUser", "Follow a user", PROFILES, TOKEN, {**followed, 400: own_username},
                about="Idempotent. Nobody follows themself.",
                errors=("Unauthorized", "NotFound"),
                empty_body=True,
            ),
            "delete": operation(
                s, "unfollowUser", "Unfollow a user", PROFILES, TOKEN, followed,
                about="Idempotent: unfollowing someone not followed, oneself included, changes"
                " nothing. A deactivated user is 404, yet the follow ends all the same.",
                errors=("Unauthorized", "NotFound"),
                empty_body=True,
            ),
        },
    }  # fmt: skip


def comment_paths(s: Schemas) -> dict[str, Schema]:
    post_id = [{"$ref": "#/components/parameters/PostId"}]
    comment_id = [{"$ref": "#/components/parameters/CommentId"}]
    return {
        "/api/v1/posts/{post_id}/comments": {
            "parameters": post_id,
            "get": operation(
                s, "listComments", "A post's comments", COMMENTS, ANYBODY,
                {200: answer("A page of comments.", "CommentPage")},
                about="Anybody who can see the post (404 otherwise).",
                errors=("Unauthorized", "NotFound"), query=PagedQuery,
            ),
            "post": operation(
                s, "addComment", "Comment on a post", COMMENTS, TOKEN,
                {201: answer("The new comment; the caller is its author.", "Comment", "Location")},
                about="On a post the caller can see (404 otherwise).",
                errors=("Unauthorized", "NotFound"), body=NewComment,
            ),
        },
        "/api/v1/comments/{comment_id}": {
            "parameters": comment_id,
            "get": operation(
                s, "getComment", "A comment", COMMENTS, ANYBODY,
                {200: answer("The comment.", "Comment")},
                about="A comment on a post the caller cannot see is 404.",
                errors=("Unauthorized", "NotFound"),
            ),
            "delete": operation(
                s, "deleteComment", "Delete a comment", COMMENTS, TOKEN,
                {
                    204: answer("Deleted."),
                    403: answer(
                        "Not the comment's author, the post's author or an admin (`forbidden`).",
                        "ForbiddenError",
                    ),
                },
                about="By the comment's author, the post's author or an admin. A comment on a"
                " post the caller cannot see is 404.",
                errors=("Unauthorized", "NotFound"),
                empty_body=True,
            ),
        },
    }  # fmt: skip


def ops_paths(s: Schemas) -> dict[str, Schema]:
    return {
        "/healthz": {
            "get": operation(
                s, "health", "Liveness", OPS, PUBLIC,
                {200: answer("The process serves.", "Health")}, database=False,
            ),
        },
        "/readyz": {
            "get": operation(
                s, "readiness", "Readiness", OPS, PUBLIC,
                {200: answer("The database answers, at this release's schema.", "Ready")},
                about=(
                    "Really asks the database, and its schema's revision: one never migrated"
                    " or a release behind is `503`, as every request would fail there; one a"
                    " newer release migrated (a rolling upgrade) is ready."
                ),
            ),
        },
        "/api/v1/openapi.json": {
            "get": operation(
                s, "openapi", "This document", OPS, PUBLIC,
                {200: answer("The OpenAPI 3.1 document.", {"type": "object"})}, database=False,
            ),
        },
        "/docs": {
            "get": operation(
                s, "docs", "Browsable API reference", OPS, PUBLIC,
                {
                    200: answer(
                        "An HTML page built from this document; every asset is served by Quill.",
                        {"type": "string"}, media="text/html",
                    )
                },
                database=False,
            ),
        },
        "/docs/conduit": {
            "get": operation(
                s, "conduitDocs", "Browsable reference of the RealWorld (Conduit) API", OPS,
                PUBLIC,
                {
                    200: answer(
                        "An HTML page built from `/api/openapi.json`, the document of the"
                        " RealWorld API this server also speaks at `/api`.",
                        {"type": "string"}, media="text/html",
                    )
                },
                database=False,
            ),
        },
    }  # fmt: skip
