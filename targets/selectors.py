"""Reads of the targets app that gather several sources (no writes)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, Sum
from django.utils.translation import gettext as _

from reporting.recipients.selectors import named_counts_by_service, recipient_counts
from spm.models import BasicService, Region, ServiceAssignment
from targets.choices import OPEN_TARGET_STATUSES, TeamRole
from targets.models import ImplementationTeam, ImplementationTeamMember, Target, TargetRevision


def approved_must_serve(*, region: Region, service: BasicService, year: int) -> int | None:
    """The approved sasaran (jumlah yang harus dilayani) of a service in a year, or None when none is approved.

    The quarterly report uses this as "harus dilayani": one source of truth for the year's target.
    """
    return (
        Target.objects.filter(region=region, service=service, year=year, approved_revision__isnull=False)
        .values_list("approved_revision__must_serve", flat=True)
        .first()
    )


def approved_must_serve_by_service(*, region: Region, year: int) -> dict[int, int | None]:
    """``approved_must_serve`` for every service of a daerah in a year at once: {service id: sasaran}."""
    return dict(
        Target.objects.filter(region=region, year=year, approved_revision__isnull=False).values_list(
            "service_id", "approved_revision__must_serve"
        )
    )


def named_recipient_count(region: Region, service: BasicService, year: int) -> int | None:
    """Named recipients (penerima by name and NIK) of a service in a year, from the recipient lists; None when
    no list has been imported (then there is nothing to compare the target with, rather than a 100 % gap)."""
    return recipient_counts(region, service, year)["must_serve"] or None


GAP_THRESHOLD = Decimal(10)  # % difference between the typed target and the named recipients that is flagged


def recipient_gap_pct(target: int | None, named: int | None) -> Decimal | None:
    """|target − named recipients| as a % of the target (2 decimals); None when it cannot be computed."""
    if target is None or named is None or target == 0:
        return None
    return (Decimal(abs(target - named)) * 100 / Decimal(target)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def gap_is_flagged(gap_pct: Decimal | None) -> bool:
    return gap_pct is not None and gap_pct > GAP_THRESHOLD


@dataclass(frozen=True)
class MustServe:
    """*Jumlah yang harus dilayani* of one (daerah, jenis pelayanan dasar, tahun): the one figure every page shows.

    ``value`` is the approved target (the official sasaran) when there is one, else the report's figure;
    ``official`` the approved sasaran, ``reported`` the report's typed figure, ``named`` the count of the named
    recipient list (None when no list was imported). The gap between ``value`` and ``named`` above
    ``GAP_THRESHOLD`` % is flagged on the report, the review page, the dashboard and the API alike.
    """

    value: int | None
    source: str  # "target" (approved target), "report" (the report's figure) or "" (none)
    official: int | None
    reported: int | None
    named: int | None

    @property
    def gap_pct(self) -> Decimal | None:
        return recipient_gap_pct(self.value, self.named)

    @property
    def gap_flagged(self) -> bool:
        return gap_is_flagged(self.gap_pct)

    @property
    def source_label(self) -> str:
        return {"target": _("target disetujui"), "report": _("isian laporan")}.get(self.source) or _("belum ada")


def must_serve_from(*, official: int | None, reported: int | None, named: int | None) -> MustServe:
    """``MustServe`` from figures the caller has already read (no query)."""
    if official is not None:
        return MustServe(official, "target", official, reported, named or None)
    return MustServe(reported, "report" if reported is not None else "", None, reported, named or None)


def must_serve_figures(*, region: Region, service: BasicService, year: int, reported: int | None) -> MustServe:
    """``MustServe`` of one (daerah, jenis, tahun) with ``reported`` the report's figure (two queries)."""
    official = approved_must_serve(region=region, service=service, year=year)
    return must_serve_from(official=official, reported=reported, named=named_recipient_count(region, service, year))


def must_serve_by_service(*, region: Region, year: int, reported: dict[int, int | None]) -> dict[int, MustServe]:
    """``MustServe`` for several services of a daerah at once: {service id: figures} (two queries)."""
    official = approved_must_serve_by_service(region=region, year=year)
    named = named_counts_by_service(region, year)
    return {
        service_id: must_serve_from(official=official.get(service_id), reported=figure, named=named.get(service_id))
        for service_id, figure in reported.items()
    }


def previous_realisation(region: Region, service: BasicService, year: int) -> int | None:
    """Citizens served in the previous year: the stored TW IV achievement, else the approved reports' sum."""
    from reporting.choices import ReportStatus
    from reporting.models import Achievement, AchievementLevel, QuarterlyReport

    stored = (
        Achievement.objects.filter(
            region=region, service=service, year=year - 1, quarter=4, level=AchievementLevel.SERVICE, is_current=True
        )
        .values_list("served", flat=True)
        .first()
    )
    if stored is not None:
        return stored
    approved = QuarterlyReport.objects.filter(
        region=region, service=service, period__year=year - 1, status=ReportStatus.APPROVED
    )
    if not approved.filter(period__quarter=4).exists():
        return None
    return approved.aggregate(total=Sum("served"))["total"] or 0


@dataclass(frozen=True)
class TargetSources:
    """Side by side: the target typed by the OPD, named recipients, and last year's realisation."""

    typed: int | None
    approved: int | None
    named_recipients: int | None
    previous_realisation: int | None
    gap_pct: Decimal | None

    @property
    def gap_flagged(self) -> bool:
        return gap_is_flagged(self.gap_pct)


def target_sources(region: Region, service: BasicService, year: int, revision: TargetRevision | None) -> TargetSources:
    target = (
        Target.objects.filter(region=region, service=service, year=year).select_related("approved_revision").first()
    )
    approved = target.approved_must_serve if target else None
    typed = revision.must_serve if revision is not None else approved
    named = named_recipient_count(region, service, year)
    return TargetSources(
        typed=typed,
        approved=approved,
        named_recipients=named,
        previous_realisation=previous_realisation(region, service, year),
        gap_pct=recipient_gap_pct(typed, named),
    )


@dataclass
class TargetRow:
    service: BasicService
    agency: str
    target: Target | None
    open_revision: TargetRevision | None


def target_rows(region: Region, year: int, services) -> list[TargetRow]:
    """One row per service of the daerah with its target and open revision (a fixed number of queries)."""
    services = list(services.select_related("affair"))
    agencies = dict(
        ServiceAssignment.objects.filter(region=region, service__in=services).values_list("service_id", "agency__name")
    )
    open_revisions = Prefetch(
        "revisions", queryset=TargetRevision.objects.filter(status__in=OPEN_TARGET_STATUSES), to_attr="open_revisions"
    )
    targets = {
        t.service_id: t
        for t in Target.objects.filter(region=region, year=year, service__in=services)
        .select_related("approved_revision")
        .prefetch_related(open_revisions)
    }
    rows = []
    for service in services:
        target = targets.get(service.pk)
        open_revision = target.open_revisions[0] if target and target.open_revisions else None
        rows.append(TargetRow(service, agencies.get(service.pk, ""), target, open_revision))
    return rows


@dataclass
class NeedRow:
    need: object
    result: object


def needs_summary(region: Region, year: int, needs_qs) -> dict:
    """Need lines with their computed gap and cost, and totals per urusan and for the daerah."""
    from targets import needs as calc

    rows = list(needs_qs.filter(region=region, year=year).select_related("service__affair", "component"))
    sasaran: dict[int, int | None] = dict(
        Target.objects.filter(region=region, year=year, approved_revision__isnull=False).values_list(
            "service_id", "approved_revision__must_serve"
        )
    )
    out, per_affair = [], {}
    for need in rows:
        result = calc.compute(
            calc.NeedLine(need.basis, need.quantity, need.available, need.unit_cost, sasaran.get(need.service_id))
        )
        out.append(NeedRow(need, result))
        affair = need.service.affair
        per_affair[affair] = per_affair.get(affair, 0) + (result.cost or 0)
    return {
        "rows": out,
        "per_affair": list(per_affair.items()),
        "total": calc.total_cost(r.result for r in out),
        "missing_sasaran": sorted({r.need.service.code for r in out if r.result.required is None}),
    }


def plan_year_defaults(region: Region, years: list[int]) -> dict[tuple[int, int], tuple[int | None, int | None]]:
    """Per (service, year): the approved target (citizens) and the cost of the needs to close the gap, so a new
    rencana aksi starts from the daerah's own figures instead of blank cells (two queries)."""
    from targets import needs as calc
    from targets.models import Need

    sasaran = {
        (service_id, year): must_serve
        for service_id, year, must_serve in Target.objects.filter(
            region=region, year__in=years, approved_revision__isnull=False
        ).values_list("service_id", "year", "approved_revision__must_serve")
    }
    costs: dict[tuple[int, int], list] = {}
    for need in Need.objects.filter(region=region, year__in=years):
        key = (need.service_id, need.year)
        line = calc.NeedLine(need.basis, need.quantity, need.available, need.unit_cost, sasaran.get(key))
        costs.setdefault(key, []).append(calc.compute(line))
    keys = set(sasaran) | set(costs)
    return {key: (sasaran.get(key), calc.total_cost(costs[key]) if key in costs else None) for key in keys}


# --- Tim Penerapan SPM -----------------------------------------------------------------------------------


def _teams_in_place(year: int):
    """Teams in place in ``year``: an SK dated by the end of the year, its signed file uploaded and a ketua
    named (the three things an SK of the kepala daerah forming the team carries)."""
    return (
        ImplementationTeam.objects.filter(decree_date__lte=dt.date(year, 12, 31), members__role=TeamRole.CHAIR)
        .exclude(decree_file="")
        .exclude(decree_number="")
    )


def implementation_team_in_place(region, year: int) -> bool:
    """Is the daerah's Tim Penerapan SPM in place in ``year`` (one query)? The SPM Awards scorecard's
    "pembentukan tim penerapan SPM" criterion reads this."""
    return _teams_in_place(year).filter(region=region).exists()


def implementation_teams_in_place(region_ids, year: int) -> set[int]:
    """The ids among ``region_ids`` whose Tim Penerapan SPM is in place in ``year`` (one query, for rankings)."""
    return set(_teams_in_place(year).filter(region_id__in=region_ids).values_list("region_id", flat=True))


def team_detail(region):
    """The daerah's Tim Penerapan SPM with its members and their OPD (two queries), or None."""
    return (
        ImplementationTeam.objects.filter(region=region)
        .select_related("updated_by")
        .prefetch_related(Prefetch("members", queryset=_members()))
        .first()
    )


def _members():
    return ImplementationTeamMember.objects.select_related("agency").order_by("order", "id")
