"""Read paths of the reporting app; every list, detail and export starts from ``visible_to(user)``."""

from __future__ import annotations

from django.db import models

from spm.choices import Role
from spm.querysets import region_scope_q


class ReportingPeriodQuerySet(models.QuerySet):
    def visible_to(self, user) -> ReportingPeriodQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        q = region_scope_q(user, "region")
        return self if q is None else self.filter(q)

    def for_quarter(self, year: int, quarter: int) -> ReportingPeriodQuerySet:
        return self.filter(year=year, quarter=quarter)


class QuarterlyReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuarterlyReportQuerySet:
        """An operator sees its OPD's reports; verifikator and pimpinan their daerah's; admins all."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.role == Role.OPERATOR and not user.is_admin:
            return self.filter(agency_id=user.agency_id) if user.agency_id else self.none()
        q = region_scope_q(user, "region")
        return self if q is None else self.filter(q)

    def for_period(self, year: int, quarter: int) -> QuarterlyReportQuerySet:
        return self.filter(period__year=year, period__quarter=quarter)

    def with_related(self) -> QuarterlyReportQuerySet:
        return self.select_related("period", "region", "service__affair", "agency")


class AchievementQuerySet(models.QuerySet):
    def visible_to(self, user) -> AchievementQuerySet:
        """Operators see the achievements of their OPD's services; others those of the daerah in scope."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.role == Role.OPERATOR and not user.is_admin:
            if not user.agency_id:
                return self.none()
            return self.filter(
                level="layanan",
                region__assignments__agency_id=user.agency_id,
                region__assignments__service_id=models.F("service_id"),
            )
        q = region_scope_q(user, "region")
        return self if q is None else self.filter(q)
