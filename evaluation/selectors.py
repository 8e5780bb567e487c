"""Reads of the provincial evaluation pages: the kab/kota a user evaluates, the matrix one level up with the
requests for correction beside it, the recap and the requests shown in a report's history.

The matrix itself is :func:`reporting.review.selectors.province_matrix` (one rule, one place); every function
here issues a bounded number of queries whatever the number of kab/kota.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from evaluation.choices import RequestStatus
from evaluation.models import AnnualEvaluation, CorrectionRequest, CorrectionTransition
from reporting.models import Achievement, AchievementLevel
from reporting.review.selectors import DaerahRow, province_matrix
from spm import access
from spm.choices import RegionLevel
from spm.models import Region


def provinces_to_choose(user) -> QuerySet[Region] | None:
    """Provinsi an admin picks from (None: the user's own provinsi, no choice)."""
    return Region.objects.provinces().order_by("code") if access.scope_of(user).is_admin else None


def evaluated_regions(user, province: Region) -> QuerySet[Region]:
    """The kabupaten/kota of ``province`` the user may see (the Evaluator Provinsi: all of its own)."""
    return Region.objects.visible_to(user).filter(parent=province, level=RegionLevel.REGENCY_CITY).order_by("code")


@dataclass
class RecapRow:
    """A kab/kota in the provincial recap: the matrix row, its stored IP-SPM and the requests sent to it."""

    matrix: DaerahRow
    index: Achievement | None
    open_requests: int
    answered_requests: int
    annual: AnnualEvaluation | None

    @property
    def region(self) -> Region:
        return self.matrix.region


def province_recap(user, province: Region, *, year: int, quarter: int) -> tuple[list, list[RecapRow]]:
    """The matrix of the provinsi's kab/kota with, per daerah, its IP-SPM for the triwulan (stored rows only),
    its open and answered requests and whether the year's annual evaluation is written (seven queries)."""
    regions = list(evaluated_regions(user, province))
    affairs, rows = province_matrix(regions, year=year, quarter=quarter)
    ids = [r.pk for r in regions]
    indexes = {
        a.region_id: a
        for a in Achievement.objects.filter(
            region_id__in=ids, year=year, quarter=quarter, level=AchievementLevel.REGION, is_current=True
        )
    }
    requests = Counter(
        CorrectionRequest.objects.visible_to(user)
        .filter(region_id__in=ids, status__in=[RequestStatus.OPEN, RequestStatus.ANSWERED])
        .values_list("region_id", "status")
    )
    annual = {e.region_id: e for e in AnnualEvaluation.objects.visible_to(user).filter(region_id__in=ids, year=year)}
    recap = [
        RecapRow(
            row,
            indexes.get(row.region.pk),
            requests[(row.region.pk, RequestStatus.OPEN)],
            requests[(row.region.pk, RequestStatus.ANSWERED)],
            annual.get(row.region.pk),
        )
        for row in rows
    ]
    return affairs, recap


def request_list(user, *, status: str | None = None) -> QuerySet[CorrectionRequest]:
    """The requests a user may see (the evaluator: its kab/kota's; a verifikator: its daerah's), newest first."""
    qs = CorrectionRequest.objects.visible_to(user).select_related(
        "region", "report__service", "report__period", "created_by"
    )
    if status in RequestStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def request_detail_queryset() -> QuerySet[CorrectionRequest]:
    return CorrectionRequest.objects.select_related(
        "region", "report__service", "report__period", "created_by"
    ).prefetch_related(Prefetch("transitions", queryset=CorrectionTransition.objects.select_related("actor")))


def requests_for_report(report, user) -> list[CorrectionRequest]:
    """The provinsi's requests about one report with their history, for the report's own history (two queries)."""
    return list(
        CorrectionRequest.objects.visible_to(user)
        .filter(report=report)
        .select_related("created_by")
        .prefetch_related(Prefetch("transitions", queryset=CorrectionTransition.objects.select_related("actor")))
        .order_by("created_at", "id")
    )
