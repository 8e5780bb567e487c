"""Reads for the SPM Awards scorecard: the inputs of every daerah for a year, from stored rows, in a fixed number
of queries whatever the number of daerah; and the active criteria (versioned data, assumed — see
:mod:`reporting.national.scorecard`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from django.conf import settings
from django.db.models import Count, Q

from reporting.choices import ReportStatus, StageStatus
from reporting.models import (
    Achievement,
    AchievementLevel,
    AwardCriteriaSet,
    QuarterlyReport,
    ReportingPeriod,
    StageProgress,
)
from reporting.national import scorecard
from spm.choices import GovernmentLevel, RegionLevel
from spm.models import BasicService, Region

DEFAULT_CRITERIA_FILE = Path(settings.BASE_DIR) / "spm" / "data" / "awards_criteria.yaml"
SUBMITTED = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)

# Tim Penerapan SPM (the team of each daerah, with its SK) is being added by another part of this issue. Until
# it is in the code base, the "team" criterion is "data belum tersedia" (None), never 0. The model is looked
# up by these labels, so the criterion fills in by itself once it exists; it needs a ``region`` foreign key.


def default_criteria_data() -> dict:
    return yaml.safe_load(DEFAULT_CRITERIA_FILE.read_text(encoding="utf-8"))


def active_criteria() -> tuple[AwardCriteriaSet, scorecard.Criteria]:
    """The active criteria version (created from ``spm/data/awards_criteria.yaml`` on first use)."""
    row = AwardCriteriaSet.objects.filter(is_active=True).first()
    if row is None:
        data = default_criteria_data()
        row, _created = AwardCriteriaSet.objects.get_or_create(
            version=data["version"],
            defaults={
                "label": data["label"],
                "source": data.get("source", ""),
                "criteria": {"missing": data.get("missing", "exclude"), "criteria": data["criteria"]},
                "is_active": True,
            },
        )
    return row, scorecard.Criteria.from_dict(
        {**row.criteria, "version": row.version, "label": row.label, "source": row.source}
    )


def team_in_place(region_ids: list[int], year: int) -> dict[int, bool]:
    """The "Tim Penerapan SPM" criterion: for each daerah, is its Tim in place in ``year`` (an SK dated by the
    year's end, its signed file, a ketua: ``targets.selectors``, the one rule)? One query."""
    from targets.selectors import implementation_teams_in_place  # the targets app's read interface

    present = implementation_teams_in_place(region_ids, year)
    return {pk: pk in present for pk in region_ids}


def award_inputs(*, year: int, on: dt.date, province: Region | None = None) -> list[scorecard.AwardInputs]:
    """Every daerah's scorecard inputs for ``year`` (a provinsi's only, when given): seven queries at most."""
    regions_qs = Region.objects.daerah()
    if province is not None:
        regions_qs = regions_qs.filter(Q(pk=province.pk) | Q(parent=province))
    regions = list(regions_qs.order_by("code").values_list("pk", "code", "name", "level"))
    region_ids = [r[0] for r in regions]
    in_scope = Q(region_id__in=region_ids) if province is not None else Q()
    # The IP-SPM and section C totals of the latest triwulan of the year with a stored IP-SPM.
    latest: dict[int, tuple] = {}
    for region_id, quarter, index, allocated, realised in (
        Achievement.objects.filter(in_scope, year=year, level=AchievementLevel.REGION, is_current=True)
        .order_by("quarter")
        .values_list("region_id", "quarter", "index", "budget_allocated", "budget_realised")
    ):
        latest[region_id] = (quarter, index, allocated, realised)
    # Only the triwulan each daerah's figures come from (nearly always one): a quarter of the rows to count.
    quarters = {quarter for quarter, *_rest in latest.values()}
    stages: dict[tuple[int, int], tuple[int, int]] = {}
    for row in (
        StageProgress.objects.filter(
            Q(report__region_id__in=region_ids) if province is not None else Q(),
            report__period__year=year,
            report__period__quarter__in=quarters,
            report__status=ReportStatus.APPROVED,
        )
        .values("report__region_id", "report__period__quarter")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(status=StageStatus.DONE)))
        .order_by()
    ):
        stages[(row["report__region_id"], row["report__period__quarter"])] = (row["done"], row["total"])
    on_time = dict(
        QuarterlyReport.objects.filter(in_scope, period__year=year, status__in=SUBMITTED, is_late=False)
        .values("region_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("region_id", "n")
    )
    due_quarters = dict(
        ReportingPeriod.objects.filter(in_scope, year=year, due_date__lt=on)
        .values("region_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("region_id", "n")
    )
    services_per_level = dict(
        BasicService.objects.active().values("level").annotate(n=Count("pk")).order_by().values_list("level", "n")
    )
    teams = team_in_place(region_ids, year)
    items = []
    for pk, code, name, level in regions:
        quarter, index, allocated, realised = latest.get(pk, (None, None, None, None))
        done, total = stages.get((pk, quarter), (0, 0)) if quarter else (0, 0)
        per_quarter = services_per_level.get(
            GovernmentLevel.PROVINCE if level == RegionLevel.PROVINCE else GovernmentLevel.REGENCY_CITY, 0
        )
        items.append(
            scorecard.AwardInputs(
                region_id=pk,
                code=code,
                name=name,
                ip_spm=index,
                quarter=quarter,
                budget_allocated=allocated,
                budget_realised=realised,
                stages_done=done,
                stages_total=total,
                team=None if teams is None else teams[pk],
                reports_on_time=on_time.get(pk, 0),
                reports_due=due_quarters.get(pk, 0) * per_quarter,
            )
        )
    return items


def awards_ranking(*, year: int, on: dt.date, province: Region | None = None) -> dict:
    """The SPM Awards scorecards of a year, ranked by score and by IP-SPM, with the criteria they follow."""
    row, criteria = active_criteria()
    cards = scorecard.scorecards(award_inputs(year=year, on=on, province=province), criteria)
    return {"cards": cards, "criteria": criteria, "criteria_row": row}
