"""/metrics: request, database and Celery task metrics for Prometheus; closed to everyone not allowed."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
from django.urls import reverse
from kombu import Queue
from prometheus_client import CollectorRegistry, multiprocess
from prometheus_client.parser import text_string_to_metric_families

from spm.celery import app
from spm.tasks import ping
from tests.celery_worker import PROJECT_ROOT, reachable, redis_url

pytestmark = pytest.mark.django_db

SCRAPER = "10.20.0.5"


@pytest.fixture
def scraper(settings, client):
    """Prometheus, scraping from an allowed network; returns ``sample(name, **labels)`` read from /metrics."""
    settings.METRICS_ALLOWED_IPS = ["10.20.0.0/24"]
    settings.CELERY_BROKER_URL = "memory://"

    def sample(name: str, **labels) -> float:
        response = client.get(reverse("metrics"), REMOTE_ADDR=SCRAPER)
        assert response.status_code == 200
        total = 0.0
        for family in text_string_to_metric_families(response.content.decode()):
            for found in family.samples:
                if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                    total += found.value
        return total

    return sample


@pytest.mark.parametrize(
    "headers",
    [
        {"REMOTE_ADDR": "203.0.113.7"},
        {"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_FOR": SCRAPER},
        {"REMOTE_ADDR": "203.0.113.7", "HTTP_AUTHORIZATION": "Bearer tebakan"},
        {"REMOTE_ADDR": SCRAPER, "HTTP_AUTHORIZATION": "Bearer tebakan"},
    ],
    ids=["unknown-address", "forged-forwarded-for", "wrong-token", "wrong-token-from-allowed-address"],
)
def test_metrics_are_not_found_for_anyone_not_allowed(client, settings, headers):
    settings.METRICS_ALLOWED_IPS = ["10.20.0.0/24"]
    settings.METRICS_TOKEN = "token-rahasia-prometheus-0123456789"
    response = client.get(reverse("metrics"), **headers)
    assert response.status_code == 404
    assert b"django_http" not in response.content


def test_metrics_answer_the_configured_token(client, settings):
    settings.METRICS_ALLOWED_IPS = []
    settings.METRICS_TOKEN = "token-rahasia-prometheus-0123456789"
    response = client.get(
        reverse("metrics"), REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION="Bearer token-rahasia-prometheus-0123456789"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")


def test_metrics_count_requests_by_view_and_database_queries(client, scraper):
    requests_before = scraper("django_http_requests_total_by_view_transport_method_total", view="health-ready")
    queries_before = scraper("django_db_execute_total")
    client.get(reverse("health-ready"))
    client.get(reverse("health-ready"))
    assert scraper("django_http_requests_total_by_view_transport_method_total", view="health-ready") == (
        requests_before + 2
    )
    assert scraper("django_db_execute_total") > queries_before


def test_metrics_count_tasks_and_their_durations_after_a_task_ran(scraper):
    done_before = scraper("espm_celery_tasks_total", task="spm.diagnostics.ping", state="SUCCESS")
    timed_before = scraper("espm_celery_task_duration_seconds_count", task="spm.diagnostics.ping")
    ping.delay("metrik")
    assert scraper("espm_celery_tasks_total", task="spm.diagnostics.ping", state="SUCCESS") == done_before + 1
    assert scraper("espm_celery_task_duration_seconds_count", task="spm.diagnostics.ping") == timed_before + 1


@app.task(name="tests.metrics.always_fails")
def always_fails(secret: str) -> None:
    raise ValueError("gagal dengan sengaja")


def test_metrics_count_failed_tasks_by_exception_without_their_arguments(client, scraper):
    before = scraper("espm_celery_task_failures_total", task="tests.metrics.always_fails", exception="ValueError")
    # As a worker runs it: the error is recorded, not raised (eager mode re-raises before any signal).
    result = always_fails.apply(args=["argumen-pribadi"], throw=False)
    assert result.failed()
    assert (
        scraper("espm_celery_task_failures_total", task="tests.metrics.always_fails", exception="ValueError")
        == before + 1
    )
    assert scraper("espm_celery_tasks_total", task="tests.metrics.always_fails", state="FAILURE") >= 1
    assert b"argumen-pribadi" not in client.get(reverse("metrics"), REMOTE_ADDR=SCRAPER).content


def test_metrics_show_queue_lengths_on_a_redis_broker(client, scraper, settings):
    import redis

    url = redis_url()
    if not reachable(url):
        pytest.skip(f"Redis tidak dapat dihubungi di {url}")
    queue = f"uji-antrean-{uuid.uuid4().hex[:8]}"
    settings.CELERY_BROKER_URL = url
    settings.CELERY_TASK_QUEUES = [Queue(queue)]
    connection = redis.Redis.from_url(url)
    try:
        connection.rpush(queue, "a", "b")
        connection.rpush(f"{queue}\x06\x163", "c")  # the same queue at priority 3
        assert scraper("espm_celery_queue_length", queue=queue) == 3
        assert scraper("espm_celery_broker_up") == 1
    finally:
        connection.delete(queue, f"{queue}\x06\x163")
        connection.close()


def test_metrics_say_when_the_broker_does_not_answer(scraper, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/4"
    assert scraper("espm_celery_broker_up") == 0


def test_in_multiprocess_mode_the_task_counters_of_every_process_add_up(tmp_path):
    """gunicorn and prefork workers run several processes; each writes its metrics to the shared folder."""
    count_one_task = (
        "from spm import observability; observability.TASKS.labels(task='spm.diagnostics.ping', state='SUCCESS').inc()"
    )
    environment = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"), "PATH": "/usr/bin:/bin"}
    for _process in range(2):
        subprocess.run([sys.executable, "-c", count_one_task], cwd=PROJECT_ROOT, env=environment, check=True)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(tmp_path / "prometheus"))
    assert (
        registry.get_sample_value("espm_celery_tasks_total", {"task": "spm.diagnostics.ping", "state": "SUCCESS"}) == 2
    )


def test_a_worker_serves_its_task_metrics_on_the_configured_port(settings):
    import socket
    import urllib.request

    from spm import observability

    settings.CELERY_METRICS_PORT = None
    observability.start_worker_exporter()  # not configured: nothing listens
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        settings.CELERY_METRICS_PORT = probe.getsockname()[1]
    ping.delay("pengekspor")
    observability.start_worker_exporter()  # what Celery's worker_ready signal calls in the worker
    with urllib.request.urlopen(f"http://127.0.0.1:{settings.CELERY_METRICS_PORT}/metrics", timeout=5) as response:
        body = response.read().decode()
    assert 'espm_celery_tasks_total{state="SUCCESS",task="spm.diagnostics.ping"}' in body
