"""Read paths of the targets app; every list, detail and export starts from ``visible_to(user)``."""

from __future__ import annotations

from django.db import models

from spm.access import restrict


class TargetQuerySet(models.QuerySet):
    def visible_to(self, user) -> TargetQuerySet:
        return restrict(self, user)

    def for_year(self, year: int) -> TargetQuerySet:
        return self.filter(year=year)


class TargetRevisionQuerySet(models.QuerySet):
    def visible_to(self, user) -> TargetRevisionQuerySet:
        return restrict(self, user)


class ReportEditionQuerySet(models.QuerySet):
    def visible_to(self, user) -> ReportEditionQuerySet:
        """Official reports are the daerah's: verifikator, pimpinan, provincial viewers and admins (not OPD)."""
        return restrict(self, user)


class GeneratedReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> GeneratedReportQuerySet:
        return restrict(self, user)


class ActionPlanQuerySet(models.QuerySet):
    def visible_to(self, user) -> ActionPlanQuerySet:
        """A rencana aksi is the daerah's: every role of the daerah reads it (operators fill their services)."""
        return restrict(self, user)


class NeedQuerySet(models.QuerySet):
    def visible_to(self, user) -> NeedQuerySet:
        return restrict(self, user)


class ImplementationTeamQuerySet(models.QuerySet):
    def visible_to(self, user) -> ImplementationTeamQuerySet:
        """The Tim Penerapan SPM of the daerah in the user's scope (every role of the daerah reads it)."""
        return restrict(self, user)


class ImplementationTeamMemberQuerySet(models.QuerySet):
    def visible_to(self, user) -> ImplementationTeamMemberQuerySet:
        return restrict(self, user)
