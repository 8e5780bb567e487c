"""Redis unreachable while a user acts: the decision or the upload stands, nobody sees a 500, and the task is
kept and run once the broker is back. (Against a real Redis that is stopped: ``test_faults.py``.)"""

from __future__ import annotations

import pytest
from django.urls import reverse
from kombu.exceptions import OperationalError

from reporting.choices import ImportStatus, ReportStatus
from reporting.models import Achievement, RecipientImport
from reporting.services import report_submit
from reporting.tasks import recompute_achievements, validate_recipient_import
from spm.models import PendingTask
from spm.tasks_safe import pending_tasks_send
from tests.reporting.conftest import fill_completely
from tests.reporting.recipients_support import YEAR, people, upload, xlsx_bytes

pytestmark = pytest.mark.django_db


def broker_down(*args, **kwargs):
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_approval_with_the_broker_down_stands_and_its_recompute_runs_later(
    client_for, reviewer, operator_a, report, monkeypatch, django_capture_on_commit_callbacks
):
    report = fill_completely(report, operator_a)
    report_submit(report=report, user=operator_a, expected_version=report.version)
    monkeypatch.setattr(recompute_achievements, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(reviewer).post(reverse("reporting:review-approve", args=[report.pk]), {"comment": "Ok."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    pending = PendingTask.objects.get()
    assert pending.task == "reporting.recompute_achievements" and pending.args == [report.region_id, 2026]
    assert not Achievement.objects.exists()
    monkeypatch.undo()  # the broker is back: the next run of spm.send_pending_tasks catches up
    assert pending_tasks_send() == 1
    assert Achievement.objects.filter(region=report.region, year=2026, quarter=2, is_current=True).exists()
    assert not PendingTask.objects.exists()


def test_upload_with_the_broker_down_waits_in_the_queue(
    client_for, operator_a, service_a, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(validate_recipient_import, "delay", broker_down)
    client = client_for(operator_a)
    data = {"service": service_a.pk, "year": YEAR, "mode": "tambah", "file": upload(xlsx_bytes(people(3)))}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:recipients-import"), data)
    assert response.status_code == 302
    batch = RecipientImport.objects.get()
    assert batch.status == ImportStatus.UPLOADED
    assert "Menunggu antrean validasi" in client.get(batch.get_absolute_url()).content.decode()
    monkeypatch.undo()
    assert pending_tasks_send() == 1
    batch.refresh_from_db()
    assert batch.status == ImportStatus.VALIDATED and batch.rows_read == 3
