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
    ImplementationStage,
    NotificationKind,
    PeriodAction,
    PeriodStatus,
    Quarter,
    ReportStatus,
    StageStatus,
)
from reporting.querysets import AchievementQuerySet, QuarterlyReportQuerySet, ReportingPeriodQuerySet
from spm.models import Agency, BasicService, QualityComponent, Region

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


class ReportingPeriod(models.Model):
    """Periode pelaporan: one triwulan of one daerah, with its input window and due date.

    Default due date: the 20th of the month after the quarter (TW IV: 20 January of the next year), the
    national e-SPM practice; an admin may change it per daerah. Submissions after the due date are accepted
    until the period is closed, but marked late. A closed period is read-only.
    """

    region = models.ForeignKey(Region, verbose_name=_("daerah"), on_delete=models.PROTECT, related_name="periods")
    year = models.PositiveSmallIntegerField(_("tahun"))
    quarter = models.PositiveSmallIntegerField(_("triwulan"), choices=Quarter.choices)
    opens_on = models.DateField(_("mulai pengisian"))
    due_date = models.DateField(_("batas waktu"))
    status = models.CharField(_("status"), max_length=8, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)

    objects = ReportingPeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("periode pelaporan")
        verbose_name_plural = _("periode pelaporan")
        ordering = ["region__code", "-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "quarter"], name="period_unique_per_region_quarter"),
            models.CheckConstraint(name="period_quarter_1_to_4", condition=Q(quarter__gte=1, quarter__lte=4)),
            models.CheckConstraint(name="period_window_ordered", condition=Q(opens_on__lte=models.F("due_date"))),
        ]

    def __str__(self) -> str:
        return f"{self.label} — {self.region}"

    @property
    def label(self) -> str:
        return f"TW {ROMAN[self.quarter]} {self.year}"

    @property
    def is_closed(self) -> bool:
        return self.status == PeriodStatus.CLOSED


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
    """Section B: for one mutu component, the amount that must be met and the amount met."""

    report = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE, related_name="quality_entries")
    component = models.ForeignKey(QualityComponent, verbose_name=_("komponen mutu"), on_delete=models.PROTECT)
    required = models.PositiveIntegerField(_("harus dipenuhi"), null=True, blank=True)
    met = models.PositiveIntegerField(_("terpenuhi"), null=True, blank=True)

    class Meta:
        verbose_name = _("isian mutu")
        verbose_name_plural = _("isian mutu")
        ordering = ["component__order"]
        constraints = [
            models.UniqueConstraint(fields=["report", "component"], name="qualityentry_unique_per_report"),
        ]

    def __str__(self) -> str:
        return f"{self.component} ({self.met}/{self.required})"


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
    """Section F: dokumen pendukung (bukti dukung) — PDF, image or xlsx, content type checked on upload."""

    report = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE, related_name="evidence")
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


class ReportTransition(models.Model):
    """Audit of every review transition: who, when, from → to, comment; with a snapshot of the figures."""

    report = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("dari"), max_length=10, choices=ReportStatus.choices)
    to_status = models.CharField(_("ke"), max_length=10, choices=ReportStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("oleh"), on_delete=models.PROTECT)
    comment = models.TextField(_("komentar"), blank=True)
    snapshot = models.JSONField(_("potret isian"), default=dict)
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)

    class Meta:
        verbose_name = _("riwayat status laporan")
        verbose_name_plural = _("riwayat status laporan")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


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


class AchievementRuleSet(models.Model):
    """A version of the IP-SPM rules (weights, caps, aggregation, roll-up, status bands), stored as data.

    The default version holds the values of formula.md (``reporting.achievement.DEFAULT_RULES``); a corrected
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


class AchievementLevel(models.TextChoices):
    SERVICE = "layanan", _("Jenis pelayanan dasar")
    AFFAIR = "urusan", _("Urusan")
    REGION = "daerah", _("Daerah")


class Achievement(models.Model):
    """Capaian / Indeks Pencapaian SPM of a daerah for a triwulan: per service, per urusan or for the daerah.

    Computed by Celery from approved reports (``reporting.services.achievements``) and stored with its
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

    def get_status_label(self) -> str:
        """The status as the rule set that produced it names it (Tuntas Paripurna … Belum Tuntas)."""
        if not self.has_target or not self.status:
            return str(_("Tidak ada sasaran"))
        labels = {code: label for _lower, code, label in self.rules.rules.get("bands", [])}
        return labels.get(self.status, self.status)


# --- Data penerima layanan dasar (named recipients, "by name by address") ---------------------------------
# Imported here rather than at the top so this part of the module stays self-contained.
from django.db.models.functions import Now  # noqa: E402

from reporting.choices import ExportKind, ImportMode, ImportPhase, ImportStatus, RecipientStatus  # noqa: E402
from reporting.querysets import ExportLogQuerySet, RecipientImportQuerySet, RecipientQuerySet  # noqa: E402
from spm.choices import Sex  # noqa: E402


def recipient_import_upload_to(instance: RecipientImport, filename: str) -> str:
    """Uploaded lists hold personal data: stored under an unguessable name, never served as media."""
    import uuid
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()[:8]
    return f"impor/penerima/{instance.year}/{uuid.uuid4().hex}{suffix}"


class RecipientImport(models.Model):
    """An uploaded recipient list (impor data penerima layanan dasar) for one daerah, service and year.

    The file is validated row by row in the background (Celery) without storing anything; the user then
    confirms a file without errors and its rows are stored as :class:`Recipient` in one transaction, or
    cancels it. ``tambah`` keeps the stored list and skips NIKs already on it; ``ganti`` replaces the
    year's list. The counts and the first issues are kept for the status page; the error report (an xlsx
    of the original rows with a column of messages) is a file. Files are deleted once no longer needed.
    """

    region = models.ForeignKey(
        Region, verbose_name=_("daerah"), on_delete=models.PROTECT, related_name="recipient_imports"
    )
    service = models.ForeignKey(
        BasicService,
        verbose_name=_("jenis pelayanan dasar"),
        on_delete=models.PROTECT,
        related_name="recipient_imports",
    )
    year = models.PositiveSmallIntegerField(_("tahun"))
    mode = models.CharField(_("cara impor"), max_length=6, choices=ImportMode.choices, default=ImportMode.APPEND)
    status = models.CharField(
        _("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.UPLOADED, db_index=True
    )
    phase = models.CharField(_("tahap"), max_length=10, choices=ImportPhase.choices, blank=True)
    file = models.FileField(_("berkas"), upload_to=recipient_import_upload_to, max_length=255, blank=True)
    original_name = models.CharField(_("nama berkas"), max_length=255)
    size = models.PositiveBigIntegerField(_("ukuran (byte)"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("diunggah oleh"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("diunggah pada"), auto_now_add=True)
    validated_at = models.DateTimeField(_("selesai divalidasi"), null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("disimpan oleh"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    committed_at = models.DateTimeField(_("disimpan pada"), null=True, blank=True)
    commit_requested_at = models.DateTimeField(_("penyimpanan diminta pada"), null=True, blank=True)

    rows_total = models.PositiveIntegerField(_("perkiraan jumlah baris"), default=0)
    rows_processed = models.PositiveIntegerField(_("baris diproses"), default=0)
    rows_read = models.PositiveIntegerField(_("baris dibaca"), default=0)
    rows_valid = models.PositiveIntegerField(_("baris valid"), default=0)
    rows_with_errors = models.PositiveIntegerField(_("baris dengan galat"), default=0)
    rows_with_warnings = models.PositiveIntegerField(_("baris dengan peringatan"), default=0)
    duplicates_in_file = models.PositiveIntegerField(_("NIK ganda dalam berkas"), default=0)
    duplicates_stored = models.PositiveIntegerField(_("NIK sudah tersimpan (dilewati)"), default=0)
    rows_stored = models.PositiveIntegerField(_("baris disimpan"), default=0)

    issues = models.JSONField(_("galat dan peringatan pertama"), default=list, blank=True)
    error_report = models.FileField(_("laporan galat"), max_length=255, blank=True)
    staged_file = models.FileField(_("data siap simpan"), max_length=255, blank=True)
    failure_message = models.TextField(_("pesan kegagalan"), blank=True)

    objects = RecipientImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("impor data penerima")
        verbose_name_plural = _("impor data penerima")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["region", "service", "year"], name="recipientimport_scope")]
        constraints = [
            models.CheckConstraint(
                name="recipientimport_progress_within_total",
                condition=Q(rows_valid__lte=models.F("rows_read")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.service.code} {self.year})"

    def get_absolute_url(self) -> str:
        return reverse("reporting:recipients-import-detail", kwargs={"pk": self.pk})

    @property
    def is_running(self) -> bool:
        return self.status in (ImportStatus.UPLOADED, ImportStatus.VALIDATING, ImportStatus.COMMITTING)

    @property
    def can_commit(self) -> bool:
        """Only a validated file without a single error may be stored."""
        return self.status == ImportStatus.VALIDATED and self.rows_with_errors == 0 and self.rows_valid > 0

    @property
    def progress_percent(self) -> int:
        if self.status in (ImportStatus.VALIDATED, ImportStatus.COMMITTED):
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_processed * 100 // self.rows_total)


class Recipient(models.Model):
    """Penerima layanan dasar: one named citizen of a daerah's list for one jenis pelayanan dasar and year.

    The list backs section A of the quarterly report: every recipient of the year counts in the jumlah
    yang harus dilayani; those whose status is "sesuai standar" count as served (jumlah terlayani) in the
    triwulan of their service date (``quarter``, derived and stored for counting). A NIK appears once per
    daerah, service and year. NIK, name, birth date and address are personal data (UU 27/2022): shown only
    within scope, masked in lists, never logged.
    """

    # Bulk-loaded table (a list can hold a million rows), so every per-row cost counts:
    # - few indexes, each justified: the unique (region, service, year, nik) index serves NIK searches and
    #   duplicate checks, the list is ordered by name, section A counts read (quarter, status); filters by
    #   kecamatan or desa scan one list. Foreign keys get no index of their own (deleting an import, which
    #   sets source_import to NULL, is a rare admin action and may scan).
    # - no database-level foreign key constraints (db_constraint=False): PostgreSQL checks each one with a
    #   trigger per row at commit, measured at 1.4 s per 100,000 rows, a third of an import. The only writer
    #   is the import service, which resolves the daerah, service, kecamatan and import once per list; the
    #   ORM still applies on_delete (PROTECT, SET_NULL) when a referenced row is deleted.
    region = models.ForeignKey(
        Region,
        verbose_name=_("daerah"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    service = models.ForeignKey(
        BasicService,
        verbose_name=_("jenis pelayanan dasar"),
        on_delete=models.PROTECT,
        related_name="recipients",
        db_index=False,
        db_constraint=False,
    )
    year = models.PositiveSmallIntegerField(_("tahun"))
    nik = models.CharField(_("NIK"), max_length=16)
    name = models.CharField(_("nama lengkap"), max_length=200)
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("tanggal lahir"))
    address = models.TextField(_("alamat"))
    village = models.CharField(_("desa/kelurahan"), max_length=100, blank=True)
    district = models.ForeignKey(
        Region,
        verbose_name=_("kecamatan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    service_date = models.DateField(_("tanggal layanan"))
    quarter = models.PositiveSmallIntegerField(_("triwulan"), choices=Quarter.choices)
    status = models.CharField(
        _("status layanan"), max_length=16, choices=RecipientStatus.choices, default=RecipientStatus.SERVED
    )
    note = models.TextField(_("keterangan"), blank=True)
    source_import = models.ForeignKey(
        RecipientImport,
        verbose_name=_("impor asal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recipients",
        db_index=False,
        db_constraint=False,
    )
    created_at = models.DateTimeField(_("dicatat pada"), db_default=Now())  # COPY leaves it to the database

    objects = RecipientQuerySet.as_manager()

    class Meta:
        verbose_name = _("penerima layanan dasar")
        verbose_name_plural = _("penerima layanan dasar")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "service", "year", "nik"], name="recipient_unique_nik"),
            models.CheckConstraint(name="recipient_quarter_1_to_4", condition=Q(quarter__gte=1, quarter__lte=4)),
        ]
        indexes = [
            models.Index(fields=["region", "service", "year", "name"], name="recipient_list_by_name"),
            models.Index(fields=["region", "service", "year", "quarter", "status"], name="recipient_counts"),
        ]
        permissions = [
            ("view_recipient_nik", _("Dapat melihat NIK lengkap penerima")),
            ("export_recipient", _("Dapat mengekspor data penerima")),
        ]

    def __str__(self) -> str:  # no personal data: str() ends up in logs and admin messages
        return f"Penerima #{self.pk} ({self.service.code} {self.year})"

    def get_absolute_url(self) -> str:
        return reverse("reporting:recipient-detail", kwargs={"pk": self.pk})


class ExportLog(models.Model):
    """A record of every export of personal data (UU 27/2022): who, what (kind and filters), how many rows,
    when. Written by the service that produces the export, in the same request."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("oleh"), on_delete=models.PROTECT)
    kind = models.CharField(_("jenis"), max_length=20, choices=ExportKind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("daerah"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    filters = models.JSONField(_("filter"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("jumlah baris"))
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)

    objects = ExportLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("log ekspor data pribadi")
        verbose_name_plural = _("log ekspor data pribadi")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.row_count} baris"
