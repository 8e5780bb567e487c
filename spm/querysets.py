"""Read paths for the catalogue and organisation, with one ``visible_to(user)`` per scoped model.

Every list, detail, export and API starts from ``visible_to``, a one-line call into
:func:`spm.access.restrict` where the scope rules live; an object outside the user's scope is simply not
found (404), never "forbidden".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models

from spm.access import restrict
from spm.choices import RegionLevel, Role

if TYPE_CHECKING:
    from spm.models import User


class RegionQuerySet(models.QuerySet):
    def daerah(self) -> RegionQuerySet:
        """Provinsi and kabupaten/kota: the levels that have a pemerintah daerah."""
        return self.filter(level__in=[RegionLevel.PROVINCE, RegionLevel.REGENCY_CITY])

    def provinces(self) -> RegionQuerySet:
        return self.filter(level=RegionLevel.PROVINCE)

    def visible_to(self, user: User) -> RegionQuerySet:
        """The daerah whose data the user may see."""
        return restrict(self.daerah(), user)


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
        return restrict(self, user)

class ServiceAssignmentQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ServiceAssignmentQuerySet:
        return restrict(self, user)

class UserManager(DjangoUserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        """`manage.py createsuperuser` makes a system admin (the default role, operator, needs an OPD)."""
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)

    def visible_to(self, user: User) -> models.QuerySet:
        """Users an admin manages; a verifikator sees the users of its daerah (to know who to contact)."""
        return restrict(self.all(), user)

__all__ = [
    "AgencyQuerySet",
    "BasicServiceQuerySet",
    "RegionQuerySet",
    "ServiceAssignmentQuerySet",
    "UserManager",
]
