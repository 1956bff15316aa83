"""The error catalogue: error bodies by code, the headers answers carry, the shared answers."""

from __future__ import annotations

from typing import Any

from domain.errors import (
    AccountInactive,
    Conflict,
    EmailTaken,
    EmailUnverified,
    Forbidden,
    InvalidCredentials,
    InvalidInput,
    InvalidLink,
    InvalidToken,
    LastAdmin,
    NotAuthenticated,
    NotFound,
    PreconditionFailed,
    RateLimited,
    ServiceUnavailable,
    TokenExpired,
    TokenRevoked,
    UsernameTaken,
)
from interfaces.http.edge import REQUEST_ID
from interfaces.http.errors import HTTP_CODES
from interfaces.http.openapi.schemas import closed_object, ref

Schema = dict[str, Any]

INVALID_JSON, METHOD_NOT_ALLOWED = HTTP_CODES[400], HTTP_CODES[405]
TOO_LARGE, UNSUPPORTED = HTTP_CODES[413], HTTP_CODES[415]
INTERNAL = "internal_error"  # what interfaces.http.errors answers for any 5xx but 503
FIELD_ERRORS = {
    "type": "object",
    "description": "Problems per field (or query parameter); `body` for the body as a whole.",
    "additionalProperties": {"type": "array", "items": {"type": "string"}, "minItems": 1},
}


def error(about: str, *codes: str, errors: bool = False) -> Schema:
    """An error body: `message` and one of `codes`, and with `errors` the per-field problems."""
    properties: Schema = {
        "message": {"type": "string", "description": "Safe to show a person."},
        "code": {"type": "string", "enum": list(codes), "description": "Stable, machine-readable."},
    }
    if errors:
        properties["errors"] = ref("FieldErrors")
    return closed_object(properties, [*properties], about)


UNAUTHORIZED = (NotAuthenticated.code, InvalidToken.code, TokenExpired.code, TokenRevoked.code)
ERRORS = {
    "ValidationError": error(
        "A field or parameter is missing, unknown or not valid.", InvalidInput.code, errors=True
    ),
    "UnauthorizedError": error(
        "No token, or a token that is malformed, of the wrong kind, expired or of an ended"
        " session.",
        *UNAUTHORIZED,
    ),
    "InvalidCredentialsError": error(
        "Unknown e-mail or wrong password (answered alike).", InvalidCredentials.code
    ),
    "ForbiddenError": error("Authenticated, but not allowed to do this.", Forbidden.code),
    "AccountInactiveError": error("The account is deactivated.", AccountInactive.code),
    "NotFoundError": error("No such resource, or one the caller may not see.", NotFound.code),
    "MethodNotAllowedError": error("The path exists, the method does not.", METHOD_NOT_ALLOWED),
    "ConflictError": error(
        "The change conflicts with the current state.",
        EmailTaken.code,
        UsernameTaken.code,
        LastAdmin.code,
        Conflict.code,
    ),
    "EmailTakenError": error("The e-mail address is already registered.", EmailTaken.code),
    "TakenError": error(
        "The e-mail address or the username is already taken.", EmailTaken.code, UsernameTaken.code
    ),
    "LastAdminError": error(
        "The last active admin cannot be demoted, deactivated or deleted.", LastAdmin.code
    ),
    "PreconditionFailedError": error(
        "`If-Match` does not match the post's current ETag.", PreconditionFailed.code
    ),
    "PayloadTooLargeError": error("The body is larger than 1 MiB.", TOO_LARGE),
    "UnsupportedMediaTypeError": error("The body is not sent as application/json.", UNSUPPORTED),
    "RateLimitedError": error("Too many failed logins for this e-mail.", RateLimited.code),
    "ServiceUnavailableError": error("The database is not answering.", ServiceUnavailable.code),
    "InternalError": error("An unexpected error; details are only in the server's log.", INTERNAL),
}
# E-mail verification and password reset.
ERRORS.update(
    {
        "LinkTokenInvalidError": error(
            "The link's token is unknown, already used, expired, or was sent to an address the"
            " account no longer has.",
            InvalidLink.code,
        ),
        "EmailUnverifiedError": error(
            "REQUIRE_VERIFIED_EMAIL is on and the caller's address is not verified.",
            EmailUnverified.code,
        ),
        "WriteForbiddenError": error(
            "Not the author or an admin, or (with REQUIRE_VERIFIED_EMAIL) an unverified address.",
            Forbidden.code,
            EmailUnverified.code,
        ),
        "TooManyMailsError": error(
            "Too many verification mails asked for this account within the hour.",
            RateLimited.code,
        ),
    }
)
BAD_REQUEST = {
    "description": "`validation_error` (with `errors` per field) or `invalid_json` (the body is"
    " not a JSON object).",
    "oneOf": [
        ref("ValidationError"),
        error("The body is not valid JSON, or not an object.", INVALID_JSON),
    ],
}


def error_schemas() -> dict[str, Schema]:
    """Every error body, and `Error`: the shape all of them share, with every code."""
    codes = [InvalidInput.code, INVALID_JSON]
    for schema in ERRORS.values():
        codes += [code for code in schema["properties"]["code"]["enum"] if code not in codes]
    everything = error("Every error has this shape. Validation errors add `errors`.", *codes)
    everything["properties"]["errors"] = ref("FieldErrors")
    return {
        "Error": everything,
        "FieldErrors": FIELD_ERRORS,
        "ValidationError": ERRORS["ValidationError"],
        "BadRequestError": BAD_REQUEST,
        **ERRORS,
    }


def header(about: str, schema: Schema) -> Schema:
    return {"description": about, "required": True, "schema": schema}


HEADERS = {
    "XRequestId": header(
        f"The client's own `X-Request-ID` when it matches `{REQUEST_ID.pattern}`, else a new"
        " one. Quote it when reporting a problem.",
        {"type": "string", "pattern": f"^{REQUEST_ID.pattern}$"},
    ),
    "CacheControlNoStore": header(
        "Token and authenticated responses are not to be stored.",
        {"type": "string", "const": "no-store"},
    ),
    "Location": header(
        "Path of the created resource.", {"type": "string", "format": "uri-reference"}
    ),
    "ETag": header(
        "The post's version; changes whenever the post changes. Send it back in `If-Match`.",
        {"type": "string"},
    ),
    "RetryAfter": header(
        "Seconds until a login for this e-mail is accepted again.",
        {"type": "string", "pattern": "^[1-9][0-9]*$"},
    ),
    "WWWAuthenticate": header('`Bearer error="<code>"`.', {"type": "string"}),
    "Allow": header("The methods the path supports.", {"type": "string"}),
}
HEADER_NAMES = {
    "X-Request-ID": "XRequestId",
    "Cache-Control": "CacheControlNoStore",
    "Location": "Location",
    "ETag": "ETag",
    "Retry-After": "RetryAfter",
    "WWW-Authenticate": "WWWAuthenticate",
    "Allow": "Allow",
}


def answer(
    about: str,
    schema: Schema | str | None = None,
    *headers: str,
    media: str = "application/json",
) -> Schema:
    """A response: its description, X-Request-ID and `headers` (by HTTP name), its body's
    schema (a component's name, or a schema)."""
    names = ["X-Request-ID", *headers]
    response: Schema = {
        "description": about,
        "headers": {name: {"$ref": f"#/components/headers/{HEADER_NAMES[name]}"} for name in names},
    }
    if schema is not None:
        body = ref(schema) if isinstance(schema, str) else schema
        response["content"] = {media: {"schema": body}}
    return response


# The shared answers, by name: (status, response).
RESPONSES = {
    "BadRequest": (
        400,
        answer(
            "The request is not valid: `validation_error` with `errors` per field, or"
            " `invalid_json`.",
            "BadRequestError",
        ),
    ),
    "InvalidQuery": (
        400,
        answer(
            "A query parameter is unknown, repeated or not valid (`validation_error`).",
            "ValidationError",
        ),
    ),
    "Unauthorized": (
        401,
        answer(
            "Missing (`not_authenticated`), bad (`token_invalid`), expired (`token_expired`) or"
            " revoked (`token_revoked`) token.",
            "UnauthorizedError",
            "WWW-Authenticate",
        ),
    ),
    "Forbidden": (403, answer("Not allowed (`forbidden`).", "ForbiddenError")),
    "NotFound": (
        404,
        answer("Not found, or not visible to the caller (`not_found`).", "NotFoundError"),
    ),
    "MethodNotAllowed": (
        405,
        answer(
            "The path does not support this method (`method_not_allowed`).",
            "MethodNotAllowedError",
            "Allow",
        ),
    ),
    "PreconditionFailed": (
        412,
        answer(
            "`If-Match` no longer matches (`precondition_failed`); nothing changed.",
            "PreconditionFailedError",
        ),
    ),
    "PayloadTooLarge": (
        413,
        answer("The body is over 1 MiB (`payload_too_large`).", "PayloadTooLargeError"),
    ),
    "UnsupportedMediaType": (
        415,
        answer(
            "The body is not `application/json` (`unsupported_media_type`).",
            "UnsupportedMediaTypeError",
        ),
    ),
    "ServiceUnavailable": (
        503,
        answer("The database is not answering (`service_unavailable`).", "ServiceUnavailableError"),
    ),
    "InternalError": (
        500,
        answer(
            "An unexpected error (`internal_error`); never a stack trace or SQL.", "InternalError"
        ),
    ),
}


def shared(*names: str) -> dict[str, Schema]:
    """References to shared answers, by their status."""
    return {str(RESPONSES[name][0]): {"$ref": f"#/components/responses/{name}"} for name in names}
