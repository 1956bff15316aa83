"""The two pages a mailed link opens when no front end hosts them: /verify-email, which
verifies and says so, and /reset-password, a form that sets the new password through the API.

Server-rendered, with Quill's own script and style only (the strict policy of /docs), plain
HTML that a keyboard and a screen reader can use. A bad link is a page that says so.
"""

from __future__ import annotations

from typing import Any

from attrs import frozen
from cattrs import ClassValidationError
from dependency_injector.wiring import Provide, inject
from flask import Blueprint, Response, render_template, request, url_for

from application.accounts import CheckResetLink, EmailVerification, VerifyEmail
from domain.errors import DomainError, InvalidInput, InvalidLink
from domain.users import PASSWORD_MAX, PASSWORD_MIN, PasswordRules
from interfaces.container import Container
from interfaces.http.errors import status_of
from interfaces.http.queries import parse_query

bp = Blueprint(
    "pages",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/pages/static",
)

PAGES_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# What a bad link's page suggests, by the page it was meant for.
NEXT_STEP = {
    "pages.verify_email": "Log in and ask for a new verification link from your account.",
    "pages.reset_password": "Ask for a new link: request a password reset again.",
}


@frozen(kw_only=True)
class LinkQuery:
    token: str


def page(template: str, status: int = 200, **values: Any) -> Response:
    response = Response(render_template(template, **values), status=status, mimetype="text/html")
    response.headers["Content-Security-Policy"] = PAGES_CSP
    response.headers["Cache-Control"] = "no-store"  # the address holds a token
    return response


@bp.get("/verify-email")
@inject
def verify_email(verify: VerifyEmail = Provide[Container.verify_email]) -> Response:
    user = verify(EmailVerification(token=parse_query(LinkQuery).token))
    return page("verified.html", email=user.email)


@bp.get("/reset-password")
@inject
def reset_password(
    check: CheckResetLink = Provide[Container.check_reset_link],
    rules: PasswordRules = Provide[Container.password_rules],
) -> Response:
    token = parse_query(LinkQuery).token
    check(token)
    return page(
        "reset.html",
        token=token,
        api=url_for("accounts.reset_password"),
        minimum=PASSWORD_MIN,
        maximum=PASSWORD_MAX,
        hint=rules.described,
    )


@bp.errorhandler(DomainError)
@bp.errorhandler(ClassValidationError)
def bad_link(error: Exception) -> Response:
    """The pages' own error map: a page, not JSON. A missing or malformed token is a bad link."""
    if isinstance(error, DomainError) and not isinstance(error, InvalidInput | InvalidLink):
        return page("trouble.html", status_of(error), message=error.message)
    next_step = NEXT_STEP.get(request.endpoint or "", "")
    return page("invalid.html", 400, message=InvalidLink.default_message, next_step=next_step)
