"""Statuses and fixed lists of the quarterly reporting workflow."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Quarter(models.IntegerChoices):
    """Triwulan."""

    Q1 = 1, _("Triwulan I")
    Q2 = 2, _("Triwulan II")
    Q3 = 3, _("Triwulan III")
    Q4 = 4, _("Triwulan IV")


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("Terbuka")
    CLOSED = "closed", _("Ditutup")


class ReportStatus(models.TextChoices):
    """Draf / Diajukan / Dikembalikan / Disetujui."""

    DRAFT = "draft", _("Draf")
    SUBMITTED = "submitted", _("Diajukan")
    RETURNED = "returned", _("Dikembalikan")
    APPROVED = "approved", _("Disetujui")


class ImplementationStage(models.TextChoices):
    """Tahapan penerapan SPM (Permendagri 59/2021)."""

    DATA_COLLECTION = "pengumpulan_data", _("Pengumpulan data")
    NEEDS_CALCULATION = "penghitungan_kebutuhan", _("Penghitungan kebutuhan pemenuhan pelayanan dasar")
    PLANNING = "penyusunan_rencana", _("Penyusunan rencana pemenuhan pelayanan dasar")
    DELIVERY = "pelaksanaan_pemenuhan", _("Pelaksanaan pemenuhan pelayanan dasar")


class StageStatus(models.TextChoices):
    NOT_STARTED = "belum", _("Belum dilaksanakan")
    IN_PROGRESS = "proses", _("Sedang dilaksanakan")
    DONE = "selesai", _("Selesai")


class Section(models.TextChoices):
    """Sections of the quarterly report, as the e-SPM report has them; comments anchor to these or a field."""

    RECIPIENTS = "A", _("A. Penerima layanan dasar")
    QUALITY = "B", _("B. Mutu minimal layanan dasar")
    BUDGET = "C", _("C. Anggaran")
    PROBLEMS = "D", _("D. Permasalahan dan solusi")
    STAGES = "E", _("E. Tahapan penerapan SPM")
    EVIDENCE = "F", _("F. Dokumen pendukung")


class PeriodAction(models.TextChoices):
    CLOSE = "close", _("Periode ditutup")
    REOPEN = "reopen", _("Periode dibuka kembali")
    DUE_DATE = "due_date", _("Batas waktu diubah")


class NotificationKind(models.TextChoices):
    RETURNED = "returned", _("Laporan dikembalikan")
    APPROVED = "approved", _("Laporan disetujui")
    SUBMITTED = "submitted", _("Laporan diajukan")
    REMINDER = "reminder", _("Pengingat batas waktu")
    UNLOCKED = "unlocked", _("Laporan dibuka kembali")
