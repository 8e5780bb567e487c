"""Storing the IP-SPM: gather a daerah's approved reports, run the pure engine, upsert the results.

Only approved (verified) reports count. The work is done per daerah and year under a lock on the daerah's
row, so concurrent runs (after an approval, the nightly job, a manual recompute) never duplicate rows; the
database constraints back this up. Running it twice changes nothing. Figures of a closed period are frozen:
if a recompute would change them, the current row is kept as history and a new revision is added with who
and why.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from reporting.achievements import formula as achievement
from reporting.choices import PeriodStatus, ReportStatus
from reporting.models import (
    Achievement,
    AchievementLevel,
    AchievementRuleSet,
    QuarterlyReport,
    ReportingPeriod,
)
from spm.models import BasicService, Region
from targets.selectors import approved_must_serve_by_service

# Stored values are a pure function of the inputs and the rule set, so comparing these is enough (and avoids
# comparing decimals, which SQLite keeps only to double precision).
COMPARED_FIELDS = (
    "must_serve",
    "served",
    "status",
    "has_target",
    "budget_allocated",
    "budget_realised",
    "inputs",
    "rules_id",
    "report_id",
    "quarters_reported",
    "missing_quarters",
    "services_counted",
    "services_expected",
)


@dataclass
class RecomputeStats:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    revised: int = 0
    removed: int = 0

    def __add__(self, other: RecomputeStats) -> RecomputeStats:
        return RecomputeStats(*(getattr(self, f) + getattr(other, f) for f in self.__dataclass_fields__))


def active_rules() -> tuple[AchievementRuleSet, achievement.RuleSet]:
    """The active rule-set row (created from formula.md's defaults on first use) and its engine form."""
    row = AchievementRuleSet.objects.filter(is_active=True).first()
    if row is None:
        default = achievement.DEFAULT_RULES
        row, _created = AchievementRuleSet.objects.get_or_create(
            version=default.version, defaults={"label": default.label, "rules": default.to_dict(), "is_active": True}
        )
    return row, achievement.RuleSet.from_dict(row.rules)


def active_rule_set() -> achievement.RuleSet:
    """The active rule set's engine form for pages that only read (lists, queues): one query and no write;
    formula.md's defaults while no rule set is stored yet (they are what :func:`active_rules` would store)."""
    row = AchievementRuleSet.objects.filter(is_active=True).only("rules").first()
    return achievement.RuleSet.from_dict(row.rules) if row is not None else achievement.DEFAULT_RULES


def _decimal(value: Decimal | None) -> Decimal | None:
    # Stored with 25 decimal places; quantize so a re-read compares equal to a fresh computation.
    return None if value is None else value.quantize(Decimal(10) ** -25)


def _compute(region: Region, year: int, quarters: list[int], rules_row, rules) -> dict[tuple, dict]:
    """Every achievement row a daerah should have for the given triwulan of a year (no writes)."""
    services = list(BasicService.objects.for_region(region).active().select_related("affair"))
    reports = (
        QuarterlyReport.objects.filter(region=region, period__year=year, status=ReportStatus.APPROVED)
        .select_related("period")
        .prefetch_related("quality_entries")
    )
    by_key = {(r.service_id, r.period.quarter): r for r in reports}
    # One "harus dilayani" per (daerah, jenis, tahun): the approved target when there is one, else the report's.
    official = approved_must_serve_by_service(region=region, year=year)
    rows: dict[tuple, dict] = {}
    for quarter in quarters:
        per_affair: dict[int, list] = defaultdict(list)
        affairs = {}
        totals = {"budget_allocated": 0, "budget_realised": 0, "any_budget": False}
        for service in services:
            report = by_key.get((service.pk, quarter))
            affairs[service.affair_id] = service.affair
            if report is None or report.must_serve is None:
                per_affair[service.affair_id].append(None)
                continue
            # An earlier triwulan without an approved report is None: counted as 0 but named, never silently 0.
            per_quarter = [
                by_key[(service.pk, q)].served if (service.pk, q) in by_key else None for q in range(1, quarter + 1)
            ]
            per_quarter[-1] = per_quarter[-1] or 0
            quality = [(e.required or 0, e.met or 0, e.not_applicable) for e in report.quality_entries.all()]
            must_serve = official.get(service.pk) if official.get(service.pk) is not None else report.must_serve
            result = achievement.quarter_service_index(per_quarter, quarter, must_serve, quality, rules)
            per_affair[service.affair_id].append(result)
            for name in ("budget_allocated", "budget_realised"):
                if getattr(report, name) is not None:
                    totals[name] += getattr(report, name)
                    totals["any_budget"] = True
            rows[(quarter, AchievementLevel.SERVICE, service.pk, None)] = {
                "must_serve": must_serve,
                "served": int(result.inputs["served"]),
                "recipient_pct": _decimal(result.recipient_pct),
                "quality_pct": _decimal(result.quality_pct),
                "index": _decimal(result.index),
                "status": result.status or "",
                "has_target": result.has_target,
                "budget_allocated": report.budget_allocated,
                "budget_realised": report.budget_realised,
                "inputs": {**result.inputs, "rules_version": rules.version},
                "rules_id": rules_row.pk,
                "report_id": report.pk,
                "quarters_reported": [q for q, v in enumerate(per_quarter, start=1) if v is not None],
                "missing_quarters": result.inputs.get("missing_quarters", []),
                "services_counted": None,
                "services_expected": None,
            }
        for affair_id, results in per_affair.items():
            if not any(results):
                continue
            value = achievement.affair_index(results, rules)
            rows[(quarter, AchievementLevel.AFFAIR, None, affair_id)] = _rollup_row(
                value,
                rules,
                rules_row,
                {"affair": affairs[affair_id].code, "services": _indices(results)},
                achievement.coverage(results),
            )
        if any(r for results in per_affair.values() for r in results):
            value = achievement.region_index(per_affair.values(), rules)
            row = _rollup_row(
                value,
                rules,
                rules_row,
                {
                    "rollup": rules.region_rollup,
                    "affairs": {affairs[a].code: _indices(r) for a, r in per_affair.items()},
                    "missing_service": rules.missing_service,
                },
                achievement.coverage(r for results in per_affair.values() for r in results),
            )
            if totals["any_budget"]:
                row["budget_allocated"], row["budget_realised"] = totals["budget_allocated"], totals["budget_realised"]
            rows[(quarter, AchievementLevel.REGION, None, None)] = row
    return rows


def _indices(results) -> list[str | None]:
    # "-" marks a service with an approved report but no nilai (tidak ada sasaran); None one without a report.
    return [None if r is None else "-" if r.index is None else str(r.index) for r in results]


def _rollup_row(value, rules, rules_row, inputs: dict, covered: achievement.Coverage) -> dict:
    return {
        "quarters_reported": [],
        "missing_quarters": [],
        "services_counted": covered.counted,
        "services_expected": covered.expected,
        "must_serve": None,
        "served": None,
        "recipient_pct": None,
        "quality_pct": None,
        "index": _decimal(value),
        "status": achievement.status_for(value, rules) or "",
        "has_target": value is not None,
        "budget_allocated": None,
        "budget_realised": None,
        "inputs": {**inputs, "rules_version": rules.version},
        "rules_id": rules_row.pk,
        "report_id": None,
    }


def _key(row: Achievement) -> tuple:
    return (row.quarter, row.level, row.service_id, row.affair_id)


@transaction.atomic
def achievements_recompute(
    *, region: Region, year: int, quarter: int | None = None, user=None, reason: str = ""
) -> RecomputeStats:
    """Recompute and store a daerah's achievements for a year (or one triwulan). Idempotent."""
    Region.objects.select_for_update().filter(pk=region.pk).values_list("pk", flat=True).first()
    rules_row, rules = active_rules()
    quarters = [quarter] if quarter else [1, 2, 3, 4]
    computed = _compute(region, year, quarters, rules_row, rules)
    closed = set(
        ReportingPeriod.objects.filter(region=region, year=year, status=PeriodStatus.CLOSED).values_list(
            "quarter", flat=True
        )
    )
    existing = {
        _key(row): row
        for row in Achievement.objects.filter(region=region, year=year, quarter__in=quarters, is_current=True)
    }
    stats = RecomputeStats()
    to_create: list[Achievement] = []
    to_update: list[Achievement] = []
    for key, values in computed.items():
        current = existing.pop(key, None)
        if current is None:
            to_create.append(_new(region, year, key, values, user, reason))
            stats.created += 1
        elif all(getattr(current, f) == values[f] for f in COMPARED_FIELDS):
            stats.unchanged += 1
        elif key[0] in closed:
            current.is_current = False
            current.save(update_fields=["is_current"])
            revised = _new(region, year, key, values, user, reason or "Penghitungan ulang setelah periode ditutup")
            revised.revision = current.revision + 1
            to_create.append(revised)
            stats.revised += 1
        else:
            for f, value in values.items():
                setattr(current, f, value)
            current.computed_by = user
            to_update.append(current)
            stats.updated += 1
    for key, stale in existing.items():
        if key[0] in closed:
            continue  # published figures of a closed period stay as they were
        stale.delete()
        stats.removed += 1
    Achievement.objects.bulk_create(to_create)
    for row in to_update:
        row.save()
    return stats


def _new(region, year, key, values, user, reason) -> Achievement:
    quarter, level, service_id, affair_id = key
    return Achievement(
        region=region,
        year=year,
        quarter=quarter,
        level=level,
        service_id=service_id,
        affair_id=affair_id,
        computed_by=user,
        reason=reason,
        **values,
    )


def regions_with_reports(year: int) -> list[int]:
    """Daerah that have any approved report in a year (the nightly job's work list)."""
    return list(
        QuarterlyReport.objects.filter(period__year=year, status=ReportStatus.APPROVED)
        .values_list("region_id", flat=True)
        .distinct()
        .order_by("region_id")
    )
