"""Reads for the national dashboard (Kemendagri): stored achievements, report counts and periods of every
daerah for one triwulan, in a fixed number of queries whatever the number of daerah (seven)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q

from reporting.achievements import formula
from reporting.achievements.services import active_rules
from reporting.choices import ReportStatus
from reporting.models import Achievement, AchievementLevel, QuarterlyReport, ReportingPeriod
from reporting.national import figures
from spm.choices import RegionLevel
from spm.models import Affair, Region

SUBMITTED = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)


@dataclass(frozen=True)
class NationalDashboard:
    year: int
    quarter: int
    rows: list[figures.DaerahRow]
    rate: figures.Rate
    index: figures.Mean
    index_status: str  # the band of the national mean (label), "" without a value
    provinces: list[figures.ProvinceFigures]
    affairs: list[tuple[Affair, figures.Mean]]
    bands: list[tuple[str, str, int]]  # (code, label, daerah)
    without_index: int
    paripurna: list[figures.DaerahRow]
    late: list[figures.DaerahRow]
    missing: list[figures.DaerahRow]
    overdue: int


def daerah_rows(year: int, quarter: int) -> list[figures.DaerahRow]:
    """One row per daerah (provinsi and kabupaten/kota) with its stored figures for the triwulan (five queries)."""
    regions = list(Region.objects.daerah().order_by("code").values_list("pk", "code", "name", "level", "parent_id"))
    achieved = {
        region_id: (index, status)
        for region_id, index, status in Achievement.objects.filter(
            year=year, quarter=quarter, level=AchievementLevel.REGION, is_current=True
        ).values_list("region_id", "index", "status")
    }
    affairs: dict[int, dict[int, object]] = defaultdict(dict)
    for region_id, affair_id, index in Achievement.objects.filter(
        year=year, quarter=quarter, level=AchievementLevel.AFFAIR, is_current=True, index__isnull=False
    ).values_list("region_id", "affair_id", "index"):
        affairs[region_id][affair_id] = index
    counts = {
        row["region_id"]: row
        for row in QuarterlyReport.objects.filter(period__year=year, period__quarter=quarter)
        .values("region_id")
        .annotate(
            submitted=Count("pk", filter=Q(status__in=SUBMITTED)),
            late=Count("pk", filter=Q(status__in=SUBMITTED, is_late=True)),
        )
        .order_by()
    }
    due = dict(ReportingPeriod.objects.for_quarter(year, quarter).values_list("region_id", "due_date"))
    rows = []
    for pk, code, name, level, parent_id in regions:
        index, status = achieved.get(pk, (None, ""))
        count = counts.get(pk, {})
        rows.append(
            figures.DaerahRow(
                region_id=pk,
                code=code,
                name=name,
                province_id=pk if level == RegionLevel.PROVINCE else parent_id,
                index=index,
                status=status if index is not None else "",
                submitted=count.get("submitted", 0),
                late=count.get("late", 0),
                due_date=due.get(pk),
                affairs=affairs.get(pk, {}),
            )
        )
    return rows


def national_dashboard(*, year: int, quarter: int, on: dt.date) -> NationalDashboard:
    """The national dashboard of a triwulan: reporting rate, IP-SPM per provinsi and per urusan, the band
    distribution, the Tuntas Paripurna list, late and missing daerah — each with its coverage."""
    rows = daerah_rows(year, quarter)
    affair_list = list(Affair.objects.order_by("order"))
    _row, rules = active_rules()
    affair_ids = [a.pk for a in affair_list]
    provinces = [(r.region_id, r.code, r.name) for r in rows if r.province_id == r.region_id]
    counts, without = figures.band_distribution(rows, [b.code for b in rules.bands])
    absent, overdue = figures.missing(rows, on)
    national_affairs = figures.affair_means(rows, affair_ids)
    index = figures.mean((r.index for r in rows), len(rows))
    return NationalDashboard(
        year=year,
        quarter=quarter,
        rows=rows,
        rate=figures.reporting_rate(rows),
        index=index,
        index_status=formula.status_label(formula.status_for(index.value, rules), rules) or "",
        provinces=figures.province_figures(provinces, rows, affair_ids),
        affairs=[(a, national_affairs[a.pk]) for a in affair_list],
        bands=[(b.code, b.label, counts[b.code]) for b in rules.bands],
        without_index=without,
        paripurna=figures.paripurna(rows, rules.bands[0].code),
        late=figures.late(rows),
        missing=absent,
        overdue=overdue,
    )
