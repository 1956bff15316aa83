"""The Conduit API's OpenAPI 3.1 document, built from the code like v1's.

Request bodies come from the envelopes' attrs classes and their `required`/`optional` fields
(interfaces/conduit/bodies.py), answers from shapes.py, limits from the domain (the password
schema follows PASSWORD_RULES, as v1's does). A route missing here fails
tests/conduit/test_conduit_openapi.py.
"""

from __future__ import annotations

import json
import typing
from functools import cache
from typing import Any

import attrs

from application.paging import OFFSET_MAX, PER_PAGE_MAX
from domain.ids import ID_MAX
from domain.users import USERNAME_PATTERN, PasswordRules
from interfaces.conduit import shapes
from interfaces.conduit.articles import LIMIT, ArticleUpdate, NewArticle
from interfaces.conduit.bodies import BLANK, key_of, keys_of
from interfaces.conduit.comments import NewComment
from interfaces.conduit.users import Login, NewUser, UserUpdate
from interfaces.http.converter import SLUG_PATTERN
from interfaces.http.openapi import fields
from interfaces.http.openapi.schemas import Schemas, ref

Schema = dict[str, Any]

INFO = {
    "title": "Quill: the RealWorld (Conduit) API",
    "version": "1.0.0",
    "summary": "RealWorld's API, served by Quill beside its own v1, over the same use cases.",
    "description": (
        'The RealWorld ("Conduit") API, as its specification and test suite define it; any'
        ' RealWorld front end runs on it. Bodies are JSON envelopes (`{"user": {...}}`) sent as'
        " `application/json` (else 415); JSON that does not parse is 400. Keys a body does not"
        " declare are ignored; no text may hold a NUL character or an unpaired surrogate."
        ' Errors are `{"errors": {field: [text]}}`: 422 for invalid'
        ' input (a required field that is missing, null or empty "can\'t be blank"), 401 without'
        ' a valid token (`{"errors": {"token": ["is missing"]}}`), 403, 404, 409 ("has'
        ' already been taken").\n\n'
        "Authenticate with `Authorization: Token <token>` (`Bearer` is accepted too). The token"
        " of a registration or login here is bound to a Quill login session and lives as long"
        " as it (30 days by default, `REFRESH_TOKEN_TTL`); there is no refresh. A password"
        " change, deactivation or deletion ends it at once, as for every Quill token. It is"
        " this API's own: v1's access tokens are refused here, and it is refused by v1 (401)."
    ),
}
TOKEN = [{"Token": []}]
PUBLIC: list[Schema] = []
ANYBODY = [{}, {"Token": []}]  # no token, or a valid one
PATH = {
    "username": {
        "name": "username",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": f"^{USERNAME_PATTERN}$"},
    },
    "slug": {
        "name": "slug",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": f"^{SLUG_PATTERN}$"},
    },
    "comment_id": {
        "name": "comment_id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": ID_MAX},
    },
}
PAGING = [
    {
        "name": "limit",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": PER_PAGE_MAX, "default": LIMIT},
    },
    {
        "name": "offset",
        "in": "query",
        "schema": {"type": "integer", "minimum": 0, "maximum": OFFSET_MAX, "default": 0},
    },
]
LIMITS = ("minLength", "maxLength", "pattern", "format", "items", "maxItems")


def _filter(name: str, quill: str, description: str) -> Schema:
    """A list filter, bounded as the v1 filter it is (interfaces/http/openapi/fields.py)."""
    limits = {key: value for key, value in fields.FIELDS[quill].items() if key in LIMITS}
    schema = {"type": "string", **limits}
    return {"name": name, "in": "query", "schema": schema, "description": description}


LIST_QUERY = [
    _filter("tag", "PostListQuery.tag", "Tagged so."),
    _filter("author", "PostListQuery.author", "By this username."),
    _filter("favorited", "PostListQuery.favorited_by", "Favorited by this username."),
    *PAGING,
]
# Each body field as the Quill field it is (docs/CONDUIT.md's table), whose limits the use
# cases hold it to: v1's document states them once (interfaces/http/openapi/fields.py).
AS_QUILL = {
    "NewUser.username": "username", "NewUser.email": "email",
    "UserUpdate.username": "username", "UserUpdate.email": "email",
    "UserUpdate.bio": "UserChanges.bio", "UserUpdate.image": "UserChanges.image",
    "NewArticle.title": "title", "NewArticle.description": "summary",
    "NewArticle.body": "content", "NewArticle.tags": "tags",
    "ArticleUpdate.title": "title", "ArticleUpdate.description": "summary",
    "ArticleUpdate.body": "content", "ArticleUpdate.tags": "tags",
    "NewComment.body": "body",
}  # fmt: skip
# The bodies whose password is set, so held to PASSWORD_RULES; a login's is any text (401).
SETS_PASSWORD = (NewUser, UserUpdate)
# RealWorld registers no name: the username is the name too, so it is at least a name's length.
NAMED_BY_USERNAME = {"minLength": fields.NAME["minLength"]}
SECURITY_SCHEMES = {
    "Token": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "`Token <token>` (or `Bearer <token>`), the `token` of a user object"
        " from this API's registration or login; a v1 token is invalid here.",
    }
}
ERROR = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "object",
            "description": "Problems by field, or by what failed (`token`, `credentials`,"
            " `article`, `profile`, `comment`, `request` ...).",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        }
    },
    "additionalProperties": False,
}
TIMESTAMP = {
    "type": "string",
    "format": "date-time",
    "description": "ISO 8601 in UTC with milliseconds.",
    "examples": ["2026-11-24T10:00:00.000Z"],
}
ERRORS = {
    400: "The body is not valid JSON.",
    401: "No token, or one that is malformed, expired or of an ended session.",
    403: "Authenticated, but not allowed to do this (`email`: `is not verified` when the"
    " deployment lets only verified addresses write); at login, a deactivated account"
    " (`account`: `is deactivated`).",
    404: "Not found.",
    409: "Already taken.",
    413: "The body is over 1 MiB.",
    415: "The body is not application/json.",
    422: "Invalid input.",
    429: "Too many failed logins for this address (`credentials`); `Retry-After` says when to"
    " try again.",
    500: "An unexpected error.",
    503: "The database does not answer.",
}


def _notes(password: Schema) -> Any:
    entries = {
        "password": password,
        "token": {"description": "Send as `Token <token>`."},
        "createdAt": {"$ref": "#/components/schemas/Timestamp"},
        "updatedAt": {"$ref": "#/components/schemas/Timestamp"},
        "tagList": {"type": "array", "items": {"type": "string"}, "description": "Sorted."},
        "articlesCount": {"type": "integer", "minimum": 0, "description": "On all pages."},
        "following": {"type": "boolean", "description": "Whether the caller follows them."},
    }

    def notes(owner: type, name: str) -> Schema:
        return dict(entries.get(name, {}))

    return notes


class Document:
    """One document under one deployment's PASSWORD_RULES."""

    def __init__(self, rules: PasswordRules) -> None:
        self.password = fields.password(rules)
        self.schemas = Schemas(_notes(self.password), {})

    def body(self, envelope: str, cls: type) -> Schema:
        """`{envelope: {...cls' fields}}`; undeclared keys are ignored, so not refused here."""
        properties: Schema = {}
        required = []
        for field in attrs.fields(attrs.resolve_types(cls)):
            schema = self.input_type(field.type)
            quill = fields.FIELDS.get(AS_QUILL.get(f"{cls.__name__}.{field.name}", ""), {})
            schema.update({key: value for key, value in quill.items() if key in LIMITS})
            if cls is NewUser and field.name == "username":
                schema.update(NAMED_BY_USERNAME)
            if field.name == "password" and cls in SETS_PASSWORD:
                schema = {**schema, **self.password}
            if field.metadata.get("required"):
                required.append(key_of(field))
                schema = {**schema, "minLength": max(1, schema.get("minLength", 1))}
                schema["description"] = f'Required: missing, null or empty "{BLANK}".'
            elif field.metadata.get("null_as") is not None:
                schema = {**schema, "type": [schema["type"], "null"]}
                schema["description"] = "Null or an empty string clears it."
            properties[key_of(field)] = schema
        name = cls.__name__
        self.schemas.components[name] = {
            "type": "object",
            "required": required,
            "properties": properties,
            "description": "Undeclared keys are ignored.",
        }
        if getattr(cls, "at_least_one", False):  # as parse_envelope refuses one without
            self.schemas.components[name]["anyOf"] = [{"required": [k]} for k in keys_of(cls)]
            self.schemas.components[name]["description"] = (
                f"At least one of its fields, else 422 `{envelope}`. Undeclared keys are ignored."
            )
        return {
            "type": "object",
            "required": [envelope],
            "properties": {envelope: ref(name)},
        }

    @staticmethod
    def input_type(tp: Any) -> Schema:
        args = [arg for arg in typing.get_args(tp) if arg is not type(None)]
        inner = args[0] if len(args) == 1 else tp
        if inner is str:
            return {"type": "string"}
        if typing.get_origin(inner) is tuple:
            return {"type": "array", "items": {"type": "string"}}
        raise TypeError(f"No schema for {tp!r}")

    def operation(
        self,
        operation_id: str,
        summary: str,
        tag: str,
        security: list[Schema],
        answers: dict[int, tuple[str, type | None]],
        errors: tuple[int, ...] = (),
        body: Schema | None = None,
        query: list[Schema] | None = None,
    ) -> Schema:
        spec: Schema = {
            "operationId": operation_id,
            "summary": summary,
            "tags": [tag],
            "security": security,
        }
        if query:
            spec["parameters"] = query
        if body is not None:
            spec["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": body}},
            }
            errors = (*errors, 400, 413, 415, 422)
        responses: Schema = {}
        for status, (about, shape) in answers.items():
            responses[str(status)] = {"description": about}
            if shape is not None:
                content = {"application/json": {"schema": self.schemas.rendered(shape)}}
                responses[str(status)]["content"] = content
        for status in sorted({*errors, 500, 503}):
            responses[str(status)] = {"$ref": f"#/components/responses/Error{status}"}
        spec["responses"] = dict(sorted(responses.items()))
        return spec

    def paths(self) -> Schema:
        return {**self.user_paths(), **self.profile_paths(), **self.article_paths()}

    def user_paths(self) -> Schema:
        user = ("The user, with their token.", shapes.UserEnvelope)
        return {
            "/api/users": {
                "post": self.operation(
                    "CreateUser", "Register (and log in)", "User and Authentication", PUBLIC,
                    {201: user}, errors=(409,), body=self.body("user", NewUser),
                ),
            },
            "/api/users/login": {
                "post": self.operation(
                    "Login", "Log in", "User and Authentication", PUBLIC,
                    {200: user}, errors=(401, 403, 429), body=self.body("user", Login),
                ),
            },
            "/api/user": {
                "get": self.operation(
                    "GetCurrentUser", "The current user", "User and Authentication", TOKEN,
                    {200: user}, errors=(401,),
                ),
                "put": self.operation(
                    "UpdateCurrentUser", "Change the current user", "User and Authentication",
                    TOKEN, {200: user}, errors=(401, 409), body=self.body("user", UserUpdate),
                ),
            },
        }  # fmt: skip

    def profile_paths(self) -> Schema:
        profile = ("The profile.", shapes.ProfileEnvelope)
        username = [PATH["username"]]
        return {
            "/api/profiles/{username}": {
                "parameters": username,
                "get": self.operation(
                    "GetProfileByUsername", "A profile", "Profile", ANYBODY, {200: profile},
                    errors=(401, 404),
                ),
            },
            "/api/profiles/{username}/follow": {
                "parameters": username,
                "post": self.operation(
                    "FollowUserByUsername", "Follow (idempotent; not oneself: 422)", "Profile",
                    TOKEN, {200: profile}, errors=(401, 404, 422),
                ),
                "delete": self.operation(
                    "UnfollowUserByUsername",
                    "Unfollow (idempotent; oneself too; a deactivated user: 404, the follow ended)",
                    "Profile",
                    TOKEN, {200: profile}, errors=(401, 404, 422),
                ),
            },
        }  # fmt: skip

    def article_paths(self) -> Schema:
        one = ("The article.", shapes.ArticleEnvelope)
        many = ("A page of articles, newest first, without bodies.", shapes.ArticlesEnvelope)
        slug = [PATH["slug"]]
        return {
            "/api/articles": {
                "get": self.operation(
                    "GetArticles", "Published articles, newest first", "Articles", ANYBODY,
                    {200: many}, errors=(401, 422), query=LIST_QUERY,
                ),
                "post": self.operation(
                    "CreateArticle", "Write and publish an article", "Articles", TOKEN,
                    {201: one}, errors=(401, 403), body=self.body("article", NewArticle),
                ),
            },
            "/api/articles/feed": {
                "get": self.operation(
                    "GetArticlesFeed", "Articles by the authors the caller follows", "Articles",
                    TOKEN, {200: many}, errors=(401, 422), query=PAGING,
                ),
            },
            "/api/articles/{slug}": {
                "parameters": slug,
                "get": self.operation(
                    "GetArticle", "An article", "Articles", ANYBODY, {200: one},
                    errors=(401, 404),
                ),
                "put": self.operation(
                    "UpdateArticle", "Change an article (author or admin); the slug stays",
                    "Articles", TOKEN, {200: one}, errors=(401, 403, 404),
                    body=self.body("article", ArticleUpdate),
                ),
                "delete": self.operation(
                    "DeleteArticle", "Delete an article (author or admin)", "Articles", TOKEN,
                    {204: ("Deleted, with its comments and favorites.", None)},
                    errors=(401, 403, 404),
                ),
            },
            "/api/articles/{slug}/favorite": {
                "parameters": slug,
                "post": self.operation(
                    "CreateArticleFavorite", "Favorite (idempotent)", "Favorites", TOKEN,
                    {200: one}, errors=(401, 404),
                ),
                "delete": self.operation(
                    "DeleteArticleFavorite", "Unfavorite (idempotent)", "Favorites", TOKEN,
                    {200: one}, errors=(401, 404),
                ),
            },
            "/api/articles/{slug}/comments": {
                "parameters": slug,
                "get": self.operation(
                    "GetArticleComments", "The article's newest 100 comments, newest first",
                    "Comments", ANYBODY,
                    {200: ("The comments.", shapes.CommentsEnvelope)}, errors=(401, 404),
                ),
                "post": self.operation(
                    "CreateArticleComment", "Comment on an article", "Comments", TOKEN,
                    {201: ("The comment.", shapes.CommentEnvelope)}, errors=(401, 403, 404),
                    body=self.body("comment", NewComment),
                ),
            },
            "/api/articles/{slug}/comments/{comment_id}": {
                "parameters": [*slug, PATH["comment_id"]],
                "delete": self.operation(
                    "DeleteArticleComment",
                    "Delete a comment (its author, the article's author, or an admin)",
                    "Comments", TOKEN, {204: ("Deleted.", None)}, errors=(401, 403, 404),
                ),
            },
            "/api/tags": {
                "get": self.operation(
                    "GetTags", "The tags in use, most used first", "Tags", PUBLIC,
                    {200: ("The tags' names.", shapes.TagsEnvelope)},
                ),
            },
        }  # fmt: skip

    def build(self) -> Schema:
        routes = self.paths()
        return {
            "openapi": "3.1.0",
            "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
            "info": INFO,
            "paths": routes,
            "components": {
                "securitySchemes": SECURITY_SCHEMES,
                "responses": {f"Error{status}": _error(status) for status in ERRORS},
                "schemas": {
                    "GenericErrorModel": ERROR,
                    "Timestamp": TIMESTAMP,
                    **self.schemas.components,
                },
            },
        }


def _error(status: int) -> Schema:
    answer: Schema = {
        "description": ERRORS[status],
        "content": {"application/json": {"schema": ref("GenericErrorModel")}},
    }
    if status == 429:
        seconds = {"type": "integer", "minimum": 1}
        answer["headers"] = {"Retry-After": {"description": "Seconds.", "schema": seconds}}
    return answer


@cache
def document(rules: PasswordRules = PasswordRules.COMPOSED) -> dict[str, Any]:
    """Shared, so not to be changed."""
    return Document(PasswordRules(rules)).build()


@cache
def document_text(rules: PasswordRules = PasswordRules.COMPOSED) -> str:
    return json.dumps(document(rules), ensure_ascii=False, indent=1)
