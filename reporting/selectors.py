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


@dataclass
class MatrixRow:
    agency: Agency
    cells: list[MatrixCell]

    def count(self, status: str) -> int:
        return sum(1 for c in self.cells if c.status == status)

    @property
    def late(self) -> int:
        return sum(1 for c in self.cells if c.is_late)


MATRIX_STATUSES = ["not_started", *ReportStatus.values]


def completeness_matrix(
    region, *, year: int, quarter: int, on: dt.date | None = None
) -> tuple[ReportingPeriod, list[MatrixRow]]:
    """OPD × jenis pelayanan dasar for a period: status and lateness of each report (two queries)."""
    on = on or today()
    period = period_get_or_create(region=region, year=year, quarter=quarter)
    reports = {r.service_id: r for r in QuarterlyReport.objects.filter(period=period)}
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
        row.cells.append(MatrixCell(a.service.code, a.service.name, status, late, report.pk if report else None))
    return period, list(rows.values())
