"""Rencana Aksi Penerapan SPM: created by the verifikator with baselines, filled per service, approved,
enacted with a Perkada and its signed PDF; exported as xlsx and PDF; scope holds."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from spm.models import BasicService
from spm.services import service_assign
from targets.choices import PlanStatus
from targets.services import PlanItemInput, plan_approve, plan_create, plan_enact, plan_item_save

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def plan(reviewer, daerah, agency_a):
    return plan_create(user=reviewer, region=daerah, references={"rpjmd_ref": "Perda 3/2025 RPJMD 2025–2029"})


def fill(plan, user):
    for item in plan.items.all():
        years = {y: (1000 + i, Decimal("90.00") + i, 10_000_000) for i, y in enumerate(plan.years)}
        plan_item_save(
            user=user,
            item=item,
            data=PlanItemInput(nomenclature={"program_code": "1.02.02", "program_name": "Program PUKM"}, years=years),
        )


def test_plan_has_one_item_per_assigned_service_with_five_years(plan):
    assert plan.years == [2026, 2027, 2028, 2029, 2030]
    assert sorted(plan.items.values_list("service__code", flat=True)) == ["1.02.K01", "1.02.K02", "1.02.K03"]
    assert all(item.years.count() == 5 for item in plan.items.all())


def test_baseline_is_the_last_realised_year(reviewer, worked_example):
    plan = plan_create(user=reviewer, region=worked_example)
    item = plan.items.get(service__code="1.02.K01")
    assert (item.baseline_year, item.baseline_served, item.baseline_index) == (2025, 980, Decimal("97.33"))


def test_operator_cannot_create_a_plan(operator_a, daerah):
    with pytest.raises(PermissionDenied):
        plan_create(user=operator_a, region=daerah)


def test_operator_fills_its_own_service_but_not_others(plan, operator_a, operator_b):
    item = plan.items.get(service__code="1.02.K01")
    plan_item_save(user=operator_a, item=item, data=PlanItemInput(years={2026: (1000, Decimal(95), 5_000_000)}))
    assert item.years.get(year=2026).target_citizens == 1000
    with pytest.raises(PermissionDenied):
        plan_item_save(user=operator_b, item=item, data=PlanItemInput(years={2026: (1, None, None)}))


def test_percentage_above_100_is_refused_naming_the_year(plan, operator_a):
    item = plan.items.get(service__code="1.02.K01")
    with pytest.raises(ValidationError) as exc:
        plan_item_save(user=operator_a, item=item, data=PlanItemInput(years={2027: (10, Decimal(101), None)}))
    assert exc.value.message_dict["pct_2027"] == ["Target capaian 2027 harus antara 0 dan 100%."]


def test_incomplete_plan_cannot_be_approved(plan, reviewer):
    with pytest.raises(ValidationError) as exc:
        plan_approve(user=reviewer, plan=plan)
    assert "1.02.K01" in exc.value.messages[0]


def test_approve_then_enact_with_a_signed_pdf(plan, reviewer):
    fill(plan, reviewer)
    plan = plan_approve(user=reviewer, plan=plan)
    with pytest.raises(PermissionDenied):
        plan_item_save(user=reviewer, item=plan.items.first(), data=PlanItemInput())
    with pytest.raises(ValidationError) as exc:
        plan_enact(
            user=reviewer,
            plan=plan,
            perkada_number="12",
            perkada_date=dt.date(2026, 3, 1),
            document=SimpleUploadedFile("perkada.pdf", b"MZ not a pdf"),
        )
    assert exc.value.message_dict["signed_document"] == ["Dokumen Perkada harus berkas PDF; isi berkas bukan PDF."]
    plan = plan_enact(
        user=reviewer,
        plan=plan,
        perkada_number="12 Tahun 2026",
        perkada_date=dt.date(2026, 3, 1),
        document=SimpleUploadedFile("perkada.pdf", PDF),
    )
    assert plan.status == PlanStatus.ENACTED and plan.signed_document.name.endswith(".pdf")
    assert list(plan.transitions.values_list("to_status", flat=True)) == ["approved", "enacted"]


def test_leader_cannot_approve(plan, leader, reviewer):
    fill(plan, reviewer)
    with pytest.raises(PermissionDenied):
        plan_approve(user=leader, plan=plan)


def test_exports_xlsx_and_pdf(client_for, plan, reviewer):
    fill(plan, reviewer)
    client = client_for(reviewer)
    response = client.get(reverse("targets:plan-export", args=[plan.pk, "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[3]]
    first = dict(zip(header, [c.value for c in sheet[4]], strict=True))
    assert first["Tahun"] == 2026 and first["Target warga terlayani"] == 1000 and first["Kode program"] == "1.02.02"
    assert sheet.max_row == 3 + 15 + 2 + 5  # header, 3 services × 5 years, a gap and the title, 5 year sums
    assert sheet.print_title_rows == "$3:$3" and sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    response = client.get(reverse("targets:plan-export", args=[plan.pk, "pdf"]))
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "LAMPIRAN" in text and "RENCANA AKSI PENERAPAN STANDAR PELAYANAN MINIMAL" in text and "2026–2030" in text


def test_pages_and_scope(client_for, plan, reviewer, operator_a, outsider, leader):
    detail = reverse("targets:plan-detail", args=[plan.pk])
    assert 'data-testid="rencana-1.02.K01"' in client_for(reviewer).get(detail).content.decode()
    assert client_for(operator_a).get(detail).status_code == 200
    assert client_for(outsider).get(detail).status_code == 404
    assert client_for(outsider).get(reverse("targets:plan-export", args=[plan.pk, "pdf"])).status_code == 404
    assert client_for(leader).post(reverse("targets:plan-list"), {"start_year": 2031}).status_code == 403


def test_item_saved_through_the_page(client_for, plan, operator_a):
    item = plan.items.get(service__code="1.02.K01")
    response = client_for(operator_a).post(
        reverse("targets:plan-item-save", args=[item.pk]), {"citizens_2026": "1.200", "pct_2026": "95,5"}
    )
    assert response.status_code == 302
    row = item.years.get(year=2026)
    assert (row.target_citizens, row.target_pct) == (1200, Decimal("95.50"))


def test_plan_list_query_count(client_for, plan, reviewer, daerah, django_assert_max_num_queries):
    client = client_for(reviewer)
    with django_assert_max_num_queries(12) as first:
        client.get(reverse("targets:plan-list"))
    plan_create(user=reviewer, region=daerah, start_year=2031, end_year=2035)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("targets:plan-list"))


def test_new_plan_starts_from_the_approved_targets_and_the_cost_of_the_needs(reviewer, operator_a, daerah, service_a):
    from targets.services import need_save
    from tests.targets.conftest import approved_target
    from tests.targets.test_needs import line

    approved_target(operator_a, reviewer, daerah, service_a, 2026, must_serve=1000)
    # 0,25 bidan per ibu hamil × 1.000 = 250 needed, 180 available → 70 × Rp 4.000.000
    need_save(user=operator_a, region=daerah, service=service_a, year=2026, data=line())
    plan = plan_create(user=reviewer, region=daerah)
    years = {y.year: y for y in plan.items.get(service=service_a).years.all()}
    assert (years[2026].target_citizens, years[2026].cost) == (1000, 280_000_000)
    assert (years[2027].target_citizens, years[2027].cost) == (None, None)  # nothing entered yet: left blank


# --- One block saved at a time, in place (issue 12) ---------------------------------------------------------

HTMX = {"HX-Request": "true"}


def test_block_saved_with_htmx_answers_only_that_block_with_the_time(client_for, plan, operator_a):
    item = plan.items.get(service__code="1.02.K01")
    response = client_for(operator_a).post(
        reverse("targets:plan-item-save", args=[item.pk]),
        {"program_code": "1.02.02", "citizens_2026": "1.200", "pct_2026": "95,5", "cost_2026": "5.000.000"},
        headers=HTMX,
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert body.count('class="card shadow-sm mb-3 plan-item"') == 1 and 'id="rencana-1.02.K01"' in body
    assert "Tersimpan pukul" in body
    assert 'value="1.200"' in body and 'value="95,50"' in body and 'value="5.000.000"' in body
    row = item.years.get(year=2026)
    assert (row.target_citizens, row.target_pct, row.cost) == (1200, Decimal("95.50"), 5_000_000)


def test_refused_block_keeps_what_was_typed_beside_its_error_and_saves_nothing(client_for, plan, operator_a):
    item = plan.items.get(service__code="1.02.K01")
    response = client_for(operator_a).post(
        reverse("targets:plan-item-save", args=[item.pk]),
        {"program_code": "9.99", "citizens_2026": "seribu", "pct_2027": "120"},
        headers=HTMX,
    )
    body = response.content.decode()
    assert response.status_code == 200 and "Tersimpan pukul" not in body
    assert 'value="seribu"' in body and 'aria-invalid="true"' in body
    assert "Target warga terlayani 2026 harus bilangan bulat." in body
    item.refresh_from_db()
    assert item.program_code == "" and item.years.get(year=2027).target_pct is None


def test_block_without_htmx_returns_to_its_place_on_the_page(client_for, plan, operator_a):
    item = plan.items.get(service__code="1.02.K01")
    response = client_for(operator_a).post(reverse("targets:plan-item-save", args=[item.pk]), {"citizens_2026": "5"})
    assert response.status_code == 302 and response.url.endswith("#rencana-1.02.K01")


def test_block_of_another_opd_is_refused(client_for, plan, operator_b, outsider):
    item = plan.items.get(service__code="1.02.K01")
    url = reverse("targets:plan-item-save", args=[item.pk])
    assert client_for(operator_b).post(url, {"citizens_2026": "5"}, headers=HTMX).status_code == 403
    assert client_for(outsider).post(url, {"citizens_2026": "5"}, headers=HTMX).status_code == 404
    assert item.years.get(year=2026).target_citizens is None


def test_plan_page_query_count_does_not_grow_with_services(
    client_for, plan, reviewer, daerah, agency_a, django_assert_max_num_queries
):
    client = client_for(reviewer)
    detail = reverse("targets:plan-detail", args=[plan.pk])
    with django_assert_max_num_queries(20) as first:
        client.get(detail)
    more = BasicService.objects.filter(level=plan.items.first().service.level).exclude(
        pk__in=plan.items.values("service")
    )[:3]
    for service in more:
        service_assign(region=daerah, service=service, agency=agency_a)
    second = plan_create(user=reviewer, region=daerah, start_year=2031, end_year=2035)
    assert second.items.count() > plan.items.count()
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("targets:plan-detail", args=[second.pk]))
