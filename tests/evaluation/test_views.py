"""Pages of the provincial evaluation: the matrix of a provinsi's kab/kota (query count constant in their
number), the recap xlsx read back, the request pages and the annual record, each with the personas refused."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from evaluation.choices import RequestStatus
from evaluation.models import AnnualEvaluation, CorrectionRequest
from evaluation.services import correction_request_answer, correction_request_create
from reporting.choices import ReportStatus
from reporting.review.selectors import province_matrix
from reporting.services import period_get_or_create, report_approve, report_open, report_submit
from spm.models import BasicService, Region
from tests.conftest import _agency_with_services
from tests.evaluation.conftest import QUARTER, YEAR
from tests.factories import UserFactory
from tests.reporting.conftest import fill_completely

pytestmark = pytest.mark.django_db
PROVINCE_URL = reverse("evaluation:province") + f"?tahun={YEAR}&triwulan={QUARTER}"


def _reports_in(code: str, codes: list[str], *, approve: int = 0):
    """Reports of a kab/kota of Lampung (its own OPD, operator and verifikator): the first ``approve`` approved,
    the others submitted."""
    from spm.choices import Role

    region = Region.objects.get(code=code)
    agency = _agency_with_services(region, "Dinas Kesehatan", "Dinkes", codes)
    operator = UserFactory(username=f"op-{code}", role=Role.OPERATOR, agency=agency)
    reviewer = UserFactory(username=f"ver-{code}", role=Role.REVIEWER, region=region)
    period = period_get_or_create(region=region, year=YEAR, quarter=QUARTER)
    for i, service in enumerate(BasicService.objects.filter(code__in=codes).order_by("code")):
        report = fill_completely(report_open(user=operator, period=period, service=service), operator)
        report = report_submit(report=report, user=operator, expected_version=report.version)
        if i < approve:
            report_approve(report=report, user=reviewer)


def test_the_evaluator_sees_every_kab_kota_of_its_provinsi_and_not_the_provinsi(client_for, provincial_evaluator):
    body = client_for(provincial_evaluator).get(PROVINCE_URL).content.decode()
    lampung = Region.objects.filter(parent__code="18", level="kabupaten_kota")
    assert body.count('data-testid="daerah-') == lampung.count() == 15
    assert 'data-testid="daerah-18"' not in body
    assert "Aceh" not in body


def test_matrix_cells_count_sent_reports_per_urusan_and_late_ones(
    client_for, provincial_evaluator, operator_a, kab_report
):
    affairs, rows = province_matrix(Region.objects.filter(code="18.12"), year=YEAR, quarter=QUARTER)
    health = next(c for c in rows[0].cells if c.affair.code == "1.02")
    assert health.expected == BasicService.objects.filter(level="kabupaten_kota", affair__code="1.02").count()
    assert health.counts[ReportStatus.SUBMITTED] == 1 and health.sent == 1 and health.late == 0
    assert rows[0].expected == 29 and rows[0].count("not_started") == 28
    body = client_for(provincial_evaluator).get(PROVINCE_URL).content.decode()
    assert 'data-testid="sel-18.12-1.02" data-state="partial"' in body


def test_provincial_matrix_query_count_is_constant_in_the_number_of_kab_kota(
    client_for, provincial_evaluator, kab_report, django_assert_max_num_queries
):
    client = client_for(provincial_evaluator)
    with CaptureQueriesContext(connection) as one:
        assert client.get(PROVINCE_URL).status_code == 200
    _reports_in("18.71", ["1.02.K01", "1.02.K02"], approve=1)
    _reports_in("18.72", ["1.02.K01", "1.02.K03", "1.02.K04"], approve=2)
    correction_request_create(
        user=provincial_evaluator, region=Region.objects.get(code="18.71"), year=YEAR, quarter=QUARTER, message="Cek."
    )
    with django_assert_max_num_queries(len(one)):
        body = client.get(PROVINCE_URL).content.decode()
    assert 'data-testid="permintaan-18.71">1' in body
    assert len(one) <= 16, len(one)  # incl. the data version (the key of the unread badge, spm.fragments)


@pytest.mark.parametrize("persona", ["operator_a", "reviewer", "leader", "provincial_viewer", "province_reviewer"])
def test_roles_without_the_page_are_refused(persona, request, client_for):
    assert client_for(request.getfixturevalue(persona)).get(PROVINCE_URL).status_code == 403


def test_admin_chooses_a_provinsi(client_for, admin_user):
    client = client_for(admin_user)
    assert "pilih provinsi" in client.get(reverse("evaluation:province")).content.decode().lower()
    body = client.get(PROVINCE_URL + "&provinsi=18").content.decode()
    assert 'data-testid="daerah-18.12"' in body
    assert client.get(PROVINCE_URL + "&provinsi=99").status_code == 404


def test_recap_xlsx_reads_back_with_the_matrix_figures(client_for, provincial_evaluator, kab_report):
    _reports_in("18.71", ["1.02.K01", "1.02.K02"], approve=1)
    AnnualEvaluation.objects.create(
        region=Region.objects.get(code="18.71"),
        year=YEAR,
        achievements="Baik",
        obstacles="=1+1",
        follow_up="-",
        updated_by=provincial_evaluator,
    )
    response = client_for(provincial_evaluator).get(PROVINCE_URL + "&format=xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'rekap-provinsi-18-{YEAR}-tw{QUARTER}.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    summary = book["Rekap daerah"]
    rows = {r[0]: r for r in summary.iter_rows(min_row=4, values_only=True)}
    assert len(rows) == 15
    # Kode, Daerah, seharusnya, belum dimulai, draf, diajukan, dikembalikan, disetujui, terlambat, keterisian
    assert rows["18.12"][2:10] == (29, 28, 0, 1, 0, 0, 0, 3)
    # 18.71 keeps the default due date (20 July), past: its two reports came late, the 27 others are overdue
    assert rows["18.71"][2:10] == (29, 27, 0, 1, 0, 1, 29, 7)
    per_affair = [r for r in book["Per urusan"].iter_rows(min_row=4, values_only=True) if r[0] == "18.71"]
    assert {r[1] for r in per_affair} == {"Kota Bandar Lampung"} and sum(r[3] for r in per_affair) == 2
    annual = list(book[f"Evaluasi tahunan {YEAR}"].iter_rows(min_row=4, values_only=True))
    assert annual == [("18.71", "Kota Bandar Lampung", "Baik", "=1+1", "-")]
    assert book[f"Evaluasi tahunan {YEAR}"]["D4"].data_type == "s", "user text is never a live formula"


# --- Requests for correction ------------------------------------------------------------------------------------


def _create_url(code="18.12", report=None) -> str:
    url = reverse("evaluation:request-create") + f"?daerah={code}&tahun={YEAR}&triwulan={QUARTER}"
    return url + (f"&laporan={report.pk}" if report else "")


def test_evaluator_sends_a_request_from_the_form(client_for, provincial_evaluator, reviewer, kab_report):
    client = client_for(provincial_evaluator)
    page = client.get(_create_url(report=kab_report)).content.decode()
    assert f'<option value="{kab_report.pk}" selected>' in page
    response = client.post(
        _create_url(), {"kind": "perbaikan", "report": kab_report.pk, "message": "Lengkapi bukti mutu SDM."}
    )
    sent = CorrectionRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == sent.get_absolute_url()
    assert sent.report == kab_report and sent.region.code == "18.12" and (sent.year, sent.quarter) == (YEAR, QUARTER)


def test_an_empty_request_shows_the_message_beside_the_field(client_for, provincial_evaluator, daerah):
    response = client_for(provincial_evaluator).post(_create_url(), {"kind": "perbaikan", "message": ""})
    assert response.status_code == 400
    assert 'data-testid="galat-message"' in response.content.decode()
    assert not CorrectionRequest.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("other_evaluator", 404), ("outsider", 404), ("reviewer", 403), ("provincial_viewer", 403), ("operator_a", 403)],
)
def test_the_request_form_refuses(persona, status, request, client_for, daerah):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(_create_url()).status_code == status
    assert client.post(_create_url(), {"kind": "perbaikan", "message": "x"}).status_code == status
    assert not CorrectionRequest.objects.exists()


def test_the_evaluator_cannot_address_its_own_provinsi(client_for, provincial_evaluator):
    assert client_for(provincial_evaluator).get(_create_url("18")).status_code == 404


@pytest.fixture
def sent(provincial_evaluator, daerah, kab_report) -> CorrectionRequest:
    return correction_request_create(
        user=provincial_evaluator, region=daerah, year=YEAR, quarter=QUARTER, report=kab_report, message="Cek mutu."
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("reviewer", 302),
        ("provincial_evaluator", 403),
        ("leader", 403),
        ("outsider", 404),
        ("other_evaluator", 404),
        ("operator_a", 404),
    ],
)
def test_only_the_daerah_verifikator_answers(persona, status, request, client_for, sent):
    url = reverse("evaluation:request-answer", args=[sent.pk])
    assert client_for(request.getfixturevalue(persona)).post(url, {"answer": "Sudah diunggah."}).status_code == status
    sent.refresh_from_db()
    assert sent.status == (RequestStatus.ANSWERED if status == 302 else RequestStatus.OPEN)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("provincial_evaluator", 302), ("reviewer", 403), ("provincial_viewer", 403), ("other_evaluator", 404)],
)
def test_only_the_evaluator_closes(persona, status, request, client_for, reviewer, sent):
    correction_request_answer(request=sent, user=reviewer, answer="Sudah.")
    url = reverse("evaluation:request-close", args=[sent.pk])
    assert client_for(request.getfixturevalue(persona)).post(url, {"comment": ""}).status_code == status
    sent.refresh_from_db()
    assert sent.status == (RequestStatus.CLOSED if status == 302 else RequestStatus.ANSWERED)


def test_detail_offers_only_the_form_the_user_may_use(client_for, provincial_evaluator, reviewer, leader, sent):
    as_reviewer = client_for(reviewer).get(sent.get_absolute_url()).content.decode()
    assert 'data-testid="form-jawab"' in as_reviewer and 'data-testid="form-tutup"' not in as_reviewer
    as_evaluator = client_for(provincial_evaluator).get(sent.get_absolute_url()).content.decode()
    assert 'data-testid="form-jawab"' not in as_evaluator and 'data-testid="form-tutup"' in as_evaluator
    as_leader = client_for(leader).get(sent.get_absolute_url()).content.decode()
    assert 'data-testid="form-jawab"' not in as_leader and 'data-testid="form-tutup"' not in as_leader


def test_the_request_list_is_scoped_and_its_query_count_does_not_grow(
    client_for, provincial_evaluator, reviewer, outsider, daerah, sent, django_assert_max_num_queries
):
    client = client_for(reviewer)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("evaluation:request-list"))
    for i in range(3):
        correction_request_create(
            user=provincial_evaluator, region=daerah, year=YEAR, quarter=QUARTER, message=f"Catatan {i}", kind="catatan"
        )
    with django_assert_max_num_queries(len(one)):
        body = client.get(reverse("evaluation:request-list")).content.decode()
    assert body.count('data-testid="permintaan-') == 4
    assert (
        'data-testid="tanpa-permintaan"'
        in client_for(outsider).get(reverse("evaluation:request-list")).content.decode()
    )
    assert client_for(outsider).get(sent.get_absolute_url()).status_code == 404


def test_the_report_page_shows_the_request_in_its_history(client_for, operator_a, reviewer, sent, kab_report):
    correction_request_answer(request=sent, user=reviewer, answer="Bukti ditambahkan.")
    body = client_for(reviewer).get(reverse("reporting:review", args=[kab_report.pk])).content.decode()
    assert 'data-testid="permintaan-provinsi"' in body and "Bukti ditambahkan." in body
    # the OPD does not see the provinsi's correspondence with its verifikator
    body = client_for(operator_a).get(kab_report.get_absolute_url()).content.decode()
    assert 'data-testid="permintaan-provinsi"' not in body


# --- Annual evaluation --------------------------------------------------------------------------------------------


def test_the_evaluator_writes_the_annual_evaluation(client_for, provincial_evaluator, daerah):
    url = reverse("evaluation:annual-edit", args=["18.12", 2025])
    client = client_for(provincial_evaluator)
    assert client.get(url).status_code == 200
    response = client.post(url, {"achievements": "IP-SPM 71,2", "obstacles": "SDM kurang", "follow_up": "Bimtek"})
    assert response.status_code == 302
    record = AnnualEvaluation.objects.get(region=daerah, year=2025)
    assert (record.achievements, record.obstacles, record.follow_up) == ("IP-SPM 71,2", "SDM kurang", "Bimtek")
    assert client.post(url, {"achievements": "", "obstacles": "", "follow_up": ""}).status_code == 400


@pytest.mark.parametrize(
    ("persona", "status"), [("other_evaluator", 404), ("reviewer", 403), ("provincial_viewer", 403), ("outsider", 404)]
)
def test_the_annual_evaluation_refuses(persona, status, request, client_for, daerah):
    url = reverse("evaluation:annual-edit", args=["18.12", 2025])
    assert client_for(request.getfixturevalue(persona)).post(url, {"achievements": "x"}).status_code == status
    assert not AnnualEvaluation.objects.exists()
