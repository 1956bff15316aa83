"""E-mail verification and password reset, on the in-memory fakes (docs/API.md, "Additions:
e-mail verification and password reset")."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest

from application.accounts import (
    AddressVerification,
    CheckResetLink,
    EmailVerification,
    Letters,
    LinkPolicy,
    MarkEmailVerified,
    PasswordReset,
    RequestPasswordReset,
    ResendVerification,
    ResetPassword,
    ResetRequest,
    VerifyEmail,
)
from application.auth import Authenticate, Credentials, LogIn
from application.mail import DeliverMail, DeliveryPolicy, RetryMail
from application.posts import CreatePost, DeletePost, EditPost, NewPost, PostChanges
from application.users import (
    ChangePassword,
    DeleteUser,
    PasswordChange,
    RegisterUser,
    Registration,
    UpdateOwnAccount,
    UpdateUser,
    UserChanges,
)
from domain.errors import (
    AdminOnly,
    EmailTaken,
    EmailUnverified,
    InvalidCredentials,
    InvalidInput,
    InvalidLink,
    MailLinkExpired,
    VerificationThrottled,
)
from domain.links import TOKEN_MAX
from domain.mail import MailStatus, OutgoingMail
from domain.users import Role, User
from infrastructure.mail.templates import JinjaMailTemplates
from infrastructure.memory import InMemoryMailSender, InMemoryUnitOfWork
from infrastructure.security import Argon2PasswordHasher
from tests.factories import (
    NEW_PASSWORD,
    PASSWORD,
    T0,
    FixedClock,
    actor_for,
    make_registration,
    make_user,
)
from tests.unit.conftest import Given, SignedIn, Stored

TOKEN = re.compile(r"token=([A-Za-z0-9_-]+)")


@pytest.fixture
def letters() -> Letters:
    return Letters(
        templates=JinjaMailTemplates(),
        verify_link="https://app.example/verify?token={token}",
        reset_link="https://app.example/reset?token={token}",
        sender_domain="quill.test",
    )


@pytest.fixture
def verification(letters: Letters) -> AddressVerification:
    return AddressVerification(letters, LinkPolicy())


@pytest.fixture
def register(
    uow: InMemoryUnitOfWork,
    hasher: Argon2PasswordHasher,
    clock: FixedClock,
    verification: AddressVerification,
) -> RegisterUser:
    return RegisterUser(uow, hasher, clock, verification)


@pytest.fixture
def update(
    uow: InMemoryUnitOfWork, clock: FixedClock, verification: AddressVerification
) -> UpdateUser:
    """UpdateUser mailing a link to a changed address, as `register` mails one at registration."""
    return UpdateUser(uow, clock, verification)


@pytest.fixture
def resend(
    uow: InMemoryUnitOfWork, verification: AddressVerification, clock: FixedClock
) -> ResendVerification:
    return ResendVerification(uow, verification, clock)


@pytest.fixture
def verify(uow: InMemoryUnitOfWork, clock: FixedClock) -> VerifyEmail:
    return VerifyEmail(uow, clock)


@pytest.fixture
def request_reset(
    uow: InMemoryUnitOfWork, letters: Letters, clock: FixedClock
) -> RequestPasswordReset:
    return RequestPasswordReset(uow, letters, LinkPolicy(), clock)


@pytest.fixture
def reset(
    uow: InMemoryUnitOfWork, hasher: Argon2PasswordHasher, clock: FixedClock
) -> ResetPassword:
    return ResetPassword(uow, hasher, clock)


def outbox(uow: InMemoryUnitOfWork) -> list[OutgoingMail]:
    with uow as reader:
        return sorted(reader.outbox.find(None, 1000), key=lambda mail: mail.id or 0)


def token_in(mail: OutgoingMail) -> str:
    found = TOKEN.search(mail.text)
    assert found, mail.text
    return found.group(1)


def a_registration(**fields: str) -> Registration:
    return make_registration(**{"name": "Ann", **fields})


# Verification.


def test_a_new_account_starts_unverified_and_its_address_gets_a_link(
    register: RegisterUser, uow: InMemoryUnitOfWork
) -> None:
    user = register(a_registration())
    assert user.email_verified is False
    (mail,) = outbox(uow)
    assert (mail.kind, mail.recipient) == ("verify", "ann@example.com")
    assert mail.subject == "Verify your e-mail address for Quill"
    link = f"https://app.example/verify?token={token_in(mail)}"
    assert link in mail.text and link in mail.html
    assert "2 days" in mail.text
    assert mail.link_expires_at == T0 + timedelta(days=2)  # the link's own expiry
    assert re.fullmatch(r"<[0-9a-f]{32}@quill\.test>", mail.message_id)


def test_an_account_registered_with_its_address_vouched_for_is_verified_and_mailed_nothing(
    register: RegisterUser, uow: InMemoryUnitOfWork
) -> None:
    user = register(a_registration(), role=Role.ADMIN, verified=True)
    assert user.email_verified and Stored(uow).user(user.id or 0).email_verified  # type: ignore[union-attr]
    assert outbox(uow) == []


def test_a_link_carries_at_least_128_random_bits_and_is_stored_only_as_a_hash(
    register: RegisterUser, uow: InMemoryUnitOfWork
) -> None:
    register(a_registration())
    token = token_in(outbox(uow)[0])
    assert len(token) >= 43  # 32 bytes, URL-safe base64
    (stored,) = uow.store.link_tokens.values()
    assert token not in repr(stored) and stored.token_hash != token


def test_a_registration_that_fails_queues_no_mail(
    register: RegisterUser, uow: InMemoryUnitOfWork
) -> None:
    register(a_registration())
    with pytest.raises(EmailTaken):
        register(a_registration(name="Other Ann"))
    assert len(outbox(uow)) == 1


def test_without_address_verification_registering_queues_nothing(
    uow: InMemoryUnitOfWork, register_user: RegisterUser
) -> None:
    register_user(a_registration())
    assert outbox(uow) == []


def test_the_verification_link_verifies_the_address_once(
    register: RegisterUser, verify: VerifyEmail, uow: InMemoryUnitOfWork, clock: FixedClock
) -> None:
    user = register(a_registration())
    token = token_in(outbox(uow)[0])
    later = clock.advance(hours=1)
    verified = verify(EmailVerification(token=token))
    assert verified.email_verified and verified.id == user.id
    assert verified.updated_at == later
    assert Stored(uow).user(user.id).email_verified  # type: ignore[union-attr, arg-type]
    with pytest.raises(InvalidLink):
        verify(EmailVerification(token=token))


def test_a_verification_link_expires_after_two_days(
    register: RegisterUser, verify: VerifyEmail, uow: InMemoryUnitOfWork, clock: FixedClock
) -> None:
    register(a_registration())
    clock.advance(days=2)
    with pytest.raises(InvalidLink):
        verify(EmailVerification(token=token_in(outbox(uow)[0])))


def test_a_verification_link_does_nothing_while_its_account_is_deactivated(
    register: RegisterUser,
    verify: VerifyEmail,
    uow: InMemoryUnitOfWork,
    given: Given,
    update_user: UpdateUser,
) -> None:
    """As a reset link: a deactivated account is shown to nobody, not even through a link."""
    user = register(a_registration())
    token = token_in(outbox(uow)[0])
    admin = given.admin()
    update_user(actor_for(admin), user.id or 0, UserChanges(is_active=False))
    with pytest.raises(InvalidLink):
        verify(EmailVerification(token=token))
    assert not Stored(uow).user(user.id).email_verified  # type: ignore[union-attr, arg-type]
    update_user(actor_for(admin), user.id or 0, UserChanges(is_active=True))
    assert verify(EmailVerification(token=token)).email_verified


@pytest.mark.parametrize("token", ["", "x", "not-a-token-we-made", "y" * (TOKEN_MAX + 1)])
def test_a_token_that_is_not_ours_is_refused(verify: VerifyEmail, token: str) -> None:
    with pytest.raises(InvalidLink):
        verify(EmailVerification(token=token))


def test_a_link_sent_before_an_email_change_no_longer_works_and_the_new_address_gets_one(
    register: RegisterUser,
    verify: VerifyEmail,
    uow: InMemoryUnitOfWork,
    update: UpdateUser,
) -> None:
    user = register(a_registration())
    old_token = token_in(outbox(uow)[0])
    verify(EmailVerification(token=old_token))
    changed = update(actor_for(user), user.id or 0, UserChanges(email="ann@new.example"))
    assert changed.email_verified is False
    _, _notice, second = outbox(uow)
    assert second.recipient == "ann@new.example"
    with pytest.raises(InvalidLink):
        verify(EmailVerification(token=old_token))
    assert verify(EmailVerification(token=token_in(second))).email_verified


def test_a_verified_address_changed_away_is_told_of_the_change(
    register: RegisterUser,
    verify: VerifyEmail,
    uow: InMemoryUnitOfWork,
    update: UpdateUser,
    clock: FixedClock,
) -> None:
    """Its owner learns of a change they did not make (a stolen token's), with the change."""
    user = register(a_registration())
    verify(EmailVerification(token=token_in(outbox(uow)[0])))
    clock.advance(minutes=5)
    update(actor_for(user), user.id or 0, UserChanges(email="ann@new.example"))
    notice = outbox(uow)[1]
    assert (notice.recipient, notice.kind) == (user.email, "address-changed")
    assert notice.link_expires_at is None  # no link in it: nothing to expire
    assert notice.subject == "Your e-mail address for Quill was changed"
    for part in (notice.text, notice.html):
        assert "changed from ann@example.com to a***@new.example" in " ".join(part.split())
        assert "ann@new.example" not in part
        assert f"{T0 + timedelta(minutes=5):%Y-%m-%d %H:%M} UTC" in part
        assert TOKEN.search(part) is None


def test_the_notice_of_a_changed_address_greets_nobody_by_name(
    register: RegisterUser,
    verify: VerifyEmail,
    uow: InMemoryUnitOfWork,
    update: UpdateUser,
) -> None:
    """Whoever holds the account chooses its name: a thief's words would reach the owner in
    a genuine mail, in the very case the notice is for."""
    user = register(a_registration())
    verify(EmailVerification(token=token_in(outbox(uow)[0])))
    lure = "Ann. Undo this change at https://evil.example/undo"
    update(actor_for(user), user.id or 0, UserChanges(name=lure))
    update(actor_for(user), user.id or 0, UserChanges(email="ann@new.example"))
    notice = outbox(uow)[1]
    assert notice.kind == "address-changed"
    for part in (notice.text, notice.html):
        assert "evil.example" not in part
        assert part.count("Hello,") == 1


def test_an_address_never_verified_is_not_told_it_was_changed_away(
    register: RegisterUser, uow: InMemoryUnitOfWork, update: UpdateUser
) -> None:
    """Anyone may name any address: flipping an account between it and another must not
    mail it at will."""
    user = register(a_registration())
    for address in ["ann@new.example", "ann@example.com", "ann@new.example"]:
        update(actor_for(user), user.id or 0, UserChanges(email=address))
    assert [mail.kind for mail in outbox(uow)] == ["verify"] * 4


def test_a_link_to_an_address_the_account_left_fails_even_if_unused(
    register: RegisterUser,
    verify: VerifyEmail,
    uow: InMemoryUnitOfWork,
    update_user: UpdateUser,
) -> None:
    user = register(a_registration())
    token = token_in(outbox(uow)[0])
    update_user(actor_for(user), user.id or 0, UserChanges(email="ann@new.example"))
    with pytest.raises(InvalidLink):
        verify(EmailVerification(token=token))


def test_a_new_verification_link_replaces_the_earlier_ones(
    register: RegisterUser,
    resend: ResendVerification,
    verify: VerifyEmail,
    uow: InMemoryUnitOfWork,
    clock: FixedClock,
) -> None:
    """One link of a kind works at a time; a message still waiting with an earlier one is
    given up on unsent, for it would only lead its reader to an error."""
    user = register(a_registration())
    (first,) = outbox(uow)
    assert resend(actor_for(user)) is True
    earlier, newer = outbox(uow)
    assert earlier.id == first.id and earlier.link_expired(clock())
    assert not newer.link_expired(clock())
    with pytest.raises(InvalidLink):
        verify(EmailVerification(token=token_in(first)))
    assert verify(EmailVerification(token=token_in(newer))).email_verified


def test_a_new_reset_link_replaces_the_earlier_ones(
    given: Given,
    request_reset: RequestPasswordReset,
    reset: ResetPassword,
    uow: InMemoryUnitOfWork,
    clock: FixedClock,
) -> None:
    given.user(email="ann@example.com")
    request_reset(ResetRequest(email="ann@example.com"))
    clock.advance(minutes=1)
    request_reset(ResetRequest(email="ann@example.com"))
    earlier, newer = outbox(uow)
    assert earlier.link_expired(clock()) and not newer.link_expired(clock())
    with pytest.raises(InvalidLink):
        reset(PasswordReset(token=token_in(earlier), new_password=NEW_PASSWORD))
    reset(PasswordReset(token=token_in(newer), new_password=NEW_PASSWORD))


def test_a_reset_asked_for_a_deactivated_account_leaves_its_links_be(
    given: Given,
    request_reset: RequestPasswordReset,
    reset: ResetPassword,
    uow: InMemoryUnitOfWork,
    update_user: UpdateUser,
) -> None:
    """It mails nothing, so it replaces nothing: the link works again on reactivation."""
    ann = given.user(email="ann@example.com")
    request_reset(ResetRequest(email="ann@example.com"))
    (mail,) = outbox(uow)
    admin = given.admin()
    update_user(actor_for(admin), ann.id or 0, UserChanges(is_active=False))
    request_reset(ResetRequest(email="ann@example.com"))
    assert outbox(uow) == [mail]
    update_user(actor_for(admin), ann.id or 0, UserChanges(is_active=True))
    reset(PasswordReset(token=token_in(mail), new_password=NEW_PASSWORD))


@pytest.mark.parametrize("how", ["the address changes", "the account is deleted"])
def test_a_link_not_sent_yet_is_given_up_when_it_dies_and_is_never_queued_again(
    how: str,
    register: RegisterUser,
    update: UpdateUser,
    delete_user: DeleteUser,
    uow: InMemoryUnitOfWork,
    given: Given,
    clock: FixedClock,
) -> None:
    """The mail server was down: the link still waits in the outbox when its token dies.
    Sent later, or queued again, it would only lead its reader to an error."""
    user = register(a_registration())
    (waiting,) = outbox(uow)
    if how == "the address changes":
        update(actor_for(user), user.id or 0, UserChanges(email="ann@new.example"))
    else:
        delete_user(actor_for(given.admin()), user.id or 0)
    dead = next(mail for mail in outbox(uow) if mail.id == waiting.id)
    assert dead.link_expired(clock())
    server = InMemoryMailSender()
    DeliverMail(uow, server, clock, DeliveryPolicy())("worker")
    assert waiting.message_id not in [sent.message_id for sent in server.sent]
    assert next(m for m in outbox(uow) if m.id == waiting.id).status is MailStatus.FAILED
    with pytest.raises(MailLinkExpired):
        RetryMail(uow, clock)(actor_for(given.admin()), waiting.id or 0)


def test_changing_only_the_name_keeps_the_address_verified_and_mails_nothing(
    register: RegisterUser,
    verify: VerifyEmail,
    uow: InMemoryUnitOfWork,
    update: UpdateUser,
) -> None:
    user = register(a_registration())
    verify(EmailVerification(token=token_in(outbox(uow)[0])))
    changed = update(actor_for(user), user.id or 0, UserChanges(name="Ann B."))
    assert changed.email_verified and len(outbox(uow)) == 1


def test_a_reset_link_does_not_verify(
    given: Given,
    request_reset: RequestPasswordReset,
    verify: VerifyEmail,
    uow: InMemoryUnitOfWork,
) -> None:
    given.user(email="ann@example.com")
    request_reset(ResetRequest(email="ann@example.com"))
    with pytest.raises(InvalidLink):
        verify(EmailVerification(token=token_in(outbox(uow)[0])))


def test_asking_again_mails_a_new_link_at_most_three_times_an_hour(
    given: Given,
    uow: InMemoryUnitOfWork,
    resend: ResendVerification,
    clock: FixedClock,
) -> None:
    user = given.user()
    for _ in range(3):
        assert resend(actor_for(user)) is True
        clock.advance(minutes=10)
    with pytest.raises(VerificationThrottled) as throttled:
        resend(actor_for(user))
    # Asked at 0, 10 and 20 minutes, now at 30: the first leaves the hour in 30 minutes.
    assert throttled.value.retry_after == 30 * 60
    assert len(outbox(uow)) == 3 and all(m.recipient == user.email for m in outbox(uow))
    clock.advance(minutes=30)
    assert resend(actor_for(user)) is True


def test_a_verified_address_gets_no_new_link_and_uses_no_request(
    given: Given, uow: InMemoryUnitOfWork, resend: ResendVerification
) -> None:
    user = given.user(email_verified=True)
    for _ in range(5):
        assert resend(actor_for(user)) is False
    assert outbox(uow) == [] and uow.store.link_requests == []


@pytest.fixture(params=["PATCH /users/<id>", "PUT /api/user"])
def change_address(
    request: pytest.FixtureRequest,
    uow: InMemoryUnitOfWork,
    hasher: Argon2PasswordHasher,
    clock: FixedClock,
    verification: AddressVerification,
) -> Callable[[User, str], User]:
    """An owner's e-mail change through either use case that makes one (v1's, Conduit's)."""
    if request.param == "PATCH /users/<id>":
        update = UpdateUser(uow, clock, verification)
        return lambda user, email: update(actor_for(user), user.id or 0, UserChanges(email=email))
    own = UpdateOwnAccount(uow, hasher, clock, verification)
    return lambda user, email: own(actor_for(user), UserChanges(email=email), None)


def test_address_changes_mail_at_most_three_links_an_hour_and_are_kept_beyond(
    register: RegisterUser,
    resend: ResendVerification,
    change_address: Callable[[User, str], User],
    uow: InMemoryUnitOfWork,
    clock: FixedClock,
) -> None:
    user = register(a_registration())  # the account's first link: not counted for the user
    for n in range(1, 6):
        changed = change_address(user, f"ann{n}@example.com")
        assert (changed.email, changed.email_verified) == (f"ann{n}@example.com", False)
        clock.advance(minutes=1)
    assert [m.recipient for m in outbox(uow)] == [
        "ann@example.com", "ann1@example.com", "ann2@example.com", "ann3@example.com",
    ]  # fmt: skip
    with pytest.raises(VerificationThrottled):  # asking shares the count with changing
        resend(actor_for(user))
    clock.advance(hours=1)
    assert resend(actor_for(user)) is True
    assert outbox(uow)[-1].recipient == "ann5@example.com"


def test_links_asked_for_again_count_for_the_next_address_change(
    register: RegisterUser,
    resend: ResendVerification,
    change_address: Callable[[User, str], User],
    uow: InMemoryUnitOfWork,
) -> None:
    user = register(a_registration())
    for _ in range(3):
        resend(actor_for(user))
    change_address(user, "ann@new.example")
    assert len(outbox(uow)) == 1 + 3 and outbox(uow)[-1].recipient == "ann@example.com"


def test_many_accounts_moving_to_one_address_mail_it_at_most_three_links_an_hour(
    register: RegisterUser,
    change_address: Callable[[User, str], User],
    uow: InMemoryUnitOfWork,
    clock: FixedClock,
) -> None:
    victim = "victim@example.com"
    for n in range(3):
        user = register(a_registration(email=f"ann{n}@example.com", name=f"Ann {n}"))
        change_address(user, victim)
        change_address(user, f"away{n}@example.com")  # frees the address for the next one
    newcomer = register(a_registration(email=victim, name="Bo"))
    assert newcomer.email == victim  # registered all the same, without a link
    assert [m.recipient for m in outbox(uow)].count(victim) == 3
    clock.advance(hours=1)
    change_address(newcomer, "bo@example.com")
    change_address(newcomer, victim)
    assert [m.recipient for m in outbox(uow)].count(victim) == 4


def test_an_admin_marks_an_address_verified_and_nobody_else_may(
    given: Given, uow: InMemoryUnitOfWork, clock: FixedClock
) -> None:
    user, admin = given.user(email="bo@example.com"), given.admin()
    mark = MarkEmailVerified(uow, clock)
    with pytest.raises(AdminOnly):
        mark(actor_for(user), "bo@example.com")
    assert mark(actor_for(admin), " BO@example.com ").email_verified


# Writing needs a verified address when REQUIRE_VERIFIED_EMAIL says so.


@pytest.fixture
def writer(
    given: Given, log_in: LogIn, issuer: object, uow: InMemoryUnitOfWork
) -> Callable[[bool, bool], SignedIn]:
    def sign_in(verified: bool, required: bool) -> SignedIn:
        user = given.user(password=PASSWORD, email_verified=verified)
        result = log_in(Credentials(email=user.email, password=PASSWORD))
        actor = Authenticate(uow, issuer, verified_writers=required)(  # type: ignore[arg-type]
            result.tokens.access_token
        )
        return SignedIn(user=result.user, tokens=result.tokens, actor=actor)

    return sign_in


def test_with_verified_writers_required_an_unverified_caller_may_not_write(
    writer: Callable[[bool, bool], SignedIn],
    given: Given,
    uow: InMemoryUnitOfWork,
    create_post: CreatePost,
    edit_post: EditPost,
    delete_post: DeletePost,
) -> None:
    caller = writer(False, True)
    post = given.post(caller.user)
    with pytest.raises(EmailUnverified):
        create_post(caller.actor, NewPost(title="T", content="C"))
    with pytest.raises(EmailUnverified):
        edit_post(caller.actor, post.id or 0, PostChanges(title="New"))
    with pytest.raises(EmailUnverified):
        delete_post(caller.actor, post.id or 0)
    assert Stored(uow).post(post.id or 0) == post


@pytest.mark.parametrize(("verified", "required"), [(True, True), (False, False)])
def test_a_verified_caller_or_any_caller_without_the_rule_writes(
    writer: Callable[[bool, bool], SignedIn],
    verified: bool,
    required: bool,
    create_post: CreatePost,
) -> None:
    caller = writer(verified, required)
    assert create_post(caller.actor, NewPost(title="T", content="C")).id


# Password reset.


def test_a_reset_is_mailed_to_an_active_accounts_address(
    given: Given, request_reset: RequestPasswordReset, uow: InMemoryUnitOfWork
) -> None:
    given.user(email="ann@example.com", name="Ann")
    request_reset(ResetRequest(email=" ANN@example.com "))
    (mail,) = outbox(uow)
    assert (mail.kind, mail.recipient, mail.subject) == (
        "reset",
        "ann@example.com",
        "Reset your Quill password",
    )
    assert f"https://app.example/reset?token={token_in(mail)}" in mail.text
    assert "30 minutes" in mail.text
    assert mail.link_expires_at == T0 + timedelta(minutes=30)


@pytest.mark.parametrize("active", [False, None])
def test_a_reset_for_an_unknown_or_inactive_address_stores_and_mails_nothing(
    given: Given,
    request_reset: RequestPasswordReset,
    uow: InMemoryUnitOfWork,
    active: bool | None,
) -> None:
    if active is not None:
        given.user(email="ann@example.com", is_active=active)
    assert request_reset(ResetRequest(email="ann@example.com")) is None
    assert outbox(uow) == [] and uow.store.link_tokens == {}
    # The request is counted all the same: the limit holds alike, known address or not.
    assert len(uow.store.link_requests) == 1


@pytest.mark.parametrize("text", ["not an address", "", "a@b", "x" * 300 + "@example.com"])
def test_a_reset_request_for_text_that_is_no_address_is_answered_alike_and_keeps_nothing(
    request_reset: RequestPasswordReset, uow: InMemoryUnitOfWork, text: str
) -> None:
    """The contract's "always 202": no account can have such an address."""
    assert request_reset(ResetRequest(email=text)) is None
    assert outbox(uow) == [] and uow.store.link_tokens == {} and uow.store.link_requests == []


def test_at_most_three_resets_an_hour_are_mailed_and_the_rest_are_answered_alike(
    given: Given, request_reset: RequestPasswordReset, uow: InMemoryUnitOfWork, clock: FixedClock
) -> None:
    given.user(email="ann@example.com")
    for _ in range(5):
        assert request_reset(ResetRequest(email="ann@example.com")) is None
        clock.advance(minutes=5)
    assert len(outbox(uow)) == 3
    clock.advance(minutes=40)  # the first request is more than an hour old
    request_reset(ResetRequest(email="ann@example.com"))
    assert len(outbox(uow)) == 4


def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(
    given: Given,
    request_reset: RequestPasswordReset,
    reset: ResetPassword,
    uow: InMemoryUnitOfWork,
    sign_in: Callable[..., SignedIn],
    log_in: LogIn,
    clock: FixedClock,
) -> None:
    signed_in = sign_in(email="ann@example.com")
    request_reset(ResetRequest(email="ann@example.com"))
    token = token_in(outbox(uow)[0])
    later = clock.advance(minutes=29)
    reset(PasswordReset(token=token, new_password=NEW_PASSWORD))
    assert Stored(uow).session(signed_in.actor.session_id).revoked_at == later  # type: ignore[union-attr]
    with pytest.raises(InvalidCredentials):
        log_in(Credentials(email="ann@example.com", password=PASSWORD))
    user = log_in(Credentials(email="ann@example.com", password=NEW_PASSWORD)).user
    assert user.updated_at == later and user.email_verified  # the link reached the address
    with pytest.raises(InvalidLink):
        reset(PasswordReset(token=token, new_password="Another-Pass-8"))


def test_a_reset_ends_the_users_other_reset_links_and_their_login_throttle(
    given: Given,
    request_reset: RequestPasswordReset,
    reset: ResetPassword,
    uow: InMemoryUnitOfWork,
    log_in: LogIn,
    clock: FixedClock,
) -> None:
    given.user(email="ann@example.com", password=PASSWORD)
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            log_in(Credentials(email="ann@example.com", password="Wrong-Guess-1"))
    request_reset(ResetRequest(email="ann@example.com"))
    request_reset(ResetRequest(email="ann@example.com"))
    first, second = (token_in(mail) for mail in outbox(uow))
    reset(PasswordReset(token=second, new_password=NEW_PASSWORD))
    with pytest.raises(InvalidLink):
        reset(PasswordReset(token=first, new_password="Another-Pass-8"))
    assert outbox(uow)[0].link_expired(clock())  # still queued, it would lead nowhere
    assert log_in(Credentials(email="ann@example.com", password=NEW_PASSWORD)).user


@pytest.fixture(params=["POST /users/me/password", "PUT /user (RealWorld)"])
def change_own_password(
    request: pytest.FixtureRequest,
    uow: InMemoryUnitOfWork,
    hasher: Argon2PasswordHasher,
    clock: FixedClock,
) -> Callable[[User, str], None]:
    """An owner's new password through either use case that sets one (v1's, Conduit's)."""
    if request.param == "POST /users/me/password":
        change = ChangePassword(uow, hasher, clock)
        return lambda user, new: change(
            actor_for(user), PasswordChange(current_password=PASSWORD, new_password=new)
        )
    own = UpdateOwnAccount(uow, hasher, clock)

    def change_through_put_user(user: User, new: str) -> None:
        own(actor_for(user), UserChanges(), new)

    return change_through_put_user


def test_a_new_password_ends_the_reset_links_mailed_before_it(
    given: Given,
    request_reset: RequestPasswordReset,
    reset: ResetPassword,
    change_own_password: Callable[[User, str], None],
    uow: InMemoryUnitOfWork,
    log_in: LogIn,
    clock: FixedClock,
) -> None:
    """Whoever read the owner's mailbox once keeps no way back in after the owner's change,
    and the reset mails still queued are not sent: their links lead nowhere."""
    user = given.user(email="ann@example.com", password=PASSWORD)
    request_reset(ResetRequest(email="ann@example.com"))
    request_reset(ResetRequest(email="ann@example.com"))
    change_own_password(user, NEW_PASSWORD)
    for mail in outbox(uow):
        assert mail.link_expired(clock())
        with pytest.raises(InvalidLink):
            reset(PasswordReset(token=token_in(mail), new_password="Another-Pass-8"))
    assert log_in(Credentials(email="ann@example.com", password=NEW_PASSWORD)).user
    request_reset(ResetRequest(email="ann@example.com"))  # a link asked for afterwards works
    reset(PasswordReset(token=token_in(outbox(uow)[-1]), new_password="Another-Pass-8"))


def test_a_password_against_the_rules_is_refused_and_the_link_still_works(
    given: Given, request_reset: RequestPasswordReset, reset: ResetPassword, uow: InMemoryUnitOfWork
) -> None:
    given.user(email="ann@example.com")
    request_reset(ResetRequest(email="ann@example.com"))
    token = token_in(outbox(uow)[0])
    with pytest.raises(InvalidInput) as refused:
        reset(PasswordReset(token=token, new_password="short"))
    assert "new_password" in refused.value.errors
    reset(PasswordReset(token=token, new_password=NEW_PASSWORD))


def test_a_bad_link_is_refused_before_the_password_is_looked_at(reset: ResetPassword) -> None:
    with pytest.raises(InvalidLink):
        reset(PasswordReset(token="made-up", new_password="short"))


def test_a_reset_link_expires_after_thirty_minutes(
    given: Given,
    request_reset: RequestPasswordReset,
    reset: ResetPassword,
    uow: InMemoryUnitOfWork,
    clock: FixedClock,
) -> None:
    given.user(email="ann@example.com")
    request_reset(ResetRequest(email="ann@example.com"))
    clock.advance(minutes=30)
    with pytest.raises(InvalidLink):
        reset(PasswordReset(token=token_in(outbox(uow)[0]), new_password=NEW_PASSWORD))


def test_a_reset_link_fails_after_the_address_changed_or_the_account_was_deactivated(
    given: Given,
    request_reset: RequestPasswordReset,
    reset: ResetPassword,
    uow: InMemoryUnitOfWork,
    update_user: UpdateUser,
) -> None:
    ann = given.user(email="ann@example.com")
    bo = given.user(email="bo@example.com")
    for email in ("ann@example.com", "bo@example.com"):
        request_reset(ResetRequest(email=email))
    ann_token, bo_token = (token_in(mail) for mail in outbox(uow))
    admin = given.admin()
    update_user(actor_for(admin), ann.id or 0, UserChanges(email="ann@new.example"))
    update_user(actor_for(admin), bo.id or 0, UserChanges(is_active=False))
    for token in (ann_token, bo_token):
        with pytest.raises(InvalidLink):
            reset(PasswordReset(token=token, new_password=NEW_PASSWORD))


def test_checking_a_reset_link_does_not_use_it(
    given: Given,
    request_reset: RequestPasswordReset,
    reset: ResetPassword,
    uow: InMemoryUnitOfWork,
    clock: FixedClock,
) -> None:
    given.user(email="ann@example.com")
    request_reset(ResetRequest(email="ann@example.com"))
    token = token_in(outbox(uow)[0])
    check = CheckResetLink(uow, clock)
    check(token)
    check(token)
    reset(PasswordReset(token=token, new_password=NEW_PASSWORD))
    with pytest.raises(InvalidLink):
        check(token)


def test_a_links_mail_carries_no_text_the_asker_chose(
    register: RegisterUser, request_reset: RequestPasswordReset, uow: InMemoryUnitOfWork
) -> None:
    """Anyone may name any address: a stranger's name would reach its mailbox in our words."""
    register(a_registration(name="Account locked - call +1 555 0100"))
    request_reset(ResetRequest(email="ann@example.com"))
    for mail in outbox(uow):
        assert "call" not in mail.text and "call" not in mail.html


def test_the_html_mail_escapes_what_a_person_typed(
    register: RegisterUser,
    verify: VerifyEmail,
    update: UpdateUser,
    uow: InMemoryUnitOfWork,
) -> None:
    """An address may hold `&` and `'`, which the old one shows in the notice as typed."""
    user = register(a_registration(email="o'hara&co@example.com"))
    verify(EmailVerification(token=token_in(outbox(uow)[0])))
    update(actor_for(user), user.id or 0, UserChanges(email="ann@new.example"))
    notice = outbox(uow)[1]
    assert notice.kind == "address-changed"
    assert "o&#39;hara&amp;co@example.com" in notice.html
    assert "o'hara&co@example.com" in notice.text


def test_a_user_made_without_saying_starts_unverified() -> None:
    assert make_user().email_verified is False
