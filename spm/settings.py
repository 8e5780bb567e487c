"""Django settings for e-SPM.

Everything that differs per environment comes from environment variables (see ``.env.example``); bad
values fail loudly at start-up (``spm.config``). The embedded default is SQLite and Celery tasks running
in-process, so ``make run`` works on a fresh machine with nothing else installed.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from spm import config, observability

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
    "evaluation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "spm.language.ChosenLanguageMiddleware",  # Indonesian unless the user picks English (not Accept-Language)
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
FORMAT_MODULE_PATH = ["spm.formats"]  # English keeps the Indonesian number separators
TIME_ZONE = env("TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# Uploaded and generated files: the local folder above, or an S3-compatible bucket (MinIO) shared by every
# web and worker machine (docs/OPERATIONS.md, "Object storage").
STORAGES = {
    "default": config.parse_file_storage(
        env("STORAGE_BACKEND"),
        bucket=env("AWS_STORAGE_BUCKET_NAME"),
        endpoint_url=env("AWS_S3_ENDPOINT_URL"),
        region=env("AWS_S3_REGION_NAME"),
        access_key=env("AWS_ACCESS_KEY_ID"),
        secret_key=env("AWS_SECRET_ACCESS_KEY"),
    ),
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
# Up to this many rows the error report copies every row (fix it and upload it again); above it, only the rows
# with an issue, with their original row number (writing a million-row copy would take minutes).
RECIPIENT_IMPORT_FULL_REPORT_ROWS = 50_000
# A search by NIK (exact, POST, logged; reporting/recipients/personal_data.py) is limited per user and window,
# so the list cannot be used to test NIKs in bulk. Counted in the default cache.
RECIPIENT_NIK_SEARCH_LIMIT = 20
RECIPIENT_NIK_SEARCH_WINDOW_SECONDS = 10 * 60
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
CSRF_FAILURE_VIEW = "spm.errors.csrf_failure"  # in the site layout, in Indonesian (issue 12)
X_FRAME_OPTIONS = "DENY"
BEHIND_HTTPS_PROXY = config.parse_bool("BEHIND_HTTPS_PROXY", env("BEHIND_HTTPS_PROXY"), default=False)
if BEHIND_HTTPS_PROXY:
    # The reverse proxy terminates TLS and says so in X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Security hardening: login throttling, CSP, sessions, API throttling (issue 10) -------------------
# What each setting defends against is in docs/ARCHITECTURE.md ("Security"); the code is spm/security.py.
INSTALLED_APPS += ["axes", "csp", "rest_framework.authtoken", "drf_spectacular_sidecar"]

# Middleware is inserted next to Django's own, so other sections may add theirs without reordering these.
# The size limit and the Permissions-Policy header come first (before anything reads the body); CSP right after;
# session timeout and no-store need request.user; axes turns a lock-out into its page and must be last.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "spm.security.RequestSizeLimitMiddleware"
)
MIDDLEWARE.insert(MIDDLEWARE.index("spm.security.RequestSizeLimitMiddleware") + 1, "csp.middleware.CSPMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("csp.middleware.CSPMiddleware") + 1, "spm.security.PermissionsPolicyMiddleware")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "spm.security.SessionTimeoutMiddleware",
)
MIDDLEWARE.insert(MIDDLEWARE.index("spm.security.SessionTimeoutMiddleware") + 1, "spm.security.NoStoreMiddleware")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")

# Login throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one username from one IP address,
# that combination is locked for LOGIN_COOLOFF_MINUTES (locking by username alone would let anyone lock a
# colleague out; by IP alone, a whole office behind one NAT). An admin unlocks earlier in the admin ("Access
# attempts") or with `manage.py axes_reset_username <username>`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out login before the password is checked
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = config.parse_int("LOGIN_FAILURE_LIMIT", env("LOGIN_FAILURE_LIMIT"), default=10, minimum=1)
AXES_COOLOFF_TIME = timedelta(
    minutes=config.parse_int("LOGIN_COOLOFF_MINUTES", env("LOGIN_COOLOFF_MINUTES"), default=30, minimum=1)
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "spm.security.lockout_response"  # the page in Bahasa Indonesia, status 429
# The client's address: behind the proxy, the one it appended to X-Forwarded-For (spm.security.client_ip).
AXES_CLIENT_IP_CALLABLE = "spm.security.client_ip"
# The attempt log (admin) keeps username and address, never the password; the log lines mask both (axes default).

# Sessions: end after SESSION_IDLE_MINUTES without a request and, whatever the activity, SESSION_MAX_AGE_HOURS
# after login (spm.security.SessionTimeoutMiddleware); the cookie itself lives no longer than the latter.
# Django gives the session a new key on login (session fixation).
SESSION_IDLE_TIMEOUT = timedelta(
    minutes=config.parse_int("SESSION_IDLE_MINUTES", env("SESSION_IDLE_MINUTES"), default=30, minimum=1)
)
SESSION_MAX_AGE_HOURS = config.parse_int("SESSION_MAX_AGE_HOURS", env("SESSION_MAX_AGE_HOURS"), default=12, minimum=1)
SESSION_COOKIE_AGE = SESSION_MAX_AGE_HOURS * 60 * 60
SESSION_COOKIE_SAMESITE = "Lax"

# The shared cache (CACHE_URL, Redis in docker-compose): limits and throttles counted once for every process,
# and sessions read from it (written to the database too, so a lost cache logs nobody out).
CACHES = {"default": config.parse_cache_url(env("CACHE_URL"))}
# Cached page parts (spm.fragments) are filed under the data version, so a write shows on the next request;
# the expiry only bounds what a write from outside the application (psql) leaves visible. 0 = not cached.
# Short, too, because a write leaves the parts of the old version in the cache until they expire.
FRAGMENT_CACHE_SECONDS = int(env("FRAGMENT_CACHE_SECONDS", "120"))
if CACHES["default"]["BACKEND"] == "spm.cache.ResilientRedisCache":
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# HTTPS: behind the proxy, redirect plain HTTP and send HSTS. Preload is a commitment for the whole registrable
# domain (e.g. the pemda's kab.go.id), so it is off unless the daerah decides to submit it to hstspreload.org.
SECURE_SSL_REDIRECT = config.parse_bool("SECURE_SSL_REDIRECT", env("SECURE_SSL_REDIRECT"), default=BEHIND_HTTPS_PROXY)
SECURE_HSTS_SECONDS = config.parse_int(
    "SECURE_HSTS_SECONDS", env("SECURE_HSTS_SECONDS"), default=365 * 24 * 60 * 60 if BEHIND_HTTPS_PROXY else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = config.parse_bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", env("SECURE_HSTS_INCLUDE_SUBDOMAINS"), default=True
)
SECURE_HSTS_PRELOAD = config.parse_bool("SECURE_HSTS_PRELOAD", env("SECURE_HSTS_PRELOAD"), default=False)
if not SECURE_HSTS_PRELOAD:
    # A deliberate choice (see above), not an oversight: `check --deploy` would otherwise warn on every run.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp 4): only our own scripts, styles, fonts and images (no inline code, no
# CDN), so an injected script or style attribute does nothing. Bootstrap's CSS draws some icons as data: SVGs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Where browsers report what the policy blocked (optional). A lower-case name: django-csp takes any CSP_* setting
# for a pre-4.0 configuration.
csp_report_uri = env("CSP_REPORT_URI", "")
if csp_report_uri:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = [csp_report_uri]
# Browser features no page of e-SPM uses (spm.security.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
)

# Request bodies: the largest upload (a recipient list) plus room for the multipart envelope and the other
# fields; spm.security.RequestSizeLimitMiddleware answers 413 above it before reading the body. The reverse
# proxy must allow at least this much (nginx client_max_body_size, see README).
REQUEST_BODY_MAX_BYTES = max(RECIPIENT_IMPORT_MAX_BYTES, EVIDENCE_MAX_BYTES) + 1024 * 1024
# Form fields without files (a report with sections A–E is a few kB); files are streamed, not held in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# API: session (the pages' own calls and the Swagger UI) and token authentication (integrators); HTTP Basic
# sends the password with every request, so it is off unless API_BASIC_AUTH=1. Anonymous and logged-in
# clients are throttled per minute.
API_BASIC_AUTH = config.parse_bool("API_BASIC_AUTH", env("API_BASIC_AUTH"), default=False)
API_THROTTLE_ANON = config.parse_throttle_rate("API_THROTTLE_ANON", env("API_THROTTLE_ANON"), "60/minute")
API_THROTTLE_USER = config.parse_throttle_rate("API_THROTTLE_USER", env("API_THROTTLE_USER"), "600/minute")

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
# Nothing lost when a part dies (issue 10; docs/ARCHITECTURE.md, "Celery"):
# - Redis hands an unacknowledged task to another worker only after the visibility timeout. It is longer than
#   the longest hard time limit (an hour: the imports, the nightly fan-out), so a task still running is never
#   handed out twice; a worker killed outright is covered much sooner by the import watchdog below.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60, "socket_connect_timeout": 2}
# - Publishing gives up within a second or two when Redis is down (by default it retries for ~20 s, mostly in
#   the result store), so an approval or an upload still answers; spm.tasks_safe records the task and
#   spm.send_pending_tasks sends it once Redis is back.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
_PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_TASK_PUBLISH_RETRY_POLICY = _PUBLISH_RETRY
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": _PUBLISH_RETRY}
# - A worker child holding more than this much memory (KiB) is replaced after its task; 0 means no limit.
_MAX_MEMORY = env("CELERY_WORKER_MAX_MEMORY_PER_CHILD")  # unset: 1 GiB; empty or 0: no limit
CELERY_WORKER_MAX_MEMORY_PER_CHILD = (1024 * 1024 if _MAX_MEMORY is None else int(_MAX_MEMORY.strip() or 0)) or None
# - A running recipient import whose heartbeat is older than this (seconds) lost its worker: the watchdog
#   re-queues it, up to this many runs of a step, then marks it failed.
RECIPIENT_IMPORT_HEARTBEAT_TIMEOUT = int(env("RECIPIENT_IMPORT_HEARTBEAT_TIMEOUT", "300"))
RECIPIENT_IMPORT_MAX_ATTEMPTS = 3
# Periodic jobs, declared in code (run by `celery -A spm beat`).
CELERY_BEAT_SCHEDULE: dict = {
    "recompute-achievements-nightly": {
        "task": "reporting.recompute_open_year",
        "schedule": crontab(hour=1, minute=0),
    },
    "close-expired-periods-daily": {  # the close of input of the national window (Kemendagri)
        "task": "reporting.close_expired_periods",
        "schedule": crontab(hour=0, minute=5),
    },
    "due-date-reminders-daily": {
        "task": "reporting.send_due_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "purge-recipient-import-files": {  # personal data in uploaded files is not kept longer than needed
        "task": "reporting.purge_recipient_import_files",
        "schedule": crontab(hour=2, minute=30),
    },
    "purge-target-imports": {
        "task": "targets.purge_target_imports",
        "schedule": crontab(hour=2, minute=45),
    },
    "watch-recipient-imports": {  # re-queue or fail imports whose worker died
        "task": "reporting.watch_recipient_imports",
        "schedule": 60.0,
    },
    "send-pending-tasks": {  # tasks that could not be queued while Redis was unreachable
        "task": "spm.send_pending_tasks",
        "schedule": 60.0,
    },
}

# --- REST API -----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
        *(["rest_framework.authentication.BasicAuthentication"] if API_BASIC_AUTH else []),
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": API_THROTTLE_ANON, "user": API_THROTTLE_USER},
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # ?page= empty is refused (the schema says integer), not read as page 1 as DRF does.
    "DEFAULT_PAGINATION_CLASS": "spm.api.pagination.StrictPageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "spm.api.views.exception_handler",  # a 404 in Indonesian, without the model's name
}
SPECTACULAR_SETTINGS = {
    "TITLE": "e-SPM API",
    "DESCRIPTION": "API Standar Pelayanan Minimal (SPM) pemerintah daerah.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema maps every endpoint and field: for logged-in users only (the Swagger UI too, spm/urls.py).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI from our own static files (drf-spectacular-sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation also declares its refusals (400/403/404/429, 409 on workflow actions): spm/api/schema.py.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "spm.api.schema.add_error_responses"],
}

# --- Logging: never log personal data (UU 27/2022); the app logs ids, not NIK/names. ------------------
# Configured with the operations settings below (JSON or plain lines, request id, NIK mask); a refused request
# (403, 404, 401 …) is one line without a traceback, 5xx keep theirs (spm.security.RefusedRequestFilter).

# --- Operations: health, metrics, structured logs, object storage, queues (issue 15) ------------------

# Structured logs: LOG_FORMAT=plain (default, for people) or json (compose, for the log collector). Every line
# carries the request id (X-Request-ID, or generated) and goes through the NIK mask.
LOGGING = observability.logging_config(log_format=env("LOG_FORMAT", "plain"), level=env("LOG_LEVEL", "INFO"))
LOGGING.setdefault("filters", {})["refused_without_traceback"] = {"()": "spm.security.RefusedRequestFilter"}
LOGGING.setdefault("loggers", {}).setdefault("django.request", {}).setdefault("filters", []).append(
    "refused_without_traceback"
)
INSTALLED_APPS += ["django_guid", "django_prometheus"]
# First in, last out: the request id exists before anything logs, and the metrics time the whole request.
# Added around the list rather than inside it, so the security work on MIDDLEWARE does not collide with this.
MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django_guid.middleware.guid_middleware",
    *MIDDLEWARE,
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
DJANGO_GUID = {
    "GUID_HEADER_NAME": observability.REQUEST_ID_HEADER,
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": False,
    "VALIDATE_GUID": True,  # a client's id that is not a UUID is replaced, never copied into the logs as is
}

# Metrics (django-prometheus): request and database metrics; the database engine is wrapped to count queries.
DATABASES["default"]["ENGINE"] = DATABASES["default"]["ENGINE"].replace(
    "django.db.backends.", "django_prometheus.db.backends."
)
# /metrics answers a bearer token (METRICS_TOKEN) or the listed addresses/networks; everyone else gets 404.
METRICS_TOKEN = env("METRICS_TOKEN", "")
METRICS_ALLOWED_IPS = observability.validate_networks(
    config.parse_list(env("METRICS_ALLOWED_IPS"), ["127.0.0.1", "::1"])
)
# A worker serves its task metrics on this port (compose sets it on the workers); empty: no exporter.
CELERY_METRICS_PORT = int(env("CELERY_METRICS_PORT") or 0) or None

# Queues by kind of work, so a million-row import never delays the recompute after an approval. Routed by
# task name; a task not listed here goes to "default". docker-compose.yml runs one worker per group.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [Queue(name) for name in ("default", "imports", "achievements", "reports", "notifications")]
CELERY_TASK_ROUTES = {
    "reporting.validate_recipient_import": {"queue": "imports"},
    "reporting.commit_recipient_import": {"queue": "imports"},
    "reporting.purge_recipient_import_files": {"queue": "imports"},
    "reporting.watch_recipient_imports": {"queue": "default"},
    "reporting.recompute_achievements": {"queue": "achievements"},
    "reporting.recompute_open_year": {"queue": "achievements"},
    "targets.generate_official_report": {"queue": "reports"},
    "reporting.send_due_reminders": {"queue": "notifications"},
}
# The broker's visibility timeout and the worker memory ceiling are set in the Celery section above.
