"""Fixtures of the reporting tests: an open period, a report of OPD A, and a way to fill it completely."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from reporting.choices import ImplementationStage
from reporting.models import QuarterlyReport
from reporting.services import (
    ReportInput,
    evidence_add,
    period_get_or_create,
    report_approve,
    report_open,
    report_save,
    report_submit,
)


def _one_page_pdf() -> bytes:
    """A real PDF of one blank A4 page (evidence is opened with pypdf, a bare ``%PDF`` header is refused)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF_BYTES = _one_page_pdf()


def pdf_upload(name: str = "bukti.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@pytest.fixture
def period(daerah):
    """TW II of 2026 with its due date 30 days ahead, so nothing is late."""
    period = period_get_or_create(region=daerah, year=2026, quarter=2)
    period.due_date = timezone.localdate() + dt.timedelta(days=30)
    period.opens_on = min(period.opens_on, period.due_date)
    period.save()
    return period


@pytest.fixture
def report(operator_a, period, service_a) -> QuarterlyReport:
    return report_open(user=operator_a, period=period, service=service_a)


def complete_input(**overrides) -> ReportInput:
    scalars = {
        "must_serve": 1000,
        "served": 240,
        "budget_allocated": 150_000_000,
        "budget_realised": 30_000_000,
        "problems": "Tenaga bidan belum merata di desa terpencil.",
        "solutions": "Penugasan bidan bergilir dan kunjungan rumah.",
    }
    scalars.update(overrides.pop("scalars", {}))
    quality = overrides.pop("quality", {"barang_jasa": (40, 38), "sdm": (12, 12), "tata_cara": (4, 3)})
    stages = overrides.pop(
        "stages",
        dict.fromkeys(ImplementationStage.values[:3], ("selesai", "")) | {"pelaksanaan_pemenuhan": ("proses", "")},
    )
    return ReportInput(scalars=scalars, quality=quality, stages=stages)


def items_for(report: QuarterlyReport, quality: dict) -> dict[int, tuple[int, int]]:
    """For a report bound to a mutu item list: the component figures of ``quality`` spread over the items of
    each component (targets evenly, realisation filling items in order), so the derived sums stay the same."""
    items: dict[int, tuple[int, int]] = {}
    if not report.quality_item_list_id:
        return items
    by_component: dict[str, list[int]] = {}
    for entry in report.item_entries.select_related("item__component").order_by("item__order", "item_id"):
        by_component.setdefault(entry.item.component.code, []).append(entry.item_id)
    for code, ids in by_component.items():
        required, met = quality.get(code, (None, None))
        if required is None or met is None:
            continue
        remaining = met
        for index, item_id in enumerate(ids):
            share = required // len(ids) + (1 if index < required % len(ids) else 0)
            take = min(share, remaining)
            remaining -= take
            items[item_id] = (share, take)
    return items


def upload_required_documents(report: QuarterlyReport, user) -> list:
    """Upload one PDF of each jenis dokumen the report's tahapan need now (reporting/data/stage_documents.yaml)."""
    from reporting import checks
    from reporting.services.reports import report_values

    fresh = QuarterlyReport.objects.prefetch_related("stages", "evidence").get(pk=report.pk)
    missing = checks.documents_missing(report_values(fresh, with_previous=False, served_before_total=0))
    return [
        evidence_add(report=report, user=user, upload=pdf_upload(f"{item.kind}.pdf"), kind=item.kind)
        for item in missing
    ]


def add_evidence(report: QuarterlyReport, user) -> None:
    """Section F complete: the documents the report's tahapan need, or one untyped PDF when they need none."""
    if not upload_required_documents(report, user):
        evidence_add(report=report, user=user, upload=pdf_upload())


def fill_completely(report: QuarterlyReport, user, **overrides) -> QuarterlyReport:
    """Fill every section (A–F) of a report as its operator (item by item when it has a mutu item list): one
    PDF of each document its tahapan need (or one untyped PDF when they need none)."""
    report.refresh_from_db()
    data = complete_input(**overrides)
    data.items = items_for(report, data.quality)
    report_save(report=report, user=user, data=data, expected_version=report.version)
    add_evidence(report, user)
    report.refresh_from_db()
    return report


WORKED_SERVED = {1: 240, 2: 260, 3: 250, 4: 230}


def approved_report(operator, reviewer, region, service, year, quarter, served, must_serve=1000):
    """A report of formula.md's worked example, filled, submitted and approved through the services."""
    period = period_get_or_create(region=region, year=year, quarter=quarter)
    report = report_open(user=operator, period=period, service=service)
    report = fill_completely(
        report, operator, scalars={"served": served, "must_serve": must_serve, "flag_note": "Sudah diperiksa."}
    )
    report_submit(report=report, user=operator, expected_version=report.version)
    report_approve(report=report, user=reviewer)
    return report


@pytest.fixture
def worked_example(operator_a, reviewer, daerah, service_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for quarter, served in WORKED_SERVED.items():
            approved_report(operator_a, reviewer, daerah, service_a, 2025, quarter, served)
    return daerah
