"""Hand-off to the Ministry's e-SPM: one daerah's triwulan in the layout of the e-SPM reporting form, as xlsx
(:func:`render_xlsx`) and as API rows (``targets.api``), so Bagian Pemerintahan stops typing the figures twice.

**What the layout follows.** Permendagri 59/2021 Pasal 24 ayat (1): the Laporan Penerapan SPM is sent every three
months through the application (e-SPM, spm.bangda.kemendagri.go.id). Kemendagri (Ditjen Bina Pembangunan Daerah,
2024) describes what the e-SPM report holds: capaian penerapan SPM, penganggaran SPM, permasalahan SPM, pemenuhan
empat tahapan penerapan SPM and penyusunan rencana aksi; the capaian is the IP-SPM, 80 % penerima and 20 % mutu
(formula.md, the weights of the stored rule set). So each jenis pelayanan dasar has:
A. penerima (harus dilayani, terlayani kumulatif, %penerima, bobot 80 %), B. mutu (each komponen: harus
dipenuhi, terpenuhi, tidak berlaku; totals, %mutu, bobot 20 %), the nilai and status, C. anggaran (alokasi,
realisasi), D. permasalahan dan solusi, E. the four tahapan, and the rencana aksi line of the year.

**Assumed** (the form itself is behind the Ministry's login and could not be read here): the sheet and column
order, one row per jenis (one per jenis × komponen for mutu, per jenis × tahapan for the tahapan), codes of the
catalogue as the keys. Rename columns here if the Ministry's template differs; the figures do not change.

**Where the figures come from.** Only stored data: the current service-level ``Achievement`` rows of the period
(the rows the dashboard and the official report read) and the approved report each row was computed from, shown
through the same :func:`targets.official_report.service_line` as the official report — never recomputed. A jenis
without a stored achievement is listed as "Belum ada data". No personal data (no recipient), so the export is
not an entry of the personal-data access log.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from reporting.choices import ImplementationStage, StageStatus
from reporting.models import Achievement, AchievementLevel, QualityEntry, QuarterlyReport, StageProgress
from spm.models import BasicService, Region
from spm.xlsx import HEADER_FILL, HEADER_FONT, number_format_of, save
from targets.models import ActionPlan, ActionPlanItem, ActionPlanYear
from targets.official_report import NO_DATA, ROMAN, ServiceLine, best_plan, pct, service_line
from targets.selectors import approved_must_serve_by_service

STAGE_LABELS = dict(ImplementationStage.choices)
STATUS_LABELS = dict(StageStatus.choices)


@dataclass
class EspmLine:
    """One jenis pelayanan dasar of a daerah's triwulan, as the e-SPM form asks for it."""

    region: Region
    year: int
    quarter: int
    line: ServiceLine
    report: QuarterlyReport | None = None
    plan: ActionPlan | None = None
    plan_item: ActionPlanItem | None = None
    plan_year: ActionPlanYear | None = None
    quality: list[QualityEntry] = field(default_factory=list)
    stages: list[StageProgress] = field(default_factory=list)

    @property
    def service(self) -> BasicService:
        return self.line.service

    @property
    def row(self) -> Achievement | None:
        return self.line.row

    @property
    def weights(self) -> tuple[Decimal, Decimal] | tuple[None, None]:
        """(bobot %penerima, bobot %mutu) of the rule set that computed the stored nilai."""
        if self.row is None:
            return None, None
        rules = self.row.rules.rule_set
        return rules.weight_recipients, rules.weight_quality

    @property
    def budget_pct(self) -> Decimal | None:
        return self.line.budget_pct

    def stage_codes(self) -> list[tuple[str, str, str, str]]:
        """(code, tahapan, status code, keterangan) for the four tahapan in their order; "" when not reported."""
        by_code = {s.stage: s for s in self.stages}
        return [
            (
                code,
                str(STAGE_LABELS[code]),
                by_code[code].status if code in by_code else "",
                by_code[code].note if code in by_code else "",
            )
            for code in ImplementationStage.values
        ]

    def stage_rows(self) -> list[tuple[str, str, str, str]]:
        """As :meth:`stage_codes`, with the status's label (Belum dilaksanakan / Sedang dilaksanakan / Selesai)."""
        return [(c, label, str(STATUS_LABELS.get(s, "")), note) for c, label, s, note in self.stage_codes()]


# The approved report of each stored row with its mutu entries and tahapan: two queries for any number of rows.
ACHIEVEMENT_PREFETCH = (
    Prefetch(
        "report__quality_entries",
        queryset=QualityEntry.objects.select_related("component").order_by("component__order"),
    ),
    "report__stages",
)


def _achievements() -> QuerySet:
    """Current service-level achievements with the approved report each was computed from."""
    return (
        Achievement.objects.filter(level=AchievementLevel.SERVICE, is_current=True)
        .select_related("region", "service__affair", "rules", "report")
        .prefetch_related(*ACHIEVEMENT_PREFETCH)
    )


def _plan_lines(keys: set[tuple[int, int, int]]) -> dict[tuple[int, int, int], tuple]:
    """(region id, service id, year) → (plan, item, year row) of the rencana aksi covering that year (three
    queries for any number of keys)."""
    if not keys:
        return {}
    region_ids = {k[0] for k in keys}
    years = {k[2] for k in keys}
    plans = ActionPlan.objects.filter(region_id__in=region_ids, start_year__lte=max(years), end_year__gte=min(years))
    by_region: dict[int, list[ActionPlan]] = defaultdict(list)
    for plan in plans:
        by_region[plan.region_id].append(plan)
    chosen = {}
    for region_id, year in {(k[0], k[2]) for k in keys}:
        plan = best_plan(p for p in by_region[region_id] if p.start_year <= year <= p.end_year)
        if plan is not None:
            chosen[(region_id, year)] = plan
    items = ActionPlanItem.objects.filter(plan__in={p.pk for p in chosen.values()}).prefetch_related("years")
    by_plan_service = {(i.plan_id, i.service_id): i for i in items}
    found = {}
    for region_id, service_id, year in keys:
        plan = chosen.get((region_id, year))
        item = by_plan_service.get((plan.pk, service_id)) if plan else None
        year_row = next((y for y in item.years.all() if y.year == year), None) if item else None
        found[(region_id, service_id, year)] = (plan, item, year_row)
    return found


def _line(row: Achievement | None, service: BasicService, region: Region, year: int, quarter: int, target, plans):
    report = row.report if row else None
    plan, item, year_row = plans.get((region.pk, service.pk, year), (None, None, None))
    return EspmLine(
        region=region,
        year=year,
        quarter=quarter,
        line=service_line(service, row, report, target),
        report=report,
        plan=plan,
        plan_item=item,
        plan_year=year_row,
        quality=list(report.quality_entries.all()) if report else [],
        stages=list(report.stages.all()) if report else [],
    )


def lines_for_achievements(rows) -> list[EspmLine]:
    """The e-SPM lines of stored achievement rows (a page of the API), in their order: constant queries."""
    rows = list(rows)
    plans = _plan_lines({(r.region_id, r.service_id, r.year) for r in rows})
    return [_line(r, r.service, r.region, r.year, r.quarter, None, plans) for r in rows]


def espm_lines(region: Region, year: int, quarter: int) -> list[EspmLine]:
    """Every jenis pelayanan dasar of the daerah's level for the triwulan, with its stored figures or none."""
    stored = {row.service_id: row for row in _achievements().filter(region=region, year=year, quarter=quarter)}
    targets = approved_must_serve_by_service(region=region, year=year)
    services = list(
        BasicService.objects.for_region(region).active().select_related("affair").order_by("affair__order", "order")
    )
    plans = _plan_lines({(region.pk, s.pk, year) for s in services})
    return [_line(stored.get(s.pk), s, region, year, quarter, targets.get(s.pk), plans) for s in services]


def region_row(region: Region, year: int, quarter: int) -> Achievement | None:
    """The daerah's stored IP-SPM of the triwulan (the dashboard's figure)."""
    return (
        Achievement.objects.filter(
            region=region, year=year, quarter=quarter, level=AchievementLevel.REGION, is_current=True
        )
        .select_related("rules")
        .first()
    )


# --- xlsx ------------------------------------------------------------------------------------------------

CAPAIAN_HEADERS = [
    "No",
    "Urusan",
    "Kode",
    "Jenis pelayanan dasar",
    "A. Jumlah yang harus dilayani",
    "A. Jumlah terlayani (kumulatif)",
    "A. Capaian penerima (%)",
    "A. Bobot penerima",
    "B. Mutu harus dipenuhi",
    "B. Mutu terpenuhi",
    "B. Capaian mutu (%)",
    "B. Bobot mutu",
    "Nilai (IP-SPM jenis)",
    "Status",
]
MUTU_HEADERS = ["Kode", "Jenis pelayanan dasar", "Komponen mutu", "Harus dipenuhi", "Terpenuhi", "Tidak berlaku"]
ANGGARAN_HEADERS = [
    "Kode",
    "Jenis pelayanan dasar",
    "Alokasi anggaran (Rp)",
    "Realisasi anggaran (Rp)",
    "Realisasi (%)",
]
MASALAH_HEADERS = ["Kode", "Jenis pelayanan dasar", "Permasalahan", "Solusi"]
TAHAPAN_HEADERS = ["Kode", "Jenis pelayanan dasar", "Tahapan", "Status", "Keterangan"]
RENCANA_HEADERS = [
    "Kode",
    "Jenis pelayanan dasar",
    "Rencana aksi",
    "Status rencana aksi",
    "Nomor Perkada",
    "Target warga terlayani tahun ini",
    "Target capaian tahun ini (%)",
    "Kebutuhan biaya tahun ini (Rp)",
]


def filename(region: Region, year: int, quarter: int) -> str:
    return f"e-spm-{region.code}-{year}-tw{quarter}.xlsx"


def _sheet(book: Workbook, title: str, headers: list[str], rows: list[list], widths: list[int]):
    sheet = book.create_sheet(title)
    sheet.append(headers)
    for index, width in enumerate(widths, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = width
    for values in rows:
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            cell.number_format = number_format_of(cell.value)
            if isinstance(cell.value, str):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "C2"
    return sheet


def render_xlsx(region: Region, year: int, quarter: int, lines: list[EspmLine], total: Achievement | None) -> bytes:
    """The workbook: Identitas, then one sheet per part of the e-SPM form (A+B capaian, mutu, C anggaran, D
    permasalahan dan solusi, E tahapan, rencana aksi). Figures are numbers; no live formula (spm.xlsx.save)."""
    book = Workbook()
    info = book.active
    info.title = "Identitas"
    info.append(["LAPORAN PENERAPAN SPM — FORMAT e-SPM"])
    info["A1"].font = Font(bold=True, size=14)
    for label, value in [
        ("Kode wilayah", region.code),
        ("Pemerintah daerah", region.name),
        ("Tahun", year),
        ("Triwulan", ROMAN[quarter]),
        ("IP-SPM daerah", pct(total.index) if total else None),
        ("Status", total.get_status_label() if total else NO_DATA),
        ("Diunduh", timezone.localtime().strftime("%d-%m-%Y %H:%M")),
        ("Sumber", "Capaian tersimpan dari laporan triwulan yang disetujui (sama dengan dasbor dan laporan resmi)."),
    ]:
        info.append([label, value])
        info.cell(row=info.max_row, column=1).font = Font(bold=True)
    info.column_dimensions["A"].width = 22
    info.column_dimensions["B"].width = 70

    capaian, mutu, anggaran, masalah, tahapan, rencana = [], [], [], [], [], []
    for number, item in enumerate(lines, start=1):
        line, code, name = item.line, item.service.code, item.service.name
        weight_a, weight_b = item.weights
        capaian.append(
            [
                number,
                item.service.affair.name,
                code,
                name,
                line.must_serve,
                line.served,
                line.recipient_pct,
                weight_a,
                line.quality_required,
                line.quality_met,
                line.quality_pct,
                weight_b,
                line.index,
                line.status_label,
            ]
        )
        for entry in item.quality:
            mutu.append(
                [code, name, entry.component.name, entry.required, entry.met, "Ya" if entry.not_applicable else ""]
            )
        anggaran.append([code, name, line.budget_allocated, line.budget_realised, item.budget_pct])
        masalah.append([code, name, line.problems or (NO_DATA if not line.has_data else ""), line.solutions])
        if item.report is not None:
            tahapan += [[code, name, label, status, note] for _c, label, status, note in item.stage_rows()]
        plan, year_row = item.plan, item.plan_year
        rencana.append(
            [
                code,
                name,
                f"{plan.start_year}–{plan.end_year}" if plan else "Belum ada rencana aksi",
                plan.get_status_display() if plan else "",
                plan.perkada_number if plan else "",
                year_row.target_citizens if year_row else None,
                year_row.target_pct if year_row else None,
                year_row.cost if year_row else None,
            ]
        )
    _sheet(book, "A-B Capaian", CAPAIAN_HEADERS, capaian, [5, 22, 11, 48, 13, 13, 12, 10, 12, 12, 12, 10, 12, 18])
    _sheet(book, "B Mutu", MUTU_HEADERS, mutu, [11, 48, 40, 13, 13, 12])
    _sheet(book, "C Anggaran", ANGGARAN_HEADERS, anggaran, [11, 48, 20, 20, 12])
    _sheet(book, "D Permasalahan", MASALAH_HEADERS, masalah, [11, 48, 60, 60])
    _sheet(book, "E Tahapan", TAHAPAN_HEADERS, tahapan, [11, 48, 48, 20, 50])
    _sheet(book, "Rencana Aksi", RENCANA_HEADERS, rencana, [11, 48, 14, 16, 24, 14, 14, 20])
    return save(book)  # type: ignore[return-value]


def workbook(region: Region, year: int, quarter: int) -> bytes:
    """The e-SPM workbook of a daerah's triwulan, in Bahasa Indonesia whatever the user's language (it goes to
    the Ministry)."""
    with translation.override(settings.LANGUAGE_CODE):
        lines = espm_lines(region, year, quarter)
        return render_xlsx(region, year, quarter, lines, region_row(region, year, quarter))
