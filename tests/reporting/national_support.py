"""Builders for the national tests and the benchmark-free checks: stored figures for many daerah, in bulk."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q

from reporting.achievements.services import active_rules
from reporting.choices import ImplementationStage, ReportStatus, StageStatus
from reporting.models import Achievement, AchievementLevel, QuarterlyReport, ReportingPeriod, StageProgress
from reporting.services.periods import default_due_date, quarter_start
from spm.models import Affair, Agency, BasicService, Region


def daerah_of(provinces: list[str]) -> list[Region]:
    return list(Region.objects.daerah().filter(Q(code__in=provinces) | Q(parent__code__in=provinces)).order_by("code"))


def stored_figures(regions: list[Region], *, year: int, quarter: int, index_of=None, late_codes=(), skip=()) -> None:
    """For each daerah: its period, one approved report (late when its code is in ``late_codes``) with its four
    tahapan (two selesai), and a stored IP-SPM for the daerah and one urusan. Daerah in ``skip`` get nothing."""
    rules_row, _rules = active_rules()
    affair = Affair.objects.order_by("order").first()
    services = {
        level: BasicService.objects.filter(level=level).order_by("order").first()
        for level in ("provinsi", "kabupaten_kota")
    }
    regions = [r for r in regions if r.code not in skip]
    agencies = Agency.objects.bulk_create([Agency(region=r, name="Dinas Uji", short_name="DU") for r in regions])
    periods = ReportingPeriod.objects.bulk_create(
        [
            ReportingPeriod(
                region=r,
                year=year,
                quarter=quarter,
                opens_on=quarter_start(year, quarter),
                due_date=default_due_date(year, quarter),
            )
            for r in regions
        ]
    )
    reports = QuarterlyReport.objects.bulk_create(
        [
            QuarterlyReport(
                period=p,
                region=r,
                service=services[r.level],
                agency=a,
                status=ReportStatus.APPROVED,
                is_late=r.code in late_codes,
                must_serve=100,
                served=80,
                budget_allocated=1_000_000,
                budget_realised=750_000,
            )
            for r, p, a in zip(regions, periods, agencies, strict=True)
        ]
    )
    reports = list(QuarterlyReport.objects.filter(period__in=periods))
    StageProgress.objects.bulk_create(
        [
            StageProgress(report=rep, stage=stage, status=StageStatus.DONE if i < 2 else StageStatus.IN_PROGRESS)
            for rep in reports
            for i, stage in enumerate(ImplementationStage.values)
        ]
    )
    rows = []
    for i, r in enumerate(regions):
        index = index_of(r, i) if index_of else Decimal(60 + i % 41)
        status = _band(index)
        common = {"region": r, "year": year, "quarter": quarter, "rules": rules_row, "index": index, "status": status}
        rows.append(
            Achievement(
                level=AchievementLevel.REGION,
                services_counted=1,
                services_expected=29,
                budget_allocated=1_000_000,
                budget_realised=750_000,
                **common,
            )
        )
        rows.append(Achievement(level=AchievementLevel.AFFAIR, affair=affair, **common))
    Achievement.objects.bulk_create(rows)


def _band(index: Decimal) -> str:
    for lower, code in (
        (100, "tuntas_paripurna"),
        (90, "tuntas_utama"),
        (80, "tuntas_madya"),
        (70, "tuntas_pratama"),
        (60, "tuntas_muda"),
    ):
        if index >= lower:
            return code
    return "belum_tuntas"


def past(days: int) -> dt.date:
    return dt.date.today() - dt.timedelta(days=days)
