"""Exports of the Rencana Aksi Penerapan SPM: xlsx (one row per service and year) and a PDF laid out as the
lampiran of the Peraturan Kepala Daerah that sets it."""

from __future__ import annotations

from django.db.models import Prefetch
from django.template.loader import render_to_string

from spm.xlsx import table_response
from targets.models import ActionPlan, ActionPlanItem


def plan_items(plan: ActionPlan) -> list[ActionPlanItem]:
    return list(plan.items.select_related("service__affair", "agency").prefetch_related(Prefetch("years")))


PLAN_HEADERS = [
    "Urusan",
    "Kode layanan",
    "Jenis pelayanan dasar",
    "OPD penanggung jawab",
    "Tahun dasar",
    "Terlayani tahun dasar",
    "Capaian tahun dasar (%)",
    "Tahun",
    "Target warga terlayani",
    "Target capaian (%)",
    "Kebutuhan biaya (Rp)",
    "Kode program",
    "Program",
    "Kode kegiatan",
    "Kegiatan",
    "Kode sub kegiatan",
    "Sub kegiatan",
]


def plan_xlsx(plan: ActionPlan):
    rows = [
        (
            item.service.affair.name,
            item.service.code,
            item.service.name,
            item.agency.name,
            item.baseline_year,
            item.baseline_served,
            item.baseline_index,
            year.year,
            year.target_citizens,
            year.target_pct,
            year.cost,
            item.program_code,
            item.program_name,
            item.activity_code,
            item.activity_name,
            item.sub_activity_code,
            item.sub_activity_name,
        )
        for item in plan_items(plan)
        for year in item.years.all()
    ]
    title = f"Rencana Aksi Penerapan SPM {plan.region.name} {plan.start_year}–{plan.end_year}"
    return table_response(
        f"rencana-aksi-{plan.region.code}-{plan.start_year}-{plan.end_year}.xlsx",
        [("Rencana aksi", PLAN_HEADERS, rows, title)],
    )


def plan_pdf(plan: ActionPlan) -> bytes:
    from weasyprint import HTML

    items = plan_items(plan)
    html = render_to_string("targets/pdf/action_plan.html", {"plan": plan, "items": items, "years": plan.years})
    return HTML(string=html).write_pdf()
