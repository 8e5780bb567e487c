"""The SPM catalogue (urusan, jenis pelayanan dasar, mutu), the region tree and the organisation.

The catalogue follows PP 2/2018 (Pasal 5-10) and the sectoral standar teknis; the region tree follows
Kepmendagri 300.2.2-2138/2025. Both are regulation data shipped with the app (``spm/data``) and loaded
by ``manage.py load_reference_data``; they are data rows, not constants, so a corrected reading of the
regulation needs no code change.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spm.choices import (
    Confidence,
    GovernmentLevel,
    ItemListOrigin,
    RegionLevel,
    Role,
    Severity,
    Sex,
    SourceConfidence,
)
from spm.querysets import (
    AgencyQuerySet,
    BasicServiceQuerySet,
    RegionQuerySet,
    ServiceAssignmentQuerySet,
    UserManager,
)
from spm.roles import GROUP_NAMES, ScopeKind, role_spec, roles_with_scope


class Region(models.Model):
    """Wilayah: a provinsi, kabupaten/kota or kecamatan with its Kemendagri code.

    A *daerah* (pemerintah daerah) is a provinsi or a kabupaten/kota; kecamatan rows serve the NIK region
    check (the first six digits of a NIK are the kecamatan of issue).
    """

    code = models.CharField(_("kode wilayah"), max_length=13, unique=True)
    name = models.CharField(_("nama"), max_length=120)
    level = models.CharField(_("tingkat"), max_length=16, choices=RegionLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("induk"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="region_parent_matches_level",
                condition=Q(level=RegionLevel.PROVINCE, parent__isnull=True)
                | (~Q(level=RegionLevel.PROVINCE) & Q(parent__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_daerah(self) -> bool:
        return self.level in (RegionLevel.PROVINCE, RegionLevel.REGENCY_CITY)

    @property
    def government_level(self) -> str | None:
        """The catalogue level whose services this daerah delivers (None for a kecamatan)."""
        return self.level if self.is_daerah else None

    @property
    def short_name(self) -> str:
        """The name without "Kabupaten"/"Kota": Tulang Bawang Barat, Metro, Lampung."""
        for prefix in ("Kabupaten ", "Kota "):
            if self.name.startswith(prefix):
                return self.name.removeprefix(prefix)
        return self.name

    @property
    def head_of_region(self) -> str:
        """How the kepala daerah signs: Bupati Tulang Bawang Barat, Wali Kota Metro, Gubernur Lampung."""
        return f"{self.head_title} {self.short_name}"

    @property
    def head_title(self) -> str:
        """Kepala daerah who signs reports: Gubernur, Bupati or Wali Kota."""
        if self.level == RegionLevel.PROVINCE:
            return str(_("Gubernur"))
        return str(_("Wali Kota")) if self.name.startswith("Kota ") else str(_("Bupati"))


class Affair(models.Model):
    """Urusan pemerintahan wajib yang berkaitan dengan pelayanan dasar (PP 2/2018 Pasal 5)."""

    code = models.CharField(_("kode"), max_length=8, unique=True)
    name = models.CharField(_("nama urusan"), max_length=160)
    regulation = models.TextField(_("standar teknis"), blank=True)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        verbose_name = _("urusan")
        verbose_name_plural = _("urusan")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class BasicService(models.Model):
    """Jenis pelayanan dasar: a basic service of an urusan, for provinsi or for kabupaten/kota.

    The eligibility fields describe who may be counted as a named recipient (penerima): age at the
    service date (years, or days for newborns) and sex. ``eligibility_severity`` says whether the
    regulation defines the rule (error: the row is rejected) or it is a conventional reading (warning).
    """

    code = models.CharField(_("kode"), max_length=16, unique=True)
    affair = models.ForeignKey(Affair, verbose_name=_("urusan"), on_delete=models.PROTECT, related_name="services")
    level = models.CharField(_("tingkat daerah"), max_length=16, choices=GovernmentLevel.choices, db_index=True)
    name = models.CharField(_("jenis pelayanan dasar"), max_length=255)
    recipient = models.TextField(_("penerima layanan dasar"))
    indicator = models.TextField(_("indikator"))
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    min_age = models.PositiveSmallIntegerField(_("usia minimal (tahun)"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("usia maksimal (tahun)"), null=True, blank=True)
    min_age_days = models.PositiveIntegerField(_("usia minimal (hari)"), null=True, blank=True)
    max_age_days = models.PositiveIntegerField(_("usia maksimal (hari)"), null=True, blank=True)
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices, blank=True)
    eligibility_severity = models.CharField(
        _("sifat aturan kelayakan"), max_length=8, choices=Severity.choices, default=Severity.ERROR
    )
    eligibility_note = models.TextField(_("catatan kelayakan"), blank=True)
    confidence = models.CharField(
        _("keyakinan data"), max_length=12, choices=Confidence.choices, default=Confidence.REGULATION
    )
    agency_hint = models.CharField(_("OPD pengampu lazim"), max_length=160, blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)

    objects = BasicServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("jenis pelayanan dasar")
        verbose_name_plural = _("jenis pelayanan dasar")
        ordering = ["affair__order", "level", "order", "code"]
        constraints = [
            models.CheckConstraint(
                name="basicservice_age_range_ordered",
                condition=Q(min_age__isnull=True) | Q(max_age__isnull=True) | Q(min_age__lte=models.F("max_age")),
            ),
            models.CheckConstraint(
                name="basicservice_age_days_ordered",
                condition=Q(min_age_days__isnull=True)
                | Q(max_age_days__isnull=True)
                | Q(min_age_days__lte=models.F("max_age_days")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("catalogue-service", kwargs={"code": self.code})

    @property
    def regulation(self) -> str:
        return self.affair.regulation

    @property
    def has_eligibility(self) -> bool:
        return any(v is not None for v in (self.min_age, self.max_age, self.min_age_days, self.max_age_days)) or bool(
            self.sex
        )

    def eligibility_text(self) -> str:
        """Human-readable eligibility, e.g. "usia 7–15 tahun; perempuan"."""
        parts: list[str] = []
        if self.min_age_days is not None or self.max_age_days is not None:
            parts.append(_("usia %(lo)s–%(hi)s hari") % {"lo": self.min_age_days or 0, "hi": self.max_age_days})
        elif self.min_age is not None and self.max_age is not None:
            parts.append(_("usia %(lo)s–%(hi)s tahun") % {"lo": self.min_age, "hi": self.max_age})
        elif self.min_age is not None:
            parts.append(_("usia %(lo)s tahun ke atas") % {"lo": self.min_age})
        if self.sex:
            parts.append(str(Sex(self.sex).label).lower())
        return "; ".join(str(p) for p in parts)


class QualityComponent(models.Model):
    """Komponen mutu minimal layanan dasar: barang/jasa, SDM, petunjuk teknis/tata cara."""

    service = models.ForeignKey(
        BasicService,
        verbose_name=_("jenis pelayanan dasar"),
        on_delete=models.CASCADE,
        related_name="quality_components",
    )
    code = models.CharField(_("kode"), max_length=16)
    name = models.CharField(_("komponen mutu"), max_length=160)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    source = models.TextField(_("sumber"), blank=True)

    class Meta:
        verbose_name = _("komponen mutu")
        verbose_name_plural = _("komponen mutu")
        ordering = ["service", "order"]
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="qualitycomponent_unique_per_service"),
        ]

    def __str__(self) -> str:
        return self.name


class QualityItemList(models.Model):
    """Daftar item mutu: one version of the standar teknis items of a jenis pelayanan dasar, from a year on.

    PP 2/2018 Pasal 1 defines the standar teknis as the standard of barang dan/atau jasa, of personel/SDM and
    the petunjuk teknis atau tata cara; the sector ministries list named items per jenis (e.g. Permenkes
    4/2019, now 6/2024). Lists are data an admin maintains: a report is bound to the version it was opened
    under (``QuarterlyReport.quality_item_list``), and a version a report is bound to is never changed —
    a correction is a new version (:func:`spm.services.quality_item_list_copy`). The version in force for a
    report of year Y is the highest version of the latest ``year`` <= Y.
    """

    service = models.ForeignKey(
        BasicService, verbose_name=_("jenis pelayanan dasar"), on_delete=models.PROTECT, related_name="item_lists"
    )
    year = models.PositiveSmallIntegerField(_("berlaku mulai tahun"))
    version = models.PositiveSmallIntegerField(_("versi"), default=1)
    origin = models.CharField(_("asal"), max_length=8, choices=ItemListOrigin.choices, default=ItemListOrigin.ADMIN)
    source = models.TextField(_("sumber"), blank=True)
    regulation_version = models.CharField(_("regulasi yang dibaca"), max_length=120, blank=True)
    confidence = models.CharField(
        _("keyakinan data"), max_length=8, choices=SourceConfidence.choices, default=SourceConfidence.LOW
    )
    missing = models.TextField(_("yang belum terbaca"), blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("daftar item mutu")
        verbose_name_plural = _("daftar item mutu")
        ordering = ["service__affair__order", "service__level", "service__order", "-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["service", "year", "version"], name="qualityitemlist_unique_version"),
            models.CheckConstraint(name="qualityitemlist_version_positive", condition=Q(version__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.service.code} {self.year} v{self.version}"


class QualityItem(models.Model):
    """Item mutu: one named good, service, person or procedure of a standar teknis, with its unit and source.

    Grouped under one mutu component of the jenis (barang/jasa, SDM, petunjuk teknis/tata cara); the report
    enters a target (dibutuhkan) and a realisation (tersedia) per item.
    """

    item_list = models.ForeignKey(
        QualityItemList, verbose_name=_("daftar item mutu"), on_delete=models.CASCADE, related_name="items"
    )
    component = models.ForeignKey(QualityComponent, verbose_name=_("komponen mutu"), on_delete=models.PROTECT)
    name = models.CharField(_("nama item"), max_length=255)
    unit = models.CharField(_("satuan"), max_length=40, blank=True)
    source = models.TextField(_("sumber"), blank=True)
    confidence = models.CharField(
        _("keyakinan data"), max_length=8, choices=SourceConfidence.choices, default=SourceConfidence.LOW
    )
    note = models.TextField(_("catatan"), blank=True)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        verbose_name = _("item mutu")
        verbose_name_plural = _("item mutu")
        ordering = ["item_list", "component__order", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item_list", "component", "name"], name="qualityitem_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.item_list_id and self.component_id and self.component.service_id != self.item_list.service_id:
            raise ValidationError({"component": _("Komponen mutu harus milik jenis pelayanan dasar daftar item ini.")})


class FieldGuide(models.Model):
    """Petunjuk pengisian / definisi operasional of one field of the quarterly report (juknis beside the field).

    With ``service`` empty the text holds for every jenis; a row for a jenis (e.g. the definisi operasional of
    "terlayani sesuai standar" for ibu hamil) is shown instead for that jenis. Data with its source; texts
    written for this application where the regulation is silent are marked ``assumed``.
    """

    service = models.ForeignKey(
        BasicService,
        verbose_name=_("jenis pelayanan dasar"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="field_guides",
    )
    field = models.CharField(_("isian"), max_length=40)
    label = models.CharField(_("nama isian"), max_length=160)
    text = models.TextField(_("definisi operasional / petunjuk pengisian"))
    example = models.TextField(_("contoh"), blank=True)
    source = models.TextField(_("sumber"))
    confidence = models.CharField(
        _("keyakinan data"), max_length=8, choices=SourceConfidence.choices, default=SourceConfidence.ASSUMED
    )

    class Meta:
        verbose_name = _("petunjuk pengisian")
        verbose_name_plural = _("petunjuk pengisian")
        ordering = ["service__code", "field"]
        constraints = [
            models.UniqueConstraint(
                fields=["field"], condition=Q(service__isnull=True), name="fieldguide_unique_general_field"
            ),
            models.UniqueConstraint(
                fields=["service", "field"], condition=Q(service__isnull=False), name="fieldguide_unique_service_field"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service.code if self.service_id else '*'} {self.field}"


class GlossaryTerm(models.Model):
    """Istilah Kamus SPM: an official term of the SPM regulations with its meaning and source."""

    term = models.CharField(_("istilah"), max_length=160, unique=True)
    definition = models.TextField(_("pengertian"))
    source = models.TextField(_("sumber"))
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        verbose_name = _("istilah kamus SPM")
        verbose_name_plural = _("kamus SPM")
        ordering = ["order", "term"]

    def __str__(self) -> str:
        return self.term


class Agency(models.Model):
    """Perangkat daerah (OPD): an agency of a daerah, e.g. Dinas Kesehatan."""

    region = models.ForeignKey(
        Region,
        verbose_name=_("daerah"),
        on_delete=models.PROTECT,
        related_name="agencies",
        limit_choices_to={"level__in": [GovernmentLevel.PROVINCE, GovernmentLevel.REGENCY_CITY]},
    )
    name = models.CharField(_("nama OPD"), max_length=200)
    short_name = models.CharField(_("singkatan"), max_length=40, blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("perangkat daerah (OPD)")
        verbose_name_plural = _("perangkat daerah (OPD)")
        ordering = ["region__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="agency_unique_name_per_region"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("agency-detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        if self.region_id and not self.region.is_daerah:
            raise ValidationError({"region": _("OPD hanya dapat dibuat pada provinsi atau kabupaten/kota.")})


class ServiceAssignment(models.Model):
    """OPD pengampu SPM: the agency responsible for a jenis pelayanan dasar in a daerah."""

    region = models.ForeignKey(Region, verbose_name=_("daerah"), on_delete=models.PROTECT, related_name="assignments")
    service = models.ForeignKey(
        BasicService, verbose_name=_("jenis pelayanan dasar"), on_delete=models.PROTECT, related_name="assignments"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("OPD pengampu"), on_delete=models.PROTECT, related_name="assignments"
    )

    objects = ServiceAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("OPD pengampu SPM")
        verbose_name_plural = _("OPD pengampu SPM")
        ordering = ["region__code", "service__affair__order", "service__order"]
        constraints = [
            models.UniqueConstraint(fields=["region", "service"], name="assignment_one_agency_per_service"),
        ]

    def __str__(self) -> str:
        return f"{self.service.code} → {self.agency}"

    def clean(self) -> None:
        from spm.services import assignment_validate

        assignment_validate(region=self.region, service=self.service, agency=self.agency)


class User(AbstractUser):
    """A user of e-SPM with one role and the scope it implies.

    - operator: one OPD (``agency``); its daerah is the OPD's daerah
    - verifikator (Bagian Pemerintahan) and pimpinan: one daerah (``region``)
    - peninjau provinsi: one provinsi (``region``) and its kabupaten/kota
    - evaluator provinsi (Biro Pemerintahan): the kabupaten/kota of one provinsi (``region``), not the provinsi's
      own reports
    - admin: everything
    """

    role = models.CharField(_("peran"), max_length=16, choices=Role.choices, default=Role.OPERATOR)
    region = models.ForeignKey(
        Region, verbose_name=_("daerah"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("OPD"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    nip = models.CharField(_("NIP"), max_length=18, blank=True)
    position = models.CharField(_("jabatan"), max_length=160, blank=True)
    phone = models.CharField(_("telepon"), max_length=30, blank=True)
    # The language picked with the switch, kept so that what is built for the user without a request (e-mails,
    # files made by Celery) is in that language too; blank is the default, Bahasa Indonesia.
    language = models.CharField(_("bahasa antarmuka"), max_length=8, blank=True, choices=settings.LANGUAGES)

    objects = UserManager()

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")
        constraints = [
            models.CheckConstraint(
                name="user_operator_has_agency",
                condition=~Q(role__in=roles_with_scope(ScopeKind.AGENCY)) | Q(agency__isnull=False),
            ),
            models.CheckConstraint(
                name="user_scoped_role_has_region",
                condition=~Q(role__in=roles_with_scope(ScopeKind.DAERAH, ScopeKind.PROVINCE)) | Q(region__isnull=False),
            ),
        ]

    def save(self, *args, **kwargs) -> None:
        # An operator's daerah is always its OPD's daerah: keep the two from disagreeing.
        scope = role_spec(self.role).scope
        if scope == ScopeKind.AGENCY and self.agency_id:
            self.region_id = self.agency.region_id
        if scope == ScopeKind.ALL:
            self.is_staff = True
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "role" in update_fields:
            self._sync_role_group()

    def _sync_role_group(self) -> None:
        wanted = Group.objects.filter(name=GROUP_NAMES[self.role]).first()
        role_groups = Group.objects.filter(name__in=GROUP_NAMES.values())
        self.groups.remove(*[g for g in role_groups if wanted is None or g.pk != wanted.pk])
        if wanted is not None:
            self.groups.add(wanted)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        scope = role_spec(self.role).scope
        if scope == ScopeKind.AGENCY and not self.agency_id:
            errors["agency"] = _("Operator OPD harus terhubung ke satu OPD.")
        if scope == ScopeKind.DAERAH and (not self.region_id or not self.region.is_daerah):
            errors["region"] = _("Verifikator dan pimpinan harus terhubung ke satu daerah (provinsi/kabupaten/kota).")
        if scope == ScopeKind.PROVINCE and (not self.region_id or self.region.level != RegionLevel.PROVINCE):
            errors["region"] = _("Peninjau dan evaluator provinsi harus terhubung ke satu provinsi.")
        if errors:
            raise ValidationError(errors)

    @property
    def daerah(self) -> Region | None:
        """The daerah this user works for (None for admins and provincial viewers of the whole provinsi)."""
        if role_spec(self.role).scope == ScopeKind.AGENCY and self.agency_id:
            return self.agency.region
        return self.region


class PendingTask(models.Model):
    """A background task (tugas latar belakang tertunda) that could not be handed to the queue because the broker
    (Redis) was unreachable when its request committed. ``spm.send_pending_tasks`` (beat, every minute) sends
    it again once the broker is back; tasks are idempotent, so a row sent twice does no harm."""

    task = models.CharField(_("tugas"), max_length=200)
    args = models.JSONField(_("argumen"), default=list, blank=True)
    created_at = models.DateTimeField(_("dicatat pada"), auto_now_add=True)
    attempts = models.PositiveIntegerField(_("percobaan kirim"), default=0)
    last_error = models.CharField(_("galat terakhir"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("tugas tertunda")
        verbose_name_plural = _("tugas tertunda")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.task} {self.args}"


class DataVersion(models.Model):
    """The data version (versi data): one number that grows after every committed write to the data pages are
    computed from (``spm.freshness``). Pages cached in the shared cache are filed under it, so the first request
    after a change computes afresh. One row (``id`` 1), created by the migration."""

    value = models.BigIntegerField(_("versi"), default=0)
    changed_at = models.DateTimeField(_("berubah pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("versi data")
        verbose_name_plural = _("versi data")

    def __str__(self) -> str:
        return str(self.value)
