"""Target pages: who sees what (404 outside scope), entry and review through the pages, xlsx export/import."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from targets.models import Target, TargetImport, TargetRevision
from targets.selectors import approved_must_serve
from targets.services import target_save, target_submit
from tests.targets.conftest import approved_target, target_input

pytestmark = pytest.mark.django_db

LIST = reverse("targets:target-list")
DETAIL = reverse("targets:target-detail", kwargs={"year": 2026, "code": "1.02.K01"})


def post_target(client, must_serve="1200", action="save", **extra):
    data = {
        "must_serve": must_serve,
        "quality_barang_jasa": "40",
        "quality_sdm": "12",
        "quality_tata_cara": "4",
        "note": "Proyeksi BPS",
        "action": action,
        **extra,
    }
    return client.post(DETAIL, data)


def test_operator_sets_and_submits_a_target_on_the_page(client_for, operator_a, daerah, service_a):
    client = client_for(operator_a)
    response = post_target(client, action="submit")
    assert response.status_code == 302
    revision = TargetRevision.objects.get()
    assert revision.status == "submitted" and revision.must_serve == 1200
    body = client.get(DETAIL).content.decode()
    assert 'data-testid="status-revisi"' in body and "Diajukan" in body


def test_negative_target_is_shown_next_to_the_field(client_for, operator_a, daerah):
    response = post_target(client_for(operator_a), must_serve="-5")
    assert response.status_code == 200
    assert "Jumlah yang harus dilayani tidak boleh negatif." in response.content.decode()
    assert not TargetRevision.objects.exists()


def test_operator_of_another_opd_gets_404(client_for, operator_b, daerah):
    client = client_for(operator_b)
    assert client.get(DETAIL).status_code == 404
    assert post_target(client).status_code == 404


def test_outsider_gets_404_for_our_daerah(client_for, outsider, daerah):
    client = client_for(outsider)
    assert client.get(LIST, {"daerah": daerah.code}).status_code == 404
    assert client.get(DETAIL, {"daerah": daerah.code}).status_code == 404


def test_leader_reads_but_cannot_post(client_for, leader, daerah):
    client = client_for(leader)
    assert client.get(DETAIL).status_code == 200
    assert post_target(client).status_code == 403


def test_reviewer_approves_on_the_page(client_for, operator_a, reviewer, daerah, service_a):
    revision = target_save(user=operator_a, region=daerah, service=service_a, year=2026, data=target_input(1200))
    target_submit(revision=revision, user=operator_a)
    client = client_for(reviewer)
    assert 'data-testid="setujui-target"' in client.get(DETAIL).content.decode()
    url = reverse("targets:target-review", args=[revision.pk])
    assert client.post(url, {"action": "approve"}).status_code == 302
    assert approved_must_serve(region=daerah, service=service_a, year=2026) == 1200


def test_return_without_comment_shows_the_message(client_for, operator_a, reviewer, daerah, service_a):
    revision = target_save(user=operator_a, region=daerah, service=service_a, year=2026, data=target_input())
    target_submit(revision=revision, user=operator_a)
    response = client_for(reviewer).post(
        reverse("targets:target-review", args=[revision.pk]), {"action": "return"}, follow=True
    )
    assert "Komentar wajib diisi saat mengembalikan target." in response.content.decode()


def test_outsider_cannot_review(client_for, operator_a, outsider, daerah, service_a):
    revision = target_save(user=operator_a, region=daerah, service=service_a, year=2026, data=target_input())
    target_submit(revision=revision, user=operator_a)
    response = client_for(outsider).post(reverse("targets:target-review", args=[revision.pk]), {"action": "approve"})
    assert response.status_code == 404


def test_gap_with_named_recipients_is_flagged_on_the_page(client_for, operator_a, daerah, service_a, monkeypatch):
    monkeypatch.setattr("targets.selectors.named_recipient_count", lambda *a: 850)
    target_save(user=operator_a, region=daerah, service=service_a, year=2026, data=target_input(1000))
    body = client_for(operator_a).get(DETAIL).content.decode()
    assert 'data-testid="selisih-target"' in body and "15,00%" in body


def test_list_query_count_does_not_grow_with_targets(
    client_for, reviewer, operator_a, operator_b, daerah, django_assert_max_num_queries
):
    from spm.models import BasicService

    client = client_for(reviewer)
    approved_target(operator_a, reviewer, daerah, BasicService.objects.get(code="1.02.K01"), 2026)
    with django_assert_max_num_queries(15) as first:
        client.get(LIST, {"tahun": 2026})
    for code in ("1.02.K02", "1.02.K03"):
        approved_target(operator_a, reviewer, daerah, BasicService.objects.get(code=code), 2026)
    target_save(
        user=operator_b,
        region=daerah,
        service=BasicService.objects.get(code="1.01.K1"),
        year=2026,
        data=_education_input(),
    )
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(LIST, {"tahun": 2026})
    assert sum(1 for r in response.context["rows"] if r.target) == 4


def _education_input():
    from targets.services import TargetInput

    return TargetInput(must_serve=500)


def test_operator_list_shows_only_its_services(client_for, operator_a, agency_b):
    rows = client_for(operator_a).get(LIST, {"tahun": 2026}).context["rows"]
    assert {r.service.code for r in rows} == {"1.02.K01", "1.02.K02", "1.02.K03"}


def _workbook(rows: list[list]) -> SimpleUploadedFile:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(
        ["kode_daerah", "kode_layanan", "tahun", "harus_dilayani", "mutu_barang_jasa", "mutu_sdm", "mutu_tata_cara"]
    )
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("target.xlsx", buffer.getvalue())


IMPORT = reverse("targets:target-import")


def test_import_dry_run_then_confirm(client_for, operator_a, daerah):
    client = client_for(operator_a)
    upload = _workbook([["18.12", "1.02.K01", 2026, 1000, 40, 12, 4], ["18.12", "1.02.K02", 2026, 800, 10, 5, 2]])
    response = client.post(IMPORT, {"file": upload, "action": "dry_run"})
    assert 'data-testid="pratinjau-impor"' in response.content.decode()
    assert not Target.objects.exists()  # a dry run writes nothing
    batch = response.context["batch"]  # the upload waits on its own row, confirmed by id
    assert TargetImport.objects.get(pk=batch.pk).file
    response = client.post(IMPORT, {"action": "confirm", "import": batch.pk})
    assert response.status_code == 302
    assert dict(TargetRevision.objects.values_list("target__service__code", "must_serve")) == {
        "1.02.K01": 1000,
        "1.02.K02": 800,
    }
    batch.refresh_from_db()
    assert batch.status == TargetImport.Status.CONFIRMED and batch.saved == 2 and not batch.file
    # Confirmed once only; another user cannot confirm someone else's upload (404: not theirs).
    assert client.post(IMPORT, {"action": "confirm", "import": batch.pk}).status_code == 404
    assert TargetRevision.objects.count() == 2


def test_another_operator_cannot_confirm_an_upload(client_for, operator_a, operator_b, daerah):
    upload = _workbook([["18.12", "1.02.K01", 2026, 1000, 40, 12, 4]])
    batch = client_for(operator_a).post(IMPORT, {"file": upload, "action": "dry_run"}).context["batch"]
    assert client_for(operator_b).post(IMPORT, {"action": "confirm", "import": batch.pk}).status_code == 404
    assert not Target.objects.exists()


def test_import_reports_row_and_column_errors_and_writes_nothing(client_for, operator_a, daerah):
    client = client_for(operator_a)
    upload = _workbook(
        [
            ["18.12", "1.02.K01", 2026, 1000, 40, 12, 4],
            ["18.12", "1.02.K02", 2026, "seribu", 10, 5, 2],
            ["18.12", "1.01.K1", 2026, 10, None, None, None],
            ["18.12", "9.99", 2026, -3, None, None, None],
        ]
    )
    response = client.post(IMPORT, {"file": upload, "action": "dry_run"})
    errors = response.context["result"].errors
    assert (3, "harus_dilayani", "Kolom harus_dilayani: 'seribu' bukan bilangan bulat.") in errors
    assert any(e[0] == 4 and "tidak berwenang" in e[2] for e in errors)
    assert (5, "kode_layanan", "Kode jenis pelayanan dasar '9.99' tidak dikenal.") in errors
    assert "batch" not in response.context  # nothing kept to confirm
    assert not TargetImport.objects.exists()
    assert client.post(IMPORT, {"action": "confirm"}).status_code == 404  # nothing waiting
    assert not Target.objects.exists()


def test_a_formula_cell_in_the_target_workbook_is_an_error_naming_row_and_column(client_for, operator_a, daerah):
    """An import reads what the user typed, never a formula's cached value (issue 10)."""
    upload = _workbook([["18.12", "1.02.K01", 2026, "=2*500", 40, 12, 4]])
    response = client_for(operator_a).post(IMPORT, {"file": upload, "action": "dry_run"})
    errors = response.context["sheet_errors"]
    assert errors == [
        (
            2,
            "harus_dilayani",
            "Baris 2 kolom harus_dilayani: rumus tidak diperbolehkan; ketik nilainya (salin sel, "
            "lalu Tempel Khusus > Nilai).",
        )
    ]
    assert "batch" not in response.context and not Target.objects.exists()


def test_import_refused_to_leader(client_for, leader):
    assert client_for(leader).get(IMPORT).status_code == 403


def test_export_round_trips_through_import(client_for, operator_a, reviewer, daerah, service_a):
    approved_target(operator_a, reviewer, daerah, service_a, 2026, 1234)
    response = client_for(reviewer).get(reverse("targets:target-export"), {"tahun": 2026})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["kode_layanan"] == "1.02.K01" and row["harus_dilayani"] == 1234 and row["mutu_sdm"] == 12
    assert row["status"] == "Disetujui"
    response = client_for(operator_a).post(
        IMPORT, {"file": SimpleUploadedFile("t.xlsx", response.content), "action": "dry_run"}
    )
    assert response.context["result"].ok


def test_export_refused_outside_scope(client_for, outsider, daerah):
    assert client_for(outsider).get(reverse("targets:target-export"), {"daerah": daerah.code}).status_code == 404


def test_nav_shows_targets_to_operator_but_not_to_provincial_viewer(client_for, operator_a, provincial_viewer):
    assert "Target &amp; rencana aksi" in client_for(operator_a).get("/").content.decode()
    assert "Target &amp; rencana aksi" not in client_for(provincial_viewer).get("/").content.decode()


def test_import_refuses_a_zip_bomb_before_reading_it(client_for, operator_a, tmp_path):
    from tests.reporting.xlsx_files import write_padded_xlsx

    path = tmp_path / "bom.xlsx"
    write_padded_xlsx(
        path,
        [["kode_daerah", "kode_layanan", "tahun", "harus_dilayani"], ["18.12", "1.02.K01", 2026, 1]],
        padding_mb=32,
    )
    response = client_for(operator_a).post(
        IMPORT, {"file": SimpleUploadedFile("t.xlsx", path.read_bytes()), "action": "dry_run"}
    )
    assert response.status_code == 200
    assert any("bom zip" in message for _row, _column, message in response.context["sheet_errors"])
    assert not Target.objects.exists()
