"""Retention of recipient-import files (data minimisation, UU 27/2022): the daily purge deletes the upload,
the staged rows and the error workbook of imports older than RECIPIENT_IMPORT_RETENTION_DAYS, and keeps
younger ones."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from reporting.models import RecipientImport
from reporting.tasks import purge_recipient_import_files
from tests.reporting.recipients_support import people
from tests.reporting.test_recipient_import import imported

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _files(batch: RecipientImport) -> dict[str, str]:
    batch.refresh_from_db()
    return {name: getattr(batch, name).name for name in ("file", "staged_file", "error_report")}


def _age(batch: RecipientImport, days: float) -> None:
    RecipientImport.objects.filter(pk=batch.pk).update(created_at=timezone.now() - dt.timedelta(days=days))


def test_purge_deletes_old_error_workbooks_and_staged_files_and_keeps_young_ones(
    operator_a, daerah, service_a, media, settings
):
    settings.RECIPIENT_IMPORT_RETENTION_DAYS = 7
    with_errors = people(2)
    with_errors[0][0] = "123"  # a NIK of three digits: an error workbook is written
    old_errors = imported(operator_a, daerah, service_a, with_errors)
    young_errors = imported(operator_a, daerah, service_a, with_errors)
    old_staged = imported(operator_a, daerah, service_a, people(2, start=20))  # valid, waiting for "Simpan"
    young_staged = imported(operator_a, daerah, service_a, people(2, start=40))
    for batch in (old_errors, young_errors):
        assert _files(batch)["error_report"], "an import with errors has an error workbook"
    for batch in (old_staged, young_staged):
        assert _files(batch)["staged_file"], "a validated import has its staged rows"
    _age(old_errors, 8)
    _age(old_staged, 7.5)
    _age(young_errors, 6.5)
    before = {batch.pk: _files(batch) for batch in (old_errors, young_errors, old_staged, young_staged)}
    storage = old_errors.file.storage
    assert all(storage.exists(name) for files in before.values() for name in files.values() if name)

    assert purge_recipient_import_files() == 2

    for batch in (old_errors, old_staged):
        assert _files(batch) == {"file": "", "staged_file": "", "error_report": ""}
        assert not any(storage.exists(name) for name in before[batch.pk].values() if name)
    for batch in (young_errors, young_staged):
        assert _files(batch) == before[batch.pk]
        assert all(storage.exists(name) for name in before[batch.pk].values() if name)
    assert purge_recipient_import_files() == 0  # nothing left to purge: idempotent
