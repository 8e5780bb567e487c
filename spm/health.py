"""Readiness and liveness of the application, with django-health-check (issue 15).

- ``/sehat/`` (readiness): can this instance serve? The database, the cache, the file storage, and when a
  broker is configured the Redis broker and a Celery worker for every queue. 200 when all pass, 503 otherwise.
- ``/sehat/hidup/`` (liveness): the process answers; it touches nothing, so a database outage never gets
  healthy web processes restarted.

Both answer JSON: ``{"status": "ok" | "error", "checks": {name: "OK" | reason}}``. The reasons are the
library's generic messages, never a host, password or query.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime

from django.conf import settings
from django.http import JsonResponse
from health_check.base import HealthCheck
from health_check.checks import Cache, Database, Storage
from health_check.contrib.celery import Ping
from health_check.contrib.redis import Redis
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView
from kombu.exceptions import OperationalError

# How long to wait for workers to answer a ping; a worker busy with a task still answers (its consumer
# thread handles control messages).
WORKER_PING_TIMEOUT = datetime.timedelta(seconds=1)


def broker_configured() -> bool:
    """Whether tasks go to a broker (else they run in-process and there is no broker or worker to check)."""
    return not settings.CELERY_BROKER_URL.startswith("memory://")


@dataclasses.dataclass
class CeleryWorkers(Ping):
    """A worker answers the ping and every declared queue has a consumer, over an explicit connection to
    ``CELERY_BROKER_URL``.

    The broadcast goes through a mailbox bound to that connection and to no producer pool: kombu's bound
    mailbox otherwise publishes through the app's cached producer pool, whose connection may predate a
    settings change (the check would then ask a broker nobody listens on and report no worker).
    """

    def run(self) -> None:
        with self.app.connection_for_write(settings.CELERY_BROKER_URL) as connection:
            try:
                # One attempt: kombu would otherwise retry for seconds, longer than a probe may take.
                connection.ensure_connection(max_retries=1, timeout=2)
                replies = self._broadcast(connection, "ping")
            except (OSError, OperationalError) as exc:
                raise ServiceUnavailable("Broker tidak dapat dihubungi") from exc
            if not replies:
                raise ServiceUnavailable("Tidak ada worker Celery yang menjawab")
            self.check_active_queues(connection, *self.active_workers(replies))

    def _broadcast(self, connection, command: str, destination: list[str] | None = None) -> list[dict]:
        mailbox = self.app.control.mailbox(connection)
        mailbox._producer_pool = None  # publish on ``connection``, not on the app's pooled one
        return (
            mailbox._broadcast(command, {}, destination, reply=True, timeout=self.timeout.total_seconds(), channel=None)
            or []
        )

    def check_active_queues(self, connection, *active_workers) -> None:
        replies = self._broadcast(connection, "active_queues", list(active_workers))
        consumed = {queue["name"] for reply in replies for queues in reply.values() for queue in queues}
        missing = sorted({queue.name for queue in settings.CELERY_TASK_QUEUES} - consumed)
        if missing:
            raise ServiceUnavailable(f"Tidak ada worker untuk antrean: {', '.join(missing)}")


def readiness_checks() -> list[tuple[str, HealthCheck]]:
    """(name, check) for the readiness page, from the current settings."""
    from spm.celery import app

    checks: list[tuple[str, HealthCheck]] = [
        ("database", Database()),
        ("cache", Cache()),
        ("storage", Storage()),
    ]
    if broker_configured():
        broker = settings.CELERY_BROKER_URL
        if broker.startswith(("redis://", "rediss://")):
            from redis.asyncio import Redis as RedisClient

            def client() -> RedisClient:
                return RedisClient.from_url(broker, socket_connect_timeout=2, socket_timeout=2)

            checks.append(("broker", Redis(client_factory=client)))
        checks.append(("celery", CeleryWorkers(app=app, timeout=WORKER_PING_TIMEOUT)))
    return checks


class ReadinessView(HealthCheckView):
    """``/sehat/``: every dependency this instance needs; 503 when one fails.

    The library's view (async dispatch, no transaction, no caching) with one JSON shape whatever the Accept
    header: machines read this page.
    """

    def get_named_checks(self) -> list[tuple[str, HealthCheck]]:
        return readiness_checks()

    async def get(self, request, *args, **kwargs):
        named = self.get_named_checks()
        with self.get_executor() as executor:
            results = await asyncio.gather(*(check.get_result(executor) for _name, check in named))
        names = [name for name, _check in named]
        checks = {name: str(r.error) if r.error else "OK" for name, r in zip(names, results, strict=True)}
        failed = any(result.error for result in results)
        return JsonResponse({"status": "error" if failed else "ok", "checks": checks}, status=503 if failed else 200)


class LivenessView(ReadinessView):
    """``/sehat/hidup/``: the process answers. No dependency is checked."""

    def get_named_checks(self) -> list[tuple[str, HealthCheck]]:
        return []
