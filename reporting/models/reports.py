"""Quarterly reporting of SPM implementation (laporan triwulan penerapan SPM, Permendagri 59/2021).

One :class:`QuarterlyReport` per reporting period (a daerah's triwulan), per jenis pelayanan dasar, filled by
the OPD pengampu and reviewed by the verifikator (Bagian Pemerintahan). Every transition and every figure
change is recorded (:class:`ReportTransition`, :class:`FieldChange`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from reporting.choices import (
    EvidenceKind,
    ImplementationStage,
    NotificationKind,
    PeriodAction,
    PeriodStatus,
    Quarter,
    ReportStatus,
    StageStatus,
)
from reporting.querysets import QuarterlyReportQuerySet, ReportingPeriodQuerySet
from spm.audit import TransitionLog
from spm.models import Agency, BasicService, QualityComponent, QualityItem, QualityItemList, Region

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


class ReportingPeriod(models.Model):
    """Periode pelaporan: one triwulan of one daerah, with its input window and due date.

    Default due date: the 20th of the month after the quarter (TW IV: 20 January of the next year), the
    national e-SPM practice; an admin may change it per daerah. Submissions after the due date are accepted
    until the period is closed, but marked late. A closed period is read-only.

    Kemendagri sets the window of every daerah at once (:class:`NationalWindow`); ``closes_on`` is the last day
    of input, after which the daily job closes the period. A daerah given a perpanjangan (extension) keeps
    its later due date when the national window is set again (``is_extended``).
    """

    region = models.ForeignKey(Region, verbose_name=_("daerah"), on_delete=models.PROTECT, related_name="periods")
    year = models.PositiveSmallIntegerField(_("tahun"))
    quarter = models.PositiveSmallIntegerField(_("triwulan"), choices=Quarter.choices)
    opens_on = models.DateField(_("mulai pengisian"))
    due_date = models.DateField(_("batas waktu"))
    status = models.CharField(_("status"), max_length=8, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)
    closes_on = models.DateField(_("penutupan pengisian"), null=True, blank=True)
    is_extended = models.BooleanField(_("diperpanjang"), default=False)

    objects = ReportingPeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("periode pelaporan")
        verbose_name_plural = _("periode pelaporan")
        ordering = ["region__code", "-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "quarter"], name="period_unique_per_region_quarter"),
            models.CheckConstraint(name="period_quarter_1_to_4", condition=Q(quarter__gte=1, quarter__lte=4)),
            models.CheckConstraint(name="period_window_ordered", condition=Q(opens_on__lte=models.F("due_date"))),
            models.CheckConstraint(
                name="period_closes_after_due",
                condition=Q(closes_on__isnull=True) | Q(closes_on__gte=models.F("due_date")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} — {self.region}"

    @property
    def label(self) -> str:
        return f"TW {ROMAN[self.quarter]} {self.year}"

    @property
    def is_closed(self) -> bool:
        return self.status == PeriodStatus.CLOSED


class NationalWindow(models.Model):
    """Jadwal pengisian nasional: the input window Kemendagri (Sekber SPM) sets for one triwulan of every daerah
    at once — start of input, due date, close of input.

    Append-only: each setting that changed a period is a row (who, when, why, how many periods it created and
    changed); the latest row of a (year, triwulan) is the window in force. Each period it changed also gets
    its own :class:`PeriodEvent`.
    """

    year = models.PositiveSmallIntegerField(_("tahun"))
    quarter = models.PositiveSmallIntegerField(_("triwulan"), choices=Quarter.choices)
    opens_on = models.DateField(_("mulai pengisian"))
    due_date = models.DateField(_("batas waktu"))
    closes_on = models.DateField(_("penutupan pengisian"))
    reason = models.TextField(_("alasan"), blank=True)
    periods_created = models.PositiveIntegerField(_("periode dibuat"), default=0)
    periods_changed = models.PositiveIntegerField(_("periode diubah"), default=0)
    periods_kept = models.PositiveIntegerField(_("periode tidak diubah (ditutup/diperpanjang)"), default=0)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("oleh"), on_delete=models.PROTECT)
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)

    class Meta:
        verbose_name = _("jadwal pengisian nasional")
        verbose_name_plural = _("jadwal pengisian nasional")
        ordering = ["-year", "-quarter", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(name="national_window_quarter_1_to_4", condition=Q(quarter__gte=1, quarter__lte=4)),
            models.CheckConstraint(
                name="national_window_ordered",
                condition=Q(opens_on__lte=models.F("due_date"), due_date__lte=models.F("closes_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"TW {ROMAN[self.quarter]} {self.year}: {self.opens_on} – {self.due_date} – {self.closes_on}"

    @property
    def label(self) -> str:
        return f"TW {ROMAN[self.quarter]} {self.year}"


class PeriodEvent(models.Model):
    """Audit of period administration: closing, reopening (with the written reason), due-date changes."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("tindakan"), max_length=10, choices=PeriodAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("oleh"), on_delete=models.PROTECT)
    reason = models.TextField(_("alasan"), blank=True)
    detail = models.JSONField(_("rincian"), default=dict, blank=True)
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)

    class Meta:
        verbose_name = _("riwayat periode")
        verbose_name_plural = _("riwayat periode")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} — {self.period}"


class QuarterlyReport(models.Model):
    """Laporan triwulan penerapan SPM for one jenis pelayanan dasar in one daerah's period.

    Section A figures: ``must_serve`` (jumlah yang harus dilayani, the year's target) and ``served`` (citizens
    served in this triwulan); the cumulative figure, those not yet served and the percentage are derived,
    never typed (``reporting.services.figures``).
    """

    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("periode"), on_delete=models.PROTECT, related_name="reports"
    )
    region = models.ForeignKey(Region, verbose_name=_("daerah"), on_delete=models.PROTECT, related_name="reports")
    service = models.ForeignKey(
        BasicService, verbose_name=_("jenis pelayanan dasar"), on_delete=models.PROTECT, related_name="reports"
    )
    agency = models.ForeignKey(Agency, verbose_name=_("OPD pengampu"), on_delete=models.PROTECT, related_name="reports")
    # The version of the jenis's mutu item list this report is filled against (None: entered per component).
    quality_item_list = models.ForeignKey(
        QualityItemList,
        verbose_name=_("daftar item mutu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    version = models.PositiveIntegerField(_("versi"), default=1, help_text=_("Naik setiap kali disimpan."))

    # A. Penerima layanan dasar
    must_serve = models.PositiveIntegerField(_("jumlah yang harus dilayani"), null=True, blank=True)
    served = models.PositiveIntegerField(_("jumlah terlayani triwulan ini"), null=True, blank=True)
    served_justification = models.TextField(_("penjelasan terlayani melebihi sasaran"), blank=True)
    # C. Anggaran (Rupiah, integers)
    budget_allocated = models.PositiveBigIntegerField(_("alokasi anggaran (Rp)"), null=True, blank=True)
    budget_realised = models.PositiveBigIntegerField(_("realisasi anggaran (Rp)"), null=True, blank=True)
    budget_justification = models.TextField(_("penjelasan realisasi melebihi alokasi"), blank=True)
    # D. Permasalahan dan solusi
    problems = models.TextField(_("permasalahan"), blank=True)
    solutions = models.TextField(_("solusi"), blank=True)
    # Data-quality flags do not block; they ask for a note.
    flag_note = models.TextField(_("catatan atas peringatan data"), blank=True)

    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("diperbarui oleh"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("diajukan pada"), null=True, blank=True)
    is_late = models.BooleanField(_("terlambat"), default=False)
    approved_at = models.DateTimeField(_("disetujui pada"), null=True, blank=True)

    objects = QuarterlyReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("laporan triwulan")
        verbose_name_plural = _("laporan triwulan")
        ordering = ["period__year", "period__quarter", "service__affair__order", "service__order"]
        constraints = [
            models.UniqueConstraint(fields=["period", "service"], name="report_unique_per_period_service"),
        ]
        permissions = [
            ("review_quarterlyreport", _("Dapat memverifikasi laporan triwulan")),
            ("unlock_quarterlyreport", _("Dapat membuka kunci laporan yang disetujui")),
        ]

    def __str__(self) -> str:
        return f"{self.service.code} {self.period.label} — {self.region}"

    def get_absolute_url(self) -> str:
        return reverse("reporting:report-detail", kwargs={"pk": self.pk})

    @property
    def is_locked(self) -> bool:
        """Approved reports and reports of a closed period cannot be changed."""
        return self.status == ReportStatus.APPROVED or self.period.is_closed


class QualityEntry(models.Model):
    """Section B: for one mutu component, the amount that must be met and the amount met.

    A component that does not apply to the daerah this year is marked *tidak berlaku* with a reason the
    verifikator reads; otherwise, when there is a sasaran, its requirement must be above 0 (the strict reading
    of the IP-SPM rule set, ``reporting.achievements.formula``).
    """

    report = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE, related_name="quality_entries")
    component = models.ForeignKey(QualityComponent, verbose_name=_("komponen mutu"), on_delete=models.PROTECT)
    required = models.PositiveIntegerField(_("harus dipenuhi"), null=True, blank=True)
    met = models.PositiveIntegerField(_("terpenuhi"), null=True, blank=True)
    not_applicable = models.BooleanField(_("tidak berlaku"), default=False)
    not_applicable_reason = models.TextField(_("alasan tidak berlaku"), blank=True)

    class Meta:
        verbose_name = _("isian mutu")
        verbose_name_plural = _("isian mutu")
        ordering = ["component__order"]
        constraints = [
            models.UniqueConstraint(fields=["report", "component"], name="qualityentry_unique_per_report"),
        ]

    def __str__(self) -> str:
        return f"{self.component} ({self.met}/{self.required})"


class QualityItemEntry(models.Model):
    """Section B item by item: for one item of the report's mutu item list, the target (dibutuhkan) and the
    realisation (tersedia). The component's figures (:class:`QualityEntry`) are derived from these by
    ``reporting.checks.component_totals`` when the report is saved, so every reader of the component rows
    (the engine, the review page, the API, the exports) sees the same numbers."""

    report = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE, related_name="item_entries")
    item = models.ForeignKey(QualityItem, verbose_name=_("item mutu"), on_delete=models.PROTECT)
    required = models.PositiveIntegerField(_("dibutuhkan"), null=True, blank=True)
    met = models.PositiveIntegerField(_("tersedia"), null=True, blank=True)

    class Meta:
        verbose_name = _("isian item mutu")
        verbose_name_plural = _("isian item mutu")
        ordering = ["item__component__order", "item__order", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "item"], name="qualityitementry_unique_per_report"),
        ]

    def __str__(self) -> str:
        return f"{self.item} ({self.met}/{self.required})"


class StageProgress(models.Model):
    """Section E: the state of one tahapan penerapan SPM, with a short note."""

    report = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(_("tahapan"), max_length=24, choices=ImplementationStage.choices)
    status = models.CharField(_("status"), max_length=8, choices=StageStatus.choices, blank=True)
    note = models.TextField(_("keterangan"), blank=True)

    class Meta:
        verbose_name = _("tahapan penerapan")
        verbose_name_plural = _("tahapan penerapan")
        constraints = [
            models.UniqueConstraint(fields=["report", "stage"], name="stageprogress_unique_per_report"),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()}: {self.get_status_display() or '-'}"


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    period = instance.report.period
    return f"bukti/{period.region.code}/{period.year}-tw{period.quarter}/{instance.report_id}/{filename}"


class Evidence(models.Model):
    """Section F: dokumen pendukung (bukti dukung) — PDF, image or xlsx, content type checked on upload.

    ``kind`` says what the file proves (SK Tim, hasil pengumpulan data …); the tahapan of section E name the
    kinds they need (``reporting.stage_documents``) and the completeness of section F counts them.
    """

    report = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("jenis dokumen"), max_length=24, choices=EvidenceKind.choices, default=EvidenceKind.OTHER)
    file = models.FileField(_("berkas"), upload_to=evidence_upload_to, max_length=255)
    original_name = models.CharField(_("nama berkas"), max_length=255)
    content_type = models.CharField(_("jenis berkas"), max_length=100)
    size = models.PositiveIntegerField(_("ukuran (byte)"))
    description = models.CharField(_("keterangan"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("diunggah oleh"), on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField(_("diunggah pada"), auto_now_add=True)

    class Meta:
        verbose_name = _("dokumen pendukung")
        verbose_name_plural = _("dokumen pendukung")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class ReportTransition(TransitionLog):
    """Audit of every review transition: who, when, from → to, comment; with a snapshot of the figures."""

    report = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("dari"), max_length=10, choices=ReportStatus.choices)
    to_status = models.CharField(_("ke"), max_length=10, choices=ReportStatus.choices)

    class Meta(TransitionLog.Meta):
        verbose_name = _("riwayat status laporan")
        verbose_name_plural = _("riwayat status laporan")


class FieldChange(models.Model):
    """Audit of every change of a figure or text on a report (old → new)."""

    report = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(_("isian"), max_length=80)
    label = models.CharField(_("nama isian"), max_length=200)
    old_value = models.TextField(_("nilai lama"), blank=True)
    new_value = models.TextField(_("nilai baru"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("oleh"), on_delete=models.PROTECT)
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)

    class Meta:
        verbose_name = _("perubahan isian")
        verbose_name_plural = _("perubahan isian")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.label}: {self.old_value} → {self.new_value}"


class ReviewComment(models.Model):
    """A verifikator's comment on a returned report, anchored to a section (A–F) or a field."""

    report = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE, related_name="comments")
    transition = models.ForeignKey(ReportTransition, on_delete=models.CASCADE, related_name="comments")
    anchor = models.CharField(_("bagian/isian"), max_length=80)
    anchor_label = models.CharField(_("nama bagian/isian"), max_length=200)
    text = models.TextField(_("komentar"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("oleh"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("ditindaklanjuti pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("catatan verifikasi")
        verbose_name_plural = _("catatan verifikasi")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.anchor_label}: {self.text[:60]}"


class Notification(models.Model):
    """In-app notification (also sent by e-mail)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("jenis"), max_length=10, choices=NotificationKind.choices)
    report = models.ForeignKey(QuarterlyReport, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    message = models.TextField(_("pesan"))
    dedupe_key = models.CharField(max_length=120, blank=True, help_text="Keeps reminders idempotent.")
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)
    read_at = models.DateTimeField(_("dibaca"), null=True, blank=True)

    class Meta:
        verbose_name = _("notifikasi")
        verbose_name_plural = _("notifikasi")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"], condition=~Q(dedupe_key=""), name="notification_unique_dedupe_key"
            ),
        ]

    def __str__(self) -> str:
        return self.message[:80]
