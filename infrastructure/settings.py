"""Settings read from the environment, validated once at start-up."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta

from attrs import frozen

from domain.users import PasswordRules

DEV_SECRET = "quill-development-secret-not-for-production"  # refused in production
DEV_DATABASE_URL = "sqlite:///quill.db"
ENVIRONMENTS = ("development", "testing", "production")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(ValueError):
    """A bad or missing setting; the message names the variable and never its secret value."""


@frozen(kw_only=True)
class Settings:
    app_env: str = "development"
    database_url: str = DEV_DATABASE_URL
    secret_key: str = DEV_SECRET
    jwt_secret_key: str = DEV_SECRET
    access_token_ttl: timedelta = timedelta(minutes=15)
    refresh_token_ttl: timedelta = timedelta(days=30)
    cors_origins: tuple[str, ...] = ()
    log_level: str = "INFO"
    log_format: str = "json"
    argon2_time_cost: int = 3
    argon2_memory_cost: int = 65536
    argon2_parallelism: int = 4
    password_rules: PasswordRules = PasswordRules.COMPOSED

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        app_env = _choice(env, "APP_ENV", ENVIRONMENTS, "development")
        production = app_env == "production"
        if production:
            for name in ("DATABASE_URL", "SECRET_KEY", "JWT_SECRET_KEY"):
                if not env.get(name):
                    raise SettingsError(f"{name} must be set when APP_ENV=production.")
        settings = cls(
            app_env=app_env,
            database_url=env.get("DATABASE_URL") or DEV_DATABASE_URL,
            secret_key=env.get("SECRET_KEY") or DEV_SECRET,
            jwt_secret_key=env.get("JWT_SECRET_KEY") or env.get("SECRET_KEY") or DEV_SECRET,
            access_token_ttl=timedelta(seconds=_int(env, "ACCESS_TOKEN_TTL", 900, 10, 86400)),
            refresh_token_ttl=timedelta(
                seconds=_int(env, "REFRESH_TOKEN_TTL", 30 * 86400, 60, 365 * 86400)
            ),
            cors_origins=tuple(
                o.strip() for o in env.get("CORS_ORIGINS", "").split(",") if o.strip()
            ),
            log_level=_choice(env, "LOG_LEVEL", LOG_LEVELS, "INFO", upper=True),
            log_format=_choice(
                env, "LOG_FORMAT", ("json", "text"), "text" if app_env == "development" else "json"
            ),
            argon2_time_cost=_int(env, "ARGON2_TIME_COST", 3, 1, 20),
            argon2_memory_cost=_int(env, "ARGON2_MEMORY_COST", 65536, 8, 4 * 1024 * 1024),
            argon2_parallelism=_int(env, "ARGON2_PARALLELISM", 4, 1, 64),
            password_rules=PasswordRules(
                _choice(env, "PASSWORD_RULES", tuple(PasswordRules), PasswordRules.COMPOSED)
            ),
        )
        if production:
            settings.refuse_development_secrets()
        return settings

    def refuse_development_secrets(self) -> None:
        for name, value in (
            ("SECRET_KEY", self.secret_key),
            ("JWT_SECRET_KEY", self.jwt_secret_key),
        ):
            if value == DEV_SECRET or len(value) < 32:
                raise SettingsError(
                    f"{name} must be a secret of at least 32 characters in production."
                )


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if not raw.strip().isdigit() or not low <= int(raw) <= high:
        raise SettingsError(f"{name} must be a whole number from {low} to {high}.")
    return int(raw)


def _choice(
    env: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str, upper: bool = False
) -> str:
    raw = (env.get(name) or default).strip()
    value = raw.upper() if upper else raw.lower()
    if value not in allowed:
        raise SettingsError(f"{name} must be one of: {', '.join(allowed)}.")
    return value
