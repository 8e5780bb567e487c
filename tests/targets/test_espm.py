"""The e-SPM hand-off: the xlsx read back figure by figure against the stored achievements and reports, the
download page's gate, and the API (scope, filters, pagination, constant query count)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from reporting.achievements import formula
from reporting.models import Achievement, AchievementLevel, ExportLog
from spm.models import BasicService
from targets import espm
from targets.models import ActionPlanYear
from targets.services import plan_create
from tests.reporting.conftest import approved_report

pytestmark = pytest.mark.django_db

YEAR = 2025


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def stored(operator_a, reviewer, daerah, service_a, django_capture_on_commit_callbacks):
    """TW I–II of 2025 approved for two services of OPD A (the recompute runs after each approval), and a
    rencana aksi covering 2025 with a target and cost for the first service."""
    second = BasicService.objects.get(code="1.02.K02")
    with django_capture_on_commit_callbacks(execute=True):
        for quarter, served in ((1, 240), (2, 260)):
            approved_report(operator_a, reviewer, daerah, service_a, YEAR, quarter, served)
            approved_report(operator_a, reviewer, daerah, second, YEAR, quarter, served // 2, must_serve=500)
    plan = plan_create(user=reviewer, region=daerah, start_year=YEAR, end_year=YEAR + 4)
    ActionPlanYear.objects.filter(item__plan=plan, item__service=service_a, year=YEAR).update(
        target_citizens=900, target_pct=Decimal("90.00"), cost=125_000_000
    )
    return daerah


def _rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(min_row=2, values_only=True))


def _number(value):
    """A stored figure as written to the cell (Decimals are shown with 2 decimals, as the dashboard)."""
    return None if value is None else float(formula.display(value))


def test_espm_xlsx_figures_equal_the_stored_report_and_achievement(stored, daerah):
    book = load_workbook(io.BytesIO(espm.workbook(daerah, YEAR, 2)))
    assert book.sheetnames == [
        "Identitas",
        "A-B Capaian",
        "B Mutu",
        "C Anggaran",
        "D Permasalahan",
        "E Tahapan",
        "Rencana Aksi",
    ]
    rows = Achievement.objects.filter(
        region=daerah, year=YEAR, quarter=2, level=AchievementLevel.SERVICE, is_current=True
    ).select_related("service", "report", "rules")
    assert rows.count() == 2
    capaian = {r[2]: r for r in _rows(book["A-B Capaian"])}
    expected_services = BasicService.objects.for_region(daerah).active().count()
    assert len(capaian) == expected_services  # every jenis of the level, "Belum ada data" where nothing is stored
    for row in rows:
        cells = capaian[row.service.code]
        pairs = row.inputs["quality"]
        assert cells[4] == row.must_serve and cells[5] == row.served
        assert cells[6] == _number(row.recipient_pct)
        assert cells[7] == float(row.rules.rule_set.weight_recipients) == 0.8
        assert cells[8] == sum(int(Decimal(str(r))) for r, _m in pairs)
        assert cells[9] == sum(int(Decimal(str(m))) for _r, m in pairs)
        assert cells[10] == _number(row.quality_pct)
        assert cells[11] == float(row.rules.rule_set.weight_quality) == 0.2
        assert cells[12] == _number(row.index)
        assert cells[13] == row.get_status_label()
        report = row.report
        assert report.period.quarter == 2 and report.status == "approved"
        mutu = [r for r in _rows(book["B Mutu"]) if r[0] == row.service.code]
        entries = list(report.quality_entries.order_by("component__order"))
        assert [(m[2], m[3], m[4]) for m in mutu] == [(e.component.name, e.required, e.met) for e in entries]
        [budget] = [r for r in _rows(book["C Anggaran"]) if r[0] == row.service.code]
        assert budget[2:4] == (row.budget_allocated, row.budget_realised) == (150_000_000, 30_000_000)
        assert budget[4] == 20.0
        [texts] = [r for r in _rows(book["D Permasalahan"]) if r[0] == row.service.code]
        assert texts[2:] == (report.problems, report.solutions)
        stages = [r for r in _rows(book["E Tahapan"]) if r[0] == row.service.code]
        by_stage = {s.get_stage_display(): s.get_status_display() for s in report.stages.all()}
        assert {r[2]: r[3] for r in stages} == by_stage
    ip = {r[0]: r[1] for r in book["Identitas"].iter_rows(values_only=True) if r[0]}
    region_row = Achievement.objects.get(region=daerah, year=YEAR, quarter=2, level="daerah", is_current=True)
    assert ip["IP-SPM daerah"] == _number(region_row.index) and ip["Kode wilayah"] == "18.12"
    missing = [r for code, r in capaian.items() if code not in {a.service.code for a in rows}]
    assert missing and all(r[13] == "Belum ada data" and r[12] is None for r in missing)
    plan_rows = {r[0]: r for r in _rows(book["Rencana Aksi"])}
    assert plan_rows["1.02.K01"][2] == f"{YEAR}–{YEAR + 4}"
    assert plan_rows["1.02.K01"][5:] == (900, 90.0, 125_000_000)


def test_espm_xlsx_has_no_live_formula_even_from_typed_text(stored, daerah, operator_a):
    from reporting.models import QuarterlyReport

    QuarterlyReport.objects.filter(region=daerah, period__quarter=2).update(problems='=HYPERLINK("http://x","y")')
    book = load_workbook(io.BytesIO(espm.workbook(daerah, YEAR, 2)))
    cell = next(
        c for row in book["D Permasalahan"].iter_rows(min_row=2) for c in row if c.value and "HYPERLINK" in c.value
    )
    assert cell.data_type == "s"


def test_download_for_the_verifikator_refused_to_operators_and_outsiders(
    client_for, stored, reviewer, leader, operator_a, outsider
):
    url = reverse("targets:espm-export")
    response = client_for(reviewer).get(url, {"tahun": YEAR, "triwulan": 2})
    assert response.status_code == 200
    assert 'filename="e-spm-18.12-2025-tw2.xlsx"' in response["Content-Disposition"]
    assert client_for(leader).get(url, {"tahun": YEAR, "triwulan": 2}).status_code == 200
    assert client_for(operator_a).get(url, {"tahun": YEAR, "triwulan": 2}).status_code == 403
    assert client_for(outsider).get(url, {"daerah": "18.12", "tahun": YEAR, "triwulan": 2}).status_code == 404
    assert not ExportLog.objects.exists()  # no personal data in it: not a personal-data export


def test_official_report_page_offers_the_espm_download(client_for, reviewer):
    body = client_for(reviewer).get(reverse("targets:official-report")).content.decode()
    assert 'data-testid="form-ekspor-espm"' in body and reverse("targets:espm-export") in body


# --- API -----------------------------------------------------------------------------------------------------


def test_api_rows_equal_the_xlsx_lines(client_for, stored, reviewer, daerah):
    data = client_for(reviewer).get("/api/v1/e-spm/", {"region": "18.12", "year": YEAR, "quarter": 2}).json()
    assert data["count"] == 2
    lines = {item.service.code: item for item in espm.espm_lines(daerah, YEAR, 2) if item.row}
    for result in data["results"]:
        item = lines[result["service"]]
        row = item.row
        assert result["achievement_id"] == row.pk and result["report_id"] == row.report_id
        assert result["recipients"] == {
            "must_serve": row.must_serve,
            "served": row.served,
            "pct": str(formula.display(row.recipient_pct)),
            "weight": "0.8000",
        }
        assert result["quality"]["pct"] == str(formula.display(row.quality_pct))
        assert [c["component"] for c in result["quality"]["components"]] == [e.component.code for e in item.quality]
        assert result["index"] == str(formula.display(row.index))
        assert result["budget"]["allocated"] == row.budget_allocated
        assert [s["status"] for s in result["stages"]] == [s[2] for s in item.stage_codes()]
        assert result["problems"] == row.report.problems
    first = next(r for r in data["results"] if r["service"] == "1.02.K01")
    assert first["action_plan"]["cost"] == 125_000_000 and first["action_plan"]["start_year"] == YEAR


@pytest.mark.parametrize(("persona", "count"), [("outsider", 0), ("operator_b", 0), ("operator_a", 4), ("leader", 4)])
def test_api_is_scoped(client_for, stored, persona, count, request):
    data = client_for(request.getfixturevalue(persona)).get("/api/v1/e-spm/", {"year": YEAR}).json()
    assert data["count"] == count


def test_api_detail_outside_the_scope_is_404(client_for, stored, outsider, reviewer):
    pk = Achievement.objects.filter(level=AchievementLevel.SERVICE).first().pk
    assert client_for(outsider).get(f"/api/v1/e-spm/{pk}/").status_code == 404
    assert client_for(reviewer).get(f"/api/v1/e-spm/{pk}/").json()["achievement_id"] == pk


def test_api_refuses_an_unreadable_filter_and_anonymous(client, client_for, stored, reviewer):
    assert client_for(reviewer).get("/api/v1/e-spm/", {"quarter": "5"}).status_code == 400
    client.logout()
    assert client.get("/api/v1/e-spm/").status_code in (401, 403)


def test_api_query_count_does_not_grow_with_rows(
    client_for,
    reviewer,
    operator_a,
    daerah,
    service_a,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    client = client_for(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        approved_report(operator_a, reviewer, daerah, service_a, YEAR, 1, 240)
    plan_create(user=reviewer, region=daerah, start_year=YEAR, end_year=YEAR + 4)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/e-spm/").json()["count"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        for code in ("1.02.K02", "1.02.K03"):
            for quarter in (1, 2):
                approved_report(operator_a, reviewer, daerah, BasicService.objects.get(code=code), YEAR, quarter, 100)
    with django_assert_max_num_queries(len(one)):
        assert client.get("/api/v1/e-spm/").json()["count"] == 5


def test_api_refuses_an_empty_page_number(client_for, stored, reviewer):
    """``page`` is an integer in the schema: an empty one is refused, not read as page 1."""
    client = client_for(reviewer)
    assert client.get("/api/v1/e-spm/", {"page": ""}).status_code == 404
    assert client.get("/api/v1/e-spm/", {"page": "1"}).json()["count"] == 4
