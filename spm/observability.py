"""Observability of the running application: structured logs with a request id, the NIK mask on every log line,
Celery task metrics, queue lengths and the restricted ``/metrics`` page (issue 15).

The request id is django-guid's (middleware, contextvar, ``X-Request-ID`` in and out). Its own Celery
integration is not used: it replaces and then clears the id around every task, which in eager mode (tasks run
inside the request) would drop the request's id halfway through the request. ``request_id_*`` below carry the
id in a task header instead and restore the previous value after the task. See docs/OPERATIONS.md.
"""

from __future__ import annotations

import logging
import os
import re
import time
from contextvars import Token
from ipaddress import ip_address, ip_network

from celery.signals import (
    before_task_publish,
    task_failure,
    task_postrun,
    task_prerun,
    worker_process_shutdown,
    worker_ready,
)
from django.core.exceptions import ImproperlyConfigured
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)

LOG_FORMATS = ("plain", "json")
REQUEST_ID_HEADER = "X-Request-ID"
# The task header carrying the request id from the process that enqueued the task to the worker.
TASK_REQUEST_ID_HEADER = "request_id"

# A NIK is 16 digits; any run of exactly 16 digits is treated as one (a false positive only costs a masked
# number in a log line, a false negative costs personal data in the logs), except the decimals of a number
# ("succeeded in 0.6475123456780377s").
NIK_IN_TEXT = re.compile(r"(?<!\d)(?<!\d\.)\d{16}(?!\d)")


# --- NIK mask ------------------------------------------------------------------------------------------


def mask_niks(text: str) -> str:
    """``text`` with every 16-digit run shown as ``1812********0001`` (first and last four digits kept)."""
    return NIK_IN_TEXT.sub(lambda match: f"{match.group()[:4]}********{match.group()[-4:]}", text)


class NikMaskingFilter(logging.Filter):
    """Last line of defence: masks anything shaped like a NIK in a log line's message, arguments and traceback.

    The code logs ids, never personal data (UU 27/2022); this filter is for the line someone forgets. The
    test suite checks the records *before* this filter (tests/conftest.py), so a leak fails the tests instead
    of being hidden by the mask.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logging module's to report, not ours
            return True
        if NIK_IN_TEXT.search(message):
            record.msg, record.args = mask_niks(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and NIK_IN_TEXT.search(record.exc_text):
            # Formatters that render exc_info themselves (the JSON one) must fall back to the masked text.
            record.exc_text, record.exc_info = mask_niks(record.exc_text), None
        for name, value in record_extras(record).items():
            # JSON lines carry a record's extras too (Celery adds a task's args and return value).
            if NIK_IN_TEXT.search(str(value)):
                setattr(record, name, mask_niks(str(value)))
        return True


_STANDARD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}


def record_extras(record: logging.LogRecord) -> dict:
    """The attributes a caller added with ``extra=`` (a JSON formatter prints them beside the message)."""
    return {name: value for name, value in record.__dict__.items() if name not in _STANDARD_ATTRIBUTES}


# --- Request id ----------------------------------------------------------------------------------------


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record: the id of the current request or task, ``-`` outside both."""

    def filter(self, record: logging.LogRecord) -> bool:
        from django_guid import get_guid

        record.request_id = get_guid() or "-"
        return True


_task_tokens: dict[str, Token] = {}


@before_task_publish.connect(dispatch_uid="spm.observability.request_id_publish")
def request_id_publish(headers: dict | None = None, **_kwargs) -> None:
    """A task enqueued during a request (or another task) carries that request's id to the worker."""
    from django_guid import get_guid

    request_id = get_guid()
    if request_id and headers is not None:
        headers[TASK_REQUEST_ID_HEADER] = request_id


@task_prerun.connect(dispatch_uid="spm.observability.request_id_prerun")
def request_id_prerun(task_id: str | None = None, task=None, **_kwargs) -> None:
    """In a worker the task's log lines carry the id of the request that enqueued it (a new id for beat's)."""
    from django_guid import get_guid
    from django_guid.context import guid
    from django_guid.utils import generate_guid

    if task is None or task_id is None:
        return
    if task.request.is_eager and get_guid():
        return  # in-process: the request's own id is already the current one
    _task_tokens[task_id] = guid.set(task.request.get(TASK_REQUEST_ID_HEADER) or generate_guid())


@task_postrun.connect(dispatch_uid="spm.observability.request_id_postrun")
def request_id_postrun(task_id: str | None = None, **_kwargs) -> None:
    """The next task of the same worker process must not inherit this one's id."""
    from django_guid.context import guid

    token = _task_tokens.pop(task_id, None) if task_id else None
    if token is not None:
        guid.reset(token)


# --- Logging configuration -----------------------------------------------------------------------------


def logging_config(*, log_format: str, level: str) -> dict:
    """The ``LOGGING`` dict: one console handler, plain or JSON lines, with the request id and the NIK mask.

    JSON uses python-json-logger's formatter on the standard logging module, which Django, Celery and
    gunicorn already log through; nothing in the code has to change loggers.
    """
    if log_format not in LOG_FORMATS:
        raise ImproperlyConfigured(f"LOG_FORMAT={log_format!r} is not one of {', '.join(LOG_FORMATS)}.")
    level = level.upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ImproperlyConfigured(f"LOG_LEVEL={level!r} is not a log level (DEBUG, INFO, WARNING, ERROR).")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            # The request id first, so the mask sees the final record; the mask last, just before output.
            "request_id": {"()": "spm.observability.RequestIdFilter"},
            "mask_nik": {"()": "spm.observability.NikMaskingFilter"},
        },
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s"},
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": ["asctime", "levelname", "name", "message", "request_id"],
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["request_id", "mask_nik"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # django-guid says "generated a new id" at INFO on every request.
            "django_guid": {"level": "WARNING"},
            # gunicorn's start-up, worker and access lines through the same handler (spm/gunicorn_conf.py).
            "gunicorn.error": {"handlers": [], "propagate": True},
            "gunicorn.access": {"handlers": [], "propagate": True},
        },
    }


# --- Celery task metrics -------------------------------------------------------------------------------
# Labels are task names, outcomes and exception class names: never arguments, which may identify a person.


def multiprocess_dir() -> str | None:
    """Where prometheus_client's multiprocess mode keeps the metric files (several gunicorn/Celery processes)."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


if multiprocess_dir():
    # The metrics below open their files at import; the folder is a tmpfs in compose, absent on a laptop.
    os.makedirs(multiprocess_dir(), exist_ok=True)

TASKS = Counter("espm_celery_tasks_total", "Celery tasks finished, by task and final state.", ["task", "state"])
TASK_FAILURES = Counter(
    "espm_celery_task_failures_total", "Celery tasks that raised, by task and exception class.", ["task", "exception"]
)
TASK_DURATION = Histogram(
    "espm_celery_task_duration_seconds",
    "Run time of Celery tasks.",
    ["task"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600),
)
_task_started: dict[str, float] = {}


@task_prerun.connect(dispatch_uid="spm.observability.metrics_prerun")
def metrics_prerun(task_id: str | None = None, **_kwargs) -> None:
    if task_id:
        _task_started[task_id] = time.monotonic()


@task_postrun.connect(dispatch_uid="spm.observability.metrics_postrun")
def metrics_postrun(task_id: str | None = None, task=None, state: str | None = None, **_kwargs) -> None:
    started = _task_started.pop(task_id, None) if task_id else None
    name = getattr(task, "name", None) or "unknown"
    TASKS.labels(task=name, state=state or "UNKNOWN").inc()
    if started is not None:
        TASK_DURATION.labels(task=name).observe(time.monotonic() - started)


@task_failure.connect(dispatch_uid="spm.observability.metrics_failure")
def metrics_failure(sender=None, exception: BaseException | None = None, **_kwargs) -> None:
    TASK_FAILURES.labels(task=getattr(sender, "name", None) or "unknown", exception=type(exception).__name__).inc()


# --- Queue lengths -------------------------------------------------------------------------------------


class QueueLengthCollector:
    """Messages waiting in each Celery queue on a Redis broker, read when Prometheus scrapes.

    kombu's Redis transport keeps a queue as one list per priority step (``name``, ``name\\x06\\x163`` …).
    """

    PRIORITY_STEPS = (0, 3, 6, 9)

    def __init__(self, broker_url: str, queues: list[str]) -> None:
        self.broker_url = broker_url
        self.queues = queues

    def _keys(self, queue: str) -> list[str]:
        return [queue if step == 0 else f"{queue}\x06\x16{step}" for step in self.PRIORITY_STEPS]

    def collect(self):
        import redis

        lengths = GaugeMetricFamily("espm_celery_queue_length", "Messages waiting in a Celery queue.", labels=["queue"])
        up = GaugeMetricFamily("espm_celery_broker_up", "1 when the broker answered the queue-length query.")
        try:
            client = redis.Redis.from_url(self.broker_url, socket_timeout=2, socket_connect_timeout=2)
            with client.pipeline(transaction=False) as pipe:
                for queue in self.queues:
                    for key in self._keys(queue):
                        pipe.llen(key)
                counts = pipe.execute()
            client.close()
        except redis.RedisError as exc:
            logger.warning("queue lengths unavailable: %s", type(exc).__name__)
            up.add_metric([], 0)
            return [up]
        steps = len(self.PRIORITY_STEPS)
        for index, queue in enumerate(self.queues):
            lengths.add_metric([queue], sum(counts[index * steps : (index + 1) * steps]))
        up.add_metric([], 1)
        return [lengths, up]


# --- /metrics ------------------------------------------------------------------------------------------


def metrics_registry() -> CollectorRegistry:
    """This process's registry, or in multiprocess mode one that reads the files of every process."""
    from prometheus_client import REGISTRY

    if not multiprocess_dir():
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def metrics_text() -> bytes:
    """The Prometheus exposition of this process (or of all processes sharing the multiprocess directory),
    followed by the queue lengths when the broker is Redis."""
    from django.conf import settings

    text = generate_latest(metrics_registry())
    broker = settings.CELERY_BROKER_URL
    if broker.startswith(("redis://", "rediss://")):
        queues = CollectorRegistry()
        queues.register(QueueLengthCollector(broker, [queue.name for queue in settings.CELERY_TASK_QUEUES]))
        text += generate_latest(queues)
    return text


def metrics_allowed(request) -> bool:
    """A scrape is allowed with the configured bearer token, or from an allowed address (REMOTE_ADDR only:
    a forwarded-for header is written by the client and proves nothing)."""
    import hmac

    from django.conf import settings

    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer "):
        return hmac.compare_digest(given.removeprefix("Bearer ").encode(), token.encode())
    try:
        address = ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ip_network(allowed, strict=False) for allowed in settings.METRICS_ALLOWED_IPS)


def metrics_view(request):
    """``/metrics`` for Prometheus; anyone else gets 404, as if the page did not exist."""
    from django.http import Http404, HttpResponse
    from prometheus_client import CONTENT_TYPE_LATEST

    if not metrics_allowed(request):
        raise Http404
    return HttpResponse(metrics_text(), content_type=CONTENT_TYPE_LATEST)


def validate_networks(names: list[str]) -> list[str]:
    """``METRICS_ALLOWED_IPS``: addresses or networks; a typo stops start-up."""
    for name in names:
        try:
            ip_network(name, strict=False)
        except ValueError as exc:
            raise ImproperlyConfigured(f"METRICS_ALLOWED_IPS: {name!r} is not an IP address or network.") from exc
    return names


# --- Worker exporter -----------------------------------------------------------------------------------


@worker_ready.connect(dispatch_uid="spm.observability.worker_exporter")
def start_worker_exporter(**_kwargs) -> None:
    """A Celery worker serves its task metrics on ``CELERY_METRICS_PORT`` (unset: no exporter).

    Started in the worker's main process; with the prefork pool the children write to the multiprocess
    directory, which this exporter reads.
    """
    from django.conf import settings
    from prometheus_client import start_http_server

    if settings.CELERY_METRICS_PORT:
        start_http_server(settings.CELERY_METRICS_PORT, registry=metrics_registry())
        logger.info("task metrics served on port %s", settings.CELERY_METRICS_PORT)


@worker_process_shutdown.connect(dispatch_uid="spm.observability.worker_process_dead")
def worker_process_dead(pid: int | None = None, **_kwargs) -> None:
    if multiprocess_dir():
        multiprocess.mark_process_dead(pid or os.getpid())
