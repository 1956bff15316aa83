"""v1's one place that knows HTTP status codes: every error becomes the same JSON shape.
(The RealWorld driver maps the same errors to its own shape: interfaces/conduit/errors.py.)"""

from __future__ import annotations

import logging
from typing import Any

from cattrs import ClassValidationError
from cattrs.errors import ForbiddenExtraKeysError
from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException, InternalServerError

from domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    RateLimited,
    ServiceUnavailable,
    Unauthorized,
)
from interfaces.container import SCHEMA_BEHIND_ADVICE, outage_reason, schema_behind

log = logging.getLogger("quill.errors")

STATUS: dict[type[DomainError], int] = {
    NotFound: 404,
    Conflict: 409,
    Forbidden: 403,
    Unauthorized: 401,
    InvalidInput: 400,
    PreconditionFailed: 412,
    RateLimited: 429,
    ServiceUnavailable: 503,
}
HTTP_CODES = {
    400: "invalid_json",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    503: "service_unavailable",
}


def error_response(status: int, code: str, message: str, **extra: Any) -> Response:
    response = jsonify({"message": message, "code": code, **extra})
    response.status_code = status
    return response


def status_of(error: DomainError) -> int:
    return next((code for kind, code in STATUS.items() if isinstance(error, kind)), 400)


def on_domain_error(error: DomainError) -> Response:
    log_outage(error)
    extra = {"errors": error.errors} if isinstance(error, InvalidInput) else {}
    response = error_response(status_of(error), error.code, error.message, **extra)
    if isinstance(error, RateLimited):
        response.headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, Unauthorized):
        response.headers["WWW-Authenticate"] = f'Bearer error="{error.code}"'
    return response


def log_outage(error: DomainError) -> None:
    """The client of a 503 learns only that; the log says what the database driver said."""
    if isinstance(error, ServiceUnavailable) and error.__cause__ is not None:
        log.warning(outage_reason(error.message, error))


def field_errors(error: ClassValidationError) -> dict[str, list[str]]:
    """cattrs' nested exceptions, keyed by the field each one is about."""
    errors: dict[str, list[str]] = {}
    with_field, without_field = error.group_exceptions()
    for exc, note in with_field:
        errors.setdefault(str(note.name), []).append(_describe(exc))
    for exc in without_field:
        if isinstance(exc, ForbiddenExtraKeysError):
            for name in sorted(exc.extra_fields):
                errors.setdefault(name, []).append("Unknown field.")
        else:
            errors.setdefault("body", []).append(_describe(exc))
    return errors


def _describe(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return "This field is required."
    if str(exc).startswith("Must"):
        return str(exc)
    return "Not a valid value."


def on_validation_error(error: ClassValidationError) -> Response:
    return error_response(
        400, "validation_error", "The request is not valid.", errors=field_errors(error)
    )


def on_http_error(error: HTTPException) -> Response:
    status = error.code or 500
    if status >= 500:
        return error_response(500, "internal_error", "An unexpected error occurred.")
    response = error_response(status, HTTP_CODES.get(status, "error"), error.description or "")
    if status == 405 and error.valid_methods:  # type: ignore[attr-defined]
        response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
    return response


def on_unexpected(error: Exception) -> Response:
    """Logged with its traceback on the server; the client learns nothing of its insides."""
    if isinstance(error, HTTPException):
        return on_http_error(error)
    if not_ready(error):
        return on_domain_error(ServiceUnavailable())
    log.exception("unhandled error", exc_info=error)
    return on_http_error(InternalServerError())


def not_ready(error: Exception) -> bool:
    """A release serving a database not migrated to it (`/readyz` says 503 too): every
    request fails alike until `quill db upgrade` runs, so 503, and the reason in the log."""
    if not schema_behind(error):
        return False
    log.error(SCHEMA_BEHIND_ADVICE)
    return True


def register(app: Flask) -> None:
    app.register_error_handler(DomainError, on_domain_error)
    app.register_error_handler(ClassValidationError, on_validation_error)
    app.register_error_handler(HTTPException, on_http_error)
    app.register_error_handler(Exception, on_unexpected)
