"""The composition root: the only module that names concrete adapters."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from dependency_injector import containers, providers

from application.accounts import (
    AddressVerification,
    CheckResetLink,
    Letters,
    LinkPolicy,
    MarkEmailVerified,
    RequestPasswordReset,
    ResendVerification,
    ResetPassword,
    VerifyEmail,
)
from application.auth import (
    Authenticate,
    LogIn,
    LogOut,
    RefreshTokens,
    RegisterAndLogIn,
    TokenIssuer,
)
from application.comments import AddComment, DeleteComment, GetComment, ListComments
from application.mail import (
    DeliverMail,
    DeliveryPolicy,
    ListMail,
    PruneMail,
    QueueTestMail,
    RetryMail,
)
from application.posts import (
    CreatePost,
    DeletePost,
    EditPost,
    FavoritePost,
    Feed,
    GetPost,
    ListPosts,
    ListTags,
)
from application.profiles import FollowUser, GetProfile
from application.seed import SeedSampleData, SeedVolume
from application.tokens import LoginThrottle, TokenPolicy
from application.users import (
    ChangePassword,
    DeleteUser,
    GetUser,
    ListUsers,
    RegisterUser,
    UpdateOwnAccount,
    UpdateUser,
)
from domain.mail import RetryPolicy
from domain.users import PasswordRules
from infrastructure.clock import utc_now
from infrastructure.db.engine import make_engine, make_read_engine
from infrastructure.db.health import (
    SCHEMA_BEHIND_ADVICE,
    DatabaseProbe,
    outage_reason,
    schema_behind,
)
from infrastructure.db.kept import KeptConnections
from infrastructure.db.migrations import AlembicMigrator, schema_revisions
from infrastructure.db.sealing import BodySeal
from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.mail.senders import address_of, make_sender
from infrastructure.mail.templates import JinjaMailTemplates
from infrastructure.mail.worker import MailWorker
from infrastructure.security import Argon2PasswordHasher, JwtTokenService
from infrastructure.settings import (
    DEV_PUBLIC_URL,
    Settings,
    SettingsError,
    at_development_address,
)


class Container(containers.DeclarativeContainer):
    wiring_config = containers.WiringConfiguration(
        packages=["interfaces.http", "interfaces.conduit", "interfaces.cli"]
    )
    config = providers.Configuration(strict=True)

    clock = providers.Object(utc_now)
    # Thread-safe singletons: the development server and threaded workers serve concurrently.
    # Both engines keep SQL parameters out of error messages, and so out of logs (make_engine).
    engine = providers.ThreadSafeSingleton(make_engine, config.database_url)
    # Read-only units get a pool of their own: autocommit, and read-only (make_read_engine).
    # Each thread keeps one read-only connection between units (KeptConnections).
    read_engine = providers.ThreadSafeSingleton(make_read_engine, config.database_url)
    reads = providers.ThreadSafeSingleton(KeptConnections, read_engine)
    outbox_seal = providers.ThreadSafeSingleton(BodySeal, config.secret_key)
    uow = providers.Factory(SqlUnitOfWork, engine, reads, seal=outbox_seal)
    hasher = providers.ThreadSafeSingleton(
        Argon2PasswordHasher,
        time_cost=config.argon2.time_cost,
        memory_cost=config.argon2.memory_cost,
        parallelism=config.argon2.parallelism,
    )
    token_service = providers.ThreadSafeSingleton(JwtTokenService, config.jwt_secret_key)
    token_policy = providers.ThreadSafeSingleton(
        TokenPolicy, access_ttl=config.access_token_ttl, refresh_ttl=config.refresh_token_ttl
    )
    login_throttle = providers.Object(LoginThrottle())
    # Holds only the three above: one for the process, not one built for every request.
    issuer = providers.ThreadSafeSingleton(TokenIssuer, token_service, token_policy, clock)
    migrator = providers.ThreadSafeSingleton(AlembicMigrator, engine)
    readiness = providers.Factory(DatabaseProbe, engine, providers.Callable(schema_revisions))

    # PASSWORD_RULES: one policy for every driver of the deployment (v1, Conduit, the CLI).
    password_rules = providers.Factory(PasswordRules, config.password_rules)

    # E-mail verification and password reset: their links, and the mail that carries them.
    mail_templates = providers.ThreadSafeSingleton(JinjaMailTemplates)
    letters = providers.ThreadSafeSingleton(
        Letters,
        templates=mail_templates,
        verify_link=config.links.verify_link,
        reset_link=config.links.reset_link,
        sender_domain=providers.Callable(
            lambda sender: address_of(sender).rpartition("@")[2], config.mail.sender
        ),
    )
    link_policy = providers.ThreadSafeSingleton(
        LinkPolicy, verify_ttl=config.links.verify_ttl, reset_ttl=config.links.reset_ttl
    )
    address_verification = providers.ThreadSafeSingleton(AddressVerification, letters, link_policy)
    verify_email = providers.Factory(VerifyEmail, uow, clock)
    resend_verification = providers.Factory(ResendVerification, uow, address_verification, clock)
    request_password_reset = providers.Factory(
        RequestPasswordReset, uow, letters, link_policy, clock
    )
    reset_password = providers.Factory(
        ResetPassword, uow, hasher, clock, password_rules=password_rules
    )
    check_reset_link = providers.Factory(CheckResetLink, uow, clock)
    mark_email_verified = providers.Factory(MarkEmailVerified, uow, clock)
    mail_sender = providers.ThreadSafeSingleton(
        make_sender,
        smtp_host=config.mail.smtp_host,
        smtp_port=config.mail.smtp_port,
        smtp_security=config.mail.smtp_security,
        smtp_username=config.mail.smtp_username,
        smtp_password=config.mail.smtp_password,
        smtp_timeout=config.mail.smtp_timeout,
        smtp_helo_name=config.mail.smtp_helo_name,
        smtp_send_time=providers.Callable(lambda t: t.total_seconds(), config.mail.send_time),
        sender=config.mail.sender,
        folder=config.mail.folder,
        production=providers.Callable(lambda env: env == "production", config.app_env),
    )
    delivery_policy = providers.ThreadSafeSingleton(
        DeliveryPolicy,
        retry=providers.Factory(
            RetryPolicy, max_tries=config.mail.max_tries, first_delay=config.mail.retry_delay
        ),
        send_time=config.mail.send_time,
        lease=config.mail.lease,
    )
    deliver_mail = providers.Factory(DeliverMail, uow, mail_sender, clock, delivery_policy)
    mail_worker = providers.Factory(MailWorker, deliver_mail)
    list_mail = providers.Factory(ListMail, uow)
    retry_mail = providers.Factory(RetryMail, uow, clock)
    prune_mail = providers.Factory(PruneMail, uow, clock)
    queue_test_mail = providers.Factory(QueueTestMail, uow, letters, clock)

    register_user = providers.Factory(
        RegisterUser,
        uow,
        hasher,
        clock,
        verify_address=address_verification,
        password_rules=password_rules,
    )
    log_in = providers.Factory(LogIn, uow, hasher, issuer, login_throttle, clock)
    refresh_tokens = providers.Factory(RefreshTokens, uow, issuer, clock)
    log_out = providers.Factory(LogOut, uow, issuer, clock)
    authenticate = providers.Factory(
        Authenticate, uow, issuer, verified_writers=config.require_verified_email
    )
    change_password = providers.Factory(
        ChangePassword, uow, hasher, clock, password_rules, throttle=login_throttle
    )
    list_users = providers.Factory(ListUsers, uow)
    get_user = providers.Factory(GetUser, uow)
    update_user = providers.Factory(UpdateUser, uow, clock, verify_address=address_verification)
    delete_user = providers.Factory(DeleteUser, uow, clock)
    register_and_log_in = providers.Factory(
        RegisterAndLogIn,
        uow,
        hasher,
        issuer,
        clock,
        verify_address=address_verification,
        password_rules=password_rules,
    )
    update_own_account = providers.Factory(
        UpdateOwnAccount,
        uow,
        hasher,
        clock,
        verify_address=address_verification,
        password_rules=password_rules,
    )

    create_post = providers.Factory(CreatePost, uow, clock)
    get_post = providers.Factory(GetPost, uow)
    list_posts = providers.Factory(ListPosts, uow)
    edit_post = providers.Factory(EditPost, uow, clock)
    delete_post = providers.Factory(DeletePost, uow)

    get_profile = providers.Factory(GetProfile, uow)
    follow_user = providers.Factory(FollowUser, uow, clock)
    feed = providers.Factory(Feed, uow)
    favorite_post = providers.Factory(FavoritePost, uow, clock)
    list_tags = providers.Factory(ListTags, uow)
    add_comment = providers.Factory(AddComment, uow, clock)
    get_comment = providers.Factory(GetComment, uow)
    list_comments = providers.Factory(ListComments, uow)
    delete_comment = providers.Factory(DeleteComment, uow)

    seed_sample_data = providers.Factory(SeedSampleData, uow, hasher, clock)
    seed_volume = providers.Factory(SeedVolume, uow, hasher, clock)


def settings_dict(settings: Settings) -> dict[str, object]:
    return {
        "app_env": settings.app_env,
        "database_url": settings.database_url,
        "secret_key": settings.secret_key,
        "jwt_secret_key": settings.jwt_secret_key,
        "access_token_ttl": settings.access_token_ttl,
        "refresh_token_ttl": settings.refresh_token_ttl,
        "cors_origins": list(settings.cors_origins),
        "log_level": settings.log_level,
        "log_format": settings.log_format,
        "argon2": {
            "time_cost": settings.argon2_time_cost,
            "memory_cost": settings.argon2_memory_cost,
            "parallelism": settings.argon2_parallelism,
        },
        **mail_settings_dict(settings),
        "password_rules": str(settings.password_rules),
    }


def mail_settings_dict(settings: Settings) -> dict[str, object]:
    return {
        "require_verified_email": settings.require_verified_email,
        "links": {
            "verify_link": settings.verify_link,
            "reset_link": settings.reset_link,
            "verify_ttl": settings.verify_token_ttl,
            "reset_ttl": settings.reset_token_ttl,
        },
        "mail": {
            "smtp_host": settings.smtp_host,
            "smtp_port": settings.smtp_port,
            "smtp_security": settings.smtp_security,
            "smtp_username": settings.smtp_username,
            "smtp_password": settings.smtp_password,
            "smtp_timeout": settings.smtp_timeout,
            "smtp_helo_name": settings.smtp_helo_name,
            "send_time": settings.mail_send_time,
            "sender": settings.mail_from,
            "folder": settings.mail_dir,
            "max_tries": settings.mail_max_tries,
            "retry_delay": timedelta(seconds=settings.mail_retry_delay),
            "lease": timedelta(seconds=settings.mail_lease),
            "cautions": settings.mail_cautions(),
        },
    }


def links_follow(container: Container, host: str, port: int) -> None:
    """Mailed links at the development address (DEV_PUBLIC_URL, the default) point at the
    address served instead, so `quill serve --port 9000` mails links to port 9000; links
    elsewhere stay."""
    if host.startswith("unix://") or "%" in host:  # a socket, a scoped address: no link names
        return
    shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host  # noqa: S104 (shown, not bound)
    base = f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"
    for option in (container.config.links.verify_link, container.config.links.reset_link):
        link = option()
        if at_development_address(link):
            option.from_value(base + link.removeprefix(DEV_PUBLIC_URL))


def build_container(env: Mapping[str, str] | None = None, **overrides: object) -> Container:
    """Settings from the environment (validated; production refuses development secrets)."""
    container = Container()
    values = settings_dict(Settings.from_env(env))
    values.update(overrides)
    container.config.from_dict(values)
    return container


def close_databases(container: Container) -> None:
    """The process's connections closed (this thread's kept read connection, then both
    pools): PostgreSQL sees its sessions end, and SQLite folds its write-ahead log into the
    database file as the last connection closes, so the file alone is whole again."""
    container.reads().close()
    container.read_engine().dispose()
    container.engine().dispose()


# The drivers reach adapters through this module only (the import contracts): the CLI says a
# schema not yet migrated or an outage as the mail worker does.
__all__ = [
    "SCHEMA_BEHIND_ADVICE",
    "Container",
    "SettingsError",
    "build_container",
    "close_databases",
    "links_follow",
    "outage_reason",
    "schema_behind",
]
