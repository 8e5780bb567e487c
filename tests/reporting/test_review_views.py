"""Pages of the verifikator and the admin: review queue, review, matrix and its xlsx, periods, unlock.

Every page is tried with the personas who must be refused.
"""

from __future__ import annotations

import datetime as dt
import re
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reporting.choices import PeriodStatus, ReportStatus
from reporting.models import PeriodEvent, QuarterlyReport, ReportTransition, ReviewComment
from reporting.selectors import completeness_matrix
from reporting.services import (
    CommentInput,
    ReportInput,
    evidence_add,
    period_get_or_create,
    report_approve,
    report_open,
    report_return,
    report_save,
    report_submit,
)
from spm.choices import GovernmentLevel
from spm.models import BasicService, QualityComponent
from spm.services import service_assign
from tests.factories import AgencyFactory
from tests.reporting.conftest import fill_completely, pdf_upload

pytestmark = pytest.mark.django_db


def submit(report: QuarterlyReport, operator, **overrides) -> QuarterlyReport:
    report = fill_completely(report, operator, **overrides)
    report_submit(report=report, user=operator, expected_version=report.version)
    report.refresh_from_db()
    return report


@pytest.fixture
def submitted(report, operator_a) -> QuarterlyReport:
    return submit(report, operator_a)


def open_report(operator, period, code: str) -> QuarterlyReport:
    return report_open(user=operator, period=period, service=BasicService.objects.get(code=code))


def return_data(rows: list[tuple[str, str]], summary: str = "", total: int = 5) -> dict:
    data = {
        "catatan-TOTAL_FORMS": str(total),
        "catatan-INITIAL_FORMS": "0",
        "catatan-MIN_NUM_FORMS": "0",
        "catatan-MAX_NUM_FORMS": "30",
        "summary": summary,
    }
    for index in range(total):
        anchor, text = rows[index] if index < len(rows) else ("", "")
        data[f"catatan-{index}-anchor"] = anchor
        data[f"catatan-{index}-text"] = text
    return data


# --- Review queue -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["operator_a", "operator_b"])
def test_operators_are_refused_the_review_queue(persona, request, client_for, submitted):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("reporting:review-queue")).status_code == 403


def test_anonymous_user_is_sent_to_login(client, reference_data):
    response = client.get(reverse("reporting:review-queue"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_queue_lists_submitted_reports_oldest_first_with_late_badge_and_completeness(
    client_for, reviewer, operator_a, period, report
):
    first = submit(report, operator_a)
    period.due_date = timezone.localdate() - dt.timedelta(days=1)
    period.opens_on = period.due_date - dt.timedelta(days=60)
    period.save()
    second = submit(open_report(operator_a, period, "1.02.K02"), operator_a)
    assert second.is_late and not first.is_late

    body = client_for(reviewer).get(reverse("reporting:review-queue")).content.decode()
    rows = re.findall(r'data-testid="baris-antrean" data-report="(\d+)"', body)
    assert rows == [str(first.pk), str(second.pk)]
    assert body.count('data-testid="badge-terlambat"') == 1
    assert "Dinas Kesehatan" in body and "Pelayanan kesehatan ibu bersalin" in body and "TW II 2026" in body
    assert 'aria-valuenow="100"' in body
    assert reverse("reporting:review", args=[first.pk]) in body


def test_queue_tabs_show_returned_and_approved_and_filter_by_triwulan(
    client_for, reviewer, operator_a, period, report, daerah
):
    returned = submit(report, operator_a)
    report_return(report=returned, user=reviewer, comments=[CommentInput("A", "Periksa lagi.")])
    approved = submit(open_report(operator_a, period, "1.02.K02"), operator_a)
    report_approve(report=approved, user=reviewer)
    client = client_for(reviewer)

    body = client.get(reverse("reporting:review-queue")).content.decode()
    assert 'data-testid="baris-antrean"' not in body and "Tidak ada laporan" in body
    body = client.get(reverse("reporting:review-queue"), {"status": "returned"}).content.decode()
    assert re.findall(r'data-report="(\d+)"', body) == [str(returned.pk)]
    body = client.get(reverse("reporting:review-queue"), {"status": "approved"}).content.decode()
    assert re.findall(r'data-report="(\d+)"', body) == [str(approved.pk)]
    body = client.get(reverse("reporting:review-queue"), {"status": "approved", "triwulan": 1}).content.decode()
    assert 'data-testid="baris-antrean"' not in body


def test_outsider_sees_only_its_own_daerah_in_the_queue(client_for, outsider, submitted):
    response = client_for(outsider).get(reverse("reporting:review-queue"))
    assert response.status_code == 200
    assert 'data-testid="baris-antrean"' not in response.content.decode()


@pytest.mark.parametrize("persona", ["leader", "provincial_viewer", "admin_user"])
def test_read_only_roles_and_admin_see_the_queue(persona, request, client_for, submitted):
    body = client_for(request.getfixturevalue(persona)).get(reverse("reporting:review-queue")).content.decode()
    assert re.findall(r'data-report="(\d+)"', body) == [str(submitted.pk)]


def test_queue_query_count_does_not_grow_with_reports(
    client_for, reviewer, operator_a, period, report, django_assert_max_num_queries
):
    submit(report, operator_a)
    client = client_for(reviewer)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("reporting:review-queue"))
    for code in ("1.02.K02", "1.02.K03"):
        submit(open_report(operator_a, period, code), operator_a)
    with django_assert_max_num_queries(len(one)):
        body = client.get(reverse("reporting:review-queue")).content.decode()
    assert body.count('data-testid="baris-antrean"') == 3
    assert len(one) <= 12


# --- Review page ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "status"), [("operator_a", 403), ("operator_b", 404)])
def test_operators_are_refused_the_review_page(persona, status, request, client_for, submitted):
    """The report's own OPD is refused the page (403); another OPD does not see the report at all (404)."""
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("reporting:review", args=[submitted.pk])).status_code == status


def test_outsider_gets_404_on_our_report(client_for, outsider, submitted):
    client = client_for(outsider)
    assert client.get(reverse("reporting:review", args=[submitted.pk])).status_code == 404
    response = client.post(reverse("reporting:review-approve", args=[submitted.pk]))
    assert response.status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED


@pytest.mark.parametrize("persona", ["leader", "provincial_viewer"])
def test_read_only_roles_see_the_report_but_cannot_approve_or_return(persona, request, client_for, submitted):
    client = client_for(request.getfixturevalue(persona))
    body = client.get(reverse("reporting:review", args=[submitted.pk])).content.decode()
    assert "Pelayanan kesehatan ibu hamil" in body
    assert 'data-testid="approve-form"' not in body and 'data-testid="return-form"' not in body
    assert client.post(reverse("reporting:review-approve", args=[submitted.pk])).status_code == 403
    response = client.post(reverse("reporting:review-return", args=[submitted.pk]), return_data([("A", "x")]))
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED and not ReviewComment.objects.exists()


def test_review_page_compares_with_the_previous_triwulan(client_for, reviewer, operator_a, daerah, report, submitted):
    q1 = open_report(operator_a, period_get_or_create(region=daerah, year=2026, quarter=1), "1.02.K01")
    fill_completely(q1, operator_a, scalars={"served": 200, "budget_allocated": 120_000_000})
    body = client_for(reviewer).get(reverse("reporting:review", args=[submitted.pk])).content.decode()
    compare = body[body.index('data-testid="perbandingan"') : body.index('data-testid="dokumen-pendukung"')]
    assert "TW I 2026" in compare and "TW II 2026" in compare
    assert "Rp 150.000.000" in compare and "Rp 120.000.000" in compare
    assert "1.000" in compare  # jumlah yang harus dilayani, with thousands separator
    assert "44,00 %" in compare and "20,00 %" in compare  # capaian penerima (cumulative): 440 and 200 of 1.000
    for section in "ABCDE":
        assert f'data-testid="bagian-{section}"' in compare
    assert "Penugasan bidan bergilir" in compare and "Pelaksanaan pemenuhan pelayanan dasar" in compare


def test_reviewer_sees_decision_forms_evidence_links_and_no_figure_inputs(client_for, reviewer, submitted):
    body = client_for(reviewer).get(reverse("reporting:review", args=[submitted.pk])).content.decode()
    assert 'data-testid="approve-button"' in body and 'data-testid="return-form"' in body
    assert body.count('data-testid="comment-row"') == 3
    for evidence in submitted.evidence.all():
        assert reverse("reporting:evidence-download", args=[evidence.pk]) in body and evidence.original_name in body
    assert submitted.get_absolute_url() in body
    for name in ("must_serve", "served", "budget_allocated", "budget_realised", "problems"):
        assert f'name="{name}"' not in body
    assert '<option value="quality-sdm">' in body and '<option value="stage-pengumpulan_data">' in body
    assert '<option value="served">' in body and '<option value="F">' in body


def test_return_with_anchored_comments_creates_comment_rows_with_their_labels(
    client_for, reviewer, operator_a, submitted, service_a
):
    rows = [
        ("served", "Angka tidak sesuai data puskesmas."),
        ("quality-sdm", "Jumlah bidan berbeda dengan SISDMK."),
        ("C", "Lampirkan DPA."),
        ("stage-pelaksanaan_pemenuhan", "Jelaskan kegiatan yang sudah berjalan."),
    ]
    response = client_for(reviewer).post(
        reverse("reporting:review-return", args=[submitted.pk]), return_data(rows, summary="Mohon diperbaiki.")
    )
    assert response.status_code == 302 and response["Location"] == reverse("reporting:review-queue")
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.RETURNED
    sdm = QualityComponent.objects.get(service=service_a, code="sdm").name
    assert list(ReviewComment.objects.order_by("id").values_list("anchor", "anchor_label", "text")) == [
        ("served", "A. Penerima layanan dasar — Jumlah terlayani triwulan ini", "Angka tidak sesuai data puskesmas."),
        ("quality-sdm", f"B. Mutu minimal layanan dasar — {sdm}", "Jumlah bidan berbeda dengan SISDMK."),
        ("C", "C. Anggaran", "Lampirkan DPA."),
        (
            "stage-pelaksanaan_pemenuhan",
            "E. Tahapan penerapan SPM — Pelaksanaan pemenuhan pelayanan dasar",
            "Jelaskan kegiatan yang sudah berjalan.",
        ),
    ]
    transition = ReportTransition.objects.get(report=submitted, to_status=ReportStatus.RETURNED)
    assert (transition.actor, transition.comment) == (reviewer, "Mohon diperbaiki.")
    history = client_for(reviewer).get(reverse("reporting:review", args=[submitted.pk])).content.decode()
    assert 'href="#bagian-A" class="fw-semibold text-decoration-none">A. Penerima layanan dasar — Jumlah' in history
    assert 'href="#bagian-E"' in history and 'href="#bagian-B"' in history


def test_return_without_any_comment_is_refused_in_indonesian(client_for, reviewer, submitted):
    response = client_for(reviewer).post(reverse("reporting:review-return", args=[submitted.pk]), return_data([]))
    assert response.status_code == 200
    assert "Tuliskan minimal satu catatan untuk OPD" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED


def test_comment_without_anchor_or_with_an_unknown_anchor_is_refused(client_for, reviewer, submitted):
    client = client_for(reviewer)
    body = client.post(
        reverse("reporting:review-return", args=[submitted.pk]), return_data([("", "Tanpa bagian.")])
    ).content.decode()
    assert "Pilih bagian atau isian yang dikomentari." in body
    body = client.post(
        reverse("reporting:review-return", args=[submitted.pk]), return_data([("served", "")])
    ).content.decode()
    assert "Tuliskan catatan untuk bagian atau isian ini." in body
    response = client.post(reverse("reporting:review-return", args=[submitted.pk]), return_data([("Z", "?")]))
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED and not ReviewComment.objects.exists()


def test_htmx_adds_a_comment_row_and_raises_the_form_count(client_for, reviewer, submitted, leader):
    url = reverse("reporting:review-comment-row", args=[submitted.pk])
    body = client_for(reviewer).get(url, {"catatan-TOTAL_FORMS": "3"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'name="catatan-3-anchor"' in body and 'name="catatan-3-text"' in body
    assert re.search(r'name="catatan-TOTAL_FORMS" value="4" id="id_catatan-TOTAL_FORMS" hx-swap-oob="true"', body)
    assert client_for(leader).get(url, {"catatan-TOTAL_FORMS": "5"}).status_code == 403


def test_a_comment_row_added_by_htmx_is_saved(client_for, reviewer, submitted):
    rows = [("", "")] * 5 + [("D", "Solusi belum menjawab permasalahan.")]
    response = client_for(reviewer).post(
        reverse("reporting:review-return", args=[submitted.pk]), return_data(rows, total=6)
    )
    assert response.status_code == 302
    assert ReviewComment.objects.get().anchor_label == "D. Permasalahan dan solusi"


def test_approve_locks_the_report(client_for, reviewer, submitted):
    response = client_for(reviewer).post(
        reverse("reporting:review-approve", args=[submitted.pk]), {"comment": "Lengkap."}
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.APPROVED and submitted.is_locked
    body = client_for(reviewer).get(reverse("reporting:review", args=[submitted.pk])).content.decode()
    assert 'data-testid="badge-terkunci"' in body and 'data-testid="approve-form"' not in body
    assert "Lengkap." in body


def test_approving_twice_tells_the_reviewer_the_report_is_no_longer_waiting(client_for, reviewer, submitted):
    client = client_for(reviewer)
    client.post(reverse("reporting:review-approve", args=[submitted.pk]))
    response = client.post(reverse("reporting:review-approve", args=[submitted.pk]), follow=True)
    assert "tidak dapat diverifikasi: statusnya Disetujui" in response.content.decode()


def test_operator_cannot_approve_through_the_page(client_for, operator_a, submitted):
    assert client_for(operator_a).post(reverse("reporting:review-approve", args=[submitted.pk])).status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED


def test_changes_since_the_last_review_are_shown_on_resubmission(client_for, reviewer, operator_a, submitted):
    report_return(report=submitted, user=reviewer, comments=[CommentInput("served", "Periksa lagi.")])
    submitted.refresh_from_db()
    report_save(
        report=submitted,
        user=operator_a,
        data=ReportInput(scalars={"served": 250, "budget_realised": 35_000_000}),
        expected_version=submitted.version,
    )
    submitted.refresh_from_db()
    report_submit(report=submitted, user=operator_a, expected_version=submitted.version)

    body = client_for(reviewer).get(reverse("reporting:review", args=[submitted.pk])).content.decode()
    box = body[body.index('data-testid="perubahan-sejak-verifikasi"') : body.index('data-testid="perbandingan"')]
    assert "Periksa lagi." in box
    assert re.search(r'data-field="served"><td>Jumlah terlayani triwulan ini</td>.*?240.*?250', box, re.S)
    assert "Rp 30.000.000" in box and "Rp 35.000.000" in box
    assert body.index("perubahan-sejak-verifikasi") < body.index('data-testid="approve-form"')


def test_first_submission_has_no_changes_box(client_for, reviewer, submitted):
    body = client_for(reviewer).get(reverse("reporting:review", args=[submitted.pk])).content.decode()
    assert 'data-testid="perubahan-sejak-verifikasi"' not in body


def test_review_page_query_count_does_not_grow_with_history(
    client_for, reviewer, operator_a, daerah, submitted, django_assert_max_num_queries
):
    q1 = open_report(operator_a, period_get_or_create(region=daerah, year=2026, quarter=1), "1.02.K01")
    fill_completely(q1, operator_a)
    client = client_for(reviewer)
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("reporting:review", args=[submitted.pk]))
    # more transitions, comments, figure changes and evidence must not add queries per row
    report_return(
        report=submitted,
        user=reviewer,
        comments=[CommentInput("A", "a"), CommentInput("B", "b"), CommentInput("C", "c")],
    )
    submitted.refresh_from_db()
    report_save(
        report=submitted,
        user=operator_a,
        data=ReportInput(scalars={"served": 250, "problems": "Diperbarui."}),
        expected_version=submitted.version,
    )
    evidence_add(report=submitted, user=operator_a, upload=pdf_upload("dpa.pdf"))
    submitted.refresh_from_db()
    report_submit(report=submitted, user=operator_a, expected_version=submitted.version)
    with django_assert_max_num_queries(len(first)):
        body = client.get(reverse("reporting:review", args=[submitted.pk])).content.decode()
    assert 'data-testid="perubahan-sejak-verifikasi"' in body and "dpa.pdf" in body
    assert len(first) <= 30


# --- Unlock (admins) ----------------------------------------------------------------------------------------


@pytest.fixture
def approved(submitted, reviewer) -> QuarterlyReport:
    report_approve(report=submitted, user=reviewer)
    submitted.refresh_from_db()
    return submitted


@pytest.mark.parametrize("persona", ["reviewer", "leader", "operator_a"])
def test_only_an_admin_may_unlock(persona, request, client_for, approved):
    response = client_for(request.getfixturevalue(persona)).post(
        reverse("reporting:report-unlock", args=[approved.pk]), {"reason": "Salah input"}
    )
    assert response.status_code == 403
    approved.refresh_from_db()
    assert approved.status == ReportStatus.APPROVED


def test_unlock_requires_a_reason_and_is_logged(client_for, admin_user, approved):
    client = client_for(admin_user)
    body = client.get(reverse("reporting:review", args=[approved.pk])).content.decode()
    assert 'data-testid="unlock-form"' in body
    response = client.post(reverse("reporting:report-unlock", args=[approved.pk]), {"reason": "  "})
    assert response.status_code == 200 and "Alasan membuka kunci wajib diisi." in response.content.decode()
    approved.refresh_from_db()
    assert approved.status == ReportStatus.APPROVED

    response = client.post(reverse("reporting:report-unlock", args=[approved.pk]), {"reason": "Koreksi data Dukcapil"})
    assert response.status_code == 302
    approved.refresh_from_db()
    assert approved.status == ReportStatus.DRAFT
    last = approved.transitions.order_by("-id").first()
    assert (last.from_status, last.to_status, last.comment, last.actor) == (
        "approved",
        "draft",
        "Koreksi data Dukcapil",
        admin_user,
    )


# --- Matrix ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["operator_a", "operator_b"])
def test_operators_are_refused_the_matrix(persona, request, client_for, period):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("reporting:matrix")).status_code == 403
    assert client.get(reverse("reporting:matrix-export")).status_code == 403


@pytest.fixture
def mixed_period(period, operator_a, operator_b, reviewer):
    """OPD A: K01 submitted on time, K02 draft, K03 not started; OPD B: K1 approved (on time), K2/K3 not started.

    Then the due date passes: what is not yet submitted is late.
    """
    submit(open_report(operator_a, period, "1.02.K01"), operator_a)
    open_report(operator_a, period, "1.02.K02")
    k1 = open_report(operator_b, period, "1.01.K1")
    k1 = fill_completely(
        k1,
        operator_b,
        quality={"barang": (10, 10), "jasa": (5, 5), "sdm": (3, 3), "tata_cara": (1, 1)},
        scalars={"served": 240},
    )
    report_submit(report=k1, user=operator_b, expected_version=k1.version)
    report_approve(report=k1, user=reviewer)
    period.due_date = timezone.localdate() - dt.timedelta(days=2)
    period.opens_on = period.due_date - dt.timedelta(days=60)
    period.save()
    return period


def _cell(body: str, agency_id: int, code: str) -> tuple[str, str]:
    match = re.search(rf'data-testid="cell-{agency_id}-{re.escape(code)}" data-status="(\w+)" data-late="(\d)"', body)
    assert match, f"no cell for {agency_id} {code}"
    return match.group(1), match.group(2)


def test_matrix_shows_status_and_lateness_of_each_cell_and_totals(
    client_for, reviewer, mixed_period, agency_a, agency_b
):
    response = client_for(reviewer).get(reverse("reporting:matrix"), {"tahun": 2026, "triwulan": 2})
    body = response.content.decode()
    assert response.status_code == 200
    assert _cell(body, agency_a.pk, "1.02.K01") == ("submitted", "0")
    assert _cell(body, agency_a.pk, "1.02.K02") == ("draft", "1")
    assert _cell(body, agency_a.pk, "1.02.K03") == ("not_started", "1")
    assert _cell(body, agency_b.pk, "1.01.K1") == ("approved", "0")
    assert _cell(body, agency_b.pk, "1.01.K2") == ("not_started", "1")
    assert re.search(rf'data-testid="jumlah-{agency_a.pk}-submitted">1<', body)
    assert re.search(rf'data-testid="jumlah-{agency_b.pk}-not_started">2<', body)
    assert re.search(rf'data-testid="terlambat-opd-{agency_a.pk}">2<', body)
    assert re.search(r'data-testid="total-not_started">3<', body)
    assert re.search(r'data-testid="total-approved">1<', body)
    assert re.search(r'data-testid="total-terlambat">4<', body)
    assert re.search(r'data-testid="total-layanan">6<', body)
    assert "Belum dimulai" in body and "Dikembalikan" in body  # legend


@pytest.mark.parametrize("persona", ["leader", "reviewer"])
def test_reading_the_matrix_of_a_triwulan_without_a_period_creates_none(
    persona, request, client_for, mixed_period, agency_a
):
    from reporting.models import ReportingPeriod

    before = ReportingPeriod.objects.count()
    response = client_for(request.getfixturevalue(persona)).get(
        reverse("reporting:matrix"), {"tahun": 2026, "triwulan": 3}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert ReportingPeriod.objects.count() == before  # a GET that only reads writes nothing
    assert _cell(body, agency_a.pk, "1.02.K01")[0] == "not_started"  # every service, none started
    assert "20-10-2026" in body  # the default due date of TW III, as the period would have it


@pytest.mark.parametrize("persona", ["leader", "reviewer"])
def test_leader_and_reviewer_see_their_own_daerah_matrix(persona, request, client_for, mixed_period, agency_a):
    body = client_for(request.getfixturevalue(persona)).get(reverse("reporting:matrix")).content.decode()
    assert f'data-testid="cell-{agency_a.pk}-1.02.K01"' in body


def test_outsider_matrix_is_its_own_daerah(client_for, outsider, other_agency, mixed_period, agency_a):
    body = client_for(outsider).get(reverse("reporting:matrix")).content.decode()
    assert f'data-testid="cell-{other_agency.pk}-1.02.K01"' in body
    assert f"cell-{agency_a.pk}-" not in body


def test_admin_and_provincial_viewer_choose_a_daerah(client_for, admin_user, provincial_viewer, mixed_period, agency_a):
    admin = client_for(admin_user)
    assert 'data-testid="pilih-daerah-dulu"' in admin.get(reverse("reporting:matrix")).content.decode()
    body = admin.get(reverse("reporting:matrix"), {"daerah": "18.12", "tahun": 2026, "triwulan": 2}).content.decode()
    assert _cell(body, agency_a.pk, "1.02.K01") == ("submitted", "0")
    viewer = client_for(provincial_viewer)
    assert viewer.get(reverse("reporting:matrix"), {"daerah": "18.12"}).status_code == 200
    assert viewer.get(reverse("reporting:matrix"), {"daerah": "11.01"}).status_code == 404


def test_matrix_xlsx_matches_the_database(client_for, reviewer, mixed_period, daerah):
    response = client_for(reviewer).get(reverse("reporting:matrix"), {"tahun": 2026, "triwulan": 2, "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert 'filename="matriks-keterisian-18.12-2026-tw2.xlsx"' in response["Content-Disposition"]
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["Matriks", "Rekap"]
    sheet = book["Matriks"]
    header = [c.value for c in sheet[1]]
    assert header == [
        "Kode wilayah",
        "Daerah",
        "Periode",
        "OPD",
        "Kode layanan",
        "Jenis pelayanan dasar",
        "Status",
        "Terlambat",
        "Dokumen tahapan kurang",
    ]
    assert sheet["A1"].font.bold
    rows = {(r[3], r[4]): (r[6], r[7]) for r in sheet.iter_rows(min_row=2, values_only=True)}
    missing = {(r[3], r[4]): r[8] for r in sheet.iter_rows(min_row=2, values_only=True)}
    reports = {r.service.code: r for r in QuarterlyReport.objects.filter(period=mixed_period).select_related("service")}
    labels = {"draft": "Draf", "submitted": "Diajukan", "returned": "Dikembalikan", "approved": "Disetujui"}
    _period, matrix_rows = completeness_matrix(daerah, year=2026, quarter=2)
    assert len(rows) == sum(len(r.cells) for r in matrix_rows) == 6
    for row in matrix_rows:
        for cell in row.cells:
            report = reports.get(cell.service_code)
            status = labels[report.status] if report else "Belum dimulai"
            assert rows[(row.agency.name, cell.service_code)] == (status, "Ya" if cell.is_late else "Tidak")
            assert missing[(row.agency.name, cell.service_code)] == cell.documents_missing
    totals = list(book["Rekap"].iter_rows(min_row=1, values_only=True))
    assert totals[0] == (
        "OPD",
        "Belum dimulai",
        "Draf",
        "Diajukan",
        "Dikembalikan",
        "Disetujui",
        "Terlambat",
        "Jumlah layanan",
    )
    by_agency = {t[0]: t[1:] for t in totals[1:] if t and t[0]}
    assert by_agency["Dinas Kesehatan"] == (1, 1, 1, 0, 0, 2, 3)
    assert by_agency["Dinas Pendidikan"] == (2, 0, 0, 0, 1, 2, 3)
    assert by_agency["Jumlah"] == (3, 1, 1, 0, 1, 4, 6)


def test_matrix_export_without_a_daerah_is_404_for_an_admin(client_for, admin_user, period):
    assert client_for(admin_user).get(reverse("reporting:matrix-export")).status_code == 404


def test_matrix_of_8_agencies_and_30_services_renders_with_bounded_queries(
    client_for, reviewer, daerah, admin_user, django_assert_max_num_queries
):
    services = list(BasicService.objects.filter(level=GovernmentLevel.REGENCY_CITY).order_by("code"))
    agencies = [AgencyFactory(region=daerah, name=f"OPD Uji {i}") for i in range(8)]
    period = period_get_or_create(region=daerah, year=2026, quarter=2)
    client = client_for(reviewer)

    service_assign(region=daerah, service=services[0], agency=agencies[0])
    # One report already: the reports' tahapan and files are prefetched only when there is a report.
    report_open(user=admin_user, period=period, service=services[0])
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("reporting:matrix"), {"tahun": 2026, "triwulan": 2})

    for index, service in enumerate(services[1:], start=1):
        service_assign(region=daerah, service=service, agency=agencies[index % 8])
    for service in services[1:10]:
        report_open(user=admin_user, period=period, service=service)
    with django_assert_max_num_queries(len(small)):
        body = client.get(reverse("reporting:matrix"), {"tahun": 2026, "triwulan": 2}).content.decode()
    assert body.count('data-testid="cell-') == len(services) >= 29
    assert body.count('data-status="draft"') == 10
    assert len(small) <= 15  # 12 + the data version and the user's permissions (the cached part's key)


# --- Periods (admins) ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["reviewer", "leader", "operator_a", "outsider", "provincial_viewer"])
def test_period_pages_refuse_everyone_but_admins(persona, request, client_for, period):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("reporting:periods"), {"daerah": "18.12"}).status_code == 403
    assert client.post(reverse("reporting:period-close", args=[period.pk])).status_code == 403
    assert client.post(reverse("reporting:period-reopen", args=[period.pk])).status_code == 403
    assert client.post(reverse("reporting:period-due-date", args=[period.pk])).status_code == 403
    assert client.post(reverse("reporting:period-create"), {"daerah": "18.12"}).status_code == 403
    period.refresh_from_db()
    assert period.status == PeriodStatus.OPEN


def test_admin_lists_the_periods_of_a_daerah(client_for, admin_user, period, django_assert_max_num_queries):
    client = client_for(admin_user)
    with django_assert_max_num_queries(8):
        body = client.get(reverse("reporting:periods"), {"daerah": "18.12"}).content.decode()
    assert "TW II 2026" in body and period.due_date.strftime("%d-%m-%Y") in body
    assert f'data-testid="form-tutup-{period.pk}"' in body


def test_reopening_a_period_requires_a_written_reason(client_for, admin_user, period):
    client = client_for(admin_user)
    response = client.post(reverse("reporting:period-close", args=[period.pk]), {f"close-{period.pk}-reason": ""})
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.status == PeriodStatus.CLOSED

    response = client.post(reverse("reporting:period-reopen", args=[period.pk]), {f"reopen-{period.pk}-reason": " "})
    assert response.status_code == 200
    assert "Alasan membuka kembali periode wajib diisi." in response.content.decode()
    period.refresh_from_db()
    assert period.status == PeriodStatus.CLOSED

    response = client.post(
        reverse("reporting:period-reopen", args=[period.pk]), {f"reopen-{period.pk}-reason": "Surat Sekda 12/2026"}
    )
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.status == PeriodStatus.OPEN
    body = client.get(response["Location"]).content.decode()
    assert "Surat Sekda 12/2026" in body and "Periode dibuka kembali" in body


def test_admin_changes_the_due_date_and_it_is_logged(client_for, admin_user, period):
    new = period.due_date + dt.timedelta(days=7)
    response = client_for(admin_user).post(
        reverse("reporting:period-due-date", args=[period.pk]),
        {f"due-{period.pk}-due_date": new.isoformat(), f"due-{period.pk}-reason": "Libur nasional"},
    )
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.due_date == new
    event = PeriodEvent.objects.get(period=period)
    assert (event.action, event.reason, event.detail["new"]) == ("due_date", "Libur nasional", new.isoformat())


def test_due_date_before_the_window_opens_is_refused(client_for, admin_user, period):
    response = client_for(admin_user).post(
        reverse("reporting:period-due-date", args=[period.pk]),
        {f"due-{period.pk}-due_date": (period.opens_on - dt.timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 200
    assert "Batas waktu tidak boleh sebelum mulai pengisian." in response.content.decode()


def test_admin_prepares_a_period_with_the_default_due_date(client_for, admin_user, daerah):
    response = client_for(admin_user).post(
        reverse("reporting:period-create"), {"daerah": "18.12", "year": "2027", "quarter": "1"}
    )
    assert response.status_code == 302
    assert daerah.periods.get(year=2027, quarter=1).due_date == dt.date(2027, 4, 20)


# --- Navigation and Django admin -------------------------------------------------------------------------------


def test_navigation_shows_review_pages_per_role(client_for, reviewer, operator_a, admin_user):
    reviewer_nav = client_for(reviewer).get(reverse("home")).content.decode()
    assert reverse("reporting:review-queue") in reviewer_nav and reverse("reporting:matrix") in reviewer_nav
    assert reverse("reporting:periods") not in reviewer_nav
    admin_nav = client_for(admin_user).get(reverse("home")).content.decode()
    assert reverse("reporting:periods") in admin_nav
    operator_nav = client_for(operator_a).get(reverse("home")).content.decode()
    assert reverse("reporting:review-queue") not in operator_nav


def test_django_admin_shows_the_audit_read_only(client_for, admin_user, approved):
    client = client_for(admin_user)
    for model in ("quarterlyreport", "reporttransition", "fieldchange", "notification", "periodevent", "evidence"):
        assert client.get(reverse(f"admin:reporting_{model}_changelist")).status_code == 200
    assert client.get(reverse("admin:reporting_quarterlyreport_change", args=[approved.pk])).status_code == 200
    assert client.get(reverse("admin:reporting_reporttransition_add")).status_code == 403


def test_django_admin_reopens_a_period_only_with_a_reason_through_the_service(client_for, admin_user, period):
    client = client_for(admin_user)
    url = reverse("admin:reporting_reportingperiod_change", args=[period.pk])
    data = {
        "due_date": period.due_date.isoformat(),
        "status": "closed",
        "reason": "",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
    }
    assert client.post(url, data).status_code == 302
    period.refresh_from_db()
    assert period.status == PeriodStatus.CLOSED
    response = client.post(url, {**data, "status": "open"})
    assert response.status_code == 200 and "Alasan membuka kembali periode wajib diisi." in response.content.decode()
    client.post(url, {**data, "status": "open", "reason": "Perpanjangan"})
    period.refresh_from_db()
    assert period.status == PeriodStatus.OPEN
    assert list(period.events.values_list("action", "reason")) == [("reopen", "Perpanjangan"), ("close", "")]
