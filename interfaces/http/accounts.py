"""E-mail verification and password reset over the API."""

from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject
from flask import Blueprint

from application.accounts import (
    EmailVerification,
    PasswordReset,
    RequestPasswordReset,
    ResendVerification,
    ResetPassword,
    ResetRequest,
    VerifyEmail,
)
from interfaces.container import Container
from interfaces.http.auth import current_actor
from interfaces.http.bodies import no_body, parse_body
from interfaces.http.converter import converter

bp = Blueprint("accounts", __name__, url_prefix="/api/v1")

# The same words whether or not the address has an account.
RESET_ASKED = "If this address has an account, a link to reset its password is on its way."
VERIFICATION_SENT = "A new verification link is on its way."
ALREADY_VERIFIED = "Your e-mail address is verified already."


@bp.post("/auth/verify-email")
@inject
def verify_email(verify: VerifyEmail = Provide[Container.verify_email]) -> Any:
    return converter.unstructure(verify(parse_body(EmailVerification)))


@bp.post("/users/me/verify-email")
@inject
def resend_verification(
    resend: ResendVerification = Provide[Container.resend_verification],
) -> Any:
    actor = current_actor()
    no_body()
    sent = resend(actor)
    return {"message": VERIFICATION_SENT if sent else ALREADY_VERIFIED}, 202


@bp.post("/auth/password-reset")
@inject
def request_password_reset(
    request_reset: RequestPasswordReset = Provide[Container.request_password_reset],
) -> Any:
    request_reset(parse_body(ResetRequest))
    return {"message": RESET_ASKED}, 202


@bp.post("/auth/password-reset/confirm")
@inject
def reset_password(reset: ResetPassword = Provide[Container.reset_password]) -> Any:
    reset(parse_body(PasswordReset))
    return "", 204
