"""Choices shared by the catalogue, the region tree and the organisation."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    """Tingkat wilayah (Kepmendagri 300.2.2-2138/2025)."""

    PROVINCE = "provinsi", _("Provinsi")
    REGENCY_CITY = "kabupaten_kota", _("Kabupaten/Kota")
    DISTRICT = "kecamatan", _("Kecamatan")


class GovernmentLevel(models.TextChoices):
    """The level of daerah a jenis pelayanan dasar belongs to (PP 2/2018 Pasal 5-10)."""

    PROVINCE = "provinsi", _("Provinsi")
    REGENCY_CITY = "kabupaten_kota", _("Kabupaten/Kota")


class Sex(models.TextChoices):
    MALE = "L", _("Laki-laki")
    FEMALE = "P", _("Perempuan")


class Severity(models.TextChoices):
    """How a failed eligibility check is treated: the regulation defines it (error) or convention (warning)."""

    ERROR = "error", _("Galat (ditolak)")
    WARNING = "warning", _("Peringatan")


class Confidence(models.TextChoices):
    """Whether a catalogue value was read from the regulation or follows common practice."""

    REGULATION = "regulation", _("Sesuai regulasi")
    ASSUMED = "assumed", _("Asumsi (perlu dikonfirmasi)")


class Role(models.TextChoices):
    """User roles. Each maps to a Django group (``spm.roles``) and implies a scope."""

    OPERATOR = "operator", _("Operator OPD")
    REVIEWER = "verifikator", _("Verifikator (Bagian Pemerintahan)")
    LEADER = "pimpinan", _("Pimpinan")
    PROVINCIAL_VIEWER = "provinsi", _("Peninjau Provinsi")
    PROVINCIAL_EVALUATOR = "evaluator_prov", _("Evaluator Provinsi (Biro Pemerintahan)")
    ADMIN = "admin", _("Admin Sistem")
    NATIONAL = "kemendagri", _("Kemendagri (Sekber SPM)")


class SourceConfidence(models.TextChoices):
    """How far a mutu item or a juknis text was confirmed in its source (first research pass, spm/data).

    tinggi: read in the regulation's own text; sedang: a faithful reproduction or a local application quoting
    it; rendah: inferred (the note says what it rests on); asumsi: a working reading written for this
    application, to be confirmed.
    """

    HIGH = "high", _("Tinggi (teks regulasi)")
    MEDIUM = "medium", _("Sedang (salinan/kutipan)")
    LOW = "low", _("Rendah (disimpulkan)")
    ASSUMED = "assumed", _("Asumsi (perlu dikonfirmasi)")


class ItemListOrigin(models.TextChoices):
    """Where a version of a mutu item list came from."""

    REFERENCE_FILE = "berkas", _("Berkas rujukan aplikasi")
    ADMIN = "admin", _("Diubah admin")
    IMPORT = "impor", _("Impor xlsx")
