"""Evaluation of the kabupaten/kota by their provinsi (evaluasi penerapan SPM oleh Gubernur).

Legal basis: the Gubernur, as wakil Pemerintah Pusat, carries out pembinaan dan pengawasan of the kab/kota's
SPM implementation and receives their reports on their way to the Menteri (PP 2/2018, bab pembinaan dan
pengawasan; Permendagri 59/2021 on the reporting and evaluation of penerapan SPM). **Assumed**: the article
numbers — the issue names PP 2/2018 Pasal 12 — could not be checked against the regulation text available to
the project; the behaviour (the provinsi evaluates, asks for corrections, keeps a yearly record per kab/kota)
follows the SPM practice described in the issue (Seruyan's "evaluasi tahunan").

- :class:`CorrectionRequest` — a note or a request for correction (permintaan perbaikan) addressed to a
  kab/kota's verifikator, about a triwulan and optionally one report; terbuka → dijawab → ditutup, every move in
  :class:`CorrectionTransition` (``spm.audit``), shown in the report's history.
- :class:`AnnualEvaluation` — the provinsi's yearly evaluation record of one kab/kota: capaian, kendala,
  tindak lanjut.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from evaluation.choices import RequestKind, RequestStatus
from evaluation.querysets import AnnualEvaluationQuerySet, CorrectionRequestQuerySet
from reporting.choices import Quarter
from spm.audit import TransitionLog

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def quarter_label(year: int, quarter: int) -> str:
    """A triwulan as written everywhere in e-SPM: "TW III 2026" (as ``ReportingPeriod.label``)."""
    return f"TW {ROMAN[quarter]} {year}"


class CorrectionRequest(models.Model):
    """Permintaan perbaikan (or catatan evaluasi) from the Evaluator Provinsi to a kab/kota's verifikator.

    About one triwulan of the daerah and, when given, one laporan triwulan. The verifikator answers (what was
    corrected, or why not); the evaluator closes it. Written only by ``evaluation.services``.
    """

    region = models.ForeignKey(
        "spm.Region", verbose_name=_("daerah"), on_delete=models.PROTECT, related_name="correction_requests"
    )
    year = models.PositiveSmallIntegerField(_("tahun"))
    quarter = models.PositiveSmallIntegerField(_("triwulan"), choices=Quarter.choices)
    report = models.ForeignKey(
        "reporting.QuarterlyReport",
        verbose_name=_("laporan triwulan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="correction_requests",
    )
    kind = models.CharField(_("jenis"), max_length=10, choices=RequestKind.choices, default=RequestKind.CORRECTION)
    message = models.TextField(_("isi permintaan"))
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    answer = models.TextField(_("jawaban verifikator"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("dikirim oleh"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("dikirim pada"), auto_now_add=True)
    answered_at = models.DateTimeField(_("dijawab pada"), null=True, blank=True)
    closed_at = models.DateTimeField(_("ditutup pada"), null=True, blank=True)

    objects = CorrectionRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("permintaan perbaikan")
        verbose_name_plural = _("permintaan perbaikan")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="correctionrequest_quarter_1_to_4", condition=Q(quarter__gte=1, quarter__lte=4)
            ),
            models.CheckConstraint(
                name="correctionrequest_answered_has_answer",
                condition=~Q(status=RequestStatus.ANSWERED) | ~Q(answer=""),
            ),
        ]
        indexes = [models.Index(fields=["region", "year", "quarter"], name="correction_region_quarter")]
        permissions = [
            ("answer_correctionrequest", _("Dapat menjawab permintaan perbaikan dari provinsi")),
            ("close_correctionrequest", _("Dapat menutup permintaan perbaikan")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_label} — {self.region}"

    def get_absolute_url(self) -> str:
        return reverse("evaluation:request-detail", kwargs={"pk": self.pk})

    @property
    def period_label(self) -> str:
        return quarter_label(self.year, self.quarter)


class CorrectionTransition(TransitionLog):
    """Riwayat permintaan perbaikan: who answered or closed it, when, with which text."""

    request = models.ForeignKey(CorrectionRequest, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("dari"), max_length=10, choices=RequestStatus.choices)
    to_status = models.CharField(_("ke"), max_length=10, choices=RequestStatus.choices)

    class Meta(TransitionLog.Meta):
        verbose_name = _("riwayat permintaan perbaikan")
        verbose_name_plural = _("riwayat permintaan perbaikan")


class AnnualEvaluation(models.Model):
    """Catatan evaluasi tahunan: the provinsi's yearly evaluation of one kab/kota's penerapan SPM (capaian,
    kendala, tindak lanjut), kept per year and edited by the Evaluator Provinsi."""

    region = models.ForeignKey(
        "spm.Region", verbose_name=_("daerah"), on_delete=models.PROTECT, related_name="annual_evaluations"
    )
    year = models.PositiveSmallIntegerField(_("tahun"))
    achievements = models.TextField(_("capaian"), blank=True)
    obstacles = models.TextField(_("kendala"), blank=True)
    follow_up = models.TextField(_("tindak lanjut"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("diperbarui oleh"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)

    objects = AnnualEvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluasi tahunan")
        verbose_name_plural = _("evaluasi tahunan")
        ordering = ["region__code", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="annualevaluation_one_per_region_year"),
        ]

    def __str__(self) -> str:
        return f"{self.year} — {self.region}"
