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


def _recipient_scope(queryset: models.QuerySet, user) -> models.QuerySet:
    """Recipient data (data pribadi) in scope: an operator the services its OPD is pengampu of in its
    daerah; verifikator and pimpinan their daerah; a provincial viewer the provinsi and its kabupaten/kota;
    admins everything."""
    from spm.models import ServiceAssignment

    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    if user.is_admin:
        return queryset
    if user.role == Role.OPERATOR:
        if not user.agency_id or not user.region_id:
            return queryset.none()
        services = ServiceAssignment.objects.filter(agency_id=user.agency_id, region_id=user.region_id)
        return queryset.filter(region_id=user.region_id, service_id__in=services.values("service_id"))
    q = region_scope_q(user, "region")
    return queryset if q is None else queryset.filter(q)


class RecipientImportQuerySet(models.QuerySet):
    def visible_to(self, user) -> RecipientImportQuerySet:
        return _recipient_scope(self, user)


class RecipientQuerySet(models.QuerySet):
    def visible_to(self, user) -> RecipientQuerySet:
        return _recipient_scope(self, user)

    def for_list(self, region_id: int, service_id: int, year: int) -> RecipientQuerySet:
        """One daerah's list of one jenis pelayanan dasar for one year."""
        return self.filter(region_id=region_id, service_id=service_id, year=year)

    def nik_prefix(self, prefix: str) -> RecipientQuerySet:
        """NIKs starting with ``prefix`` (digits), as a range so the (daerah, layanan, tahun, NIK) index is
        used whatever the database collation."""
        return self.filter(nik__gte=prefix.ljust(16, "0"), nik__lte=prefix.ljust(16, "9"))


class ExportLogQuerySet(models.QuerySet):
    def visible_to(self, user) -> ExportLogQuerySet:
        """Admins see every export; a verifikator its daerah's; anyone else their own."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_admin:
            return self
        if user.role == Role.REVIEWER and user.region_id:
            return self.filter(region_id=user.region_id)
        return self.filter(user_id=user.pk)
