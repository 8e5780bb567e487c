"""Strict readers for settings taken from the environment.

Bad values fail loudly at start-up (``ImproperlyConfigured``) instead of silently falling back to a
default: a typo in ``DEBUG`` or ``DATABASE_URL`` on a government server must stop the deploy, not run it
with the wrong database or with debug pages exposed.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

TRUE_VALUES = frozenset({"1", "true", "yes", "on"})
FALSE_VALUES = frozenset({"0", "false", "no", "off", ""})
SUPPORTED_DB_ENGINES = frozenset({"django.db.backends.postgresql", "django.db.backends.sqlite3"})


def parse_bool(name: str, raw: str | None, default: bool) -> bool:
    """Read a boolean; anything but the usual spellings is an error."""
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off).")


def parse_list(raw: str | None, default: list[str]) -> list[str]:
    """Read a comma-separated list, ignoring blanks."""
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def parse_database_url(raw: str | None, default_sqlite: Path) -> dict:
    """Turn ``DATABASE_URL`` into a ``DATABASES['default']`` entry; only PostgreSQL and SQLite are supported."""
    if not raw:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(default_sqlite)}
    try:
        config = environ.Env.db_url_config(raw)
    except Exception as exc:  # django-environ raises several types for malformed URLs
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
    engine = config.get("ENGINE", "")
    if engine == "django.db.backends.postgresql_psycopg2":
        engine = config["ENGINE"] = "django.db.backends.postgresql"
    if engine not in SUPPORTED_DB_ENGINES:
        raise ImproperlyConfigured(
            f"DATABASE_URL uses an unsupported engine ({engine or 'unknown'}); use postgres:// or sqlite:///."
        )
    if engine.endswith("postgresql") and not config.get("NAME"):
        raise ImproperlyConfigured("DATABASE_URL must name a database, e.g. postgres://user@host:5432/espm.")
    return config


def parse_broker_url(raw: str | None) -> str:
    """``CELERY_BROKER_URL``: empty means no broker (tasks run eagerly in-process)."""
    if not raw:
        return ""
    if not raw.startswith(("redis://", "rediss://", "amqp://", "memory://")):
        raise ImproperlyConfigured(
            f"CELERY_BROKER_URL must be a redis:// (or amqp://) URL, got {raw.split(':')[0]}://…"
        )
    return raw


def load_secret_key(raw: str | None, key_file: Path) -> str:
    """Use ``SECRET_KEY`` if given; otherwise generate one once into an untracked local file."""
    if raw:
        if len(raw) < 32:
            raise ImproperlyConfigured("SECRET_KEY is too short (at least 32 characters).")
        return raw
    if key_file.exists():
        key = key_file.read_text(encoding="utf-8").strip()
        if key:
            return key
    key = secrets.token_urlsafe(50)
    key_file.write_text(key + "\n", encoding="utf-8")
    key_file.chmod(0o600)
    return key


def parse_int(name: str, raw: str | None, default: int, minimum: int = 0) -> int:
    """Read a whole number of at least ``minimum``; anything else is an error."""
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}.")
    return value


THROTTLE_PERIODS = frozenset({"s", "sec", "second", "m", "min", "minute", "h", "hour", "d", "day"})


def parse_throttle_rate(name: str, raw: str | None, default: str) -> str:
    """Read a DRF throttle rate such as ``60/minute`` (requests per second, minute, hour or day)."""
    if raw is None or not raw.strip():
        return default
    count, _sep, period = raw.strip().partition("/")
    if not count.isdigit() or int(count) < 1 or period not in THROTTLE_PERIODS:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a rate such as 60/minute (second, minute, hour, day).")
    return raw.strip()
