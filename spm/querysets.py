"""Read paths for the catalogue and organisation, with one ``visible_to(user)`` per scoped model.

Every list, detail, export and API starts from ``visible_to``; an object outside the user's scope is
simply not found (404), never "forbidden".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q

from spm.choices import RegionLevel, Role

if TYPE_CHECKING:
    from spm.models import User


def region_scope_q(user: User, prefix: str = "") -> Q | None:
    """A Q object selecting the daerah a user may see, on a field path ``prefix`` pointing at a Region.

    Returns ``None`` for "everything" (admins). Unauthenticated users get an always-false Q.
    """
    p = f"{prefix}__" if prefix else ""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if user.is_admin:
        return None
    if user.role == Role.PROVINCIAL_VIEWER:
        return Q(**{f"{p}id": user.region_id}) | Q(**{f"{p}parent_id": user.region_id})
    if user.role == Role.OPERATOR:
        return Q(**{f"{p}id": user.agency.region_id}) if user.agency_id else Q(pk__in=[])
    if user.region_id:
        return Q(**{f"{p}id": user.region_id})
    return Q(pk__in=[])


class RegionQuerySet(models.QuerySet):
    def daerah(self) -> RegionQuerySet:
        """Provinsi and kabupaten/kota: the levels that have a pemerintah daerah."""
        return self.filter(level__in=[RegionLevel.PROVINCE, RegionLevel.REGENCY_CITY])

    def provinces(self) -> RegionQuerySet:
        return self.filter(level=RegionLevel.PROVINCE)

    def visible_to(self, user: User) -> RegionQuerySet:
        """The daerah whose data the user may see."""
        q = region_scope_q(user)
        qs = self.daerah()
        return qs if q is None else qs.filter(q)


class BasicServiceQuerySet(models.QuerySet):
    def active(self) -> BasicServiceQuerySet:
        return self.filter(is_active=True)

    def for_level(self, level: str) -> BasicServiceQuerySet:
        return self.filter(level=level)

    def for_region(self, region) -> BasicServiceQuerySet:
        """The services a daerah must deliver (its level's part of the catalogue)."""
        return self.filter(level=region.government_level)


class AgencyQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> AgencyQuerySet:
        """OPD a user may see: an operator only its own; others the OPD of the daerah in scope."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.role == Role.OPERATOR and not user.is_admin:
            return self.filter(pk=user.agency_id) if user.agency_id else self.none()
        q = region_scope_q(user, "region")
        return self if q is None else self.filter(q)


class ServiceAssignmentQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ServiceAssignmentQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.role == Role.OPERATOR and not user.is_admin:
            return self.filter(agency_id=user.agency_id) if user.agency_id else self.none()
        q = region_scope_q(user, "region")
        return self if q is None else self.filter(q)


class UserManager(DjangoUserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        """`manage.py createsuperuser` makes a system admin (the default role, operator, needs an OPD)."""
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)

    def visible_to(self, user: User) -> models.QuerySet:
        """Users an admin manages; a verifikator sees the users of its daerah (to know who to contact)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_admin:
            return self.all()
        if user.role == Role.REVIEWER and user.region_id:
            return self.filter(Q(region_id=user.region_id) | Q(agency__region_id=user.region_id))
        return self.filter(pk=user.pk)


__all__ = [
    "AgencyQuerySet",
    "BasicServiceQuerySet",
    "RegionQuerySet",
    "ServiceAssignmentQuerySet",
    "UserManager",
    "region_scope_q",
]
