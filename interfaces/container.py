"""The composition root: the only module that names concrete adapters."""

from __future__ import annotations

from collections.abc import Mapping

from dependency_injector import containers, providers

from application.auth import Authenticate, LogIn, LogOut, RefreshTokens, SignUp, TokenIssuer
from application.posts import CreatePost, DeletePost, EditPost, GetPost, ListPosts
from application.seed import SeedSampleData, SeedVolume
from application.tokens import LoginThrottle, TokenPolicy
from application.users import (
    ChangePassword,
    DeleteUser,
    GetUser,
    ListUsers,
    RegisterUser,
    UpdateUser,
)
from domain.users import PasswordRules
from infrastructure.clock import utc_now
from infrastructure.db.engine import make_engine, make_read_engine
from infrastructure.db.health import DatabaseProbe
from infrastructure.db.kept import KeptConnections
from infrastructure.db.migrations import AlembicMigrator
from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.security import Argon2PasswordHasher, JwtTokenService
from infrastructure.settings import Settings, SettingsError


class Container(containers.DeclarativeContainer):
    wiring_config = containers.WiringConfiguration(
        packages=["interfaces.http", "interfaces.conduit"], modules=["interfaces.cli"]
    )
    config = providers.Configuration(strict=True)

    clock = providers.Object(utc_now)
    # Thread-safe singletons: the development server and threaded workers serve concurrently.
    # SQL parameters (e-mails, password hashes) stay out of error messages and so out of logs.
    engine = providers.ThreadSafeSingleton(make_engine, config.database_url, hide_parameters=True)
    # Read-only units get a pool of their own: autocommit, and read-only (make_read_engine).
    # Each thread keeps one read-only connection between units (KeptConnections).
    read_engine = providers.ThreadSafeSingleton(
        make_read_engine, config.database_url, hide_parameters=True
    )
    reads = providers.ThreadSafeSingleton(KeptConnections, read_engine)
    uow = providers.Factory(SqlUnitOfWork, engine, reads)
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
    readiness = providers.Factory(DatabaseProbe, engine)

    # PASSWORD_RULES: one policy for every driver of the deployment (v1, Conduit, the CLI).
    password_rules = providers.Factory(PasswordRules, config.password_rules)
    register_user = providers.Factory(RegisterUser, uow, hasher, clock, password_rules)
    log_in = providers.Factory(LogIn, uow, hasher, issuer, login_throttle, clock)
    refresh_tokens = providers.Factory(RefreshTokens, uow, issuer, clock)
    log_out = providers.Factory(LogOut, uow, clock)
    authenticate = providers.Factory(Authenticate, uow, issuer)
    change_password = providers.Factory(ChangePassword, uow, hasher, clock, password_rules)
    list_users = providers.Factory(ListUsers, uow)
    get_user = providers.Factory(GetUser, uow)
    update_user = providers.Factory(UpdateUser, uow, clock, hasher, password_rules)
    delete_user = providers.Factory(DeleteUser, uow)
    sign_up = providers.Factory(SignUp, register_user, issuer, clock)

    create_post = providers.Factory(CreatePost, uow, clock)
    get_post = providers.Factory(GetPost, uow)
    list_posts = providers.Factory(ListPosts, uow)
    edit_post = providers.Factory(EditPost, uow, clock)
    delete_post = providers.Factory(DeletePost, uow)

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
        "password_rules": str(settings.password_rules),
    }


def build_container(env: Mapping[str, str] | None = None, **overrides: object) -> Container:
    """Settings from the environment (validated; production refuses development secrets)."""
    container = Container()
    values = settings_dict(Settings.from_env(env))
    values.update(overrides)
    container.config.from_dict(values)
    return container


__all__ = ["Container", "SettingsError", "build_container"]
