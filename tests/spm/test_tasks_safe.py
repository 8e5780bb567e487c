"""Enqueueing survives an unreachable broker: the request succeeds, the task is kept and sent later; and the
Celery settings that keep a dead worker or broker from losing or doubling work."""

from __future__ import annotations

import logging

import pytest
from celery import current_app
from django.conf import settings
from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError

from spm.models import PendingTask
from spm.tasks import ping
from spm.tasks_safe import broker_unavailable, enqueue, enqueue_on_commit, pending_tasks_send

pytestmark = pytest.mark.django_db


def broker_down(*args, **kwargs):
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def result_store_down(*args, **kwargs):
    try:
        raise RedisConnectionError("Connection refused")
    except RedisConnectionError as exc:
        raise RuntimeError("Retry limit exceeded while trying to reconnect to the Celery result store") from exc


@pytest.mark.parametrize("failure", [broker_down, result_store_down])
def test_an_unreachable_broker_keeps_the_task_for_later(monkeypatch, caplog, failure):
    monkeypatch.setattr(ping, "delay", failure)
    with caplog.at_level(logging.WARNING, logger="spm.tasks_safe"):
        assert enqueue(ping, "halo") is False
    pending = PendingTask.objects.get()
    assert (pending.task, pending.args) == ("spm.diagnostics.ping", ["halo"])
    assert pending.last_error in ("OperationalError", "RuntimeError")
    assert len(caplog.records) == 1 and "spm.diagnostics.ping" in caplog.records[0].getMessage()


def test_other_errors_are_not_swallowed(monkeypatch):
    monkeypatch.setattr(ping, "delay", lambda *args: (_ for _ in ()).throw(TypeError("bad argument")))
    with pytest.raises(TypeError):
        enqueue(ping, "halo")
    assert not PendingTask.objects.exists()
    assert not broker_unavailable(RuntimeError("something else"))


def test_enqueue_on_commit_waits_for_the_commit(monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(ping, "delay", lambda *args: sent.append(args))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue_on_commit(ping, "halo")
    assert sent == [] and len(callbacks) == 1
    callbacks[0]()
    assert sent == [("halo",)]


def test_pending_tasks_are_sent_once_the_broker_is_back(monkeypatch):
    PendingTask.objects.create(task="spm.diagnostics.ping", args=["satu"])
    PendingTask.objects.create(task="spm.diagnostics.ping", args=["dua"])
    monkeypatch.setattr(ping, "apply_async", broker_down)
    assert pending_tasks_send() == 0  # still down: stops at the first, counts the attempt
    assert list(PendingTask.objects.values_list("attempts", flat=True)) == [1, 0]
    monkeypatch.undo()
    sent = []
    monkeypatch.setattr(ping, "apply_async", lambda args: sent.append(args))
    assert pending_tasks_send() == 2
    assert sent == [["satu"], ["dua"]] and not PendingTask.objects.exists()


def test_visibility_timeout_outlasts_every_task_s_hard_time_limit():
    current_app.loader.import_default_modules()
    limits = [task.time_limit or settings.CELERY_TASK_TIME_LIMIT for name, task in current_app.tasks.items()]
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > max(limits)
    for name in ("reporting.validate_recipient_import", "reporting.commit_recipient_import"):
        task = current_app.tasks[name]
        assert 0 < task.soft_time_limit < task.time_limit


def test_publishing_gives_up_quickly():
    assert settings.CELERY_BROKER_CONNECTION_TIMEOUT <= 3
    assert settings.CELERY_TASK_PUBLISH_RETRY_POLICY["max_retries"] <= 2
    assert settings.CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS["retry_policy"]["max_retries"] <= 2


def test_beat_runs_the_watchdog_and_the_pending_tasks_every_minute():
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["reporting.watch_recipient_imports"] <= 120
    assert schedule["spm.send_pending_tasks"] <= 120
