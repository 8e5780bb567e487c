"""Data penerima layanan dasar: imported named recipient lists (by name by address, with NIK) and the
log of their exports (UU 27/2022)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from reporting.choices import (
    ExportKind,
    ImportMode,
    ImportPhase,
    ImportStatus,
    Quarter,
    RecipientStatus,
)
from reporting.querysets import (
    ExportLogQuerySet,
    RecipientImportQuerySet,
    RecipientQuerySet,
)
from spm.choices import Sex
from spm.models import BasicService, Region


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
    # Liveness of the background step: set on upload and at every progress point of validation and commit. The
    # watchdog (reporting.recipients.watchdog) re-queues or fails an import whose heartbeat stopped.
    heartbeat_at = models.DateTimeField(_("tanda hidup terakhir"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(
        _("percobaan"), default=0, help_text=_("Berapa kali tahap yang sedang berjalan (validasi atau simpan) dimulai.")
    )

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
    # Empty for a citizen still to be served ("belum terlayani"): the list holds everyone who must be served.
    service_date = models.DateField(_("tanggal layanan"), null=True, blank=True)
    quarter = models.PositiveSmallIntegerField(_("triwulan"), choices=Quarter.choices, null=True, blank=True)
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
            models.CheckConstraint(
                name="recipient_date_unless_unserved",
                condition=Q(status="belum_terlayani", service_date__isnull=True, quarter__isnull=True)
                | (~Q(status="belum_terlayani") & Q(service_date__isnull=False, quarter__isnull=False)),
            ),
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
    """Log akses data pribadi: a record of every export of personal data and of every look at a full NIK
    (a recipient's detail with the full number, a search by NIK), UU 27/2022: who, what (kind and filters,
    never a full NIK), how many rows, when. Written by the service or view that gives the access, in the
    same request; each user reads their own on "Data pribadi yang saya akses", admins read everyone's."""

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
        verbose_name = _("log akses data pribadi")
        verbose_name_plural = _("log akses data pribadi")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.row_count} baris"
