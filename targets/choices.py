"""Statuses and fixed lists of targets, action plans and official reports."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TargetStatus(models.TextChoices):
    """State of one revision of a target; the same review mechanics as the quarterly report."""

    DRAFT = "draft", _("Draf")
    SUBMITTED = "submitted", _("Diajukan")
    RETURNED = "returned", _("Dikembalikan")
    APPROVED = "approved", _("Disetujui")
    SUPERSEDED = "superseded", _("Digantikan")


OPEN_TARGET_STATUSES = (TargetStatus.DRAFT, TargetStatus.SUBMITTED, TargetStatus.RETURNED)


class PlanStatus(models.TextChoices):
    """Rencana aksi: draf → disetujui verifikator → ditetapkan dengan Perkada."""

    DRAFT = "draft", _("Draf")
    APPROVED = "approved", _("Disetujui")
    ENACTED = "enacted", _("Ditetapkan")


class NeedBasis(models.TextChoices):
    """Whether a mutu component's quantity is required per penerima or once for the daerah."""

    PER_RECIPIENT = "per_penerima", _("Per penerima")
    PER_REGION = "per_daerah", _("Per daerah")


class GenerationStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu")
    RUNNING = "running", _("Sedang dibuat")
    DONE = "done", _("Selesai")
    FAILED = "failed", _("Gagal")


class PaperSize(models.TextChoices):
    """Paper of the official documents: A4, or F4 (215 × 330 mm, still common in daerah offices)."""

    A4 = "A4", _("A4 (210 × 297 mm)")
    F4 = "F4", _("F4 (215 × 330 mm)")


PAPER_MM = {PaperSize.A4: (210, 297), PaperSize.F4: (215, 330)}  # portrait width × height

ANNUAL = 0  # ReportEdition.quarter for the annual edition (uses the TW IV figures, formula.md)


class TeamRole(models.TextChoices):
    """Kedudukan dalam Tim Penerapan SPM (the usual composition of the kepala daerah's decree: a ketua, a
    sekretaris whose office is the team's secretariat, anggota from the OPD pengampu; assumed, see
    ``targets.models.ImplementationTeam``)."""

    CHAIR = "ketua", _("Ketua")
    VICE_CHAIR = "wakil_ketua", _("Wakil ketua")
    SECRETARY = "sekretaris", _("Sekretaris")
    MEMBER = "anggota", _("Anggota")
    SECRETARIAT = "sekretariat", _("Sekretariat")
