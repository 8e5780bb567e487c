"""Laporan Penerapan SPM (Permendagri 59/2021): gathering its content and rendering it as xlsx and PDF.

Every figure comes from the stored, frozen achievements of the period
(``reporting.achievements.dashboard.region_dashboard``, the same read as the dashboard), so the official
report and the dashboard can never disagree. Permasalahan, solusi and the four tahapan come from the
period's approved quarterly reports.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from reporting.achievements import formula as achievement
from reporting.achievements.dashboard import region_dashboard
from reporting.choices import ImplementationStage, ReportStatus, StageStatus
from reporting.models import Achievement, QuarterlyReport, StageProgress
from spm.models import Affair
from spm.xlsx import save
from targets.models import ReportEdition

HEADER_FILL = PatternFill("solid", fgColor="0B4F8A")
HEADER_FONT = Font(bold=True, color="FFFFFF")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def pct(value: Decimal | None) -> Decimal | None:
    """Percentages and indices as shown (2 decimals, half up), as the dashboard shows them."""
    return achievement.display(value)


def id_number(value: Decimal | None) -> str:
    """97.33 → "97,33" (Indonesian decimal comma) for the PDF."""
    if value is None:
        return "—"
    return f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


@dataclass
class ServiceLine:
    row: Achievement
    quality_required: int | None
    quality_met: int | None
    problems: str
    solutions: str

    @property
    def service(self):
        return self.row.service


@dataclass
class AffairSection:
    affair: Affair
    row: Achievement | None
    services: list[ServiceLine] = field(default_factory=list)


@dataclass
class StageSummary:
    label: str
    counts: dict[str, int]

    def text(self) -> str:
        parts = [f"{StageStatus(code).label}: {n}" for code, n in self.counts.items() if n]
        return "; ".join(parts) or "Belum dilaporkan"


@dataclass
class OfficialReport:
    edition: ReportEdition
    region_row: Achievement | None
    affairs: list[AffairSection]
    stages: list[StageSummary]
    generated_at: object

    @property
    def region(self):
        return self.edition.region

    @property
    def index(self) -> Decimal | None:
        return pct(self.region_row.index) if self.region_row else None

    @property
    def status_label(self) -> str:
        return self.region_row.get_status_label() if self.region_row else "Belum ada capaian"

    @property
    def budget_allocated(self) -> int:
        return sum(line.row.budget_allocated or 0 for a in self.affairs for line in a.services)

    @property
    def budget_realised(self) -> int:
        return sum(line.row.budget_realised or 0 for a in self.affairs for line in a.services)


def build(edition: ReportEdition) -> OfficialReport:
    """The content of an edition: the stored achievements of its period plus texts of the approved reports."""
    region, year, quarter = edition.region, edition.year, edition.data_quarter
    data = region_dashboard(region, year, quarter)
    reports = {
        r.service_id: r
        for r in QuarterlyReport.objects.filter(
            region=region, period__year=year, period__quarter=quarter, status=ReportStatus.APPROVED
        )
    }
    by_affair: dict[int, list[ServiceLine]] = defaultdict(list)
    for row in data["service_rows"]:
        pairs = row.inputs.get("quality") or []
        report = reports.get(row.service_id)
        by_affair[row.service.affair_id].append(
            ServiceLine(
                row=row,
                quality_required=sum(int(Decimal(str(r))) for r, _m in pairs) if pairs else None,
                quality_met=sum(int(Decimal(str(m))) for _r, m in pairs) if pairs else None,
                problems=report.problems if report else "",
                solutions=report.solutions if report else "",
            )
        )
    affairs = [
        AffairSection(affair=affair, row=row, services=by_affair.get(affair.pk, []))
        for affair, row in data["affair_rows"]
        if row is not None or by_affair.get(affair.pk)
    ]
    counts: dict[str, Counter] = {s: Counter() for s in ImplementationStage.values}
    for stage, status in StageProgress.objects.filter(report__in=list(reports.values())).values_list("stage", "status"):
        if status:
            counts[stage][status] += 1
    stages = [
        StageSummary(str(ImplementationStage(code).label), {s: counts[code][s] for s in StageStatus.values})
        for code in ImplementationStage.values
    ]
    return OfficialReport(edition, data["region_row"], affairs, stages, timezone.localtime())


# --- xlsx ---------------------------------------------------------------------------------------------

SERVICE_HEADERS = [
    "Kode",
    "Jenis pelayanan dasar",
    "Harus dilayani",
    "Terlayani (kumulatif)",
    "%penerima",
    "Mutu harus dipenuhi",
    "Mutu terpenuhi",
    "%mutu",
    "Nilai",
    "Status",
    "Alokasi anggaran (Rp)",
    "Realisasi anggaran (Rp)",
    "Permasalahan",
    "Solusi",
]


def _header(ws, row: int, headers: list[str]) -> None:
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(row=row, column=col, value=text)
        cell.fill, cell.font, cell.border = HEADER_FILL, HEADER_FONT, BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")


def _title(ws, report: OfficialReport, subtitle: str) -> None:
    ws.cell(row=1, column=1, value=f"LAPORAN PENERAPAN SPM {report.region.name.upper()}").font = Font(
        bold=True, size=14
    )
    ws.cell(row=2, column=1, value=f"{report.edition.label} — {subtitle}").font = Font(italic=True)


def render_xlsx(report: OfficialReport) -> bytes:
    """One summary sheet (Ringkasan) plus one sheet per urusan; numbers as numbers, money as whole Rupiah."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Ringkasan"
    _title(ws, report, "Ringkasan")
    ws["A4"], ws["B4"] = "IP-SPM daerah", report.index
    ws["A5"], ws["B5"] = "Status", report.status_label
    ws["A6"], ws["B6"] = "Alokasi anggaran (Rp)", report.budget_allocated
    ws["A7"], ws["B7"] = "Realisasi anggaran (Rp)", report.budget_realised
    for r in range(4, 8):
        ws.cell(row=r, column=1).font = Font(bold=True)
    ws["B6"].number_format = ws["B7"].number_format = "#,##0"
    _header(ws, 9, ["Urusan", "IP-SPM urusan", "Status", "Jumlah layanan"])
    r = 10
    for section in report.affairs:
        values = [
            section.affair.name,
            pct(section.row.index) if section.row else None,
            section.row.get_status_label() if section.row else "Tidak ada sasaran",
            len(section.services),
        ]
        for c, value in enumerate(values, start=1):
            ws.cell(row=r, column=c, value=value).border = BORDER
        r += 1
    r += 1
    ws.cell(row=r, column=1, value="Tahapan penerapan SPM").font = Font(bold=True)
    _header(ws, r + 1, ["Tahapan", "Keadaan (jumlah layanan)"])
    for i, stage in enumerate(report.stages, start=r + 2):
        ws.cell(row=i, column=1, value=stage.label).border = BORDER
        ws.cell(row=i, column=2, value=stage.text()).border = BORDER
    ws.column_dimensions["A"].width = 55
    ws.column_dimensions["B"].width = 30
    ws.column_dimensions["C"].width = 20
    for section in report.affairs:
        sheet = wb.create_sheet(section.affair.name[:31])
        _title(sheet, report, section.affair.name)
        _header(sheet, 4, SERVICE_HEADERS)
        for r, line in enumerate(section.services, start=5):
            row = line.row
            values = [
                line.service.code,
                line.service.name,
                row.must_serve,
                row.served,
                pct(row.recipient_pct),
                line.quality_required,
                line.quality_met,
                pct(row.quality_pct),
                pct(row.index),
                row.get_status_label(),
                row.budget_allocated,
                row.budget_realised,
                line.problems,
                line.solutions,
            ]
            for c, value in enumerate(values, start=1):
                cell = sheet.cell(row=r, column=c, value=value)
                cell.border = BORDER
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                if c in (11, 12):
                    cell.number_format = "#,##0"
                elif c in (5, 8, 9):
                    cell.number_format = "0.00"
        for col, width in zip("ABCDEFGHIJKLMN", (10, 40, 12, 12, 10, 12, 12, 10, 10, 16, 18, 18, 40, 40), strict=True):
            sheet.column_dimensions[col].width = width
        sheet.freeze_panes = "C5"
        sheet.page_setup.orientation = "landscape"
    return save(wb)  # type: ignore[return-value]


# --- PDF ----------------------------------------------------------------------------------------------


def render_html(report: OfficialReport) -> str:
    return render_to_string("targets/pdf/official_report.html", {"report": report, "edition": report.edition})


def render_pdf(report: OfficialReport) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(report)).write_pdf()
