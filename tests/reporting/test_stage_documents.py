"""Typed evidence and the documents each tahapan needs: the data file, the one completeness rule (meter and
submission), the upload form, the report page's checklist and the completeness matrix."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reporting import checks, stage_documents
from reporting.choices import EvidenceKind, ImplementationStage, StageStatus
from reporting.models import Evidence
from reporting.selectors import completeness_matrix, completeness_of
from reporting.services import evidence_add, report_save, report_submit
from tests.reporting.conftest import complete_input, fill_completely, pdf_upload

pytestmark = pytest.mark.django_db

ALL_DONE = dict.fromkeys(ImplementationStage.values, ("selesai", ""))


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _requirement(stage: str, kind: str, when=("selesai",)) -> checks.DocumentRequirement:
    return checks.DocumentRequirement(stage, stage, kind, kind, frozenset(when))


def _values(status: str, kinds: set[str]) -> checks.ReportValues:
    return checks.ReportValues(
        stages=(checks.StageValue("pengumpulan_data", "Pengumpulan data", status, ""),),
        evidence_count=len(kinds),
        evidence_kinds=frozenset(kinds),
        document_requirements=(_requirement("pengumpulan_data", "hasil_pengumpulan_data"),),
    )


def _section_f(values: checks.ReportValues) -> checks.SectionState:
    return next(s for s in checks.completeness(values) if s.code == "F")


# --- The pure rule ---------------------------------------------------------------------------------------


def test_a_finished_tahapan_without_its_document_leaves_section_f_incomplete():
    section = _section_f(_values("selesai", {"lainnya"}))
    assert not section.filled
    assert section.missing == ("hasil_pengumpulan_data (tahapan pengumpulan_data)",)


def test_a_tahapan_in_progress_does_not_need_its_document_yet():
    assert _section_f(_values("proses", {"lainnya"})).filled


def test_the_document_of_the_right_kind_fills_section_f():
    assert _section_f(_values("selesai", {"hasil_pengumpulan_data"})).filled


def test_checklist_lists_each_document_with_needed_and_present():
    [item] = checks.document_checklist(_values("selesai", {"lainnya"}))
    assert (item.kind, item.needed, item.present, item.missing) == ("hasil_pengumpulan_data", True, False, True)
    [item] = checks.document_checklist(_values("belum", set()))
    assert (item.needed, item.missing) == (False, False)


# --- The data file -------------------------------------------------------------------------------------------


def test_the_data_file_names_a_document_for_every_tahapan_with_its_source():
    rules = stage_documents.requirements()
    assert {r.stage for r in rules} == set(ImplementationStage.values)
    assert all(r.kind in EvidenceKind.values and r.kind != EvidenceKind.OTHER for r in rules)
    assert all(r.source and r.when <= set(StageStatus.values) for r in rules)
    assert stage_documents.version()


@pytest.mark.parametrize(
    ("data", "word"),
    [
        ({"stages": {"sosialisasi": {"documents": ["lainnya"]}}}, "sosialisasi"),
        ({"stages": {"pengumpulan_data": {"documents": ["foto"]}}}, "foto"),
        ({"stages": {"pengumpulan_data": {"when": ["tuntas"], "documents": []}}}, "tuntas"),
    ],
)
def test_an_unknown_tahapan_kind_or_status_in_the_data_is_refused_by_name(data, word):
    with pytest.raises(ValueError, match=word):
        stage_documents.parse(data)


# --- Services: the same rule blocks submission ------------------------------------------------------------


def test_submission_is_refused_until_each_finished_tahapan_has_its_document(report, operator_a):
    report_save(report=report, user=operator_a, data=complete_input(stages=ALL_DONE), expected_version=report.version)
    evidence_add(report=report, user=operator_a, upload=pdf_upload())  # untyped: "lainnya"
    report.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        report_submit(report=report, user=operator_a, expected_version=report.version)
    text = " ".join(refused.value.messages)
    assert "Hasil pengumpulan data" in text and "Bukti pelaksanaan" in text
    for kind in ("hasil_pengumpulan_data", "perhitungan_kebutuhan", "rencana_pemenuhan", "bukti_pelaksanaan"):
        evidence_add(report=report, user=operator_a, upload=pdf_upload(f"{kind}.pdf"), kind=kind)
    report.refresh_from_db()
    report_submit(report=report, user=operator_a, expected_version=report.version)
    report.refresh_from_db()
    assert report.status == "submitted"


def test_meter_and_submission_read_the_same_sections(report, operator_a):
    report_save(report=report, user=operator_a, data=complete_input(stages=ALL_DONE), expected_version=report.version)
    evidence_add(report=report, user=operator_a, upload=pdf_upload())
    report.refresh_from_db()
    f = next(s for s in completeness_of(report) if s.code == "F")
    assert len(f.missing) == 4  # the four tahapan are "selesai", none of their documents is uploaded


def test_an_unknown_kind_is_refused_and_nothing_is_stored(report, operator_a):
    with pytest.raises(ValidationError):
        evidence_add(report=report, user=operator_a, upload=pdf_upload(), kind="foto_selfie")
    assert not Evidence.objects.exists()


def test_evidence_without_a_kind_is_lainnya(report, operator_a):
    evidence = evidence_add(report=report, user=operator_a, upload=pdf_upload())
    assert evidence.kind == EvidenceKind.OTHER


# --- Pages ---------------------------------------------------------------------------------------------------


def test_upload_form_stores_the_chosen_kind_and_the_checklist_shows_it(client_for, operator_a, report):
    report_save(report=report, user=operator_a, data=complete_input(stages=ALL_DONE), expected_version=report.version)
    client = client_for(operator_a)
    url = reverse("reporting:evidence-upload", args=[report.pk])
    client.post(url, {"file": pdf_upload("data.pdf"), "kind": "hasil_pengumpulan_data"})
    assert Evidence.objects.get(report=report).kind == "hasil_pengumpulan_data"
    body = client.get(report.get_absolute_url()).content.decode()
    assert 'data-testid="dokumen-hasil_pengumpulan_data" data-needed="1" data-present="1"' in body
    assert 'data-testid="dokumen-bukti_pelaksanaan" data-needed="1" data-present="0"' in body


def test_upload_with_an_unknown_kind_is_refused_with_a_message(client_for, operator_a, report):
    client = client_for(operator_a)
    url = reverse("reporting:evidence-upload", args=[report.pk])
    body = client.post(url, {"file": pdf_upload(), "kind": "foto"}).content.decode()
    assert "Jenis dokumen: pilih salah satu dari daftar." in body
    assert not Evidence.objects.exists()


def test_another_opd_cannot_upload_typed_evidence(client_for, operator_b, report):
    url = reverse("reporting:evidence-upload", args=[report.pk])
    response = client_for(operator_b).post(url, {"file": pdf_upload(), "kind": "hasil_pengumpulan_data"})
    assert response.status_code == 404
    assert not Evidence.objects.exists()


def test_matrix_counts_the_documents_missing_per_report(client_for, reviewer, operator_a, report, daerah):
    report_save(report=report, user=operator_a, data=complete_input(stages=ALL_DONE), expected_version=report.version)
    _period, rows = completeness_matrix(daerah, year=2026, quarter=2)
    cell = next(c for row in rows for c in row.cells if c.report_id == report.pk)
    assert cell.documents_missing == 4
    evidence_add(report=report, user=operator_a, upload=pdf_upload(), kind="bukti_pelaksanaan")
    _period, rows = completeness_matrix(daerah, year=2026, quarter=2)
    assert next(c for row in rows for c in row.cells if c.report_id == report.pk).documents_missing == 3
    body = client_for(reviewer).get(reverse("reporting:matrix"), {"tahun": 2026, "triwulan": 2}).content.decode()
    assert f'data-testid="dokumen-kurang-{report.service.code}" aria-hidden="true">3<' in body
    assert 'data-testid="total-dokumen-kurang">3<' in body


def test_fill_completely_uploads_the_documents_its_tahapan_need(report, operator_a):
    report = fill_completely(report, operator_a)
    kinds = set(report.evidence.values_list("kind", flat=True))
    assert kinds == {"hasil_pengumpulan_data", "perhitungan_kebutuhan", "rencana_pemenuhan"}
