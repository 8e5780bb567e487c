"""Reads composed for pages: the full picture of one report, the operator's tasks, the review queue, the matrix.

Each function issues a bounded number of queries whatever the number of rows (asserted in tests).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Prefetch

from reporting import checks
from reporting.achievements.services import active_rules
from reporting.choices import ReportStatus
from reporting.models import Evidence, QuarterlyReport, ReportingPeriod, ReportTransition
from reporting.querysets import quality_with_component
from reporting.recipients.selectors import recipient_counts
from reporting.services.periods import period_get_or_create, today
from reporting.services.reports import (
    changes_since_last_review,
    document_values,
    previous_report,
    report_values,
)
from spm import access
from spm.models import Agency, ServiceAssignment
from targets.selectors import approved_must_serve, must_serve_from


def report_queryset():
    return QuarterlyReport.objects.with_related().prefetch_related(
        quality_with_component(),
        "stages",
        Prefetch("evidence", queryset=Evidence.objects.select_related("uploaded_by")),
    )


def report_detail(report: QuarterlyReport, user) -> dict:
    """Everything the entry and review pages show about a report."""
    previous = previous_report(report)
    _rules_row, rules = active_rules()
    values = report_values(report, previous=previous, rules=rules)
    sections = checks.completeness(values)
    comments = list(report.comments.select_related("author"))
    approved = approved_must_serve(region=report.region, service=report.service, year=report.period.year)
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
        "can_edit": access.can(user, "report.edit", report),
        "can_review": access.can(user, "report.review", report),
        "open_comments": [c for c in comments if c.resolved_at is None],
        "comments": comments,
        "transitions": list(
            ReportTransition.objects.filter(report=report).select_related("actor").order_by("created_at", "id")
        ),
        "changes": list(report.changes.select_related("actor").order_by("-created_at", "-id")[:200]),
        "changes_since_review": changes_since_last_review(report) if report.status == ReportStatus.SUBMITTED else None,
        "days_left": (report.period.due_date - today()).days,
    }


@dataclass(frozen=True)
class Task:
    """One line of "Tugas saya triwulan ini": a service the OPD must report for the period."""

    assignment: ServiceAssignment
    report: QuarterlyReport | None
    period: ReportingPeriod

    @property
    def status(self) -> str:
        return self.report.status if self.report else "not_started"

    @property
    def days_left(self) -> int:
        return (self.period.due_date - today()).days

    @cached_property
    def completeness_pct(self) -> int:
        # Cached: the tasks page shows it in several places for each service.
        return completeness_pct_of(self.report) if self.report else 0

    @property
    def is_late(self) -> bool:
        """Submitted after the due date, or still not submitted once it has passed (as in the matrix)."""
        if self.report and self.report.status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED):
            return self.report.is_late
        return self.days_left < 0


def completeness_of(report: QuarterlyReport) -> list[checks.SectionState]:
    """Sections A–F of a report, filled or not, from its prefetched rows only (no query per report): the
    same ``report_values`` the report page uses. Completeness depends on neither the earlier triwulan nor
    the previous index, so both are skipped."""
    return checks.completeness(report_values(report, with_previous=False, served_before_total=0))


def _document_values(report: QuarterlyReport) -> checks.ReportValues:
    """Only what the documents checklist reads (tahapan and files), from prefetched rows."""
    return checks.ReportValues(**document_values(report))


def completeness_pct_of(report: QuarterlyReport) -> int:
    """Share of sections A–F filled (see :func:`completeness_of`)."""
    return checks.completeness_pct(completeness_of(report))


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
    return period, [Task(a, reports.get(a.service_id), period) for a in assignments]


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
    period = period_get_or_create(region=region, year=year, quarter=quarter)
    reports = {
        r.service_id: r
        for r in QuarterlyReport.objects.filter(period=period).prefetch_related(
            "stages", Prefetch("evidence", queryset=Evidence.objects.only("id", "report_id", "kind"))
        )
    }
    rows: dict[int, MatrixRow] = {}
    assignments = (
        ServiceAssignment.objects.filter(region=region)
        .select_related("agency", "service__affair")
        .order_by("agency__name", "service__affair__order", "service__order")
    )
    for a in assignments:
        report = reports.get(a.service_id)
        status = report.status if report else "not_started"
        if report and report.status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED):
            late = report.is_late
        else:
            late = on > period.due_date
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
