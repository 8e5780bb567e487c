"""Stored achievements (capaian SPM / IP-SPM) and the versioned rule sets that computed them."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reporting.achievements.formula import RuleSet
from reporting.choices import (
    Quarter,
)
from reporting.models.reports import ROMAN, QuarterlyReport
from reporting.querysets import AchievementQuerySet
from spm.models import BasicService, Region


class AchievementRuleSet(models.Model):
    """A version of the IP-SPM rules (weights, caps, aggregation, roll-up, status bands), stored as data.

    The default version holds the values of formula.md (``reporting.achievements.formula.DEFAULT_RULES``); a corrected
    reading of Permendagri 59/2021 becomes a new version, never a code change. Exactly one version is active.
    """

    version = models.CharField(_("versi"), max_length=40, unique=True)
    label = models.CharField(_("nama"), max_length=200)
    rules = models.JSONField(_("aturan"))
    is_active = models.BooleanField(_("aktif"), default=False)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("aturan penghitungan IP-SPM")
        verbose_name_plural = _("aturan penghitungan IP-SPM")
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="rules_one_active"),
        ]

    def __str__(self) -> str:
        return f"{self.version} — {self.label}"

    @property
    def rule_set(self):
        """The engine's form of these rules (``reporting.achievements.formula.RuleSet``)."""
        return RuleSet.from_dict(self.rules)


# Band labels of a rule set, cached: every dashboard, ranking and API row names its status, and reading (and
# parsing) the rule set for each row cost a query or a JSON decode per row. Two levels: this process's memory
# for a few seconds (a page asks once per row, and with the shared cache on Redis each ask would be a round
# trip), then the shared cache. A saved or deleted rule set drops both (``reporting.signals``); the other
# processes' memories follow within LOCAL_SECONDS. Labels only: no figure depends on them.
RULE_SET_CACHE_SECONDS = 300
LOCAL_SECONDS = 10
_local_band_labels: dict[int, tuple[float, dict[str, str]]] = {}


def band_labels_key(rule_set_id: int) -> str:
    return f"reporting:rule-set-bands:{rule_set_id}"


def band_labels(rule_set_id: int) -> dict[str, str]:
    """``{status code: label}`` of a rule set's bands (Tuntas Paripurna … Belum Tuntas)."""
    now = time.monotonic()
    known = _local_band_labels.get(rule_set_id)
    if known is not None and known[0] > now:
        return known[1]
    key = band_labels_key(rule_set_id)
    labels = cache.get(key)
    if labels is None:
        rules = AchievementRuleSet.objects.filter(pk=rule_set_id).values_list("rules", flat=True).first() or {}
        labels = {code: label for _lower, code, label in rules.get("bands", [])}
        cache.set(key, labels, RULE_SET_CACHE_SECONDS)
    _local_band_labels[rule_set_id] = (now + LOCAL_SECONDS, labels)
    return labels


def forget_band_labels(rule_set_id: int) -> None:
    """Drop a rule set's cached labels (it changed): this process's and the shared cache's."""
    _local_band_labels.pop(rule_set_id, None)
    cache.delete(band_labels_key(rule_set_id))


class AchievementLevel(models.TextChoices):
    SERVICE = "layanan", _("Jenis pelayanan dasar")
    AFFAIR = "urusan", _("Urusan")
    REGION = "daerah", _("Daerah")


class Achievement(models.Model):
    """Capaian / Indeks Pencapaian SPM of a daerah for a triwulan: per service, per urusan or for the daerah.

    Computed by Celery from approved reports (``reporting.achievements.services``) and stored with its
    inputs and rule-set version, so it can be explained and reproduced. Figures of a closed period are
    frozen: a recompute that changes them adds a new revision (who, why) instead of overwriting.
    """

    region = models.ForeignKey(Region, verbose_name=_("daerah"), on_delete=models.CASCADE, related_name="achievements")
    year = models.PositiveSmallIntegerField(_("tahun"))
    quarter = models.PositiveSmallIntegerField(_("triwulan"), choices=Quarter.choices)
    level = models.CharField(_("tingkat"), max_length=8, choices=AchievementLevel.choices)
    service = models.ForeignKey(BasicService, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    affair = models.ForeignKey("spm.Affair", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(QuarterlyReport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revision = models.PositiveIntegerField(_("revisi"), default=1)
    is_current = models.BooleanField(_("berlaku"), default=True)

    must_serve = models.PositiveIntegerField(_("jumlah yang harus dilayani"), null=True, blank=True)
    served = models.PositiveIntegerField(_("jumlah terlayani (kumulatif)"), null=True, blank=True)
    recipient_pct = models.DecimalField(_("%penerima"), max_digits=30, decimal_places=25, null=True, blank=True)
    quality_pct = models.DecimalField(_("%mutu"), max_digits=30, decimal_places=25, null=True, blank=True)
    index = models.DecimalField(_("nilai / IP-SPM"), max_digits=30, decimal_places=25, null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, blank=True)
    has_target = models.BooleanField(_("ada sasaran"), default=True)
    budget_allocated = models.PositiveBigIntegerField(_("alokasi anggaran (Rp)"), null=True, blank=True)
    budget_realised = models.PositiveBigIntegerField(_("realisasi anggaran (Rp)"), null=True, blank=True)
    inputs = models.JSONField(_("masukan"), default=dict)
    # A cumulative figure names the triwulan it rests on; one not reported is shown, never silently 0.
    quarters_reported = models.JSONField(_("triwulan yang dilaporkan"), default=list, blank=True)
    missing_quarters = models.JSONField(_("triwulan belum dilaporkan"), default=list, blank=True)
    # Coverage of a roll-up (urusan, daerah): "dari N/29 jenis pelayanan".
    services_counted = models.PositiveSmallIntegerField(_("jenis pelayanan dengan nilai"), null=True, blank=True)
    services_expected = models.PositiveSmallIntegerField(_("jenis pelayanan seharusnya"), null=True, blank=True)
    rules = models.ForeignKey(AchievementRuleSet, verbose_name=_("aturan"), on_delete=models.PROTECT)
    computed_at = models.DateTimeField(_("dihitung pada"), auto_now=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("alasan revisi"), blank=True)

    objects = AchievementQuerySet.as_manager()

    class Meta:
        verbose_name = _("capaian SPM")
        verbose_name_plural = _("capaian SPM")
        ordering = ["region__code", "year", "quarter", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "quarter", "service"],
                condition=Q(level="layanan", is_current=True),
                name="achievement_one_current_per_service",
            ),
            models.UniqueConstraint(
                fields=["region", "year", "quarter", "affair"],
                condition=Q(level="urusan", is_current=True),
                name="achievement_one_current_per_affair",
            ),
            models.UniqueConstraint(
                fields=["region", "year", "quarter"],
                condition=Q(level="daerah", is_current=True),
                name="achievement_one_current_per_region",
            ),
            models.CheckConstraint(
                name="achievement_level_matches_keys",
                condition=Q(level="layanan", service__isnull=False, affair__isnull=True)
                | Q(level="urusan", service__isnull=True, affair__isnull=False)
                | Q(level="daerah", service__isnull=True, affair__isnull=True),
            ),
        ]
        indexes = [
            models.Index(fields=["region", "year", "quarter", "is_current"], name="achievement_region_period"),
            models.Index(fields=["year", "quarter", "level", "is_current"], name="achievement_ranking"),
        ]

    def __str__(self) -> str:
        subject = self.service or self.affair or self.region
        return f"{subject} TW {ROMAN[self.quarter]} {self.year}: {self.index}"

    @property
    def missing_quarters_text(self) -> str:
        """The triwulan a cumulative figure lacks, as shown: "TW I, TW II" (empty when none)."""
        return ", ".join(f"TW {ROMAN[q]}" for q in self.missing_quarters or [])

    def get_status_label(self) -> str:
        """The status as the rule set that produced it names it (Tuntas Paripurna … Belum Tuntas)."""
        if not self.has_target or not self.status:
            return str(_("Tidak ada sasaran"))
        return band_labels(self.rules_id).get(self.status, self.status)
