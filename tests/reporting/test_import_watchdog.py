"""Nothing lost when a worker dies: the heartbeat of a running import, the watchdog that re-queues or fails it,
cancelling a validation in progress, and the time limits. (The same with a real worker killed by SIGKILL is in
``test_faults.py``.)"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.urls import reverse
from django.utils import timezone

from reporting.choices import ImportStatus
from reporting.models import Recipient, RecipientImport
from reporting.recipients import services as service_layer
from reporting.recipients.services import recipient_import_start, recipient_import_validate
from reporting.recipients.store import recipient_import_commit, recipient_import_confirm
from reporting.recipients.watchdog import STOPPED_MESSAGE, recipient_imports_watch
from reporting.tasks import commit_recipient_import
from tests.reporting.recipients_support import YEAR, people, stored_files, upload, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def held(monkeypatch):
    """The upload's and the confirmation's own tasks are lost (as with a worker killed before it started)."""
    monkeypatch.setattr(service_layer, "_enqueue", lambda step, import_id: None)


def uploaded(user, daerah, service, count: int = 3) -> RecipientImport:
    return recipient_import_start(
        user=user, region=daerah, service=service, year=YEAR, mode="tambah", upload=upload(xlsx_bytes(people(count)))
    )


def silence(batch: RecipientImport, **fields) -> None:
    """The import's worker gave no sign of life for longer than the timeout."""
    from django.conf import settings

    old = timezone.now() - dt.timedelta(seconds=settings.RECIPIENT_IMPORT_HEARTBEAT_TIMEOUT + 5)
    RecipientImport.objects.filter(pk=batch.pk).update(heartbeat_at=old, **fields)


def watch(django_capture_on_commit_callbacks) -> dict:
    with django_capture_on_commit_callbacks(execute=True):
        return recipient_imports_watch()


def test_upload_and_progress_points_beat(operator_a, daerah, service_a, media, held, monkeypatch):
    batch = uploaded(operator_a, daerah, service_a, 4)
    assert batch.heartbeat_at is not None and batch.attempts == 0
    beats = []
    original = service_layer._progress
    monkeypatch.setattr(service_layer, "PROGRESS_EVERY", 1)

    def beating(batch_id, **fields):
        original(batch_id, **fields)
        beats.append(RecipientImport.objects.get().heartbeat_at)

    monkeypatch.setattr(service_layer, "_progress", beating)
    recipient_import_validate(batch.pk)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.VALIDATED and batch.attempts == 1
    assert len(beats) == 4 and beats == sorted(beats) and beats[0] >= batch.created_at


def test_a_running_validation_is_left_alone(
    operator_a, daerah, service_a, media, held, django_capture_on_commit_callbacks
):
    batch = uploaded(operator_a, daerah, service_a)
    RecipientImport.objects.filter(pk=batch.pk).update(status=ImportStatus.VALIDATING, attempts=1)
    assert watch(django_capture_on_commit_callbacks) == {"requeued": 0, "failed": 0}
    assert recipient_import_validate(batch.pk) is None  # a duplicate message does not start a second run
    batch.refresh_from_db()
    assert batch.status == ImportStatus.VALIDATING and batch.attempts == 1


def test_watchdog_restarts_a_validation_whose_worker_died(
    operator_a, daerah, service_a, media, held, django_capture_on_commit_callbacks, monkeypatch
):
    batch = uploaded(operator_a, daerah, service_a, 5)
    silence(batch, status=ImportStatus.VALIDATING, attempts=1, rows_processed=3)
    monkeypatch.undo()  # the re-queued task runs (eagerly)
    assert watch(django_capture_on_commit_callbacks) == {"requeued": 1, "failed": 0}
    batch.refresh_from_db()
    assert (batch.status, batch.rows_read, batch.rows_valid, batch.attempts) == (ImportStatus.VALIDATED, 5, 5, 2)


def test_watchdog_sends_a_lost_upload_again(
    operator_a, daerah, service_a, media, held, django_capture_on_commit_callbacks, monkeypatch
):
    batch = uploaded(operator_a, daerah, service_a)
    silence(batch)
    monkeypatch.undo()
    assert watch(django_capture_on_commit_callbacks)["requeued"] == 1
    batch.refresh_from_db()
    assert batch.status == ImportStatus.VALIDATED and batch.attempts == 1


def test_after_too_many_attempts_the_import_fails_with_a_message_and_its_files_go(
    client_for, operator_a, daerah, service_a, media, held, django_capture_on_commit_callbacks
):
    batch = uploaded(operator_a, daerah, service_a)
    assert stored_files(Path(media))
    silence(batch, status=ImportStatus.VALIDATING, attempts=3)
    assert watch(django_capture_on_commit_callbacks) == {"requeued": 0, "failed": 1}
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED and batch.failure_message == STOPPED_MESSAGE
    assert not batch.file and stored_files(Path(media)) == []
    body = client_for(operator_a).get(batch.get_absolute_url()).content.decode()
    assert "Proses impor terhenti karena pekerja berhenti; unggah ulang atau coba lagi" in body
    assert "hx-trigger" not in body  # the page stops polling


def test_watchdog_stores_a_lost_commit_exactly_once(
    operator_a, daerah, service_a, media, held, django_capture_on_commit_callbacks, monkeypatch
):
    batch = uploaded(operator_a, daerah, service_a, 4)
    recipient_import_validate(batch.pk)
    batch.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        recipient_import_confirm(user=operator_a, batch=batch)  # its task is lost
    silence(batch)
    monkeypatch.undo()
    assert watch(django_capture_on_commit_callbacks)["requeued"] == 1
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED and batch.rows_stored == 4 and batch.attempts == 1
    # the lost original arrives after all: nothing is stored twice
    assert commit_recipient_import(batch.pk) == {"import": batch.pk, "status": "skipped"}
    assert Recipient.objects.count() == 4


def test_cancelling_stops_a_validation_at_its_next_progress_point(
    operator_a, daerah, service_a, media, held, monkeypatch, django_capture_on_commit_callbacks
):
    batch = uploaded(operator_a, daerah, service_a, 6)
    original = service_layer._progress
    monkeypatch.setattr(service_layer, "PROGRESS_EVERY", 1)

    def cancel_at_row_two(batch_id, **fields):
        if fields.get("rows_processed") == 2:
            service_layer.recipient_import_cancel(user=operator_a, batch=RecipientImport.objects.get(pk=batch_id))
        original(batch_id, **fields)

    monkeypatch.setattr(service_layer, "_progress", cancel_at_row_two)
    with django_capture_on_commit_callbacks(execute=True):
        assert recipient_import_validate(batch.pk) is None
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CANCELLED and batch.rows_processed == 1
    assert not batch.staged_file and not batch.error_report and stored_files(Path(media)) == []


def test_a_run_taken_over_by_a_requeued_one_stops(operator_a, daerah, service_a, media, held, monkeypatch):
    batch = uploaded(operator_a, daerah, service_a, 4)
    original = service_layer._progress
    monkeypatch.setattr(service_layer, "PROGRESS_EVERY", 1)

    def taken_over(batch_id, **fields):
        RecipientImport.objects.filter(pk=batch_id).update(attempts=5)  # another run claimed it meanwhile
        original(batch_id, **fields)

    monkeypatch.setattr(service_layer, "_progress", taken_over)
    assert recipient_import_validate(batch.pk) is None
    batch.refresh_from_db()
    assert batch.status == ImportStatus.VALIDATING and not batch.staged_file  # left to the other run


@pytest.mark.parametrize("status", [ImportStatus.UPLOADED, ImportStatus.VALIDATING])
def test_status_page_offers_cancel_while_waiting_or_validating(
    client_for, operator_a, operator_b, daerah, service_a, media, held, status
):
    batch = uploaded(operator_a, daerah, service_a)
    RecipientImport.objects.filter(pk=batch.pk).update(status=status)
    body = client_for(operator_a).get(batch.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="tombol-batal"' in body and 'hx-trigger="every 1s"' in body
    if status == ImportStatus.UPLOADED:
        assert "Menunggu antrean validasi" in body
    assert client_for(operator_b).get(batch.get_absolute_url()).status_code == 404  # another OPD's import
    response = client_for(operator_a).post(reverse("reporting:recipients-import-cancel", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CANCELLED


def test_no_cancel_while_storing(client_for, operator_a, daerah, service_a, media, held):
    batch = uploaded(operator_a, daerah, service_a)
    RecipientImport.objects.filter(pk=batch.pk).update(status=ImportStatus.COMMITTING)
    body = client_for(operator_a).get(batch.get_absolute_url()).content.decode()
    assert 'data-testid="tombol-batal"' not in body


def test_validation_over_its_time_limit_fails_with_the_reason(
    operator_a, daerah, service_a, media, held, monkeypatch, django_capture_on_commit_callbacks
):
    batch = uploaded(operator_a, daerah, service_a)

    def too_long(*args):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(service_layer, "_validate_file", too_long)
    with django_capture_on_commit_callbacks(execute=True):
        recipient_import_validate(batch.pk)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED and "batas waktu" in batch.failure_message
    assert not batch.file and stored_files(Path(media)) == []


def test_commit_over_its_time_limit_stores_nothing_and_fails(
    operator_a, daerah, service_a, media, held, monkeypatch, django_capture_on_commit_callbacks
):
    from reporting.recipients import store

    batch = uploaded(operator_a, daerah, service_a)
    recipient_import_validate(batch.pk)
    batch.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        batch = recipient_import_confirm(user=operator_a, batch=batch)

    def too_long(batch):
        Recipient.objects.create(
            region=daerah, service=service_a, year=YEAR, nik="1" * 16, name="x", sex="P",
            birth_date=dt.date(1990, 1, 1), address="x", service_date=dt.date(YEAR, 1, 2), quarter=1,
        )  # fmt: skip
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(store, "_write_recipients", too_long)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(service_layer.RecipientImportError):
        recipient_import_commit(user=operator_a, batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED and "batas waktu" in batch.failure_message
    assert Recipient.objects.count() == 0 and stored_files(Path(media)) == []
