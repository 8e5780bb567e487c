"""Celery: eager by default; with Redis, a real worker process receives and answers a task."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
from celery import Celery

from spm.celery import app
from spm.tasks import ping

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _redis_url() -> str:
    url = os.environ.get("CELERY_BROKER_URL", "")
    return url if url.startswith("redis") else "redis://127.0.0.1:6379/15"


def _reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=2):
            return True
    except OSError:
        return False


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
    url = _redis_url()
    if not _reachable(url):
        pytest.skip(f"Redis tidak dapat dihubungi di {url}")
    queue = f"uji-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "spm.settings",
        "CELERY_BROKER_URL": url,
        "CELERY_RESULT_BACKEND": url,
    }
    if not os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "spm",
            "worker",
            "-P",
            "solo",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "warning",
        ],
        cwd=PROJECT_ROOT,
        env=env,
    )
    client = Celery("uji", broker=url, backend=url)
    client.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"])
    try:
        result = client.send_task("spm.diagnostics.ping", args=["halo-redis"], queue=queue)
        answer = result.get(timeout=60)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert answer["payload"] == "halo-redis"
    assert answer["database_ok"] is True
    assert answer["database"] in ("postgresql", "sqlite")
