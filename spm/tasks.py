"""Diagnostic Celery tasks: prove that a worker receives, runs and answers."""

from __future__ import annotations

import socket

from celery import shared_task
from django.db import connection
from django.utils import timezone
from django_guid import get_guid


@shared_task(name="spm.diagnostics.ping", time_limit=30, soft_time_limit=20)
def ping(payload: str = "ping") -> dict:
    """Answer with the payload, the worker's host, whether it reached the database and the request id it
    runs under (the id of the request that enqueued it: spm.observability)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        database_ok = cursor.fetchone()[0] == 1
    return {
        "payload": payload,
        "hostname": socket.gethostname(),
        "database": connection.vendor,
        "database_ok": database_ok,
        "at": timezone.now().isoformat(),
        "request_id": get_guid(),
    }


@shared_task(name="spm.send_pending_tasks", time_limit=120, soft_time_limit=100)
def send_pending_tasks() -> int:
    """Every minute: send the tasks that could not be queued while the broker was unreachable."""
    from spm.tasks_safe import pending_tasks_send

    return pending_tasks_send()
