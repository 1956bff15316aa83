"""Domain and application errors: each is a fact whose message is safe to show a client."""

from __future__ import annotations

from collections.abc import Callable


class DomainError(Exception):
    """Base of every error a use case raises; `code` is the stable machine-readable name."""

    code = "error"
    default_message = "The request could not be completed."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class NotFound(DomainError):
    code = "not_found"
    default_message = "The resource was not found."


class Conflict(DomainError):
    code = "conflict"
    default_message = "The request conflicts with the current state."


class Forbidden(DomainError):
    code = "forbidden"
    default_message = "You are not allowed to do this."


class Unauthorized(DomainError):
    code = "not_authenticated"
    default_message = "Authentication is required."


class InvalidInput(DomainError):
    """Carries per-field messages, like a form that failed validation."""

    code = "validation_error"
    default_message = "The request is not valid."

    def __init__(self, errors: dict[str, list[str]], message: str | None = None) -> None:
        self.errors = errors
        super().__init__(message)

    @classmethod
    def on(cls, field: str, problem: str) -> InvalidInput:
        return cls({field: [problem]})

    @classmethod
    def gather(cls, *checks: Callable[[], object]) -> list[object]:
        """Run every check; raise one error with all fields' problems, or return the results."""
        results, errors = [], {}
        for check in checks:
            try:
                results.append(check())
            except InvalidInput as error:
                errors.update(error.errors)
        if errors:
            raise cls(errors)
        return results


class PreconditionFailed(DomainError):
    code = "precondition_failed"
    default_message = "The resource has changed since you read it."


class RateLimited(DomainError):
    code = "rate_limited"
    default_message = "Too many attempts; try again later."

    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(1, retry_after)
        super().__init__()


class ServiceUnavailable(DomainError):
    code = "service_unavailable"
    default_message = "The service is temporarily unavailable."


class UserNotFound(NotFound):
    default_message = "User not found."


class PostNotFound(NotFound):
    default_message = "Post not found."


class EmailTaken(Conflict):
    code = "email_taken"
    default_message = "This e-mail address is already registered."


class LastAdmin(Conflict):
    code = "last_admin"
    default_message = "The last active admin cannot be demoted, deactivated or deleted."


class AdminOnly(Forbidden):
    default_message = "Only an admin may do this."


class NotPostAuthor(Forbidden):
    default_message = "Only the author or an admin may change this post."


class NotAccountOwner(Forbidden):
    default_message = "You may only change your own account."


class AccountInactive(Forbidden):
    code = "account_inactive"
    default_message = "This account is deactivated."


class NotAuthenticated(Unauthorized):
    pass


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"
    default_message = "Invalid e-mail or password."


class InvalidToken(Unauthorized):
    code = "token_invalid"
    default_message = "The token is invalid."


class TokenExpired(Unauthorized):
    code = "token_expired"
    default_message = "The token has expired."

    def __init__(self, session_id: str = "", user_id: int = 0) -> None:
        # The token's session and user: a session ended, its token is revoked (read_token).
        self.session_id, self.user_id = session_id, user_id
        super().__init__()


class TokenRevoked(Unauthorized):
    code = "token_revoked"
    default_message = "The token's session has ended."


class CallerDeleted(TokenRevoked):
    """The caller's account was deleted while their request ran: the deletion ended their
    session, as their next request would find."""


class StaleVersion(PreconditionFailed):
    pass


class LoginThrottled(RateLimited):
    default_message = "Too many failed logins for this e-mail; try again later."


class PasswordGuessesThrottled(RateLimited):
    """Wrong current passwords given to change it are limited as failed logins are, so a
    stolen token cannot guess its owner's password without limit."""

    default_message = "Too many wrong current passwords; try again later."


class UsernameTaken(Conflict):
    code = "username_taken"
    default_message = "This username is already taken."


class ProfileNotFound(NotFound):
    default_message = "Profile not found."


class CommentNotFound(NotFound):
    default_message = "Comment not found."


class NotCommentAuthor(Forbidden):
    default_message = "Only the comment's author, the post's author or an admin may delete it."


# E-mail verification and password reset.


class InvalidLink(DomainError):
    """A mailed link's token that is unknown, used, expired or for another address: 400, not
    401, for it is the request that is bad, not the caller's authentication."""

    code = "token_invalid"
    default_message = "This link is invalid, already used or expired."


class EmailUnverified(Forbidden):
    code = "email_unverified"
    default_message = "Verify your e-mail address before writing."


class VerificationThrottled(RateLimited):
    default_message = "Too many verification mails for this account; try again later."


class MailNotFound(NotFound):
    default_message = "No such message in the outbox."


class MailNotFailed(Conflict):
    default_message = "Only a message that failed can be queued again."


class MailLinkExpired(Conflict):
    default_message = (
        "This message's link has expired, so it is not sent again; the user can ask for a new one."
    )
