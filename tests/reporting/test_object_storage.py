"""Uploaded and generated files on S3-compatible object storage (STORAGE_BACKEND=s3), against moto's server
on loopback: every file goes to the bucket and comes back only through a permission-checked view; nothing in
the bucket answers an anonymous request; deleting and purging remove the objects (issue 15)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from storages.backends.s3 import S3Storage

from reporting import spreadsheet
from reporting.choices import ImportStatus
from reporting.models import Evidence, Recipient, RecipientImport
from reporting.recipients.services import _field_path, recipient_import_purge, recipient_import_start
from targets.documents import letterhead
from targets.models import RegionProfile
from targets.services import plan_approve, plan_create, plan_enact
from tests.reporting.conftest import PDF_BYTES, pdf_upload
from tests.reporting.recipients_support import YEAR, people, person, upload, xlsx_bytes
from tests.targets.test_action_plan import PDF, fill

PNG_1PX = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x03\x00\x08\xfc\x02\xfe\xa7\x9a\xa0\xa0\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _assert_private(bucket, keys) -> None:
    assert keys, "nothing was stored in the bucket"
    for key in keys:
        assert bucket.anonymous_get(key).status_code == 403, f"{key} answers an anonymous GET"


def test_the_s3_backend_is_the_one_in_use(s3_bucket):
    name = default_storage.save("uji/halo.txt", ContentFile(b"halo"))  # the storage every FileField uses
    assert isinstance(default_storage._wrapped, S3Storage)
    assert s3_bucket.read(name) == b"halo"
    with pytest.raises(NotImplementedError):
        default_storage.path(name)  # no local path: code must go through open()/the storage API


def test_evidence_goes_to_the_bucket_and_comes_back_only_through_the_view(
    client_for, operator_a, outsider, report, s3_bucket, django_capture_on_commit_callbacks
):
    client = client_for(operator_a)
    response = client.post(reverse("reporting:evidence-upload", args=[report.pk]), {"file": pdf_upload("sk.pdf")})
    assert response.status_code == 302
    evidence = Evidence.objects.get(report=report)
    assert s3_bucket.object_keys("bukti/") == [evidence.file.name]
    assert s3_bucket.read(evidence.file.name) == PDF_BYTES
    _assert_private(s3_bucket, s3_bucket.object_keys())

    download = reverse("reporting:evidence-download", args=[evidence.pk])
    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"] == 'attachment; filename="sk.pdf"'
    assert client_for(outsider).get(download).status_code == 404  # the same client, now the outsider's

    with django_capture_on_commit_callbacks(execute=True):
        client_for(operator_a).post(reverse("reporting:evidence-delete", args=[evidence.pk]))
    assert s3_bucket.object_keys("bukti/") == []


def test_evidence_missing_from_the_bucket_is_not_found(client_for, operator_a, report, s3_bucket):
    client = client_for(operator_a)
    client.post(reverse("reporting:evidence-upload", args=[report.pk]), {"file": pdf_upload()})
    evidence = Evidence.objects.get(report=report)
    s3_bucket.client.delete_object(Bucket=s3_bucket.name, Key=evidence.file.name)
    assert client.get(reverse("reporting:evidence-download", args=[evidence.pk])).status_code == 404


def _post_upload(client, service, rows):
    data = {"service": service.pk, "year": YEAR, "mode": "tambah", "file": upload(xlsx_bytes(rows))}
    return client.post(reverse("reporting:recipients-import"), data)


def test_recipient_import_upload_validate_report_and_commit_on_the_bucket(
    client_for, operator_a, leader, daerah, service_a, s3_bucket, django_capture_on_commit_callbacks
):
    client = client_for(operator_a)
    rows = people(6)
    rows[2][0] = "18120101"  # a short NIK: the validation writes an error report
    with django_capture_on_commit_callbacks(execute=True):
        assert _post_upload(client, service_a, rows).status_code == 302
    batch = RecipientImport.objects.get()
    assert batch.status == ImportStatus.VALIDATED and batch.rows_with_errors == 1
    assert set(s3_bucket.object_keys()) == {batch.file.name, batch.error_report.name}
    _assert_private(s3_bucket, s3_bucket.object_keys())

    report_url = reverse("reporting:recipients-import-report", kwargs={"pk": batch.pk})
    response = client.get(report_url)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["K4"].value.startswith("Baris 4: GALAT [NIK] NIK harus 16 digit angka")
    assert client_for(leader).get(report_url).status_code == 403
    client = client_for(operator_a)

    rows[2] = person(2)
    with django_capture_on_commit_callbacks(execute=True):
        _post_upload(client, service_a, rows)
    fixed = RecipientImport.objects.latest("id")
    assert fixed.status == ImportStatus.VALIDATED and fixed.rows_valid == 6
    assert fixed.staged_file.name in s3_bucket.object_keys()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:recipients-import-commit", kwargs={"pk": fixed.pk}))
    assert response.status_code == 302
    fixed.refresh_from_db()
    assert fixed.status == ImportStatus.COMMITTED and fixed.rows_stored == 6
    assert sorted(Recipient.objects.values_list("nik", flat=True)) == sorted(row[0] for row in rows)
    # The upload and the staged rows (personal data) are gone once stored; only the first import's files stay.
    assert fixed.file.name == fixed.staged_file.name == ""
    assert set(s3_bucket.object_keys()) == {batch.file.name, batch.error_report.name}


def test_purge_deletes_the_objects_of_ended_imports(
    operator_a, daerah, service_a, s3_bucket, django_capture_on_commit_callbacks
):
    rows = people(3)
    rows[0][0] = "123"
    batches = []
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):  # the validation runs after the commit
            batch = recipient_import_start(
                user=operator_a,
                region=daerah,
                service=service_a,
                year=YEAR,
                mode="tambah",
                upload=upload(xlsx_bytes(rows)),
            )
        batch.refresh_from_db()
        batches.append(batch)
    batch, kept = batches
    assert batch.error_report.name and len(s3_bucket.object_keys()) == 4
    RecipientImport.objects.filter(pk=batch.pk).update(created_at=timezone.now() - dt.timedelta(days=8))

    assert recipient_import_purge(older_than_days=7) == 1
    assert s3_bucket.object_keys() == sorted([kept.file.name, kept.error_report.name])
    batch.refresh_from_db()
    assert batch.file.name == batch.error_report.name == ""


def test_a_stored_file_is_copied_locally_within_a_bound(operator_a, daerah, service_a, s3_bucket):
    content = xlsx_bytes(people(2))
    batch = recipient_import_start(
        user=operator_a, region=daerah, service=service_a, year=YEAR, mode="tambah", upload=upload(content)
    )
    with _field_path(batch.file, max_bytes=batch.size) as path, open(path, "rb") as copy:
        assert copy.read() == s3_bucket.read(batch.file.name) == content
    with (
        pytest.raises(spreadsheet.SpreadsheetError, match="lebih besar"),
        _field_path(batch.file, max_bytes=batch.size - 1),
    ):
        pass


@pytest.mark.django_db
def test_the_lambang_is_read_from_the_bucket_into_the_kop(daerah, s3_bucket):
    profile = RegionProfile(region=daerah)
    profile.emblem.save("lambang.png", ContentFile(PNG_1PX), save=False)
    profile.save()
    assert s3_bucket.object_keys() == [profile.emblem.name]
    _assert_private(s3_bucket, s3_bucket.object_keys())
    kop = letterhead(daerah)
    assert kop.emblem_bytes == PNG_1PX and kop.emblem_ext == "png"


def test_signed_perkada_is_stored_in_the_bucket_and_streamed_to_those_who_see_the_plan(
    client_for, reviewer, outsider, daerah, agency_a, s3_bucket
):
    plan = plan_create(user=reviewer, region=daerah, references={})
    fill(plan, reviewer)
    plan = plan_enact(
        user=reviewer,
        plan=plan_approve(user=reviewer, plan=plan),
        perkada_number="12 Tahun 2026",
        perkada_date=dt.date(2026, 3, 1),
        document=SimpleUploadedFile("perkada.pdf", PDF),
    )
    assert s3_bucket.object_keys("rencana-aksi/") == [plan.signed_document.name]
    _assert_private(s3_bucket, s3_bucket.object_keys())

    url = reverse("targets:plan-signed-document", args=[plan.pk])
    client = client_for(reviewer)
    assert url in client.get(reverse("targets:plan-detail", args=[plan.pk])).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert client_for(outsider).get(url).status_code == 404


def test_readiness_checks_the_bucket(db, client, settings, s3_bucket):
    settings.CELERY_BROKER_URL = "memory://"  # only the storage matters here
    response = client.get(reverse("health-ready"))
    assert response.status_code == 200 and response.json()["checks"]["storage"] == "OK"
    assert s3_bucket.object_keys() == [], "the probe file is deleted"

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **s3_bucket.storage_settings(),
            "OPTIONS": {**s3_bucket.storage_settings()["OPTIONS"], "bucket_name": "uji-tidak-ada"},
        },
    }
    response = client.get(reverse("health-ready"))
    assert response.status_code == 503 and response.json()["checks"]["storage"] != "OK"
