"""Django settings for e-SPM.

Everything that differs per environment comes from environment variables (see ``.env.example``); bad
values fail loudly at start-up (``spm.config``). The embedded default is SQLite and Celery tasks running
in-process, so ``make run`` works on a fresh machine with nothing else installed.
"""

from __future__ import annotations

import os
from pathlib import Path

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from spm import config

BASE_DIR = Path(__file__).resolve().parent.parent
env = os.environ.get

SECRET_KEY = config.load_secret_key(env("SECRET_KEY"), BASE_DIR / ".secret_key")
DEBUG = config.parse_bool("DEBUG", env("DEBUG"), default=False)
ALLOWED_HOSTS = config.parse_list(env("ALLOWED_HOSTS"), ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = config.parse_list(env("CSRF_TRUSTED_ORIGINS"), [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "import_export",
    "spm",
    "reporting",
    "targets",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "spm.urls"
WSGI_APPLICATION = "spm.wsgi.application"
ASGI_APPLICATION = "spm.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "spm.context_processors.navigation",
                "reporting.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {"default": config.parse_database_url(env("DATABASE_URL"), BASE_DIR / "db.sqlite3")}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "spm.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Bahasa Indonesia first; English through Django i18n (locale/en).
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("Inggris"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if config.parse_bool("STATIC_MANIFEST", env("STATIC_MANIFEST"), default=False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = config.parse_bool("EMAIL_USE_TLS", env("EMAIL_USE_TLS"), default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "e-spm@localhost")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
EVIDENCE_MAX_BYTES = int(env("EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024)))
# Recipient list imports (data penerima layanan dasar): the largest file and the most data rows accepted per
# import, and for how many days the files of an import (personal data) are kept once it has ended.
RECIPIENT_IMPORT_MAX_BYTES = int(env("RECIPIENT_IMPORT_MAX_BYTES", str(100 * 1024 * 1024)))
RECIPIENT_IMPORT_MAX_ROWS = int(env("RECIPIENT_IMPORT_MAX_ROWS", "1000000"))
RECIPIENT_IMPORT_RETENTION_DAYS = int(env("RECIPIENT_IMPORT_RETENTION_DAYS", "7"))
# A list still "being stored" after this long lost its task; the user may ask again.
RECIPIENT_COMMIT_STALE_MINUTES = 30
# Up to this many rows the error report copies every row (fix it and upload it again); above it, only the rows
# with an issue, with their original row number (writing a million-row copy would take minutes).
RECIPIENT_IMPORT_FULL_REPORT_ROWS = 50_000
# django-import-export: no exported cell starts a formula (the admin's formats, spm.xlsx, escape them as text).
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
# Uploaded workbooks (xlsx) are checked before they are parsed (spm.zipcheck): a zip bomb, a package of
# thousands of parts or one with lying sizes is refused with a message instead of filling memory or disk.
SPREADSHEET_MAX_UNPACKED_BYTES = int(env("SPREADSHEET_MAX_UNPACKED_BYTES", str(2 * 1024 * 1024 * 1024)))
SPREADSHEET_MAX_MEMBERS = 2_000
SPREADSHEET_MAX_RATIO = 200  # unpacked : packed size of one part (the template's sheets stay under 20)
SPREADSHEET_MAX_SHARED_STRINGS_BYTES = 1024 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = config.parse_bool("SECURE_COOKIES", env("SECURE_COOKIES"), default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
if config.parse_bool("BEHIND_HTTPS_PROXY", env("BEHIND_HTTPS_PROXY"), default=False):
    # The reverse proxy terminates TLS and says so in X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 30

# --- Security hardening: login throttling, CSP, sessions, API throttling (issue 10) -------------------

# --- Celery -------------------------------------------------------------------------------------------
# No broker configured: tasks run eagerly in-process (the embedded default). With CELERY_BROKER_URL set,
# tasks go to Redis and separate workers run them.
_BROKER = config.parse_broker_url(env("CELERY_BROKER_URL"))
CELERY_TASK_ALWAYS_EAGER = not _BROKER
# In-process: an in-memory transport, so nothing ever tries to reach a broker on localhost.
CELERY_BROKER_URL = _BROKER or "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND") or (_BROKER or None)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_RESULT_EXPIRES = 24 * 60 * 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Periodic jobs, declared in code (run by `celery -A spm beat`).
CELERY_BEAT_SCHEDULE: dict = {
    "recompute-achievements-nightly": {
        "task": "reporting.recompute_open_year",
        "schedule": crontab(hour=1, minute=0),
    },
    "due-date-reminders-daily": {
        "task": "reporting.send_due_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "purge-recipient-import-files": {  # personal data in uploaded files is not kept longer than needed
        "task": "reporting.purge_recipient_import_files",
        "schedule": crontab(hour=2, minute=30),
    },
}

# --- REST API -----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "e-SPM API",
    "DESCRIPTION": "API Standar Pelayanan Minimal (SPM) pemerintah daerah.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

# --- Logging: never log personal data (UU 27/2022); the app logs ids, not NIK/names. ------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}

if not DEBUG:
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"

# --- Operations: health, metrics, structured logs, object storage, queues (issue 15) ------------------
