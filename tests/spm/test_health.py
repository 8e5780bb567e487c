"""Readiness (/sehat/) and liveness (/sehat/hidup/): what each checks, JSON for machines, 503 on failure."""

from __future__ import annotations

import socket
import time

import pytest
from celery import Celery
from django.urls import reverse
from django_guid import clear_guid, set_guid
from health_check.checks import Database
from health_check.exceptions import ServiceUnavailable

from tests.celery_worker import reachable, redis_url, start_worker, stop_worker, worker_database_url

pytestmark = pytest.mark.django_db


def closed_port_url() -> str:
    """A Redis URL on a local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/4"


@pytest.fixture
def no_broker(settings):
    """The embedded default: tasks in-process, nothing to reach."""
    settings.CELERY_BROKER_URL = "memory://"


def test_readiness_is_ok_on_the_embedded_default(client, no_broker):
    response = client.get(reverse("health-ready"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "checks": {"database": "OK", "cache": "OK", "storage": "OK"}}
    assert "no-cache" in response["Cache-Control"]


def test_readiness_answers_json_whatever_the_accept_header(client, no_broker):
    response = client.get(reverse("health-ready"), HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_readiness_fails_with_503_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = closed_port_url()
    response = client.get(reverse("health-ready"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"] == "OK"
    assert body["checks"]["broker"] != "OK"
    assert body["checks"]["celery"] != "OK"
    assert "127.0.0.1" not in response.content.decode(), "the page must not describe the infrastructure"


def test_readiness_fails_with_503_when_the_database_check_fails(client, no_broker, monkeypatch):
    def refuse(self):
        raise ServiceUnavailable("Database tidak dapat dihubungi")

    monkeypatch.setattr(Database, "run", refuse)
    response = client.get(reverse("health-ready"))
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "Unavailable: Database tidak dapat dihubungi"
    assert response.json()["checks"]["storage"] == "OK"


def test_liveness_checks_nothing_so_a_broker_outage_keeps_it_ok(client, settings, django_assert_num_queries):
    settings.CELERY_BROKER_URL = closed_port_url()
    with django_assert_num_queries(0):
        response = client.get(reverse("health-live"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {}}


def test_health_pages_need_no_login(client, no_broker):
    assert client.get(reverse("health-ready")).status_code == 200
    assert client.get(reverse("health-live")).status_code == 200


# --- With Redis and a real worker -------------------------------------------------------------------------


@pytest.fixture
def redis_broker(settings):
    url = redis_url()
    if not reachable(url):
        pytest.skip(f"Redis tidak dapat dihubungi di {url}")
    settings.CELERY_BROKER_URL = url
    return url


@pytest.mark.integration
def test_readiness_needs_a_worker_for_every_queue_and_the_worker_keeps_the_request_id(
    client, redis_broker, tmp_path
):
    without_worker = client.get(reverse("health-ready"))
    assert without_worker.status_code == 503
    assert without_worker.json()["checks"]["broker"] == "OK"
    assert without_worker.json()["checks"]["celery"] != "OK"

    database_url, _copy = worker_database_url(tmp_path)
    worker = start_worker(broker=redis_broker, name="uji-sehat", database_url=database_url)
    try:
        deadline = time.monotonic() + 60
        response = client.get(reverse("health-ready"))
        while response.status_code != 200 and time.monotonic() < deadline:
            time.sleep(1)
            response = client.get(reverse("health-ready"))
        assert response.status_code == 200, response.json()
        assert response.json()["checks"]["celery"] == "OK"

        # A task enqueued under a request id runs under the same id in the worker.
        sender = Celery("uji-pengirim", broker=redis_broker, backend=redis_broker, set_as_current=False)
        sender.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"])
        set_guid("0f1e2d3c4b5a69788796a5b4c3d2e1f0")
        try:
            answer = sender.send_task("spm.diagnostics.ping", args=["id"], queue="default").get(timeout=60)
        finally:
            clear_guid()
    finally:
        stop_worker(worker)
    assert answer["request_id"] == "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
