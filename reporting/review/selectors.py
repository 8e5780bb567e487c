"""Reads of the verifikator's pages: the review queue, the comparison with the previous triwulan, the matrix.

Like ``reporting.selectors``, every function here starts from ``visible_to(user)`` (or a daerah the caller
already checked) and issues a bounded number of queries whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from reporting import anchors, checks
from reporting.achievements.services import active_rule_set
from reporting.choices import ReportStatus, Section, StageStatus
from reporting.models import Evidence, QuarterlyReport, ReportingPeriod
from reporting.querysets import quality_with_component
from reporting.selectors import MATRIX_STATUSES, MatrixRow, completeness_of, report_is_late
from reporting.services.periods import default_due_date, quarter_of, today
from spm import access
from spm.models import Affair, BasicService, Region

QUEUE_TABS = (ReportStatus.SUBMITTED, ReportStatus.RETURNED, ReportStatus.APPROVED)
FIRST_YEAR = 2020


# --- Review queue -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    report: QuarterlyReport
    sections: list[checks.SectionState]

    @property
    def completeness_pct(self) -> int:
        return checks.completeness_pct(self.sections)

    @property
    def missing(self) -> list[str]:
        return [s.label for s in self.sections if not s.filled]


def queue_rows(reports: Iterable[QuarterlyReport]) -> list[QueueRow]:
    rules = active_rule_set()  # the report page's rule set, read once for the page
    return [QueueRow(r, completeness_of(r, rules)) for r in reports]


def queue_reports(user, *, status: str, year: int | None = None, quarter: int | None = None):
    """The reports of a tab (oldest submission first) and the count of every tab, for the same filters."""
    base = QuarterlyReport.objects.visible_to(user)
    if year:
        base = base.filter(period__year=year)
    if quarter:
        base = base.filter(period__quarter=quarter)
    counts = base.aggregate(**{s: Count("pk", filter=Q(status=s)) for s in QUEUE_TABS})
    reports = (
        base.filter(status=status)
        .with_related()
        .prefetch_related(
            quality_with_component(),
            "stages",
            Prefetch("evidence", queryset=Evidence.objects.only("id", "report_id", "kind")),
        )
        .order_by("submitted_at", "id")
    )
    return reports, counts


def queue_years(user) -> list[int]:
    years = set(ReportingPeriod.objects.visible_to(user).values_list("year", flat=True).distinct())
    years.add(today().year)
    return sorted(years, reverse=True)


# --- Comparison with the previous triwulan ---------------------------------------------------------------


@dataclass(frozen=True)
class CompareRow:
    """One figure of the report beside the same figure of the previous triwulan."""

    label: str
    current: object
    previous: object
    kind: str = "number"  # number | money | percent | decimal | text
    derived: bool = False
    key: str = ""

    @property
    def changed(self) -> bool:
        return self.previous is not None and self.current != self.previous


@dataclass
class CompareSection:
    code: str
    label: str
    rows: list[CompareRow] = field(default_factory=list)


def _stage_text(status: str, note: str) -> str:
    text = str(StageStatus(status).label) if status else ""
    if note.strip():
        text = f"{text} — {note.strip()}" if text else note.strip()
    return text


def compare_sections(
    current: checks.ReportValues,
    previous: checks.ReportValues | None,
) -> list[CompareSection]:
    """Sections A–E of a report beside the previous triwulan's, derived figures and percentages included."""
    cur_fig = checks.figures(current)
    prev_fig = checks.figures(previous) if previous else None

    def prev(attr: str, source: str = "values"):
        if previous is None:
            return None
        return getattr(previous if source == "values" else prev_fig, attr)

    a = CompareSection(Section.RECIPIENTS.value, str(Section.RECIPIENTS.label))
    a.rows += [
        CompareRow(_("Jumlah yang harus dilayani"), current.must_serve, prev("must_serve"), key="must_serve"),
        CompareRow(_("Jumlah terlayani triwulan ini"), current.served, prev("served"), key="served"),
        CompareRow(
            _("Jumlah terlayani kumulatif"), cur_fig.served_cumulative, prev("served_cumulative", "f"), derived=True
        ),
        CompareRow(_("Belum terlayani"), cur_fig.not_served, prev("not_served", "f"), derived=True),
        CompareRow(_("Capaian penerima (%)"), cur_fig.served_pct, prev("served_pct", "f"), "percent", True),
    ]
    if current.served_justification or (previous and previous.served_justification):
        a.rows.append(
            CompareRow(
                _("Penjelasan terlayani melebihi sasaran"),
                current.served_justification,
                prev("served_justification"),
                "text",
            )
        )

    b = CompareSection(Section.QUALITY.value, str(Section.QUALITY.label))
    previous_quality = {q.code: q for q in previous.quality} if previous else {}
    previous_items = {(i.component, i.label): i for i in previous.items} if previous else {}
    for q in current.quality:
        p = previous_quality.get(q.code)
        for item in (i for i in current.items if i.component == q.code):
            before = previous_items.get((item.component, item.label))
            b.rows += [
                CompareRow(
                    f"{item.label}: dibutuhkan",
                    item.required,
                    before.required if before else None,
                    key=anchors.item(item.item_id),
                ),
                CompareRow(f"{item.label}: tersedia", item.met, before.met if before else None),
            ]
        b.rows += [
            CompareRow(
                _("%(name)s: harus dipenuhi") % {"name": q.label},
                q.required,
                p.required if p else None,
                key=anchors.quality(q.code),
            ),
            CompareRow(_("%(name)s: terpenuhi") % {"name": q.label}, q.met, p.met if p else None),
        ]
        if q.not_applicable or (p and p.not_applicable):
            b.rows.append(
                CompareRow(
                    _("%(name)s: tidak berlaku (alasan)") % {"name": q.label},
                    q.reason.strip() or "—" if q.not_applicable else "",
                    (p.reason.strip() or "—" if p.not_applicable else "") if p else None,
                    "text",
                )
            )
        b.rows += [
            CompareRow(
                _("%(name)s: capaian (%%)") % {"name": q.label},
                checks.percent(q.met, q.required),
                checks.percent(p.met, p.required) if p else None,
                "percent",
                True,
            ),
        ]
    b.rows.append(CompareRow(_("Nilai capaian layanan (IP-SPM)"), cur_fig.index, prev("index", "f"), "decimal", True))

    c = CompareSection(Section.BUDGET.value, str(Section.BUDGET.label))
    c.rows += [
        CompareRow(
            _("Alokasi anggaran"), current.budget_allocated, prev("budget_allocated"), "money", key="budget_allocated"
        ),
        CompareRow(
            _("Realisasi anggaran"), current.budget_realised, prev("budget_realised"), "money", key="budget_realised"
        ),
        CompareRow(_("Realisasi (%)"), cur_fig.budget_pct, prev("budget_pct", "f"), "percent", True),
    ]
    if current.budget_justification or (previous and previous.budget_justification):
        c.rows.append(
            CompareRow(
                _("Penjelasan realisasi melebihi alokasi"),
                current.budget_justification,
                prev("budget_justification"),
                "text",
            )
        )

    d = CompareSection(Section.PROBLEMS.value, str(Section.PROBLEMS.label))
    d.rows += [
        CompareRow(_("Permasalahan"), current.problems, prev("problems"), "text", key="problems"),
        CompareRow(_("Solusi"), current.solutions, prev("solutions"), "text", key="solutions"),
    ]

    e = CompareSection(Section.STAGES.value, str(Section.STAGES.label))
    previous_stages = {s.code: s for s in previous.stages} if previous else {}
    for s in current.stages:
        p = previous_stages.get(s.code)
        e.rows.append(
            CompareRow(
                s.label,
                _stage_text(s.status, s.note),
                _stage_text(p.status, p.note) if p else None,
                "text",
                key=anchors.stage(s.code),
            )
        )
    return [a, b, c, d, e]


# --- Completeness and timeliness matrix ------------------------------------------------------------------


@dataclass(frozen=True)
class MatrixTotals:
    counts: dict[str, int]
    late: int
    total: int


def matrix_totals(rows: Sequence[MatrixRow]) -> MatrixTotals:
    counts = {s: sum(r.count(s) for r in rows) for s in MATRIX_STATUSES}
    return MatrixTotals(counts, sum(r.late for r in rows), sum(len(r.cells) for r in rows))


# --- The matrix one level up: daerah × urusan (the provinsi evaluates its kab/kota) -------------------------


@dataclass
class AffairCell:
    """The reports of one daerah in one urusan for a triwulan: a count per status, the late ones, the jenis
    expected (every jenis of the urusan at the daerah's level, whether or not an OPD is assigned to it)."""

    affair: Affair
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MATRIX_STATUSES, 0))
    late: int = 0
    expected: int = 0

    @property
    def sent(self) -> int:
        """Reports submitted or approved: what the daerah has sent up."""
        return self.counts[ReportStatus.SUBMITTED] + self.counts[ReportStatus.APPROVED]

    @property
    def state(self) -> str:
        """complete (every jenis sent), partial, none, or empty (no jenis of this urusan at this level)."""
        if not self.expected:
            return "empty"
        return "complete" if self.sent == self.expected else ("partial" if self.sent else "none")


@dataclass
class DaerahRow:
    """One kab/kota of the provincial matrix: its cells per urusan and its period (None: not yet opened)."""

    region: Region
    cells: list[AffairCell]
    due_date: dt.date
    period: ReportingPeriod | None

    def count(self, status: str) -> int:
        return sum(c.counts[status] for c in self.cells)

    @property
    def late(self) -> int:
        return sum(c.late for c in self.cells)

    @property
    def expected(self) -> int:
        return sum(c.expected for c in self.cells)

    @property
    def sent(self) -> int:
        return sum(c.sent for c in self.cells)

    @property
    def completeness_pct(self) -> int:
        """Share of the expected reports submitted or approved (tingkat keterisian of the daerah)."""
        return round(100 * self.sent / self.expected) if self.expected else 0


def province_matrix(
    regions: Iterable[Region], *, year: int, quarter: int, on: dt.date | None = None
) -> tuple[list[Affair], list[DaerahRow]]:
    """Daerah × urusan for a triwulan: the completeness and timeliness of every daerah given, in four queries
    whatever their number (affairs, jenis, periods, reports). Cells follow the daerah matrix's rules (status of
    each report, :func:`reporting.selectors.report_is_late`); a jenis without a report is "not started". Read
    only: a period not yet opened is not created, its default due date is used."""
    on = on or today()
    regions = list(regions)
    affairs = list(Affair.objects.order_by("order", "code"))
    levels = {r.government_level for r in regions}
    services = list(BasicService.objects.active().filter(level__in=levels).values_list("pk", "affair_id", "level"))
    periods = {
        p.region_id: p
        for p in ReportingPeriod.objects.filter(region__in=[r.pk for r in regions], year=year, quarter=quarter)
    }
    reports = {
        (region_id, service_id): (status, late)
        for region_id, service_id, status, late in QuarterlyReport.objects.filter(
            period__in=[p.pk for p in periods.values()]
        ).values_list("region_id", "service_id", "status", "is_late")
    }
    rows: list[DaerahRow] = []
    for region in regions:
        period = periods.get(region.pk)
        due = period.due_date if period else default_due_date(year, quarter)
        cells = {a.pk: AffairCell(a) for a in affairs}
        for service_id, affair_id, level in services:
            if level != region.government_level:
                continue
            cell = cells[affair_id]
            status, submitted_late = reports.get((region.pk, service_id), ("not_started", False))
            cell.expected += 1
            cell.counts[status] += 1
            cell.late += report_is_late(status, submitted_late, due, on)
        rows.append(DaerahRow(region, list(cells.values()), due, period))
    return affairs, rows


def default_quarter(region: Region) -> tuple[int, int]:
    """The latest period of the daerah that has opened, else the current triwulan."""
    latest = (
        ReportingPeriod.objects.filter(region=region, opens_on__lte=today())
        .order_by("-year", "-quarter")
        .values_list("year", "quarter")
        .first()
    )
    return latest or quarter_of(today())


def parse_year_quarter(year: str | None, quarter: str | None) -> tuple[int | None, int | None]:
    """Year and triwulan from the query string; anything out of range is ignored."""
    y = int(year) if year and year.isdigit() else None
    q = int(quarter) if quarter and quarter.isdigit() else None
    if y is not None and not FIRST_YEAR <= y <= today().year + 1:
        y = None
    if q is not None and q not in (1, 2, 3, 4):
        q = None
    return y, q


def regions_to_choose(user) -> QuerySet[Region] | None:
    """Daerah a user picks from on the matrix (None: the user's own daerah, no choice)."""
    if access.scope_of(user).chooses_daerah:
        return Region.objects.visible_to(user).order_by("code")
    return None


def due_in_days(period: ReportingPeriod, on: dt.date | None = None) -> int:
    return (period.due_date - (on or today())).days
