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


class EvidenceKind(models.TextChoices):
    """Jenis dokumen pendukung: what a file proves, so each tahapan can say which documents it needs
    (``reporting/data/stage_documents.yaml``). Rows uploaded before the types existed are "lainnya"."""

    TEAM_DECREE = "sk_tim", _("SK Tim Penerapan SPM")
    DATA_COLLECTION = "hasil_pengumpulan_data", _("Hasil pengumpulan data")
    NEEDS_CALCULATION = "perhitungan_kebutuhan", _("Perhitungan kebutuhan pemenuhan pelayanan dasar")
    FULFILMENT_PLAN = "rencana_pemenuhan", _("Rencana pemenuhan / Perkada rencana aksi")
    DELIVERY_PROOF = "bukti_pelaksanaan", _("Bukti pelaksanaan pemenuhan pelayanan dasar")
    OTHER = "lainnya", _("Lainnya")


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
    WINDOW = "window", _("Jadwal nasional diterapkan")
    EXTENSION = "extension", _("Perpanjangan batas waktu")


class NotificationKind(models.TextChoices):
    RETURNED = "returned", _("Laporan dikembalikan")
    APPROVED = "approved", _("Laporan disetujui")
    SUBMITTED = "submitted", _("Laporan diajukan")
    REMINDER = "reminder", _("Pengingat batas waktu")
    UNLOCKED = "unlocked", _("Laporan dibuka kembali")
    # Provincial evaluation (evaluation app): a request for correction, its answer, its closing
    CORRECTION = "perbaikan", _("Permintaan perbaikan dari provinsi")
    CORRECTION_ANSWERED = "dijawab", _("Permintaan perbaikan dijawab")
    CORRECTION_CLOSED = "pp_tutup", _("Permintaan perbaikan ditutup")


# --- Data penerima layanan dasar (recipient lists) ------------------------------------------------------


class ImportMode(models.TextChoices):
    """How an imported list meets the list already stored for the same daerah, service and year."""

    APPEND = "tambah", _("Tambah (NIK yang sudah tersimpan dilewati)")
    REPLACE = "ganti", _("Ganti (daftar tahun ini diganti seluruhnya)")


class ImportStatus(models.TextChoices):
    """The life of an uploaded recipient file: validated in the background, stored only when confirmed."""

    UPLOADED = "diunggah", _("Diunggah, menunggu validasi")
    VALIDATING = "memvalidasi", _("Sedang divalidasi")
    VALIDATED = "tervalidasi", _("Selesai divalidasi")
    FAILED = "gagal", _("Gagal dibaca")
    COMMITTING = "menyimpan", _("Sedang disimpan")
    COMMITTED = "disimpan", _("Disimpan")
    CANCELLED = "dibatalkan", _("Dibatalkan")


class ImportPhase(models.TextChoices):
    """What the background task is doing, for the progress bar."""

    READING = "membaca", _("Membaca dan memvalidasi baris")
    REPORT = "laporan", _("Menyusun laporan galat")
    STORING = "menyimpan", _("Menyimpan data penerima")


class RecipientStatus(models.TextChoices):
    """Status layanan of a named recipient. Only "sesuai standar" counts as served (jumlah terlayani):
    SPM counts citizens served according to the standard; a recipient whose service did not (yet) meet
    the standard is still a citizen to be served (jumlah yang harus dilayani)."""

    SERVED = "sesuai_standar", _("Terlayani sesuai standar")
    NOT_YET = "belum_sesuai", _("Belum sesuai standar")
    # On the list because they must be served, not served yet: no service date (the list holds everyone).
    UNSERVED = "belum_terlayani", _("Belum terlayani")


class ExportKind(models.TextChoices):
    """What a row of the personal-data access log records (UU 27/2022): an export, or a look at a full NIK."""

    RECIPIENTS_XLSX = "penerima_xlsx", _("Daftar penerima (xlsx)")
    RECIPIENTS_ADMIN = "penerima_admin", _("Daftar penerima (ekspor admin)")
    ERROR_REPORT = "laporan_galat", _("Laporan galat impor (xlsx)")
    FULL_VIEW = "lihat_nik", _("Rincian penerima dengan NIK lengkap")
    NIK_SEARCH = "cari_nik", _("Pencarian NIK")


# A report the OPD may still change (a draft, or returned by the verifikator).
EDITABLE_STATUSES = (ReportStatus.DRAFT, ReportStatus.RETURNED)
