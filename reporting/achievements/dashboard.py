"""Reads for the achievement dashboards. They read stored achievements only (never recompute on page load),
with a fixed number of queries whatever the number of services or daerah."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from reporting.achievements import formula as achievement
from reporting.choices import ReportStatus
from reporting.models import Achievement, AchievementLevel, QuarterlyReport
from reporting.querysets import quality_with_component
from reporting.selectors import completeness_pct_of
from spm.choices import RegionLevel
from spm.models import Affair, BasicService, Region, ServiceAssignment


def latest_period(region: Region) -> tuple[int, int] | None:
    """The latest (year, triwulan) for which the daerah has a stored IP-SPM."""
    row = (
        Achievement.objects.filter(region=region, level=AchievementLevel.REGION, is_current=True)
        .order_by("-year", "-quarter")
        .values_list("year", "quarter")
        .first()
    )
    return tuple(row) if row else None


def status_label(code: str) -> str:
    return achievement.status_label(code) or "Tidak ada sasaran"


@dataclass(frozen=True)
class AgencyTimeliness:
    agency: str
    services: int
    submitted: int
    approved: int
    late: int
    completeness_pct: int


def agency_timeliness(region: Region, year: int, quarter: int) -> list[AgencyTimeliness]:
    """Per OPD: reports expected, submitted/approved, late, and mean tingkat keterisian (bounded queries)."""
    assignments = ServiceAssignment.objects.filter(region=region).select_related("agency").order_by("agency__name")
    reports = {
        r.service_id: r
        for r in QuarterlyReport.objects.filter(
            region=region, period__year=year, period__quarter=quarter
        ).prefetch_related(quality_with_component(), "stages", "evidence")
    }
    per_agency: dict[str, list] = defaultdict(list)
    for a in assignments:
        per_agency[a.agency.name].append(reports.get(a.service_id))
    rows = []
    for name, items in per_agency.items():
        filled = [completeness_pct_of(r) if r is not None else 0 for r in items]
        done = [r for r in items if r and r.status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED)]
        rows.append(
            AgencyTimeliness(
                agency=name,
                services=len(items),
                submitted=len(done),
                approved=sum(1 for r in done if r.status == ReportStatus.APPROVED),
                late=sum(1 for r in done if r.is_late),
                completeness_pct=round(sum(filled) / len(filled)),
            )
        )
    return rows


def region_dashboard(region: Region, year: int, quarter: int) -> dict:
    """The daerah dashboard: IP-SPM, per urusan, per service, trend, and OPD timeliness."""
    current = Achievement.objects.filter(region=region, year=year, is_current=True)
    this_quarter = list(
        current.filter(quarter=quarter)
        .select_related("service__affair", "affair", "rules", "report__agency")
        # The rule set's name is shown, its rules are not: no JSON decode per row (labels: band_labels).
        .defer("rules__rules")
        .order_by("level")
    )
    region_row = next((r for r in this_quarter if r.level == AchievementLevel.REGION), None)
    affairs = {r.affair_id: r for r in this_quarter if r.level == AchievementLevel.AFFAIR}
    services = sorted(
        (r for r in this_quarter if r.level == AchievementLevel.SERVICE),
        key=lambda r: (r.service.affair.order, r.service.order),
    )
    affair_list = list(Affair.objects.order_by("order"))
    # The other triwulan only for the trend: their daerah figure, not every row with its relations.
    trend = dict(current.filter(level=AchievementLevel.REGION).values_list("quarter", "index"))
    expected_services = BasicService.objects.for_region(region).active().count()
    return {
        "region_row": region_row,
        "affair_rows": [(a, affairs.get(a.pk)) for a in affair_list],
        "service_rows": services,
        "missing_services": expected_services - len(services),
        "trend": [(q, trend.get(q)) for q in (1, 2, 3, 4)],
        "timeliness": agency_timeliness(region, year, quarter),
        "revised": any(r.revision > 1 for r in this_quarter),
    }


def ranking(*, year: int, quarter: int, province: Region | None = None) -> list[Achievement]:
    """Daerah ranked by IP-SPM (a provinsi's kabupaten/kota, or all daerah), highest first (one query)."""
    qs = Achievement.objects.filter(
        year=year, quarter=quarter, level=AchievementLevel.REGION, is_current=True, index__isnull=False
    ).select_related("region__parent")
    if province is not None:
        qs = qs.filter(Q(region=province) | Q(region__parent=province))
    return list(qs.order_by("-index", "region__code"))


def explain_lines(row: Achievement) -> list[str]:
    """The formula with the actual numbers, reproduced from the stored inputs and rule-set version."""
    rules = achievement.RuleSet.from_dict(row.rules.rules)
    if row.level == AchievementLevel.SERVICE:
        inputs = row.inputs
        quality = [tuple(pair) for pair in inputs["quality"]]
        result = achievement.quarter_service_index(
            inputs["per_quarter"], inputs["quarter"], int(inputs["must_serve"]), quality, rules
        )
        return achievement.explain(result)
    if row.level == AchievementLevel.AFFAIR:
        values = [v for v in row.inputs["services"] if v is not None]
        shown = " + ".join(str(achievement.display(Decimal(v))) for v in values)
        return [
            f"IP-SPM urusan = rata-rata nilai {len(values)} jenis pelayanan dasar yang memiliki sasaran",
            f"= ({shown}) / {len(values)} = {achievement.display(row.index)}",
            f"status = {status_label(row.status)}",
        ]
    lines = [
        f"IP-SPM daerah ({'rata-rata urusan' if rules.region_rollup == 'mean_of_affairs' else 'rata-rata layanan'})"
    ]
    for code, values in row.inputs["affairs"].items():
        present = [Decimal(v) for v in values if v is not None]
        if present:
            lines.append(
                f"urusan {code}: rata-rata {len(present)} layanan = {achievement.display(sum(present) / len(present))}"
            )
    lines.append(f"IP-SPM = {achievement.display(row.index)}; status = {status_label(row.status)}")
    return lines


def provinces_in_scope(user) -> list[Region]:
    return list(Region.objects.visible_to(user).filter(level=RegionLevel.PROVINCE).order_by("code"))
