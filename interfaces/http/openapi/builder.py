"""The whole document: info, tags, security schemes, parameters, and every schema built."""

from __future__ import annotations

from typing import Any

from domain.ids import ID_MAX
from domain.users import USERNAME_PATTERN, PasswordRules
from interfaces.http.converter import SHAPES, SLUG_PATTERN
from interfaces.http.openapi.errors import HEADERS, RESPONSES, error_schemas
from interfaces.http.openapi.fields import DESCRIPTIONS, entries_under, notes
from interfaces.http.openapi.paths import paths
from interfaces.http.openapi.schemas import Schemas, closed_object

Schema = dict[str, Any]

INFO = {
    "title": "Quill API",
    "version": "1.0.0",
    "summary": "A blogging API: users, token sessions and posts; profiles, follows, tags,"
    " favorites, comments and a feed.",
    "description": (
        "All bodies are JSON objects sent as `application/json` (else 415); a body that does"
        " not parse or is not an object is `400 invalid_json`; unknown fields, nulls and wrong"
        ' types are `400 validation_error` (`"true"` is not a boolean, `"5"` is not a number).'
        " Bodies over 1 MiB are 413. A write that takes no body accepts none, or `{}` of"
        " any content type; any other body is read as above, and its fields are not used."
        " Query strings are as strict: unknown or repeated parameters are 400. No text, in a"
        " body or a query, may hold a NUL character or an unpaired surrogate (`\\u0000`,"
        " `\\ud800`): `400 validation_error`.\n\n"
        'Every error is `{"message", "code"}`, validation errors add `errors` per field.'
        " Unknown paths are `404 not_found`; a method a path does not support is"
        " `405 method_not_allowed` with an `Allow` header. Every response carries"
        " `X-Request-ID`.\n\n"
        "Authenticate with `Authorization: Bearer <access token>` from"
        " `POST /api/v1/auth/login`. Access tokens live 15 minutes by default, refresh tokens"
        " 30 days; both are configurable. Tokens are each API's own: the RealWorld API's"
        " session-long tokens are refused here (`401 token_invalid`)."
    ),
}
TAGS = [
    {"name": "Authentication", "description": "Sessions and their tokens."},
    {"name": "Users", "description": "Registration, one's own account, and admin management."},
    {
        "name": "Posts",
        "description": "Writing, publishing and reading posts. Visibility: published posts to"
        " anybody, drafts to their author and admins.",
    },
    {"name": "Profiles", "description": "Users by their username, and following them."},
    {
        "name": "Comments",
        "description": "Comments on posts: anybody who can see a post reads them; its"
        " comments are deleted by their author, the post's author or an admin.",
    },
    {"name": "Operations", "description": "Health, readiness and this document."},
]
SECURITY_SCHEMES = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "The `access_token` of a login or refresh. A token of the RealWorld"
        " API (`/api`) is invalid here (`token_invalid`).",
    },
    "refreshToken": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "The `refresh_token` of a login or refresh; only for"
        " `POST /api/v1/auth/refresh`.",
    },
}
PARAMETERS = {
    "UserId": {
        "name": "user_id",
        "in": "path",
        "required": True,
        "description": "A user id; anything but a positive integer is 404.",
        "schema": {"$ref": "#/components/schemas/Id"},
    },
    "PostId": {
        "name": "post_id",
        "in": "path",
        "required": True,
        "description": "A post id; anything but a positive integer is 404.",
        "schema": {"$ref": "#/components/schemas/Id"},
    },
    "Username": {
        "name": "username",
        "in": "path",
        "required": True,
        "description": "A username, in any case; one nobody has is 404.",
        "schema": {"type": "string", "pattern": f"^{USERNAME_PATTERN}$", "examples": ["ann"]},
    },
    "Slug": {
        "name": "slug",
        "in": "path",
        "required": True,
        "description": "A post's slug; one no post has is 404.",
        "schema": {"type": "string", "pattern": f"^{SLUG_PATTERN}$", "examples": ["hello-world"]},
    },
    "CommentId": {
        "name": "comment_id",
        "in": "path",
        "required": True,
        "description": "A comment id; anything but a positive integer is 404.",
        "schema": {"$ref": "#/components/schemas/Id"},
    },
    "IfMatch": {
        "name": "If-Match",
        "in": "header",
        "required": False,
        "description": "The post's `ETag` as last read (or `*`). When it no longer matches, the"
        " answer is 412 and nothing changes.",
        "schema": {"type": "string"},
    },
}
BASICS = {
    "Id": {
        "type": "integer",
        "minimum": 1,
        "maximum": ID_MAX,
        "description": "Assigned by the server.",
        "examples": [1],
    },
    "Timestamp": {
        "type": "string",
        "format": "date-time",
        "description": "RFC 3339, UTC.",
        "examples": ["2026-11-24T10:00:00Z"],
    },
}


def status(value: str) -> Schema:
    """The body of /healthz and /readyz."""
    return closed_object({"status": {"type": "string", "const": value}}, ["status"], "")


def build(password_rules: PasswordRules = PasswordRules.COMPOSED) -> Schema:
    entries = entries_under(password_rules)
    schemas = Schemas(lambda owner, name: notes(owner, name, entries), DESCRIPTIONS)
    for name, shape in SHAPES.items():
        if not getattr(shape.cls, "__parameters__", ()):  # generic ones: per element, below
            schemas.shape(name, shape)
    schemas.shape("UserPage", SHAPES["Page"], items="User")
    schemas.shape("PostPage", SHAPES["Page"], items="Post")
    schemas.shape("CommentPage", SHAPES["Page"], items="Comment")
    routes = paths(schemas)  # adds the bodies' schemas
    others = {
        "Message": closed_object({"message": {"type": "string"}}, ["message"], ""),
        "Health": status("ok"),
        "Ready": status("ready"),
    }
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": INFO,
        "tags": TAGS,
        "paths": routes,
        "components": {
            "securitySchemes": SECURITY_SCHEMES,
            "parameters": PARAMETERS,
            "headers": HEADERS,
            "responses": {name: response for name, (_, response) in RESPONSES.items()},
            "schemas": {**error_schemas(), **BASICS, **schemas.components, **others},
        },
    }
