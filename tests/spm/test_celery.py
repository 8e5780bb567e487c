"""Celery: eager by default; with Redis, a real worker process receives and answers a task."""

from __future__ import annotations

import os
import uuid

import pytest
from celery import Celery

from spm.celery import app
from spm.tasks import ping
from tests.celery_worker import reachable, redis_url, start_worker, stop_worker


def test_celery_configuration_is_json_with_time_limits_and_late_acks():
    conf = app.conf
    assert conf.task_serializer == "json" and conf.result_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_time_limit and conf.task_soft_time_limit < conf.task_time_limit


@pytest.mark.django_db
def test_without_a_broker_tasks_run_in_process(settings):
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.skip("a broker is configured: tasks go to workers")
    assert app.conf.task_always_eager
    result = ping.delay("halo")
    assert result.get(timeout=5)["payload"] == "halo"


@pytest.mark.integration
def test_a_real_worker_on_redis_answers_the_diagnostic_task(tmp_path):
    url = redis_url()
    if not reachable(url):
        pytest.skip(f"Redis tidak dapat dihubungi di {url}")
    queue = f"uji-{uuid.uuid4().hex[:8]}"
    database_url = None if os.environ.get("DATABASE_URL") else f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    worker = start_worker(broker=url, name=queue, database_url=database_url, queue=queue)
    client = Celery("uji", broker=url, backend=url, set_as_current=False)
    client.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"])
    try:
        result = client.send_task("spm.diagnostics.ping", args=["halo-redis"], queue=queue)
        answer = result.get(timeout=60)
    finally:
        stop_worker(worker)
    assert answer["payload"] == "halo-redis"
    assert answer["database_ok"] is True
    assert answer["database"] in ("postgresql", "sqlite")
