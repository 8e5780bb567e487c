"""Handing tasks to the Celery queue without letting an unreachable broker break the request that asked.

Every place that enqueues goes through :func:`enqueue_on_commit` (or :func:`enqueue` when already outside a
transaction). When Redis cannot be reached, the request still succeeds: the failure is logged as one line and
the task is recorded as a :class:`~spm.models.PendingTask`, which ``spm.send_pending_tasks`` (beat, every
minute) sends again once the broker is back. Tasks are idempotent, so one sent twice does no harm. Publishing
fails within a second or two (``CELERY_BROKER_CONNECTION_TIMEOUT`` and the publish retry policies in settings),
so a web request never hangs on a dead broker.
"""

from __future__ import annotations

import logging
import socket

from django.db import transaction
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What an unreachable broker or result store raises while publishing: kombu wraps connection errors in
# OperationalError; the Redis result backend gives up with a RuntimeError caused by redis' ConnectionError.
_UNAVAILABLE = (OperationalError, RedisError, ConnectionError, socket.timeout, TimeoutError)


def broker_unavailable(exc: BaseException) -> bool:
    """Is this exception (or what caused it) the broker or the result store being unreachable?"""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, _UNAVAILABLE):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def enqueue(task, *args) -> bool:
    """Send ``task(*args)`` to the queue now; if the broker is unreachable, record it for later and return
    False. Other errors (a bad argument, a bug) propagate."""
    try:
        task.delay(*args)
    except Exception as exc:
        if not broker_unavailable(exc):
            raise
        _record(task.name, list(args), exc)
        return False
    return True


def enqueue_on_commit(task, *args) -> None:
    """Send ``task(*args)`` once the current transaction has committed (a worker must never see uncommitted
    rows), through :func:`enqueue`."""
    transaction.on_commit(lambda: enqueue(task, *args))


def _record(name: str, args: list, exc: BaseException) -> None:
    from spm.models import PendingTask

    logger.warning("enqueue failed, task %s %s kept for later: broker unavailable (%s)", name, args, type(exc).__name__)
    PendingTask.objects.create(task=name, args=args, last_error=type(exc).__name__)


def pending_tasks_send(*, limit: int = 500) -> int:
    """Send the recorded tasks again, oldest first; stop at the first broker failure (it is still down).
    Returns how many were sent."""
    from celery import current_app

    from spm.models import PendingTask

    sent = 0
    for pending in PendingTask.objects.order_by("created_at", "id")[:limit]:
        task = current_app.tasks.get(pending.task)
        try:
            if task is not None:
                task.apply_async(args=pending.args)  # runs in-process where Celery is eager
            else:
                current_app.send_task(pending.task, args=pending.args)
        except Exception as exc:
            if not broker_unavailable(exc):
                raise
            PendingTask.objects.filter(pk=pending.pk).update(
                attempts=pending.attempts + 1, last_error=type(exc).__name__
            )
            logger.warning("pending tasks: broker still unavailable (%s), %s sent", type(exc).__name__, sent)
            break
        pending.delete()
        sent += 1
    if sent:
        logger.info("pending tasks: %s sent", sent)
    return sent
