"""E-mail verification and password reset in the document: their routes, their pages, and
what REQUIRE_VERIFIED_EMAIL adds to the routes that write."""

from __future__ import annotations

from typing import Any

from application.accounts import EmailVerification, LinkPolicy, PasswordReset, ResetRequest
from interfaces.http.openapi.errors import answer
from interfaces.http.openapi.operations import PUBLIC, TOKEN, not_stored, operation
from interfaces.http.openapi.schemas import Schemas, ref
from interfaces.http.pages import LinkQuery

Schema = dict[str, Any]
AUTH, USERS = "Authentication", "Users"
POLICY = LinkPolicy()  # as the container makes it, but for the lifetimes (settings)

# The body was not valid, or the link's token is bad.
BAD_LINK_OR_BODY = {"oneOf": [ref("BadRequestError"), ref("LinkTokenInvalidError")]}
HTML = {"type": "string"}


def page_answer(about: str) -> Schema:
    return answer(about, HTML, media="text/html")


def account_paths(s: Schemas) -> dict[str, Schema]:
    per = f"at most {POLICY.per_window} an hour"
    return {
        "/api/v1/auth/verify-email": {
            "post": operation(
                s, "verifyEmail", "Verify an e-mail address", AUTH, PUBLIC,
                {
                    200: answer("The address is verified; the user (full).", "User"),
                    400: answer(
                        "A bad body, or a bad, used or expired link (`token_invalid`).",
                        BAD_LINK_OR_BODY,
                    ),
                },
                about="The token of the link mailed to a new or changed address. No access"
                " token needed. A link works once, and only while the account still has the"
                " address it was sent to.",
                body=EmailVerification, private=True,
            ),
        },
        "/api/v1/users/me/verify-email": {
            "post": operation(
                s, "resendVerification", "Mail a new verification link", USERS, TOKEN,
                {
                    202: answer(
                        "A new link is on its way (or the address is verified already).",
                        "Message",
                    ),
                    429: answer(
                        f"{per.capitalize()} per user (`rate_limited`); counted across all"
                        " servers sharing the database.",
                        "TooManyMailsError", "Retry-After",
                    ),
                },
                about="No body.", errors=("Unauthorized",),
                empty_body=True,
            ),
        },
        "/api/v1/auth/password-reset": {
            "post": operation(
                s, "requestPasswordReset", "Ask for a password reset link", AUTH, PUBLIC,
                {
                    202: answer(
                        "Always the same answer, in the same time, whether or not the address"
                        " has an account; a link is mailed only to an active account's"
                        f" address, {per} per address (further requests send nothing).",
                        "Message",
                    )
                },
                body=ResetRequest, private=True,
            ),
        },
        "/api/v1/auth/password-reset/confirm": {
            "post": operation(
                s, "resetPassword", "Set a new password with a reset link", AUTH, PUBLIC,
                {
                    204: answer(
                        "The password is set; every session of the user has ended, and the"
                        " link no longer works."
                    ),
                    400: answer(
                        "A bad body or password (`validation_error` on `new_password`), or a"
                        " bad, used or expired link (`token_invalid`).",
                        BAD_LINK_OR_BODY,
                    ),
                },
                about="A reset link works once, for 30 minutes by default (RESET_TOKEN_TTL).",
                body=PasswordReset, private=True,
            ),
        },
        "/verify-email": {
            "get": operation(
                s, "verifyEmailPage", "The page a verification link opens", AUTH, PUBLIC,
                {
                    200: page_answer("An HTML page: the address is verified."),
                    400: page_answer("An HTML page: the link is bad, used or expired."),
                    503: page_answer("An HTML page: the database is not answering."),
                },
                about="Verifies the address and says so, for deployments without a front end"
                " (the default VERIFY_LINK).",
                query=LinkQuery,
            ),
        },
        "/reset-password": {
            "get": operation(
                s, "resetPasswordPage", "The page a reset link opens", AUTH, PUBLIC,
                {
                    200: page_answer(
                        "An HTML form that sets the new password through"
                        " `POST /api/v1/auth/password-reset/confirm`."
                    ),
                    400: page_answer("An HTML page: the link is bad, used or expired."),
                    503: page_answer("An HTML page: the database is not answering."),
                },
                about="For deployments without a front end (the default RESET_LINK). Showing"
                " the form does not use the link.",
                query=LinkQuery,
            ),
        },
    }  # fmt: skip


# The routes that write, which REQUIRE_VERIFIED_EMAIL closes to unverified addresses.
WRITES = {
    ("post", "/api/v1/posts"): "EmailUnverifiedError",
    ("put", "/api/v1/posts/{post_id}"): "WriteForbiddenError",
    ("patch", "/api/v1/posts/{post_id}"): "WriteForbiddenError",
    ("delete", "/api/v1/posts/{post_id}"): "WriteForbiddenError",
    ("post", "/api/v1/posts/{post_id}/comments"): "EmailUnverifiedError",
    ("delete", "/api/v1/comments/{comment_id}"): "WriteForbiddenError",
}


def with_verified_writers(paths: dict[str, Schema]) -> dict[str, Schema]:
    """The writing routes' 403, as REQUIRE_VERIFIED_EMAIL makes it."""
    for (method, path), schema in WRITES.items():
        spec = paths.get(path, {}).get(method)
        if spec is None:
            continue
        about = (
            "With REQUIRE_VERIFIED_EMAIL, an unverified address (`email_unverified`)."
            if schema == "EmailUnverifiedError"
            else "Not the author or an admin (`forbidden`); with REQUIRE_VERIFIED_EMAIL, an"
            " unverified address (`email_unverified`)."
        )
        responses = {**spec["responses"], "403": not_stored(answer(about, schema))}
        spec["responses"] = dict(sorted(responses.items()))
    return paths
