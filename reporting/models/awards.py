"""The criteria and weights of the SPM Awards scorecard, stored as versioned data."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AwardCriteriaSet(models.Model):
    """A version of the SPM Awards criteria (kriteria penilaian SPM Awards) with their weights and sources.

    The criteria are **not in a regulation**: PP 2/2018 and Permendagri 59/2021 define the IP-SPM, not the
    awards Kemendagri gives beside it. The default version (``spm/data/awards_criteria.yaml``) is an
    assumption marked as such; a corrected reading becomes a new version here, never a code change. Exactly one
    version is active.
    """

    version = models.CharField(_("versi"), max_length=40, unique=True)
    label = models.CharField(_("nama"), max_length=200)
    source = models.TextField(_("sumber"), blank=True)
    criteria = models.JSONField(_("kriteria dan bobot"))
    is_active = models.BooleanField(_("aktif"), default=False)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("kriteria SPM Awards")
        verbose_name_plural = _("kriteria SPM Awards")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="award_criteria_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} — {self.label}"
