"""Read paths of the reporting app; every list, detail and export starts from ``visible_to(user)``."""

from __future__ import annotations

from django.db import models
from django.db.models import Prefetch

from spm.access import restrict


def quality_with_component() -> Prefetch:
    """Prefetch of a report's mutu rows with their component in one query (the rows are ordered by the component's
    order, so the component is joined anyway; ``quality_entries__component`` would read it again)."""
    from reporting.models import QualityEntry

    return Prefetch("quality_entries", queryset=QualityEntry.objects.select_related("component"))


def item_entries_with_item() -> Prefetch:
    """Prefetch of a report's mutu item rows (section B item by item) with their item and component."""
    from reporting.models import QualityItemEntry

    return Prefetch("item_entries", queryset=QualityItemEntry.objects.select_related("item__component"))


class ReportingPeriodQuerySet(models.QuerySet):
    def visible_to(self, user) -> ReportingPeriodQuerySet:
        return restrict(self, user)

    def for_quarter(self, year: int, quarter: int) -> ReportingPeriodQuerySet:
        return self.filter(year=year, quarter=quarter)


class QuarterlyReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuarterlyReportQuerySet:
        """An operator sees its OPD's reports; verifikator and pimpinan their daerah's; admins all."""
        return restrict(self, user)

    def for_period(self, year: int, quarter: int) -> QuarterlyReportQuerySet:
        return self.filter(period__year=year, period__quarter=quarter)

    def with_related(self) -> QuarterlyReportQuerySet:
        return self.select_related("period", "region", "service__affair", "agency", "quality_item_list")


class AchievementQuerySet(models.QuerySet):
    def visible_to(self, user) -> AchievementQuerySet:
        """Operators see the achievements of their OPD's services; others those of the daerah in scope."""
        return restrict(self, user)


class RecipientImportQuerySet(models.QuerySet):
    def visible_to(self, user) -> RecipientImportQuerySet:
        return restrict(self, user)


class RecipientQuerySet(models.QuerySet):
    def visible_to(self, user) -> RecipientQuerySet:
        return restrict(self, user)

    def for_list(self, region_id: int, service_id: int, year: int) -> RecipientQuerySet:
        """One daerah's list of one jenis pelayanan dasar for one year."""
        return self.filter(region_id=region_id, service_id=service_id, year=year)


class ExportLogQuerySet(models.QuerySet):
    def visible_to(self, user) -> ExportLogQuerySet:
        """Admins see every export; a verifikator its daerah's; anyone else their own."""
        return restrict(self, user)
