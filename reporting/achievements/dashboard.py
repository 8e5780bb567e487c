"""Reads for the achievement dashboards. They read stored achievements only (never recompute on page load),
with a fixed number of queries whatever the number of services or daerah."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import Q

from reporting.achievements import formula as achievement
from reporting.achievements.services import active_rule_set
from reporting.choices import ReportStatus
from reporting.models import Achievement, AchievementLevel, QuarterlyReport
from reporting.querysets import quality_with_component
from reporting.selectors import completeness_pct_of
from spm.choices import RegionLevel
from spm.models import Affair, BasicService, Region, ServiceAssignment
from targets.selectors import must_serve_by_service


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
    rules = active_rule_set()
    per_agency: dict[str, list] = defaultdict(list)
    for a in assignments:
        per_agency[a.agency.name].append(reports.get(a.service_id))
    rows = []
    for name, items in per_agency.items():
        filled = [completeness_pct_of(r, rules) if r is not None else 0 for r in items]
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
    reported = {r.service_id: r.report.must_serve if r.report else r.must_serve for r in services}
    return {
        "must_serve": must_serve_by_service(region=region, year=year, reported=reported),
        "region_row": region_row,
        "affair_rows": [(a, affairs.get(a.pk)) for a in affair_list],
        "service_rows": services,
        "missing_services": expected_services - len(services),
        "trend": [(q, trend.get(q)) for q in (1, 2, 3, 4)],
        "timeliness": agency_timeliness(region, year, quarter),
        "revised": any(r.revision > 1 for r in this_quarter),
    }


@dataclass(frozen=True)
class RankingRow:
    """One daerah in the ranking: its stored IP-SPM and place, or none ("belum ada data")."""

    region: Region
    achievement: Achievement | None
    rank: int | None

    @property
    def has_data(self) -> bool:
        return self.achievement is not None

    @property
    def pk(self) -> int | None:
        return self.achievement.pk if self.achievement else None

    @property
    def index(self) -> Decimal | None:
        return self.achievement.index if self.achievement else None

    @property
    def status(self) -> str:
        return self.achievement.status if self.achievement else ""

    def get_status_label(self) -> str:
        return self.achievement.get_status_label() if self.achievement else "Belum ada data"


def ranking(*, year: int, quarter: int, province: Region | None = None) -> list[RankingRow]:
    """Daerah ranked by IP-SPM, highest first, with the coverage of each figure (two queries).

    For a provinsi, every daerah of it is listed (the provinsi and its kabupaten/kota); those without a stored
    IP-SPM follow as "belum ada data", never silently left out. The national list holds daerah with data.
    """
    qs = Achievement.objects.filter(
        year=year, quarter=quarter, level=AchievementLevel.REGION, is_current=True, index__isnull=False
    ).select_related("region__parent")
    if province is not None:
        qs = qs.filter(Q(region=province) | Q(region__parent=province))
    ranked = [RankingRow(a.region, a, i) for i, a in enumerate(qs.order_by("-index", "region__code"), start=1)]
    if province is None:
        return ranked
    present = {row.region.pk for row in ranked}
    others = (
        Region.objects.filter(Q(pk=province.pk) | Q(parent=province, level=RegionLevel.REGENCY_CITY))
        .exclude(pk__in=present)
        .select_related("parent")
        .order_by("code")
    )
    return [*ranked, *(RankingRow(region, None, None) for region in others)]


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
        values = achievement.counted_values(_stored_items(row.inputs["services"]), rules)
        shown = " + ".join(str(achievement.display(v)) for v in values)
        lines = [
            f"IP-SPM urusan = rata-rata nilai {len(values)} jenis pelayanan dasar yang memiliki sasaran",
            f"= ({shown}) / {len(values)} = {achievement.display(row.index)}",
        ]
        return [*lines, _coverage_line(row, rules), f"status = {status_label(row.status)}"]
    groups = [_stored_items(values) for values in row.inputs["affairs"].values()]
    lines = [_coverage_line(row, rules)]
    for code, items in zip(row.inputs["affairs"], groups, strict=True):
        if (value := achievement.affair_index(items, rules)) is not None:
            counted = achievement.coverage(items)
            lines.append(
                f"urusan {code}: {counted.counted} dari {counted.expected} layanan = {achievement.display(value)}"
            )
    for rollup, label in ROLLUP_LABELS.items():
        value = achievement.region_index(groups, replace(rules, region_rollup=rollup))
        chosen = "dipakai aturan ini" if rollup == rules.region_rollup else "pembanding, tidak dipakai"
        lines.append(f"{label} = {_shown(value)} ({chosen})")
    lines.append(f"IP-SPM = {achievement.display(row.index)}; status = {status_label(row.status)}")
    return lines


ROLLUP_LABELS = {
    "mean_of_affairs": "IP-SPM daerah sebagai rata-rata urusan",
    "mean_of_services": "IP-SPM daerah sebagai rata-rata jenis pelayanan",
}


def _shown(value: Decimal | None) -> str:
    return "tidak ada nilai" if value is None else str(achievement.display(value))


def _stored_items(values: list) -> list:
    """Stored roll-up inputs back as engine items: None = no approved report; "-" = tidak ada sasaran."""
    no_target = achievement.service_index(0, 0)
    return [None if v is None else no_target if v == "-" else Decimal(v) for v in values]


def _coverage_line(row: Achievement, rules: achievement.RuleSet) -> str:
    counted, expected = row.services_counted, row.services_expected
    if counted is None or expected is None:
        return "cakupan: tidak tercatat (dihitung sebelum cakupan disimpan)"
    missing = (
        "dihitung 0" if rules.missing_service == "zero" else "tidak dihitung (rata-rata layanan yang ada nilainya)"
    )
    return f"cakupan: dari {counted}/{expected} jenis pelayanan; yang belum ada nilainya {missing}, sesuai aturan"


def provinces_in_scope(user) -> list[Region]:
    return list(Region.objects.visible_to(user).filter(level=RegionLevel.PROVINCE).order_by("code"))
