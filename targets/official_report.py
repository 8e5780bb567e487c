"""Laporan Penerapan SPM: gathering its content and rendering it as xlsx, PDF (and docx, ``official_docx``).

The document follows the "Format Laporan Penerapan Standar Pelayanan Minimal Daerah Provinsi dan Daerah
Kabupaten/Kota" in the lampiran (part A) of Permendagri 100/2018 on penerapan SPM, which Permendagri 59/2021
keeps for the reporting it requires (Pasal 24 ayat (1): reported every three months through the application):

- KATA PENGANTAR, DAFTAR ISI;
- BAB I PENDAHULUAN: A. Latar Belakang, B. Dasar Hukum, C. Kebijakan Umum (as in the RPJMD), D. Arah Kebijakan
  (as in the KUA of the year);
- BAB II PENERAPAN DAN PENCAPAIAN SPM, one part per bidang urusan ("A. Bidang Urusan Pendidikan" …), each with
  1. Jenis Pelayanan Dasar, 2. Target Pencapaian SPM oleh Daerah, 3. Realisasi — confirmed from the lampiran
  text — and 4. Alokasi Anggaran, 5. Dukungan Personil, 6. Permasalahan dan Solusi;
- BAB III PROGRAM DAN KEGIATAN; BAB IV PENUTUP.

Confirmed by reading the lampiran (a copy of its pages -22-/-23-): the front matter, BAB I A–D with their
descriptions, and BAB II's per-urusan parts 1–3. Assumed (the rest of the lampiran could not be read here):
BAB II parts 4–6 and BAB III/BAB IV as named above, as the team's brief lists them. The tahapan penerapan SPM
(Permendagri 59/2021) are added at the end of BAB II, and a landscape lampiran repeats all figures in one table.

Every urusan and every jenis pelayanan dasar of the daerah's level is present; where there is nothing stored
the document says "belum ada data". Every figure comes from the stored, frozen achievements of the period
(``reporting.achievements.dashboard.region_dashboard``, the same read as the dashboard), "harus dilayani"
falls back to the approved target (``targets.selectors``); permasalahan, solusi, personel and the four tahapan
come from the period's approved quarterly reports; BAB III from the rencana aksi covering the year.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from reporting.achievements import formula as achievement
from reporting.achievements.dashboard import region_dashboard
from reporting.choices import ImplementationStage, ReportStatus, StageStatus
from reporting.models import Achievement, QuarterlyReport, StageProgress
from reporting.querysets import quality_with_component
from spm.models import Affair, BasicService, Region
from spm.xlsx import save
from targets.choices import PaperSize, PlanStatus
from targets.documents import XLSX_PAPER, Letterhead, letterhead, long_date, write_pdf
from targets.models import (
    ActionPlan,
    ActionPlanItem,
    ImplementationTeam,
    ImplementationTeamMember,
    ReportEdition,
)
from targets.selectors import approved_must_serve_by_service, team_detail

HEADER_FILL = PatternFill("solid", fgColor="0B4F8A")
HEADER_FONT = Font(bold=True, color="FFFFFF")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
NO_DATA = "Belum ada data"
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
PERSONNEL_COMPONENT = "sdm"  # the mutu component "personel / sumber daya manusia" of the catalogue

# The numbered parts of each urusan in BAB II, in the order of the format.
AFFAIR_PARTS = [
    "1. Jenis Pelayanan Dasar",
    "2. Target Pencapaian SPM oleh Daerah",
    "3. Realisasi",
    "4. Alokasi Anggaran",
    "5. Dukungan Personil",
    "6. Permasalahan dan Solusi",
]
INTRO_PARTS = [
    ("background", "A. Latar Belakang"),
    ("legal_basis", "B. Dasar Hukum"),
    ("general_policy", "C. Kebijakan Umum"),
    ("policy_direction", "D. Arah Kebijakan"),
]
CHAPTERS = {
    "foreword": "KATA PENGANTAR",
    "contents": "DAFTAR ISI",
    "intro": "BAB I PENDAHULUAN",
    "affairs": "BAB II PENERAPAN DAN PENCAPAIAN SPM",
    "programs": "BAB III PROGRAM DAN KEGIATAN",
    "closing": "BAB IV PENUTUP",
    "annex": "LAMPIRAN",
}
STAGES_HEADING = "Tahapan Penerapan SPM"
# BAB I ends with the daerah's Tim Penerapan SPM (its SK and members). ASSUMED placement: the format of the
# Permendagri 100/2018 lampiran read here does not name a part for the team; Permendagri 59/2021 gives the team
# the coordination of the penerapan SPM, so it is reported beside the policy it carries out.
TEAM_HEADING = "E. Tim Penerapan SPM"
NARRATIVE_FIELDS = ["foreword", "background", "legal_basis", "general_policy", "policy_direction", "conclusion"]
BASE_LEGAL_BASIS = [
    "Undang-Undang Nomor 23 Tahun 2014 tentang Pemerintahan Daerah sebagaimana telah beberapa kali diubah",
    "Peraturan Pemerintah Nomor 12 Tahun 2017 tentang Pembinaan dan Pengawasan Penyelenggaraan Pemerintahan Daerah",
    "Peraturan Pemerintah Nomor 2 Tahun 2018 tentang Standar Pelayanan Minimal",
    "Peraturan Menteri Dalam Negeri Nomor 100 Tahun 2018 tentang Penerapan Standar Pelayanan Minimal",
    "Peraturan Menteri Dalam Negeri Nomor 59 Tahun 2021 tentang Penerapan Standar Pelayanan Minimal",
]


def pct(value: Decimal | None) -> Decimal | None:
    """Percentages and indices as shown (2 decimals, half up), as the dashboard shows them."""
    return achievement.display(value)


def id_number(value: Decimal | None) -> str:
    """97.33 → "97,33" (Indonesian decimal comma) for the PDF."""
    if value is None:
        return "—"
    return f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


def period_label(edition: ReportEdition) -> str:
    """ "Tahun 2025" for the annual edition, "Triwulan II Tahun 2025" for a quarterly one."""
    if edition.is_annual:
        return _("Tahun %(year)s") % {"year": edition.year}
    return _("Triwulan %(q)s Tahun %(year)s") % {"q": ROMAN[edition.quarter], "year": edition.year}


def in_sentence(label: str) -> str:
    """ "Triwulan I Tahun 2025" inside a sentence: "triwulan I tahun 2025" (the numeral stays a capital)."""
    return label.replace("Triwulan", "triwulan").replace("Tahun", "tahun")


def annual_due_date(year: int) -> dt.date:
    """Due date of the annual edition: 31 March of the next year.

    Assumed, editable per edition: Permendagri 59/2021 asks for the annual report to the Menteri through the
    Gubernur, but its deadline could not be confirmed here; the report is part of the LPPD, whose deadline is
    the end of March (three months after the budget year), so that date is the default.
    """
    return dt.date(year + 1, 3, 31)


@dataclass
class ServiceLine:
    """One jenis pelayanan dasar in BAB II: its stored achievement (or none) and the texts of its report."""

    service: BasicService
    row: Achievement | None
    target: int | None = None
    quality_required: int | None = None
    quality_met: int | None = None
    personnel_required: int | None = None
    personnel_met: int | None = None
    problems: str = ""
    solutions: str = ""

    @property
    def has_data(self) -> bool:
        return self.row is not None

    @property
    def must_serve(self) -> int | None:
        return self.row.must_serve if self.row and self.row.must_serve is not None else self.target

    @property
    def served(self):
        return self.row.served if self.row else None

    @property
    def recipient_pct(self):
        return pct(self.row.recipient_pct) if self.row else None

    @property
    def quality_pct(self):
        return pct(self.row.quality_pct) if self.row else None

    @property
    def index(self):
        return pct(self.row.index) if self.row else None

    @property
    def status_label(self) -> str:
        return self.row.get_status_label() if self.row else NO_DATA

    @property
    def budget_allocated(self):
        return self.row.budget_allocated if self.row else None

    @property
    def budget_realised(self):
        return self.row.budget_realised if self.row else None

    @property
    def budget_pct(self) -> Decimal | None:
        if not self.budget_allocated or self.budget_realised is None:
            return None
        return pct(Decimal(self.budget_realised) * 100 / Decimal(self.budget_allocated))


@dataclass
class AffairSection:
    """One bidang urusan in BAB II, with every jenis pelayanan dasar of the daerah's level."""

    affair: Affair
    row: Achievement | None
    letter: str
    services: list[ServiceLine] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"{self.letter}. Bidang Urusan {self.affair.name}"

    @property
    def has_data(self) -> bool:
        return any(line.has_data for line in self.services)

    @property
    def with_data(self) -> list[ServiceLine]:
        return [line for line in self.services if line.has_data]


@dataclass
class ProgramSection:
    """BAB III for one urusan: the rencana aksi items of its services with the year's target and cost."""

    affair: Affair
    items: list[tuple[ActionPlanItem, object]]  # (item, ActionPlanYear of the report's year or None)


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
    letterhead: Letterhead | None = None
    narrative: dict[str, str] = field(default_factory=dict)
    plan: ActionPlan | None = None
    programs: list[ProgramSection] = field(default_factory=list)
    team: ImplementationTeam | None = None
    team_members: list[ImplementationTeamMember] = field(default_factory=list)

    @property
    def team_text(self) -> str:
        """One sentence on the team's SK (or its absence), shared by the PDF and the docx."""
        if self.team is None:
            return f"Tim Penerapan SPM {self.region.name} belum dicatat dalam aplikasi."
        return (
            f"Tim Penerapan SPM {self.region.name} dibentuk dengan Keputusan {self.region.head_of_region} "
            f"Nomor {self.team.decree_number} tanggal {long_date(self.team.decree_date)}, "
            f"dengan susunan keanggotaan sebagai berikut."
        )

    @property
    def region(self):
        return self.edition.region

    @property
    def period(self) -> str:
        return period_label(self.edition)

    @property
    def period_in_sentence(self) -> str:
        return in_sentence(self.period)

    @property
    def title(self) -> str:
        return "LAPORAN PENERAPAN STANDAR PELAYANAN MINIMAL"

    @property
    def index(self) -> Decimal | None:
        return pct(self.region_row.index) if self.region_row else None

    @property
    def status_label(self) -> str:
        return self.region_row.get_status_label() if self.region_row else "Belum ada capaian"

    @property
    def lines(self) -> list[ServiceLine]:
        return [line for a in self.affairs for line in a.services]

    @property
    def budget_allocated(self) -> int:
        return sum(line.budget_allocated or 0 for line in self.lines)

    @property
    def budget_realised(self) -> int:
        return sum(line.budget_realised or 0 for line in self.lines)

    @property
    def signed_on(self) -> str:
        return long_date(self.generated_at.date() if hasattr(self.generated_at, "date") else self.generated_at)

    @property
    def legal_basis_items(self) -> list[str]:
        return [
            line.strip(" ;.-0123456789").strip()
            for line in self.narrative.get("legal_basis", "").splitlines()
            if line.strip(" ;.-0123456789").strip()
        ]

    def outline(self) -> list[tuple[int, str]]:
        """The headings of the document in order, (level, text): the PDF, the docx and the tests share it."""
        heads: list[tuple[int, str]] = [(1, CHAPTERS["foreword"]), (1, CHAPTERS["intro"])]
        heads += [(2, title) for _key, title in INTRO_PARTS]
        heads.append((2, TEAM_HEADING))
        heads.append((1, CHAPTERS["affairs"]))
        for section in self.affairs:
            heads.append((2, section.heading))
            heads += [(3, part) for part in AFFAIR_PARTS]
        heads.append((2, self.stages_heading))
        heads += [(1, CHAPTERS["programs"]), (1, CHAPTERS["closing"])]
        return heads

    @property
    def stages_heading(self) -> str:
        return f"{chr(ord('A') + len(self.affairs))}. {STAGES_HEADING}"


def _legal_basis_default(affairs: list[Affair]) -> str:
    lines = list(BASE_LEGAL_BASIS)
    for affair in affairs:
        for piece in (affair.regulation or "").split(";"):
            name = piece.split("(")[0].strip()
            if name and not name.lower().startswith("index") and name not in lines:
                lines.append(f"{name} (standar teknis urusan {affair.name.lower()})")
    return "\n".join(f"{i}. {text};" for i, text in enumerate(lines, start=1))


PLAN_RANK = {PlanStatus.ENACTED: 0, PlanStatus.APPROVED: 1, PlanStatus.DRAFT: 2}


def best_plan(plans) -> ActionPlan | None:
    """Of the plans covering a year, the one that counts: a ditetapkan one first, then disetujui, then draf."""
    plans = list(plans)
    return min(plans, key=lambda p: (PLAN_RANK.get(p.status, 9), -p.start_year)) if plans else None


def covering_plan(region: Region, year: int) -> ActionPlan | None:
    """The rencana aksi whose horizon covers the year (see :func:`best_plan`)."""
    return best_plan(ActionPlan.objects.filter(region=region, start_year__lte=year, end_year__gte=year))


def narrative_defaults(
    region: Region, year: int, quarter: int, *, region_row: Achievement | None = None, served: int | None = None
) -> dict[str, str]:
    """Sensible first drafts of the narrative parts, drawn from the data (a handful of queries).

    The verifikator edits them on the page; a part left empty in the edition uses its default in the document.
    """
    from targets.choices import ANNUAL

    data_quarter = 4 if quarter == ANNUAL else quarter
    edition_label = (
        _("Tahun %(year)s") % {"year": year}
        if quarter == ANNUAL
        else _("Triwulan %(q)s Tahun %(year)s") % {"q": ROMAN[quarter], "year": year}
    )
    if region_row is None:
        region_row = (
            Achievement.objects.filter(region=region, year=year, quarter=data_quarter, level="daerah", is_current=True)
            .select_related("rules")
            .first()
        )
    expected = BasicService.objects.for_region(region).active().count()
    if served is None:
        served = Achievement.objects.filter(
            region=region, year=year, quarter=data_quarter, level="layanan", is_current=True
        ).count()
    affairs = list(Affair.objects.order_by("order"))
    plan = covering_plan(region, year)
    pemda = f"Pemerintah {region.name}"
    rpjmd = plan.rpjmd_ref if plan and plan.rpjmd_ref else _("RPJMD yang berlaku")
    if region_row is not None and region_row.index is not None:
        index_text = _(
            "Indeks Pencapaian SPM (IP-SPM) %(daerah)s %(period)s sebesar %(index)s dengan status %(status)s."
        ) % {
            "daerah": region.name,
            "period": in_sentence(edition_label),
            "index": id_number(pct(region_row.index)),
            "status": region_row.get_status_label(),
        }
    else:
        index_text = _("IP-SPM %(daerah)s %(period)s belum dapat dihitung karena belum ada capaian yang disetujui.") % {
            "daerah": region.name,
            "period": in_sentence(edition_label),
        }
    coverage = _(
        "Capaian yang disetujui tersedia untuk %(served)s dari %(expected)s jenis pelayanan dasar; "
        "%(missing)s jenis pelayanan dasar belum ada data dan menjadi perhatian pada periode berikutnya."
    ) % {"served": served, "expected": expected, "missing": max(expected - served, 0)}
    return {
        "foreword": _(
            "Laporan Penerapan Standar Pelayanan Minimal %(daerah)s %(period)s ini disusun sebagai pelaksanaan "
            "Peraturan Menteri Dalam Negeri Nomor 59 Tahun 2021 tentang Penerapan Standar Pelayanan Minimal. "
            "Laporan memuat penerapan dan pencapaian SPM pada setiap urusan pemerintahan wajib yang berkaitan "
            "dengan pelayanan dasar, program dan kegiatan pendukungnya, serta permasalahan dan solusinya. "
            "Terima kasih kami sampaikan kepada seluruh perangkat daerah pengampu SPM dan Tim Penerapan SPM."
        )
        % {"daerah": region.name, "period": edition_label},
        "background": _(
            "Standar Pelayanan Minimal (SPM) adalah ketentuan mengenai jenis dan mutu pelayanan dasar yang "
            "merupakan urusan pemerintahan wajib yang berhak diperoleh setiap warga negara secara minimal. "
            "%(pemda)s menerapkan SPM agar setiap warga memperoleh pelayanan dasar pendidikan, kesehatan, "
            "pekerjaan umum, perumahan rakyat, ketenteraman, ketertiban umum dan perlindungan masyarakat, serta "
            "sosial sesuai standar, dan agar belanja daerah diprioritaskan bagi pelayanan dasar tersebut."
        )
        % {"pemda": pemda},
        "legal_basis": _legal_basis_default(affairs),
        "general_policy": _(
            "Kebijakan umum penerapan dan pencapaian SPM %(daerah)s dimuat dalam %(rpjmd)s, yang menjadikan "
            "pemenuhan pelayanan dasar sesuai SPM sebagai prioritas pembangunan daerah dan dijabarkan dalam "
            "Rencana Aksi Penerapan SPM%(plan)s."
        )
        % {
            "daerah": region.name,
            "rpjmd": rpjmd,
            "plan": f" {plan.start_year}–{plan.end_year}" if plan else "",
        },
        "policy_direction": _(
            "Arah kebijakan tahun anggaran %(year)s dituangkan dalam Kebijakan Umum APBD (KUA) tahun %(year)s: "
            "memprioritaskan anggaran bagi pemenuhan pelayanan dasar, melengkapi data penerima layanan by name "
            "by address, dan memenuhi mutu barang/jasa, personel, serta petunjuk teknis setiap jenis "
            "pelayanan dasar."
        )
        % {"year": year},
        "conclusion": f"{index_text} {coverage} "
        + _(
            "%(pemda)s berkomitmen melanjutkan pemenuhan pelayanan dasar sesuai SPM melalui program dan "
            "kegiatan dalam rencana aksi, serta memperbaiki kelengkapan dan ketepatan waktu pelaporan."
        )
        % {"pemda": pemda},
    }


def service_line(
    service: BasicService, row: Achievement | None, report: QuarterlyReport | None, target: int | None
) -> ServiceLine:
    """One jenis pelayanan dasar as the official report and the e-SPM hand-off show it: the stored achievement
    (``row``), the mutu totals the engine read (its stored inputs), and the texts and personel of the period's
    approved report (with its quality entries prefetched)."""
    pairs = (row.inputs.get("quality") or []) if row else []
    personnel = [e for e in report.quality_entries.all() if e.component.code == PERSONNEL_COMPONENT] if report else []
    return ServiceLine(
        service=service,
        row=row,
        target=target,
        quality_required=sum(int(Decimal(str(r))) for r, _m in pairs) if pairs else None,
        quality_met=sum(int(Decimal(str(m))) for _r, m in pairs) if pairs else None,
        personnel_required=sum(e.required or 0 for e in personnel) if personnel else None,
        personnel_met=sum(e.met or 0 for e in personnel) if personnel else None,
        problems=report.problems if report else "",
        solutions=report.solutions if report else "",
    )


def build(edition: ReportEdition, *, today: dt.date | None = None) -> OfficialReport:
    """The content of an edition: the stored achievements of its period plus texts of the approved reports."""
    region, year, quarter = edition.region, edition.year, edition.data_quarter
    data = region_dashboard(region, year, quarter)
    reports = {
        r.service_id: r
        for r in QuarterlyReport.objects.filter(
            region=region, period__year=year, period__quarter=quarter, status=ReportStatus.APPROVED
        ).prefetch_related(quality_with_component())
    }
    stored = {row.service_id: row for row in data["service_rows"]}
    targets = approved_must_serve_by_service(region=region, year=year)
    services = (
        BasicService.objects.for_region(region).active().select_related("affair").order_by("affair__order", "order")
    )
    by_affair: dict[int, list[ServiceLine]] = defaultdict(list)
    for service in services:
        line = service_line(service, stored.get(service.pk), reports.get(service.pk), targets.get(service.pk))
        by_affair[service.affair_id].append(line)
    affairs = []
    for affair, row in data["affair_rows"]:
        if by_affair.get(affair.pk):
            affairs.append(AffairSection(affair, row, chr(ord("A") + len(affairs)), by_affair[affair.pk]))
    counts: dict[str, Counter] = {s: Counter() for s in ImplementationStage.values}
    for stage, status in StageProgress.objects.filter(report__in=list(reports.values())).values_list("stage", "status"):
        if status:
            counts[stage][status] += 1
    stages = [
        StageSummary(str(ImplementationStage(code).label), {s: counts[code][s] for s in StageStatus.values})
        for code in ImplementationStage.values
    ]
    defaults = narrative_defaults(
        region, edition.year, edition.quarter, region_row=data["region_row"], served=len(stored)
    )
    narrative = {name: (getattr(edition, name) or "").strip() or defaults[name] for name in NARRATIVE_FIELDS}
    plan = covering_plan(region, edition.year)
    programs: list[ProgramSection] = []
    if plan is not None:
        from targets.exports import plan_items

        grouped: dict[int, list] = defaultdict(list)
        for item in plan_items(plan):
            year_row = next((y for y in item.years.all() if y.year == edition.year), None)
            grouped[item.service.affair_id].append((item, year_row))
        programs = [ProgramSection(s.affair, grouped[s.affair.pk]) for s in affairs if grouped.get(s.affair.pk)]
    generated_at = timezone.localtime()
    team = team_detail(region)
    return OfficialReport(
        edition=edition,
        region_row=data["region_row"],
        affairs=affairs,
        stages=stages,
        generated_at=today or generated_at.date(),
        letterhead=letterhead(region, signer_name=edition.signer_name),
        narrative=narrative,
        plan=plan,
        programs=programs,
        team=team,
        team_members=list(team.members.all()) if team else [],
    )


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
    _header(ws, 9, ["Urusan", "IP-SPM urusan", "Status", "Jumlah jenis pelayanan dasar"])
    r = 10
    for section in report.affairs:
        values = [
            section.affair.name,
            pct(section.row.index) if section.row else None,
            section.row.get_status_label() if section.row else NO_DATA,
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
            values = [
                line.service.code,
                line.service.name,
                line.must_serve,
                line.served,
                line.recipient_pct,
                line.quality_required,
                line.quality_met,
                line.quality_pct,
                line.index,
                line.status_label,
                line.budget_allocated,
                line.budget_realised,
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
        sheet.page_setup.paperSize = XLSX_PAPER[
            PaperSize(report.letterhead.paper if report.letterhead else PaperSize.A4)
        ]
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_title_rows = "4:4"
    return save(wb)  # type: ignore[return-value]


# --- PDF ----------------------------------------------------------------------------------------------


def render_html(report: OfficialReport) -> str:
    return render_to_string(
        "targets/pdf/official_report.html",
        {
            "report": report,
            "edition": report.edition,
            "kop": report.letterhead,
            "narrative": report.narrative,
            "chapters": CHAPTERS,
            "intro_parts": [(title, report.narrative.get(key, "")) for key, title in INTRO_PARTS],
            "parts": AFFAIR_PARTS,
            "team_heading": TEAM_HEADING,
            "no_data": NO_DATA,
        },
    )


def render_pdf(report: OfficialReport) -> bytes:
    return write_pdf(render_html(report))
