"""Read paths of the targets app; every list, detail and export starts from ``visible_to(user)``."""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, OuterRef

from spm.choices import Role
from spm.querysets import region_scope_q


def _scoped(qs: models.QuerySet, user, region_path: str, service_path: str | None) -> models.QuerySet:
    """Operators see the rows of the services their OPD is pengampu of; others the daerah in scope."""
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.role == Role.OPERATOR and not user.is_admin:
        if not user.agency_id or service_path is None:
            return qs.none()
        from spm.models import ServiceAssignment

        assigned = ServiceAssignment.objects.filter(
            agency_id=user.agency_id, region_id=OuterRef(f"{region_path}_id"), service_id=OuterRef(f"{service_path}_id")
        )
        return qs.filter(Exists(assigned))
    q = region_scope_q(user, region_path)
    return qs if q is None else qs.filter(q)


class TargetQuerySet(models.QuerySet):
    def visible_to(self, user) -> TargetQuerySet:
        return _scoped(self, user, "region", "service")

    def for_year(self, year: int) -> TargetQuerySet:
        return self.filter(year=year)


class TargetRevisionQuerySet(models.QuerySet):
    def visible_to(self, user) -> TargetRevisionQuerySet:
        return _scoped(self, user, "target__region", "target__service")


class ReportEditionQuerySet(models.QuerySet):
    def visible_to(self, user) -> ReportEditionQuerySet:
        """Official reports are the daerah's: verifikator, pimpinan, provincial viewers and admins (not OPD)."""
        return _scoped(self, user, "region", None)


class GeneratedReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> GeneratedReportQuerySet:
        return _scoped(self, user, "edition__region", None)


class ActionPlanQuerySet(models.QuerySet):
    def visible_to(self, user) -> ActionPlanQuerySet:
        """A rencana aksi is the daerah's: every role of the daerah reads it (operators fill their services)."""
        if getattr(user, "is_authenticated", False) and user.role == Role.OPERATOR and not user.is_admin:
            return self.filter(region_id=user.agency.region_id) if user.agency_id else self.none()
        return _scoped(self, user, "region", None)


class NeedQuerySet(models.QuerySet):
    def visible_to(self, user) -> NeedQuerySet:
        return _scoped(self, user, "region", "service")
