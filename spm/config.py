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


def parse_cache_url(raw: str | None) -> dict:
    """``CACHE_URL``: the cache every web and worker process shares (redis:// or rediss://), for the login and
    NIK-search limits, the API throttles and the sessions. Empty means a cache in each process's memory, right
    only for a single process (``make run``): with several gunicorn workers, each would count its own limits."""
    if not raw:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "espm"}
    if not raw.startswith(("redis://", "rediss://")):
        raise ImproperlyConfigured(f"CACHE_URL must be a redis:// URL, got {raw.split(':')[0]}://…")
    return {
        # Reads miss and writes are skipped while Redis does not answer (spm.cache): the site keeps serving.
        "BACKEND": "spm.cache.ResilientRedisCache",
        "LOCATION": raw,
        "KEY_PREFIX": "espm",
        # A cache that does not answer in time must not hang a request for long.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }


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


STORAGE_BACKENDS = frozenset({"local", "s3"})
S3_STORAGE = "storages.backends.s3.S3Storage"
# Objects larger than this are spooled to a temporary file rather than held in memory while read.
S3_MAX_MEMORY_BYTES = 4 * 1024 * 1024


def parse_file_storage(
    backend: str | None,
    *,
    bucket: str | None,
    endpoint_url: str | None,
    region: str | None,
    access_key: str | None,
    secret_key: str | None,
) -> dict:
    """``STORAGES['default']`` for uploaded and generated files: the local filesystem (``MEDIA_ROOT``) unless
    ``STORAGE_BACKEND=s3``, then an S3-compatible bucket (MinIO, or any S3 service) through django-storages.

    The bucket is never public: objects are written without an ACL (private), any URL the storage would build
    is signed and short-lived, and the app itself streams every download through a permission-checked view.
    """
    kind = (backend or "local").strip().lower()
    if kind not in STORAGE_BACKENDS:
        raise ImproperlyConfigured(f"STORAGE_BACKEND={backend!r} is not one of: local, s3.")
    if kind == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if not bucket:
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME.")
    if endpoint_url and not endpoint_url.startswith(("http://", "https://")):
        raise ImproperlyConfigured("AWS_S3_ENDPOINT_URL must be an http:// or https:// URL.")
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured("Set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither.")
    return {
        "BACKEND": S3_STORAGE,
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "region_name": region or None,
            # Empty: boto3's own chain (instance role, ~/.aws) supplies the credentials.
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            "signature_version": "s3v4",
            # MinIO and most S3-compatible servers address buckets by path, not by host name.
            "addressing_style": "path" if endpoint_url else None,
            # Personal data: private objects, signed URLs only, valid five minutes.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            # As on the filesystem: a second file under a taken name gets a new name instead of replacing it.
            "file_overwrite": False,
            "max_memory_size": S3_MAX_MEMORY_BYTES,
        },
    }
