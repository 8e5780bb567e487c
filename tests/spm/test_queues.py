"""Celery queues by kind of work: routing by task name, and broker settings that keep long tasks safe."""

from __future__ import annotations

import pytest
from django.conf import settings

from spm.celery import app

app.loader.import_default_modules()  # every app's tasks.py, as a worker loads them

PROJECT_TASKS = sorted(name for name in app.tasks if not name.startswith(("celery.", "tests.")))


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("reporting.validate_recipient_import", "imports"),
        ("reporting.commit_recipient_import", "imports"),
        ("reporting.purge_recipient_import_files", "imports"),
        ("reporting.recompute_achievements", "achievements"),
        ("reporting.recompute_open_year", "achievements"),
        ("targets.generate_official_report", "reports"),
        ("reporting.send_due_reminders", "notifications"),
        ("spm.diagnostics.ping", "default"),
    ],
)
def test_tasks_go_to_the_queue_of_their_kind(task_name, queue):
    assert task_name in app.tasks, f"{task_name} is no longer a task: update CELERY_TASK_ROUTES"
    assert queue_of(task_name) == queue


def test_every_route_names_an_existing_task_and_a_declared_queue():
    declared = {queue.name for queue in settings.CELERY_TASK_QUEUES}
    for task_name, route in settings.CELERY_TASK_ROUTES.items():
        assert task_name in app.tasks, f"CELERY_TASK_ROUTES routes {task_name}, which no app defines"
        assert route["queue"] in declared


def test_an_unrouted_task_goes_to_the_default_queue_which_a_worker_consumes():
    assert queue_of("a.task.nobody.routed") == settings.CELERY_TASK_DEFAULT_QUEUE == "default"
    assert "default" in {queue.name for queue in settings.CELERY_TASK_QUEUES}


def test_import_tasks_never_share_a_queue_with_the_recompute_after_an_approval():
    # The watchdog of stuck imports runs on "default": it must run when the imports worker is the one that died.
    imports = {
        queue_of(name)
        for name in PROJECT_TASKS
        if "recipient_import" in name and name != "reporting.watch_recipient_imports"
    }
    assert queue_of("reporting.watch_recipient_imports") == "default"
    assert imports == {"imports"}
    assert queue_of("reporting.recompute_achievements") not in imports


def test_broker_visibility_timeout_outlasts_the_longest_task():
    """Redis hands an unacknowledged task to another worker after the visibility timeout; with late acks a
    shorter timeout than a task's hard limit would run the same import twice at once."""
    longest = max(app.tasks[name].time_limit or app.conf.task_time_limit for name in PROJECT_TASKS)
    assert longest >= 60 * 60
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > longest
    assert app.conf.broker_transport_options["visibility_timeout"] > longest


def test_worker_memory_limit_comes_from_the_environment(monkeypatch):
    import importlib

    import spm.settings as project_settings

    monkeypatch.setenv("CELERY_WORKER_MAX_MEMORY_PER_CHILD", "524288")
    try:
        assert importlib.reload(project_settings).CELERY_WORKER_MAX_MEMORY_PER_CHILD == 524288
        monkeypatch.setenv("CELERY_WORKER_MAX_MEMORY_PER_CHILD", "")
        assert importlib.reload(project_settings).CELERY_WORKER_MAX_MEMORY_PER_CHILD is None
    finally:
        monkeypatch.undo()
        importlib.reload(project_settings)
