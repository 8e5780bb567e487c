"""Due-date reminders (Celery beat, daily): 7 days and 1 day before, to operators with unfinished reports."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings

from reporting.models import Notification
from reporting.services import period_get_or_create, reminders_send, report_submit
from reporting.tasks import send_due_reminders
from tests.reporting.conftest import fill_completely

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 7, 13)  # TW II 2026 is due on 20 July


@pytest.fixture
def due_period(daerah):
    return period_get_or_create(region=daerah, year=2026, quarter=2)


def test_operators_with_unfinished_reports_are_reminded_7_days_before(
    due_period, operator_a, operator_b, mailoutbox, django_capture_on_commit_callbacks
):
    operator_a.email = "dinkes@example.go.id"
    operator_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(on=TODAY) == 2  # one per OPD operator
    assert [m.subject for m in mailoutbox] == ["[e-SPM] Pengingat batas waktu"]
    assert mailoutbox[0].to == ["dinkes@example.go.id"]
    note = Notification.objects.get(user=operator_a)
    assert "tinggal 7 hari (20-07-2026)" in note.message and "Pelayanan kesehatan ibu hamil" in note.message
    assert Notification.objects.filter(user=operator_b, kind="reminder").exists()


def test_reminders_are_sent_once_per_day_and_threshold(due_period, operator_a, operator_b):
    reminders_send(on=TODAY)
    assert reminders_send(on=TODAY) == 0
    assert reminders_send(on=TODAY + dt.timedelta(days=1)) == 0  # 6 days before: no reminder
    assert reminders_send(on=dt.date(2026, 7, 19)) == 2  # 1 day before


def test_an_opd_that_has_submitted_everything_is_not_reminded(due_period, operator_a, agency_a, reviewer):
    from reporting.services import report_open

    for assignment in agency_a.assignments.select_related("service"):
        report = fill_completely(
            report_open(user=operator_a, period=due_period, service=assignment.service), operator_a
        )
        report_submit(report=report, user=operator_a, expected_version=report.version)
    assert reminders_send(on=TODAY) == 0


def test_reminders_and_nightly_recompute_are_scheduled_in_code():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"reporting.send_due_reminders", "reporting.recompute_open_year"} <= tasks
    assert send_due_reminders.name == "reporting.send_due_reminders"
