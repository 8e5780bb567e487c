"""Structured logs: JSON or plain lines, the request id in every line of a request and of its tasks, and the
NIK mask as the last line of defence (the session-wide NIK check itself is in tests/conftest.py)."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.module_loading import import_string
from django_guid import clear_guid, get_guid, set_guid

from spm import observability
from spm.tasks import ping

REQUEST_ID = "5d3a8f0e6c1b4a7e9f2d0c1b2a394857"
A_NIK = "1812014501900001"  # made up: Tulang Bawang Barat, a woman born 05-01-1990


def handler_from_config(log_format: str, stream: io.StringIO) -> logging.Handler:
    """The console handler exactly as ``logging_config`` declares it, writing to ``stream``."""
    config = observability.logging_config(log_format=log_format, level="INFO")
    declared = config["handlers"]["console"]
    handler = logging.StreamHandler(stream)
    spec = dict(config["formatters"][declared["formatter"]])
    handler.setFormatter(import_string(spec.pop("()"))(**spec) if "()" in spec else logging.Formatter(spec["format"]))
    for name in declared["filters"]:
        handler.addFilter(import_string(config["filters"][name]["()"])())
    return handler


@pytest.fixture
def json_lines():
    """Lines written through the JSON handler while the test runs, parsed."""
    stream = io.StringIO()
    handler = handler_from_config("json", stream)
    logging.getLogger().addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logging.getLogger().removeHandler(handler)
    clear_guid()


def test_settings_log_through_one_console_handler_with_request_id_and_nik_mask():
    console = django_settings.LOGGING["handlers"]["console"]
    assert console["filters"] == ["request_id", "mask_nik"]
    assert django_settings.LOGGING["root"]["handlers"] == ["console"]


def test_log_format_is_plain_or_json_and_anything_else_stops_start_up():
    assert observability.logging_config(log_format="plain", level="info")["root"]["level"] == "INFO"
    with pytest.raises(ImproperlyConfigured, match="LOG_FORMAT"):
        observability.logging_config(log_format="xml", level="INFO")
    with pytest.raises(ImproperlyConfigured, match="LOG_LEVEL"):
        observability.logging_config(log_format="json", level="LOUD")


@pytest.mark.django_db
def test_the_request_id_header_is_returned_and_is_in_every_line_of_the_request(client, json_lines):
    response = client.get("/tidak-ada/", HTTP_X_REQUEST_ID=REQUEST_ID)
    assert response.status_code == 404
    assert response["X-Request-ID"] == REQUEST_ID
    lines = [line for line in json_lines() if line["logger"] == "django.request"]
    assert lines and all(line["request_id"] == REQUEST_ID for line in lines)
    assert {"time", "level", "logger", "message"} <= set(lines[0])


@pytest.mark.django_db
def test_without_a_header_each_request_gets_its_own_id(client):
    first = client.get(reverse("health-live"))["X-Request-ID"]
    second = client.get(reverse("health-live"))["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and re.fullmatch(r"[0-9a-f]{32}", second)
    assert first != second


@pytest.mark.django_db
@pytest.mark.parametrize("given", ["bukan-id'); DROP TABLE", A_NIK])
def test_a_request_id_that_is_not_a_uuid_is_replaced_not_echoed(client, given, nik_log_leaks):
    response = client.get(reverse("health-live"), HTTP_X_REQUEST_ID=given)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    # django-guid warns with the rejected value; for a NIK-shaped one that is a leak the check must see.
    if given == A_NIK:
        leaks = [leak for leak in nik_log_leaks if leak["logger"] == "django_guid"]
        assert leaks, "the NIK check did not see the rejected header in django-guid's warning"
        for leak in leaks:
            nik_log_leaks.remove(leak)


@pytest.mark.django_db
def test_an_eager_task_logs_under_the_request_id_and_leaves_it_in_place(json_lines):
    set_guid(REQUEST_ID)
    answer = ping.delay("id").get()
    assert answer["request_id"] == REQUEST_ID
    assert get_guid() == REQUEST_ID, "the task must not clear the request's id"
    task_lines = [line for line in json_lines() if line["logger"] == "celery.app.trace"]
    assert task_lines and all(line["request_id"] == REQUEST_ID for line in task_lines)


def test_a_published_task_carries_the_request_id_in_its_headers():
    headers: dict = {}
    set_guid(REQUEST_ID)
    try:
        observability.request_id_publish(headers=headers)
    finally:
        clear_guid()
    assert headers == {observability.TASK_REQUEST_ID_HEADER: REQUEST_ID}


def test_a_worker_runs_the_task_under_the_header_id_then_forgets_it():
    class Request:
        is_eager = False

        def get(self, name):
            return {observability.TASK_REQUEST_ID_HEADER: REQUEST_ID}.get(name)

    class Task:
        request = Request()

    clear_guid()
    observability.request_id_prerun(task_id="t-1", task=Task())
    assert get_guid() == REQUEST_ID
    observability.request_id_postrun(task_id="t-1")
    assert get_guid() is None


def test_the_mask_hides_a_nik_in_message_arguments_traceback_and_extras(json_lines, nik_log_leaks):
    logger = logging.getLogger("tests.logging")
    logger.info("penerima %s ditolak", A_NIK, extra={"detail": {"nik": A_NIK}})
    try:
        raise ValueError(f"NIK {A_NIK} tidak valid")
    except ValueError:
        logger.exception("impor gagal")
    output = json.dumps(json_lines())
    assert A_NIK not in output
    assert "1812********0001" in output
    # The session-wide check saw both lines before the mask (then forget them: they were on purpose).
    ours = [leak for leak in nik_log_leaks if leak["logger"] == "tests.logging"]
    assert len(ours) == 2 and all(A_NIK not in leak["line"] for leak in ours)
    for leak in ours:
        nik_log_leaks.remove(leak)


def test_the_mask_keeps_numbers_that_are_not_sixteen_digits():
    assert observability.mask_niks("daerah 18.12, 150000000 rupiah, 12345678901234567") == (
        "daerah 18.12, 150000000 rupiah, 12345678901234567"
    )
    assert observability.mask_niks(f"NIK:{A_NIK}.") == "NIK:1812********0001."
    assert observability.mask_niks("selesai dalam 0.6475123456780377s") == "selesai dalam 0.6475123456780377s"


def test_plain_lines_carry_the_request_id_too():
    stream = io.StringIO()
    handler = handler_from_config("plain", stream)
    logger = logging.getLogger("tests.logging.plain")
    logger.addHandler(handler)
    set_guid(REQUEST_ID)
    try:
        logger.warning("laporan %s disetujui", 42)
    finally:
        clear_guid()
        logger.removeHandler(handler)
    assert f"WARNING [{REQUEST_ID}] tests.logging.plain laporan 42 disetujui" in stream.getvalue()


def test_celery_workers_log_through_the_django_logging_settings(monkeypatch):
    from spm.celery import app

    configured = []
    monkeypatch.setattr("logging.config.dictConfig", configured.append)
    monkeypatch.setattr(app.log, "already_setup", False)
    app.log.setup_logging_subsystem(loglevel="INFO")
    assert configured == [django_settings.LOGGING], "Celery would install its own root handler, without the mask"
