"""Targets (target), the kebutuhan pemenuhan, the Rencana Aksi Penerapan SPM and the official reports.

A :class:`Target` is the slot of one daerah × jenis pelayanan dasar × year; its values live in numbered
:class:`TargetRevision` rows. At most one revision is open (draf, diajukan, dikembalikan) at a time, and the
approved revision in force is pointed at by ``Target.approved_revision``: changing an approved target opens a
new revision, and the old approved value stays in force until the new one is approved (Permendagri 59/2021:
the year's sasaran is set by the daerah and is the "jumlah yang harus dilayani" of the quarterly report).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from spm.audit import TransitionLog
from spm.models import BasicService, QualityComponent, Region
from targets.choices import (
    ANNUAL,
    OPEN_TARGET_STATUSES,
    GenerationStatus,
    NeedBasis,
    PaperSize,
    PlanStatus,
    TargetStatus,
)
from targets.querysets import (
    ActionPlanQuerySet,
    GeneratedReportQuerySet,
    NeedQuerySet,
    ReportEditionQuerySet,
    TargetQuerySet,
    TargetRevisionQuerySet,
)


class Target(models.Model):
    """Target tahunan: the sasaran (jumlah yang harus dilayani) and mutu targets of a service in a year."""

    region = models.ForeignKey(Region, verbose_name=_("daerah"), on_delete=models.PROTECT, related_name="targets")
    service = models.ForeignKey(
        BasicService, verbose_name=_("jenis pelayanan dasar"), on_delete=models.PROTECT, related_name="targets"
    )
    year = models.PositiveSmallIntegerField(_("tahun"))
    approved_revision = models.OneToOneField(
        "TargetRevision",
        verbose_name=_("revisi yang berlaku"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("target")
        ordering = ["region__code", "year", "service__affair__order", "service__order"]
        constraints = [
            models.UniqueConstraint(fields=["region", "service", "year"], name="target_unique_per_service_year"),
        ]

    def __str__(self) -> str:
        return f"{self.service.code} {self.year} — {self.region}"

    @property
    def approved_must_serve(self) -> int | None:
        return self.approved_revision.must_serve if self.approved_revision_id else None


class TargetRevision(models.Model):
    """One version of a target's values, reviewed like a report: draf → diajukan → dikembalikan/disetujui."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revisi ke"))
    status = models.CharField(_("status"), max_length=10, choices=TargetStatus.choices, default=TargetStatus.DRAFT)
    must_serve = models.PositiveIntegerField(_("jumlah yang harus dilayani (sasaran)"), null=True, blank=True)
    note = models.TextField(_("keterangan / dasar penetapan"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("dibuat oleh"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)
    approved_at = models.DateTimeField(_("disetujui pada"), null=True, blank=True)

    objects = TargetRevisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("revisi target")
        verbose_name_plural = _("revisi target")
        ordering = ["target", "number"]
        constraints = [
            models.UniqueConstraint(fields=["target", "number"], name="targetrevision_unique_number"),
            models.UniqueConstraint(
                fields=["target"],
                condition=Q(status__in=OPEN_TARGET_STATUSES),
                name="targetrevision_one_open_per_target",
            ),
        ]
        permissions = [("review_targetrevision", _("Dapat memverifikasi target"))]

    def __str__(self) -> str:
        return f"{self.target} (revisi {self.number}, {self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TARGET_STATUSES


class TargetQuality(models.Model):
    """The mutu target of one component in a revision: how much must be met (jumlah mutu yang harus dipenuhi)."""

    revision = models.ForeignKey(TargetRevision, on_delete=models.CASCADE, related_name="quality")
    component = models.ForeignKey(QualityComponent, verbose_name=_("komponen mutu"), on_delete=models.PROTECT)
    required = models.PositiveIntegerField(_("target mutu (harus dipenuhi)"), null=True, blank=True)

    class Meta:
        verbose_name = _("target mutu")
        verbose_name_plural = _("target mutu")
        ordering = ["component__order"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "component"], name="targetquality_unique_per_revision"),
        ]

    def __str__(self) -> str:
        return f"{self.component}: {self.required}"


class TargetTransition(TransitionLog):
    """Audit of every review transition of a target revision (who, when, from → to, comment, values)."""

    revision = models.ForeignKey(TargetRevision, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("dari"), max_length=10, choices=TargetStatus.choices)
    to_status = models.CharField(_("ke"), max_length=10, choices=TargetStatus.choices)

    class Meta(TransitionLog.Meta):
        verbose_name = _("riwayat status target")
        verbose_name_plural = _("riwayat status target")


def emblem_upload_to(instance: RegionProfile, filename: str) -> str:
    return f"lambang/{instance.region.code}/{filename}"


class RegionProfile(models.Model):
    """Profil daerah for official documents: the kop surat (lambang daerah, "PEMERINTAH KABUPATEN …", address)
    and the kepala daerah who signs (name, title, NIP when the signer is a civil servant such as a Pj.).

    The kop follows the usual naskah dinas of a pemerintah daerah (lambang daerah, the name of the pemerintah
    daerah in capitals, the address; assumed from the tata naskah dinas practice, the regulation was not read
    here). The lambang is an admin upload, sanitised on the way in (``targets.emblem``).
    """

    region = models.OneToOneField(Region, verbose_name=_("daerah"), on_delete=models.CASCADE, related_name="profile")
    emblem = models.FileField(_("lambang daerah (PNG/SVG)"), upload_to=emblem_upload_to, max_length=255, blank=True)
    government_name = models.CharField(
        _("nama pemerintah daerah pada kop"),
        max_length=160,
        blank=True,
        help_text=_("Kosongkan untuk memakai \"PEMERINTAH <nama daerah>\"."),
    )
    address = models.CharField(_("alamat kantor"), max_length=255, blank=True)
    contact = models.CharField(_("telepon / laman / surel"), max_length=255, blank=True)
    head_title = models.CharField(
        _("jabatan kepala daerah"),
        max_length=120,
        blank=True,
        help_text=_("Kosongkan untuk Bupati/Wali Kota/Gubernur."),
    )
    head_name = models.CharField(_("nama kepala daerah"), max_length=160, blank=True)
    head_nip = models.CharField(
        _("NIP penanda tangan"), max_length=24, blank=True, help_text=_("Hanya bila penanda tangan ASN (mis. Pj.).")
    )
    signing_place = models.CharField(_("tempat penandatanganan"), max_length=120, blank=True)
    paper_size = models.CharField(_("ukuran kertas"), max_length=2, choices=PaperSize.choices, default=PaperSize.A4)
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)

    class Meta:
        verbose_name = _("profil daerah (kop surat)")
        verbose_name_plural = _("profil daerah (kop surat)")

    def __str__(self) -> str:
        return str(self.region)


class ReportEdition(models.Model):
    """Edisi Laporan Penerapan SPM of a daerah: a triwulan (1–4) or the annual edition (0, the TW IV figures).

    It keeps the narrative parts of the format in the lampiran of Permendagri 100/2018 (kata pengantar; BAB I
    latar belakang, dasar hukum, kebijakan umum, arah kebijakan; BAB IV penutup) that the verifikator writes,
    who signs it, and for the annual edition its due date and the date it was sent to the Menteri through the
    Gubernur (Permendagri 59/2021 Pasal 24).
    """

    region = models.ForeignKey(Region, verbose_name=_("daerah"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("tahun"))
    quarter = models.PositiveSmallIntegerField(_("triwulan (0 = tahunan)"))
    foreword = models.TextField(_("kata pengantar"), blank=True)
    background = models.TextField(_("latar belakang"), blank=True)
    legal_basis = models.TextField(_("dasar hukum"), blank=True)
    general_policy = models.TextField(_("kebijakan umum"), blank=True)
    policy_direction = models.TextField(_("arah kebijakan"), blank=True)
    conclusion = models.TextField(_("penutup"), blank=True)
    signer_name = models.CharField(_("nama penandatangan"), max_length=160, blank=True)
    due_date = models.DateField(_("batas waktu penyampaian"), null=True, blank=True)
    submitted_on = models.DateField(_("tanggal disampaikan"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)

    objects = ReportEditionQuerySet.as_manager()

    class Meta:
        verbose_name = _("edisi laporan penerapan SPM")
        verbose_name_plural = _("edisi laporan penerapan SPM")
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "quarter"], name="reportedition_unique_per_period"),
            models.CheckConstraint(name="reportedition_quarter_0_to_4", condition=Q(quarter__gte=0, quarter__lte=4)),
        ]

    def __str__(self) -> str:
        return f"{self.label} — {self.region}"

    @property
    def is_annual(self) -> bool:
        return self.quarter == ANNUAL

    @property
    def data_quarter(self) -> int:
        """The triwulan whose stored achievements the edition shows (TW IV is the annual value)."""
        return 4 if self.is_annual else self.quarter

    @property
    def label(self) -> str:
        roman = {1: "I", 2: "II", 3: "III", 4: "IV"}
        return f"Tahunan {self.year}" if self.is_annual else f"TW {roman[self.quarter]} {self.year}"

    def timeliness(self, today: dt.date | None = None) -> str:
        """Tepat waktu / terlambat against the due date ("" when no due date is set)."""
        if self.due_date is None:
            return ""
        if self.submitted_on is not None:
            return str(_("Tepat waktu")) if self.submitted_on <= self.due_date else str(_("Terlambat"))
        today = today or dt.date.today()
        return str(_("Terlambat (belum disampaikan)")) if today > self.due_date else str(_("Belum disampaikan"))

    @property
    def is_late(self) -> bool:
        if self.due_date is None:
            return False
        return (self.submitted_on or dt.date.today()) > self.due_date


def generated_upload_to(instance: GeneratedReport, filename: str) -> str:
    edition = instance.edition
    return f"laporan-resmi/{edition.region.code}/{edition.year}-{edition.quarter}/{instance.pk}/{filename}"


class GeneratedReport(models.Model):
    """One generation of the official report's files (xlsx, PDF and docx) by Celery, with its progress."""

    edition = models.ForeignKey(ReportEdition, on_delete=models.CASCADE, related_name="generated")
    status = models.CharField(
        _("status"), max_length=8, choices=GenerationStatus.choices, default=GenerationStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("kemajuan (%)"), default=0)
    xlsx_file = models.FileField(_("berkas xlsx"), upload_to=generated_upload_to, max_length=255, blank=True)
    pdf_file = models.FileField(_("berkas PDF"), upload_to=generated_upload_to, max_length=255, blank=True)
    docx_file = models.FileField(_("berkas docx"), upload_to=generated_upload_to, max_length=255, blank=True)
    error = models.TextField(_("galat"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("diminta oleh"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("diminta pada"), auto_now_add=True)
    finished_at = models.DateTimeField(_("selesai pada"), null=True, blank=True)

    objects = GeneratedReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("berkas laporan penerapan SPM")
        verbose_name_plural = _("berkas laporan penerapan SPM")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(name="generatedreport_progress_0_100", condition=Q(progress__lte=100)),
        ]

    def __str__(self) -> str:
        return f"{self.edition} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (GenerationStatus.DONE, GenerationStatus.FAILED)


class ActionPlan(models.Model):
    """Rencana Aksi Penerapan SPM of a daerah for a multi-year horizon (default 2026–2030).

    Draf → disetujui (verifikator) → ditetapkan with a Peraturan Kepala Daerah (Perkada): its number, date and
    the uploaded signed document (PDF, content checked). References the RPJMD, Renstra and Renja it is part of.
    """

    region = models.ForeignKey(Region, verbose_name=_("daerah"), on_delete=models.PROTECT, related_name="+")
    start_year = models.PositiveSmallIntegerField(_("tahun awal"), default=2026)
    end_year = models.PositiveSmallIntegerField(_("tahun akhir"), default=2030)
    status = models.CharField(_("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    rpjmd_ref = models.CharField(_("acuan RPJMD"), max_length=255, blank=True)
    renstra_ref = models.CharField(_("acuan Renstra"), max_length=255, blank=True)
    renja_ref = models.CharField(_("acuan Renja"), max_length=255, blank=True)
    perkada_number = models.CharField(_("nomor Perkada"), max_length=80, blank=True)
    perkada_date = models.DateField(_("tanggal Perkada"), null=True, blank=True)
    signed_document = models.FileField(_("dokumen bertanda tangan"), upload_to="rencana-aksi/", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    objects = ActionPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("rencana aksi penerapan SPM")
        verbose_name_plural = _("rencana aksi penerapan SPM")
        ordering = ["region__code", "-start_year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "start_year", "end_year"], name="actionplan_unique_horizon"),
            models.CheckConstraint(
                name="actionplan_horizon_ordered",
                condition=Q(start_year__lte=models.F("end_year")) & Q(end_year__lte=models.F("start_year") + 9),
            ),
            models.CheckConstraint(
                name="actionplan_enacted_has_perkada",
                condition=~Q(status="enacted") | (~Q(perkada_number="") & Q(perkada_date__isnull=False)),
            ),
        ]
        permissions = [("approve_actionplan", _("Dapat menyetujui dan menetapkan rencana aksi"))]

    def __str__(self) -> str:
        return f"Rencana aksi {self.start_year}–{self.end_year} — {self.region}"

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))


class ActionPlanItem(models.Model):
    """One jenis pelayanan dasar in a rencana aksi: baseline, the funding nomenclature and the OPD pengampu."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="items")
    service = models.ForeignKey(BasicService, verbose_name=_("jenis pelayanan dasar"), on_delete=models.PROTECT)
    agency = models.ForeignKey("spm.Agency", verbose_name=_("OPD penanggung jawab"), on_delete=models.PROTECT)
    baseline_year = models.PositiveSmallIntegerField(_("tahun dasar"), null=True, blank=True)
    baseline_served = models.PositiveIntegerField(_("terlayani tahun dasar"), null=True, blank=True)
    baseline_index = models.DecimalField(_("capaian tahun dasar (%)"), max_digits=7, decimal_places=2, null=True)
    program_code = models.CharField(_("kode program"), max_length=40, blank=True)
    program_name = models.CharField(_("program"), max_length=255, blank=True)
    activity_code = models.CharField(_("kode kegiatan"), max_length=40, blank=True)
    activity_name = models.CharField(_("kegiatan"), max_length=255, blank=True)
    sub_activity_code = models.CharField(_("kode sub kegiatan"), max_length=40, blank=True)
    sub_activity_name = models.CharField(_("sub kegiatan"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("layanan dalam rencana aksi")
        verbose_name_plural = _("layanan dalam rencana aksi")
        ordering = ["service__affair__order", "service__order"]
        constraints = [models.UniqueConstraint(fields=["plan", "service"], name="actionplanitem_unique_service")]

    def __str__(self) -> str:
        return f"{self.service.code} — {self.plan}"


class ActionPlanYear(models.Model):
    """The yearly targets of an item: citizens to serve, achievement %, and the cost of the needs (Rp)."""

    item = models.ForeignKey(ActionPlanItem, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("tahun"))
    target_citizens = models.PositiveIntegerField(_("target warga terlayani"), null=True, blank=True)
    target_pct = models.DecimalField(_("target capaian (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    cost = models.PositiveBigIntegerField(_("kebutuhan biaya (Rp)"), null=True, blank=True)

    class Meta:
        verbose_name = _("target tahunan rencana aksi")
        verbose_name_plural = _("target tahunan rencana aksi")
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["item", "year"], name="actionplanyear_unique_year"),
            models.CheckConstraint(name="actionplanyear_pct_0_100", condition=Q(target_pct__lte=100)),
        ]

    def __str__(self) -> str:
        return f"{self.item.service.code} {self.year}: {self.target_citizens}"


class PlanTransition(TransitionLog):
    """Audit of every status change of a rencana aksi."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("dari"), max_length=10, choices=PlanStatus.choices)
    to_status = models.CharField(_("ke"), max_length=10, choices=PlanStatus.choices)

    class Meta(TransitionLog.Meta):
        verbose_name = _("riwayat status rencana aksi")
        verbose_name_plural = _("riwayat status rencana aksi")


class Need(models.Model):
    """Kebutuhan pemenuhan of one mutu component of a service in a year, as the OPD entered it.

    The gap and its cost are computed (``targets.needs``), never typed.
    """

    region = models.ForeignKey(Region, verbose_name=_("daerah"), on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(BasicService, verbose_name=_("jenis pelayanan dasar"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("tahun"))
    component = models.ForeignKey(QualityComponent, verbose_name=_("komponen mutu"), on_delete=models.PROTECT)
    item = models.CharField(_("barang/jasa/SDM yang dibutuhkan"), max_length=200)
    basis = models.CharField(_("dasar"), max_length=12, choices=NeedBasis.choices, default=NeedBasis.PER_RECIPIENT)
    quantity = models.DecimalField(_("jumlah dibutuhkan (per penerima/per daerah)"), max_digits=14, decimal_places=4)
    available = models.PositiveIntegerField(_("jumlah tersedia"), default=0)
    unit_cost = models.PositiveBigIntegerField(_("harga satuan (Rp)"), default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)

    objects = NeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("kebutuhan pemenuhan")
        verbose_name_plural = _("kebutuhan pemenuhan")
        ordering = ["service__affair__order", "service__order", "component__order", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "service", "year", "component", "item"], name="need_unique_item_per_component"
            ),
            models.CheckConstraint(name="need_quantity_not_negative", condition=Q(quantity__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.service.code} {self.year} {self.item}"


def target_import_upload_to(instance: TargetImport, filename: str) -> str:
    """An uploaded target workbook, under an unguessable name (it is the daerah's working data)."""
    import uuid

    return f"impor/target/{uuid.uuid4().hex}.xlsx"


class TargetImport(models.Model):
    """An uploaded target workbook (impor target) waiting for the user's confirmation after its dry run.

    The file is kept on this row, not in the session, and confirmed by id: only by who uploaded it, only once.
    Files are deleted once the import is confirmed, and by the nightly purge after the retention days.
    """

    class Status(models.TextChoices):
        CHECKED = "diperiksa", _("Diperiksa (menunggu konfirmasi)")
        CONFIRMED = "dikonfirmasi", _("Dikonfirmasi")

    file = models.FileField(_("berkas"), upload_to=target_import_upload_to, blank=True)
    original_name = models.CharField(_("nama berkas"), max_length=255)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.CHECKED)
    row_count = models.PositiveIntegerField(_("jumlah baris"), default=0)
    saved = models.PositiveIntegerField(_("target disimpan"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("diunggah oleh"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("waktu unggah"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("waktu konfirmasi"), null=True, blank=True)

    class Meta:
        verbose_name = _("impor target")
        verbose_name_plural = _("impor target")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"
