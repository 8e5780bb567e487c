"""Rencana Aksi Penerapan SPM (tahap 3, Permendagri 59/2021): create from targets and needs, edit, approve, enact."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reporting.models import Achievement, AchievementLevel
from spm import access
from spm.audit import record_transition
from spm.models import BasicService, Region, ServiceAssignment, User
from spm.validation import field_errors, validate_fields
from targets.choices import PlanStatus
from targets.models import ActionPlan, ActionPlanItem, ActionPlanYear
from targets.selectors import plan_year_defaults
from targets.services.targets import MIN_YEAR, _require

# --- Rencana Aksi Penerapan SPM (stage 3) ----------------------------------------------------------------


def baseline(region: Region, service: BasicService, before_year: int) -> tuple[int, int | None, Decimal | None] | None:
    """The last realised year before the plan: (year, served, nilai) of the latest stored TW IV achievement."""
    row = (
        Achievement.objects.filter(
            region=region,
            service=service,
            quarter=4,
            level=AchievementLevel.SERVICE,
            is_current=True,
            year__lt=before_year,
        )
        .order_by("-year")
        .values_list("year", "served", "index")
        .first()
    )
    if row is None:
        return None
    year, served, index = row
    return year, served, None if index is None else index.quantize(Decimal("0.01"), ROUND_HALF_UP)


def _plan_transition(plan, user: User, to_status: str, comment: str = "") -> None:
    record_transition(plan, user=user, to_status=to_status, comment=comment)


@transaction.atomic
def plan_create(
    *,
    user: User,
    region: Region,
    start_year: int = 2026,
    end_year: int = 2030,
    references: dict[str, str] | None = None,
):
    """Start a rencana aksi for a horizon, with one item per service the daerah delivers: the baseline, and per
    year the approved target and the cost of the needs where the daerah has entered them (editable after)."""
    access.require(user, "plan.manage", region, _("Rencana aksi hanya dapat dibuat verifikator daerah."))
    references = {key: (value or "").strip() for key, value in (references or {}).items()}
    validate_fields(ActionPlan, {"start_year": start_year, "end_year": end_year, **references})
    if not (MIN_YEAR <= start_year <= end_year <= start_year + 9):
        raise ValidationError({"end_year": _("Rentang tahun rencana aksi tidak valid (paling lama 10 tahun).")})
    if ActionPlan.objects.filter(region=region, start_year=start_year, end_year=end_year).exists():
        raise ValidationError(
            {"start_year": _("Rencana aksi %(start)s–%(end)s sudah ada.") % {"start": start_year, "end": end_year}}
        )
    plan = ActionPlan.objects.create(
        region=region,
        start_year=start_year,
        end_year=end_year,
        created_by=user,
        rpjmd_ref=references.get("rpjmd_ref", ""),
        renstra_ref=references.get("renstra_ref", ""),
        renja_ref=references.get("renja_ref", ""),
    )
    defaults = plan_year_defaults(region, list(plan.years))
    assignments = ServiceAssignment.objects.filter(region=region).select_related("service")
    for assignment in assignments.order_by("service__affair__order", "service__order"):
        base = baseline(region, assignment.service, start_year)
        item = ActionPlanItem.objects.create(
            plan=plan,
            service=assignment.service,
            agency_id=assignment.agency_id,
            baseline_year=base[0] if base else None,
            baseline_served=base[1] if base else None,
            baseline_index=base[2] if base else None,
        )
        ActionPlanYear.objects.bulk_create(
            ActionPlanYear(
                item=item,
                year=y,
                target_citizens=defaults.get((assignment.service_id, y), (None, None))[0],
                cost=defaults.get((assignment.service_id, y), (None, None))[1],
            )
            for y in plan.years
        )
    return plan


@dataclass
class PlanItemInput:
    nomenclature: dict[str, str] = field(default_factory=dict)  # program_code, program_name, activity_… sub_activity_…
    years: dict[int, tuple[int | None, Decimal | None, int | None]] = field(default_factory=dict)  # citizens, %, Rp


NOMENCLATURE_FIELDS = {
    "program_code": gettext_lazy("Kode program"),
    "program_name": gettext_lazy("Program"),
    "activity_code": gettext_lazy("Kode kegiatan"),
    "activity_name": gettext_lazy("Kegiatan"),
    "sub_activity_code": gettext_lazy("Kode sub kegiatan"),
    "sub_activity_name": gettext_lazy("Sub kegiatan"),
}


@transaction.atomic
def plan_item_save(*, user: User, item, data: PlanItemInput):
    """Save one service of a draft plan: nomenclature and yearly targets and costs."""
    plan = ActionPlan.objects.select_for_update().get(pk=item.plan_id)
    access.require(user, "plan.item_edit", item, _("Rencana aksi ini tidak dapat diubah oleh Anda."))
    nomenclature = {k: (v or "").strip() for k, v in data.nomenclature.items() if k in NOMENCLATURE_FIELDS}
    errors = field_errors(ActionPlanItem, nomenclature)
    for year, values in data.years.items():
        fields = dict(zip(("target_citizens", "target_pct", "cost"), values, strict=True))
        keys = {"target_citizens": f"citizens_{year}", "target_pct": f"pct_{year}", "cost": f"cost_{year}"}
        errors.update(field_errors(ActionPlanYear, fields, keys=keys))
    # What the columns cannot hold first; the domain's own message wins where both apply.
    for year, (citizens, pct, cost) in data.years.items():
        if year not in plan.years:
            errors[f"year-{year}"] = [_("Tahun %(year)s di luar rentang rencana aksi.") % {"year": year}]
        if citizens is not None and citizens < 0:
            errors[f"citizens_{year}"] = [_("Target warga terlayani %(year)s tidak boleh negatif.") % {"year": year}]
        if pct is not None and pct.is_finite() and not Decimal(0) <= pct <= Decimal(100):
            errors[f"pct_{year}"] = [_("Target capaian %(year)s harus antara 0 dan 100%%.") % {"year": year}]
        if cost is not None and cost < 0:
            errors[f"cost_{year}"] = [_("Kebutuhan biaya %(year)s tidak boleh negatif.") % {"year": year}]
    if errors:
        raise ValidationError(errors)
    for name, value in nomenclature.items():
        setattr(item, name, value)
    item.save()
    rows = {row.year: row for row in item.years.all()}
    for year, (citizens, pct, cost) in data.years.items():
        row = rows[year]
        row.target_citizens, row.target_pct, row.cost = citizens, pct, cost
        row.save(update_fields=["target_citizens", "target_pct", "cost"])
    return item


@transaction.atomic
def plan_approve(*, user: User, plan, comment: str = ""):
    """The verifikator approves a draft plan: every service must have its yearly citizen targets."""
    plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    _require(
        plan.status == PlanStatus.DRAFT and access.can(user, "plan.manage", plan),
        _("Rencana aksi tidak dapat disetujui."),
    )
    missing = (
        ActionPlanYear.objects.filter(item__plan=plan, target_citizens__isnull=True)
        .values_list("item__service__code", flat=True)
        .distinct()
    )
    if missing:
        raise ValidationError(
            _("Target warga terlayani per tahun belum lengkap untuk: %(codes)s.")
            % {"codes": ", ".join(sorted(missing))}
        )
    _plan_transition(plan, user, PlanStatus.APPROVED, comment)
    plan.save(update_fields=["status"])
    return plan


@transaction.atomic
def plan_enact(*, user: User, plan, perkada_number: str, perkada_date, document):
    """Record the Perkada that sets the approved plan, with its signed PDF (the content must be a PDF)."""
    plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    _require(
        plan.status == PlanStatus.APPROVED and access.can(user, "plan.manage", plan),
        _("Hanya rencana aksi yang sudah disetujui yang dapat ditetapkan."),
    )
    perkada_number = (perkada_number or "").strip()
    errors: dict[str, list[str]] = field_errors(ActionPlan, {"perkada_number": perkada_number})
    if not perkada_number:
        errors["perkada_number"] = [_("Nomor Perkada wajib diisi.")]
    if perkada_date is None:
        errors["perkada_date"] = [_("Tanggal Perkada wajib diisi.")]
    if document is None:
        errors["signed_document"] = [_("Unggah dokumen Perkada yang sudah ditandatangani (PDF).")]
    else:
        document.seek(0)
        head = document.read(5)
        document.seek(0)
        if head != b"%PDF-" or not document.name.lower().endswith(".pdf"):
            errors["signed_document"] = [_("Dokumen Perkada harus berkas PDF; isi berkas bukan PDF.")]
        elif document.size > 20 * 1024 * 1024:
            errors["signed_document"] = [_("Dokumen Perkada melebihi 20 MB.")]
    if errors:
        raise ValidationError(errors)
    plan.perkada_number = perkada_number
    plan.perkada_date = perkada_date
    plan.signed_document.save(f"perkada-{plan.region.code}-{plan.start_year}-{plan.end_year}.pdf", document, save=False)
    _plan_transition(plan, user, PlanStatus.ENACTED, f"Perkada {plan.perkada_number}")
    plan.save()
    return plan
