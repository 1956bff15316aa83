"""The RealWorld error envelope: every error of a Conduit route becomes
`{"errors": {subject: [text]}}` with RealWorld's status codes (422 for invalid input).

The one place of the adapter that knows status codes. It maps which error happened to what
RealWorld calls it; it decides nothing (the use cases do).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError

from domain import errors as facts
from domain.errors import DomainError, InvalidInput, RateLimited, Unauthorized
from interfaces.http import errors as v1
from interfaces.http.bodies import MAX_BODY, NotJson

log = logging.getLogger("quill.conduit")

Errors = dict[str, list[str]]

# Quill's field names, as RealWorld calls them (a validation error names the client's field).
FIELD_NAMES = {
    "content": "body",
    "summary": "description",
    "tags": "tagList",
    "new_password": "password",
    "current_password": "password",
    "per_page": "limit",
    "favorited_by": "favorited",
}
# Facts by their most specific class first: (status, subject, text).
SAID: list[tuple[type[DomainError], int, str, str]] = [
    (facts.NotAuthenticated, 401, "token", "is missing"),
    (facts.TokenExpired, 401, "token", "has expired"),
    (facts.TokenRevoked, 401, "token", "has been revoked"),
    (facts.InvalidToken, 401, "token", "is invalid"),
    (facts.InvalidCredentials, 401, "credentials", "invalid"),
    (facts.Unauthorized, 401, "token", "is invalid"),
    (facts.AccountInactive, 403, "account", "is deactivated"),
    (facts.NotPostAuthor, 403, "article", "forbidden"),
    (facts.NotCommentAuthor, 403, "comment", "forbidden"),
    (facts.EmailUnverified, 403, "email", "is not verified"),  # REQUIRE_VERIFIED_EMAIL
    (facts.Forbidden, 403, "request", "forbidden"),
    (facts.PostNotFound, 404, "article", "not found"),
    (facts.UserNotFound, 404, "user", "not found"),
    (facts.ProfileNotFound, 404, "profile", "not found"),
    (facts.CommentNotFound, 404, "comment", "not found"),
    (facts.NotFound, 404, "resource", "not found"),
    (facts.EmailTaken, 409, "email", "has already been taken"),
    (facts.UsernameTaken, 409, "username", "has already been taken"),
    (facts.Conflict, 409, "request", "conflicts with the current state"),
    (facts.PreconditionFailed, 412, "request", "has a stale precondition"),
    (facts.LoginThrottled, 429, "credentials", "failed too often; try again later"),
    (facts.RateLimited, 429, "request", "was made too often; try again later"),
    (facts.ServiceUnavailable, 503, "server", "is unavailable; try again later"),
]
# werkzeug's errors raised on the way to a route: (subject, text).
HTTP_SAID = {
    400: ("request", "is not a JSON object"),
    404: ("route", "not found"),
    405: ("method", "is not allowed here"),
    413: ("request", f"is too large (at most {MAX_BODY // 1024 // 1024} MiB)"),
    415: ("request", "must be sent as application/json"),
}


def envelope(status: int, errors: Errors) -> Response:
    response = jsonify({"errors": errors})
    response.status_code = status
    return response


def said_of(error: DomainError) -> tuple[int, Errors]:
    if isinstance(error, InvalidInput):
        renamed: Errors = {}
        for name, problems in error.errors.items():
            renamed.setdefault(FIELD_NAMES.get(name, name), []).extend(map(phrased, problems))
        return 422, renamed
    for kind, status, subject, text in SAID:
        if isinstance(error, kind):
            return status, {subject: [text]}
    return 422, {"request": [phrased(error.message)]}


def phrased(text: str) -> str:
    """Quill's sentence as RealWorld's phrase, which front ends print after its field's name
    (`title can't be blank`, `email must be a valid e-mail address`): the first letter
    lower-cased (not an acronym's), the full stop dropped."""
    if text[:1].isupper() and not text[1:2].isupper():
        text = text[0].lower() + text[1:]
    return text.removesuffix(".")


def on_domain_error(error: DomainError) -> Response:
    v1.log_outage(error)
    status, errors = said_of(error)
    response = envelope(status, errors)
    if isinstance(error, RateLimited):
        response.headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, Unauthorized):
        response.headers["WWW-Authenticate"] = "Token"
    return response


def on_http_error(error: HTTPException) -> Response:
    status = error.code or 500
    if status >= 500:
        return envelope(500, {"server": ["had an unexpected error"]})
    subject, text = HTTP_SAID.get(status, ("request", (error.description or "").lower()))
    if status == 404:
        subject = subject_of_missing(request.path, request.method)
    if isinstance(error, NotJson):
        text = "is not valid JSON"
    response = envelope(status, {subject: [text]})
    if status == 405 and error.valid_methods:  # type: ignore[attr-defined]
        response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
    return response


# A segment after these names one of them: a stand-in any route takes, and what RealWorld
# calls it in a 404.
NAMED_BY = {
    "articles": ("a", "article"),
    "profiles": ("a", "profile"),
    "comments": ("1", "comment"),
}


def subject_of_missing(path: str, method: str) -> str:
    """What a 404 met before any route names: the article, comment or profile whose slug, id
    or username no route takes (`Hello-World`, `abc`: none by that name can exist), when the
    path with stand-ins for them is a route for this method; else the route."""
    parts = (path[:-1] if path.endswith("/") else path).split("/")  # one `/` is read as none
    if "" in parts[1:]:
        return "route"  # an empty segment names no route (docs/API.md)
    named: dict[int, tuple[str, str]] = {}
    for i in range(2, len(parts)):  # a segment that is itself a name names nothing after it
        if parts[i - 1] in NAMED_BY and i - 1 not in named:
            named[i] = NAMED_BY[parts[i - 1]]
    tried = [named[i][0] if i in named else part for i, part in enumerate(parts)]
    if not _routed(tried, method):
        return "route"
    for i, (_, subject) in sorted(named.items()):
        tried[i] = parts[i]
        if not _routed(tried, method):
            return subject  # the first that no route takes (an article before its comment)
    return "route"


def _routed(parts: list[str], method: str) -> bool:
    try:
        current_app.url_map.bind("quill").match("/".join(parts), method=method)
    except HTTPException:  # not found, or not for this method
        return False
    return True


def on_unexpected(error: Exception) -> Response:
    """Logged with its traceback; the client learns nothing of its insides."""
    if isinstance(error, HTTPException):
        return on_http_error(error)
    if v1.not_ready(error):
        return on_domain_error(facts.ServiceUnavailable())
    log.exception("unhandled error", exc_info=error)
    return on_http_error(InternalServerError())


# The first segments under /api that RealWorld's API uses; any other path (v1's /api/v1, an
# unknown /api/v2) keeps v1's answers, as v1's contract says.
CONDUIT_ROOTS = frozenset({"users", "user", "profiles", "articles", "tags", "openapi.json"})


def is_conduit_path(path: str) -> bool:
    """A path in RealWorld's part of /api."""
    prefix, _, rest = path.partition("/api/")
    return prefix == "" and rest.partition("/")[0] in CONDUIT_ROOTS


def handle(bp: Blueprint) -> None:
    """Errors inside Conduit's routes (those of `bp` and the blueprints nested in it)."""
    bp.register_error_handler(DomainError, on_domain_error)
    bp.register_error_handler(HTTPException, on_http_error)
    bp.register_error_handler(Exception, on_unexpected)


def register(app: Flask) -> None:
    """Errors raised before any route is found (404, 405) are told apart by path: Flask keeps
    one app-wide handler per class, so v1's is wrapped, and v1's paths keep v1's shape. After
    interfaces.http.errors.register."""
    app.register_error_handler(HTTPException, _by_path(v1.on_http_error))


def _by_path(v1_handler: Callable[[HTTPException], Response]) -> Callable[..., Any]:
    def on_http_error_by_path(error: HTTPException) -> Response:
        if is_conduit_path(request.path):
            return on_http_error(error)
        return v1_handler(error)

    return on_http_error_by_path
