"""Exports of the Rencana Aksi Penerapan SPM: xlsx (one row per service and year) and a PDF laid out as the
lampiran of the Peraturan Kepala Daerah that sets it."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpResponse
from django.template.loader import render_to_string

from spm.xlsx import XLSX_TYPE, save
from targets.choices import PaperSize
from targets.documents import XLSX_PAPER, letterhead, long_date, write_pdf
from targets.models import ActionPlan, ActionPlanItem, RegionProfile


def plan_items(plan: ActionPlan) -> list[ActionPlanItem]:
    return list(plan.items.select_related("service__affair", "agency").prefetch_related(Prefetch("years")))


# The columns of the lampiran, in the same order in the PDF and the xlsx; the xlsx splits the baseline and the
# budget nomenclature into their parts so that they stay sortable. Widths: % of the PDF table, xlsx characters.
PLAN_COLUMNS = [
    ("Kode", 7, 11),
    ("Jenis pelayanan dasar", 15, 36),
    ("OPD penanggung jawab", 11, 24),
    ("Baseline (tahun dasar)", 8, None),
    ("Tahun", 5, 7),
    ("Target warga terlayani", 9, 12),
    ("Target capaian (%)", 6, 10),
    ("Kebutuhan biaya (Rp)", 11, 18),
    ("Program / kegiatan / sub kegiatan", 28, None),
]
PLAN_HEADERS = [
    "No",
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
PLAN_XLSX_WIDTHS = [5, 11, 36, 24, 8, 11, 11, 7, 12, 10, 18, 12, 40, 14, 40, 16, 40]
HEADER_ROW = 3


def year_totals(items: list[ActionPlanItem], years: list[int]) -> list[tuple[int, int, int]]:
    """Per year of the plan: (year, sum of target warga terlayani, sum of kebutuhan biaya in Rupiah)."""
    totals = {y: [0, 0] for y in years}
    for item in items:
        for y in item.years.all():
            if y.year in totals:
                totals[y.year][0] += y.target_citizens or 0
                totals[y.year][1] += y.cost or 0
    return [(y, citizens, cost) for y, (citizens, cost) in totals.items()]


def plan_title(plan: ActionPlan) -> str:
    return f"Rencana Aksi Penerapan SPM {plan.region.name} {plan.start_year}–{plan.end_year}"


def plan_xlsx_bytes(plan: ActionPlan) -> bytes:
    """The lampiran as a workbook: one row per service and year, the per-year sums under it, ready to print
    (landscape, the daerah's paper, fit to one page wide, the header row repeated on every page)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from spm.xlsx import HEADER_FILL, HEADER_FONT

    items = plan_items(plan)
    wb = Workbook()
    ws = wb.active
    ws.title = "Rencana aksi"
    ws.cell(row=1, column=1, value=plan_title(plan).upper()).font = Font(bold=True, size=13)
    perkada = f"Lampiran Peraturan {plan.region.head_of_region} Nomor {plan.perkada_number or '……'}"
    ws.cell(row=2, column=1, value=perkada).font = Font(italic=True)
    for col, header in enumerate(PLAN_HEADERS, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=header)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    r = HEADER_ROW
    for number, item in enumerate(items, start=1):
        for y in item.years.all():
            r += 1
            values = [
                number,
                item.service.code,
                item.service.name,
                item.agency.name,
                item.baseline_year,
                item.baseline_served,
                item.baseline_index,
                y.year,
                y.target_citizens,
                y.target_pct,
                y.cost,
                item.program_code,
                item.program_name,
                item.activity_code,
                item.activity_name,
                item.sub_activity_code,
                item.sub_activity_name,
            ]
            for c, value in enumerate(values, start=1):
                cell = ws.cell(row=r, column=c, value=value)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                if c in (6, 9, 11):
                    cell.number_format = "#,##0"
                elif c in (7, 10):
                    cell.number_format = "0.00"
    r += 2
    ws.cell(row=r, column=3, value="Jumlah per tahun").font = Font(bold=True)
    for year, citizens, cost in year_totals(items, plan.years):
        r += 1
        ws.cell(row=r, column=3, value=f"Jumlah {year}").font = Font(bold=True)
        ws.cell(row=r, column=8, value=year)
        ws.cell(row=r, column=9, value=citizens).number_format = "#,##0"
        ws.cell(row=r, column=11, value=cost).number_format = "#,##0"
    for c, width in enumerate(PLAN_XLSX_WIDTHS, start=1):
        ws.column_dimensions[ws.cell(row=HEADER_ROW, column=c).column_letter].width = width
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=4)
    profile = RegionProfile.objects.filter(region=plan.region).only("paper_size").first()
    setup = ws.page_setup
    setup.orientation = "landscape"
    setup.paperSize = XLSX_PAPER[PaperSize(profile.paper_size if profile else PaperSize.A4)]
    setup.fitToWidth, setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_options.gridLines = True
    ws.oddFooter.center.text = "Halaman &P dari &N"
    return save(wb)  # type: ignore[return-value]


def plan_xlsx(plan: ActionPlan) -> HttpResponse:
    response = HttpResponse(plan_xlsx_bytes(plan), content_type=XLSX_TYPE)
    name = f"rencana-aksi-{plan.region.code}-{plan.start_year}-{plan.end_year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def plan_html(plan: ActionPlan) -> str:
    items = plan_items(plan)
    kop = letterhead(plan.region)
    return render_to_string(
        "targets/pdf/action_plan.html",
        {
            "plan": plan,
            "items": items,
            "years": plan.years,
            "kop": kop,
            "columns": PLAN_COLUMNS,
            "totals": year_totals(items, plan.years),
            # The Perkada is dated when it is enacted; before that the date is left for the pen.
            "signed_on": long_date(plan.perkada_date) if plan.perkada_date else "……………………",
        },
    )


def plan_pdf(plan: ActionPlan) -> bytes:
    """The lampiran of the Perkada, landscape, with the kop, the table and the kepala daerah's signature."""
    return write_pdf(plan_html(plan))
