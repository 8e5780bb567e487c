"""Reads composed for pages: the full picture of one report, the operator's tasks, the review queue, the matrix.

Each function issues a bounded number of queries whatever the number of rows (asserted in tests).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Prefetch
from django.utils import timezone

from reporting import checks
from reporting.achievements.formula import RuleSet
from reporting.achievements.services import active_rule_set, active_rules
from reporting.choices import ReportStatus
from reporting.models import Evidence, QuarterlyReport, ReportingPeriod, ReportTransition
from reporting.querysets import item_entries_with_item, quality_with_component
from reporting.recipients.selectors import recipient_counts
from reporting.services.periods import period_get_or_create, period_or_default, today
from reporting.services.reports import (
    ReportInput,
    changes_since_last_review,
    document_values,
    previous_report,
    report_values,
)
from spm import access
from spm.choices import RegionLevel
from spm.models import Agency, Region, ServiceAssignment
from spm.selectors import field_guides_for
from targets.selectors import approved_must_serve, must_serve_from


def report_queryset():
    return QuarterlyReport.objects.with_related().prefetch_related(
        quality_with_component(),
        item_entries_with_item(),
        "stages",
        Prefetch("evidence", queryset=Evidence.objects.select_related("uploaded_by")),
    )


def report_check(
    report: QuarterlyReport,
    *,
    previous: QuarterlyReport | None,
    approved: int | None,
    data: ReportInput | None = None,
    extra: Sequence[checks.Blocker] = (),
) -> dict:
    """The derived figures, the completeness meter and the data-quality flags of a report, from what is stored
    or (``data``) from what is on the form: ``checks.blockers`` by the values ``report_submit`` reads, so the
    meter and the submission never disagree. ``extra``: inputs the form itself refused (live meter)."""
    _rules_row, rules = active_rules()
    values = report_values(report, previous=previous, rules=rules, approved=approved, data=data)
    sections = checks.completeness(values, extra)
    return {
        "values": values,
        "figures": checks.figures(values),
        "sections": sections,
        "completeness_pct": checks.completeness_pct(sections),
        "flags": checks.quality_flags(values),
        "rules": rules,
    }


def report_detail(report: QuarterlyReport, user) -> dict:
    """Everything the entry and review pages show about a report."""
    # The evaluation app's one read interface into the report page (imported here: it reads reporting too).
    from evaluation.selectors import requests_for_report

    previous = previous_report(report)
    can_edit = access.can(user, "report.edit", report)
    approved = approved_must_serve(region=report.region, service=report.service, year=report.period.year)
    check = report_check(report, previous=previous, approved=approved)
    values, sections, rules = check["values"], check["sections"], check["rules"]
    comments = list(report.comments.select_related("author"))
    named = recipient_counts(report.region_id, report.service_id, report.period.year)
    return {
        "report": report,
        "approved_target": approved,
        "named_recipients": named["must_serve"],
        "named_served": named["served"][report.period.quarter],
        "must_serve": must_serve_from(official=approved, reported=report.must_serve, named=named["must_serve"]),
        "values": values,
        "figures": checks.figures(values),
        "sections": sections,
        "completeness_pct": checks.completeness_pct(sections),
        "document_checklist": checks.document_checklist(values),
        "flags": checks.quality_flags(values),
        "previous": previous,
        "previous_figures": (
            checks.figures(report_values(previous, with_previous=False, rules=rules)) if previous else None
        ),
        "can_edit": can_edit,
        "can_review": access.can(user, "report.review", report),
        "open_comments": [c for c in comments if c.resolved_at is None],
        "comments": comments,
        "transitions": list(
            ReportTransition.objects.filter(report=report).select_related("actor").order_by("created_at", "id")
        ),
        "changes": list(report.changes.select_related("actor").order_by("-created_at", "-id")[:200]),
        "changes_since_review": changes_since_last_review(report) if report.status == ReportStatus.SUBMITTED else None,
        "days_left": (report.period.due_date - today()).days,
        # The provinsi's requests for correction about this report belong to its history.
        "correction_requests": requests_for_report(report, user),
        "guides": field_guides_for(report.service) if can_edit else {},  # the juknis beside the inputs
        "item_list": report.quality_item_list,
    }


@dataclass(frozen=True)
class Task:
    """One line of "Tugas saya triwulan ini": a service the OPD must report for the period."""

    assignment: ServiceAssignment
    report: QuarterlyReport | None
    period: ReportingPeriod
    rules: RuleSet | None = None  # the active IP-SPM rule set, read once for the list

    @property
    def status(self) -> str:
        return self.report.status if self.report else "not_started"

    @property
    def days_left(self) -> int:
        return (self.period.due_date - today()).days

    @cached_property
    def completeness_pct(self) -> int:
        # Cached: the tasks page shows it in several places for each service.
        return completeness_pct_of(self.report, self.rules) if self.report else 0

    @property
    def is_late(self) -> bool:
        """Submitted after the due date, or still not submitted once it has passed (as in the matrix)."""
        if self.report is None:
            return report_is_late("not_started", False, self.period.due_date, today())
        return report_is_late(self.report.status, self.report.is_late, self.period.due_date, today())


def report_is_late(status: str, submitted_late: bool, due_date: dt.date, on: dt.date) -> bool:
    """Timeliness (ketepatan waktu) of one report, the one rule of every matrix and task list: a submitted or
    approved report is late when it was submitted after the due date; any other (a draft, a returned report, one
    not started) is late once the due date has passed."""
    if status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED):
        return submitted_late
    return on > due_date


def completeness_of(report: QuarterlyReport, rules: RuleSet | None = None) -> list[checks.SectionState]:
    """Sections A–F of a report, filled or not, from its prefetched rows only (no query per report): the
    same ``report_values`` the report page uses. Completeness depends on neither the earlier triwulan nor
    the previous index, so both are skipped. ``rules``: the active IP-SPM rule set (it decides whether a mutu
    declared as 0 is filled), read once by the caller for a whole list; left out, it is read here."""
    rules = rules if rules is not None else active_rule_set()
    return checks.completeness(report_values(report, with_previous=False, served_before_total=0, rules=rules))


def _document_values(report: QuarterlyReport) -> checks.ReportValues:
    """Only what the documents checklist reads (tahapan and files), from prefetched rows."""
    return checks.ReportValues(**document_values(report))


def completeness_pct_of(report: QuarterlyReport, rules: RuleSet | None = None) -> int:
    """Share of sections A–F filled (see :func:`completeness_of`)."""
    return checks.completeness_pct(completeness_of(report, rules))


def operator_tasks(user, *, year: int, quarter: int) -> tuple[ReportingPeriod, list[Task]]:
    """Every service assigned to the operator's OPD, with its report (if started) for the period."""
    agency: Agency = user.agency
    period = period_get_or_create(region=agency.region, year=year, quarter=quarter)
    assignments = (
        ServiceAssignment.objects.filter(agency=agency)
        .select_related("service__affair")
        .order_by("service__affair__order", "service__order")
    )
    reports = {
        r.service_id: r
        for r in QuarterlyReport.objects.filter(period=period, agency=agency).prefetch_related(
            quality_with_component(), "stages", "evidence"
        )
    }
    rules = active_rule_set()
    return period, [Task(a, reports.get(a.service_id), period, rules) for a in assignments]


@dataclass(frozen=True)
class MatrixCell:
    service_code: str
    service_name: str
    status: str  # "not_started" or a ReportStatus value
    is_late: bool
    report_id: int | None
    documents_missing: int = 0  # documents its tahapan need that no file provides (reporting.checks)


@dataclass
class MatrixRow:
    agency: Agency
    cells: list[MatrixCell]

    def count(self, status: str) -> int:
        return sum(1 for c in self.cells if c.status == status)

    @property
    def late(self) -> int:
        return sum(1 for c in self.cells if c.is_late)

    @property
    def documents_missing(self) -> int:
        return sum(c.documents_missing for c in self.cells)


MATRIX_STATUSES = ["not_started", *ReportStatus.values]


def completeness_matrix(
    region, *, year: int, quarter: int, on: dt.date | None = None
) -> tuple[ReportingPeriod, list[MatrixRow]]:
    """OPD × jenis pelayanan dasar for a period: status, lateness and missing documents of each report (a fixed
    number of queries: the period, the reports with their tahapan and files, the assignments)."""
    on = on or today()
    # Reading the matrix never creates the period: without one, no report exists yet (and the default due date
    # still tells which OPD are late).
    period = period_or_default(region=region, year=year, quarter=quarter)
    reports = (
        {
            r.service_id: r
            for r in QuarterlyReport.objects.filter(period=period).prefetch_related(
                "stages", Prefetch("evidence", queryset=Evidence.objects.only("id", "report_id", "kind"))
            )
        }
        if period.pk is not None
        else {}
    )
    rows: dict[int, MatrixRow] = {}
    assignments = (
        ServiceAssignment.objects.filter(region=region)
        .select_related("agency", "service__affair")
        .order_by("agency__name", "service__affair__order", "service__order")
    )
    for a in assignments:
        report = reports.get(a.service_id)
        status = report.status if report else "not_started"
        late = report_is_late(status, bool(report and report.is_late), period.due_date, on)
        row = rows.setdefault(a.agency_id, MatrixRow(a.agency, []))
        missing = len(checks.documents_missing(_document_values(report))) if report else 0
        row.cells.append(
            MatrixCell(a.service.code, a.service.name, status, late, report.pk if report else None, missing)
        )
    return period, list(rows.values())


# --- Home pages: what to do next (issue 12) ---------------------------------------------------------------

# The order an operator works in: a returned report first (the verifikator waits for it), then drafts, then reports
# not yet started; submitted and approved ones need nothing.
TASK_PRIORITY = {ReportStatus.RETURNED: 0, ReportStatus.DRAFT: 1, "not_started": 2}


def operator_worklist(user, *, year: int, quarter: int) -> dict:
    """The operator's open tasks of the triwulan, returned reports first, with the count of all its tasks."""
    period, task_list = operator_tasks(user, year=year, quarter=quarter)
    open_tasks = sorted(
        (t for t in task_list if t.status in TASK_PRIORITY),
        key=lambda t: (TASK_PRIORITY[t.status], t.assignment.service.affair.order, t.assignment.service.order),
    )
    returned = sum(1 for t in open_tasks if t.status == ReportStatus.RETURNED)
    return {"period": period, "open_tasks": open_tasks, "returned": returned, "all_tasks": len(task_list)}


def review_worklist(user, region, *, year: int, quarter: int) -> dict:
    """What waits for the verifikator in the daerah: submitted reports and target revisions (with the count of
    all reports and targets in scope) and the OPD with reports late for the triwulan."""
    from reporting.achievements.dashboard import agency_timeliness
    from targets.choices import TargetStatus
    from targets.models import TargetRevision

    reports = QuarterlyReport.objects.visible_to(user)
    revisions = TargetRevision.objects.visible_to(user)
    period = ReportingPeriod.objects.filter(region=region, year=year, quarter=quarter).first()
    past_due = period is not None and period.due_date < today()
    late = [
        row
        for row in agency_timeliness(region, year, quarter)
        if row.late or (past_due and row.submitted < row.services)
    ]
    return {
        "reports_waiting": reports.filter(status=ReportStatus.SUBMITTED).count(),
        "reports_all": reports.count(),
        "targets_waiting": list(
            revisions.filter(status=TargetStatus.SUBMITTED)
            .select_related("target__service")
            .order_by("updated_at")[:10]
        ),
        "targets_waiting_count": revisions.filter(status=TargetStatus.SUBMITTED).count(),
        "targets_all": revisions.count(),
        "late_agencies": late,
        "review_period": period,
    }


def index_overview(region) -> dict:
    """The daerah's latest IP-SPM and its coverage: how many of the services expected have a stored index."""
    from reporting.achievements.dashboard import latest_period, region_dashboard

    latest = latest_period(region)
    if latest is None:
        return {"index_period": None}
    data = region_dashboard(region, *latest)
    measured = len(data["service_rows"])
    expected = measured + data["missing_services"]
    return {
        "index_period": latest,
        "index_row": data["region_row"],
        "index_measured": measured,
        "index_expected": expected,
        "index_coverage_pct": round(100 * measured / expected) if expected else 0,
    }


@dataclass(frozen=True)
class DaerahStatus:
    """One kabupaten/kota on the provinsi viewer's home: its reporting for the triwulan and its latest IP-SPM."""

    region: object
    services: int  # jenis pelayanan dasar with an OPD pengampu
    submitted: int  # submitted or approved this triwulan
    approved: int
    returned: int
    late: int  # submitted late, or not submitted once the due date has passed
    due_date: dt.date | None
    index: object | None  # the stored Achievement of the daerah for ``index_period``, or None

    @property
    def submitted_pct(self) -> int:
        return round(100 * self.submitted / self.services) if self.services else 0


def province_overview(user, province, *, year: int, quarter: int) -> dict:
    """The provinsi viewer's home (issue 12): each kabupaten/kota of the provinsi with its reporting for the
    triwulan (submitted, approved, returned, late of the jenis it must report) and its latest IP-SPM with
    the coverage beside it. Six queries whatever the number of daerah."""
    from django.db.models import Count, Q

    from reporting.models import Achievement, AchievementLevel

    on = today()
    daerah = list(
        Region.objects.visible_to(user).filter(parent=province, level=RegionLevel.REGENCY_CITY).order_by("code")
    )
    ids = [d.pk for d in daerah]
    services = dict(
        ServiceAssignment.objects.filter(region_id__in=ids)
        .values("region_id")
        .annotate(n=Count("id"))
        .values_list("region_id", "n")
    )
    counts: dict[int, dict[str, int]] = {}
    for row in (
        QuarterlyReport.objects.filter(region_id__in=ids, period__year=year, period__quarter=quarter)
        .values("region_id", "status")
        .annotate(n=Count("id"), late=Count("id", filter=Q(is_late=True)))
    ):
        entry = counts.setdefault(row["region_id"], {})
        entry[row["status"]] = row["n"]
        entry["late"] = entry.get("late", 0) + row["late"]
    due = dict(
        ReportingPeriod.objects.filter(region_id__in=ids, year=year, quarter=quarter).values_list(
            "region_id", "due_date"
        )
    )
    achievements = Achievement.objects.filter(region_id__in=ids, level=AchievementLevel.REGION, is_current=True)
    latest = achievements.order_by("-year", "-quarter").values_list("year", "quarter").first()
    index = {a.region_id: a for a in achievements.filter(year=latest[0], quarter=latest[1])} if latest else {}
    rows = []
    for region in daerah:
        c = counts.get(region.pk, {})
        n = services.get(region.pk, 0)
        submitted = c.get(ReportStatus.SUBMITTED, 0) + c.get(ReportStatus.APPROVED, 0)
        overdue = region.pk in due and due[region.pk] < on
        rows.append(
            DaerahStatus(
                region=region,
                services=n,
                submitted=submitted,
                approved=c.get(ReportStatus.APPROVED, 0),
                returned=c.get(ReportStatus.RETURNED, 0),
                late=c.get("late", 0) + (max(n - submitted, 0) if overdue else 0),
                due_date=due.get(region.pk),
                index=index.get(region.pk),
            )
        )
    # What to look at first: the daerah with the least reported, then by code.
    rows.sort(key=lambda r: (r.submitted_pct, r.region.code))
    return {
        "province_rows": rows,
        "province_period": (year, quarter),
        "index_period": latest,
        "daerah_behind": sum(1 for r in rows if r.late),
        "daerah_without_index": sum(1 for r in rows if r.index is None),
    }


def admin_overview(*, failed_since_days: int = 30) -> dict:
    """The system admin's home (issue 12): reporting periods open and closing (due within two weeks) or
    overdue and still open, recipient imports that failed, and tasks kept while the broker was unreachable,
    each with the count of everything of its kind ("semua"). Bounded queries whatever the data."""
    from django.db.models import Count, Q

    from reporting.choices import ImportStatus, PeriodStatus
    from reporting.models import RecipientImport
    from spm.models import PendingTask

    on = today()
    soon = on + dt.timedelta(days=14)
    periods = ReportingPeriod.objects.all()
    period_counts = periods.aggregate(
        all=Count("id"),
        open=Count("id", filter=Q(status=PeriodStatus.OPEN)),
        closing=Count("id", filter=Q(status=PeriodStatus.OPEN, due_date__gte=on, due_date__lte=soon)),
        overdue=Count("id", filter=Q(status=PeriodStatus.OPEN, due_date__lt=on)),
    )
    closing = list(
        periods.filter(status=PeriodStatus.OPEN, due_date__lte=soon)
        .select_related("region")
        .order_by("due_date", "region__code")[:10]
    )
    since = timezone.now() - dt.timedelta(days=failed_since_days)
    imports = RecipientImport.objects.all()
    import_counts = imports.aggregate(
        all=Count("id"), failed=Count("id", filter=Q(status=ImportStatus.FAILED, created_at__gte=since))
    )
    failed = list(
        imports.filter(status=ImportStatus.FAILED, created_at__gte=since)
        .select_related("region", "service")
        .order_by("-created_at")[:10]
    )
    pending = PendingTask.objects.all()
    return {
        "period_counts": period_counts,
        "periods_closing": closing,
        "today": on,
        "import_counts": import_counts,
        "imports_failed": failed,
        "failed_since_days": failed_since_days,
        "pending_count": pending.count(),
        "pending_oldest": pending.order_by("created_at").first(),
    }
