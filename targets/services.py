"""The one write path of targets: save a revision, submit, return, approve; import; and the read the
quarterly report needs (:func:`approved_must_serve`).

Every write runs in a transaction, checks who may do it on this very object, and records each review
transition (:class:`~targets.models.TargetTransition`). An approved revision is never edited: a change opens
a new revision, and the approved one stays in force until the new one is approved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from spm.choices import Role
from spm.models import BasicService, Region, ServiceAssignment, User
from targets.choices import OPEN_TARGET_STATUSES, TargetStatus
from targets.models import Target, TargetQuality, TargetRevision, TargetTransition

MIN_YEAR, MAX_YEAR = 2000, 2100

# --- Reads other apps use -----------------------------------------------------------------------------


def approved_must_serve(*, region: Region, service: BasicService, year: int) -> int | None:
    """The approved sasaran (jumlah yang harus dilayani) of a service in a year, or None when none is approved.

    The quarterly report uses this as "harus dilayani": one source of truth for the year's target.
    """
    return (
        Target.objects.filter(region=region, service=service, year=year, approved_revision__isnull=False)
        .values_list("approved_revision__must_serve", flat=True)
        .first()
    )


def named_recipient_count(region: Region, service: BasicService, year: int) -> int | None:
    """Named recipients (penerima by name and NIK) of a service in a year, from the recipient lists; None when
    no list has been imported (then there is nothing to compare the target with, rather than a 100 % gap)."""
    from reporting.recipients.services import recipient_counts

    return recipient_counts(region, service, year)["must_serve"] or None


# --- Who may do what ----------------------------------------------------------------------------------


def can_edit_target(user: User, region: Region, service: BasicService) -> bool:
    """The operators of the OPD pengampu (and admins) enter targets."""
    if user.is_admin:
        return True
    return (
        user.role == Role.OPERATOR
        and user.has_perm("targets.change_targetrevision")
        and ServiceAssignment.objects.filter(region=region, service=service, agency_id=user.agency_id).exists()
    )


def can_review_target(user: User, revision: TargetRevision) -> bool:
    """The verifikator of the target's daerah (and admins) review submitted revisions."""
    if revision.status != TargetStatus.SUBMITTED:
        return False
    if user.is_admin:
        return True
    return (
        user.role == Role.REVIEWER
        and user.region_id == revision.target.region_id
        and user.has_perm("targets.review_targetrevision")
    )


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _lock(revision: TargetRevision) -> TargetRevision:
    TargetRevision.objects.select_for_update().filter(pk=revision.pk).values_list("pk", flat=True).first()
    revision.refresh_from_db()
    return revision


def revision_snapshot(revision: TargetRevision) -> dict:
    return {
        "must_serve": revision.must_serve,
        "note": revision.note,
        "quality": {q.component.code: q.required for q in revision.quality.select_related("component")},
    }


def _transition(revision: TargetRevision, user: User, to_status: str, comment: str = "") -> TargetTransition:
    transition = TargetTransition.objects.create(
        revision=revision,
        from_status=revision.status,
        to_status=to_status,
        actor=user,
        comment=comment,
        snapshot=revision_snapshot(revision),
    )
    revision.status = to_status
    return transition


# --- Writes -------------------------------------------------------------------------------------------


@dataclass
class TargetInput:
    """What the target form (or an import row) sends."""

    must_serve: int | None = None
    quality: dict[str, int | None] = field(default_factory=dict)  # component code -> required
    note: str = ""


def validate_target_input(service: BasicService, year: int, data: TargetInput) -> dict[str, list[str]]:
    """Errors per field, in Bahasa Indonesia naming the field (empty when the input is acceptable)."""
    errors: dict[str, list[str]] = {}
    if not MIN_YEAR <= year <= MAX_YEAR:
        errors.setdefault("year", []).append(f"Tahun {year} tidak valid.")
    if data.must_serve is not None and data.must_serve < 0:
        errors.setdefault("must_serve", []).append("Jumlah yang harus dilayani tidak boleh negatif.")
    components = {c.code: c.name for c in service.quality_components.all()}
    for code, required in data.quality.items():
        if code not in components:
            errors.setdefault(f"quality-{code}", []).append(
                f"Komponen mutu '{code}' tidak ada pada {service.code} {service.name}."
            )
        elif required is not None and required < 0:
            errors.setdefault(f"quality-{code}", []).append(f"{components[code]}: target mutu tidak boleh negatif.")
    return errors


def _open_revision(target: Target, user: User) -> TargetRevision:
    """The open revision of a target, or a new draft one starting from the approved values."""
    revision = target.revisions.filter(status__in=OPEN_TARGET_STATUSES).first()
    if revision is not None:
        return revision
    number = (target.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
    approved = target.approved_revision
    revision = TargetRevision.objects.create(
        target=target,
        number=number,
        created_by=user,
        must_serve=approved.must_serve if approved else None,
        note=approved.note if approved else "",
    )
    previous = {q.component_id: q.required for q in approved.quality.all()} if approved else {}
    TargetQuality.objects.bulk_create(
        TargetQuality(revision=revision, component=c, required=previous.get(c.pk))
        for c in target.service.quality_components.all()
    )
    return revision


@transaction.atomic
def target_save(*, user: User, region: Region, service: BasicService, year: int, data: TargetInput) -> TargetRevision:
    """Save the target of a service and year as a draft (a new revision if the current one is approved)."""
    _require(can_edit_target(user, region, service), "Target layanan ini tidak dapat diubah oleh Anda.")
    if service.level != region.government_level:
        raise ValidationError({"service": "Jenis pelayanan dasar ini bukan kewenangan daerah ini."})
    errors = validate_target_input(service, year, data)
    if errors:
        raise ValidationError(errors)
    target, _created = Target.objects.get_or_create(region=region, service=service, year=year)
    Target.objects.select_for_update().filter(pk=target.pk).values_list("pk", flat=True).first()
    revision = _open_revision(target, user)
    if revision.status == TargetStatus.SUBMITTED:
        raise ValidationError("Target sedang diverifikasi; tunggu sampai dikembalikan atau disetujui.")
    revision.must_serve = data.must_serve
    revision.note = data.note.strip()
    revision.save(update_fields=["must_serve", "note", "updated_at"])
    entries = {q.component.code: q for q in revision.quality.select_related("component")}
    for code, required in data.quality.items():
        entry = entries[code]
        if entry.required != required:
            entry.required = required
            entry.save(update_fields=["required"])
    return revision


def submission_errors(revision: TargetRevision) -> list[str]:
    errors = []
    if revision.must_serve is None:
        errors.append("Jumlah yang harus dilayani (sasaran) belum diisi.")
    for q in revision.quality.select_related("component"):
        if q.required is None:
            errors.append(f"Target mutu '{q.component.name}' belum diisi.")
    return errors


@transaction.atomic
def target_submit(*, revision: TargetRevision, user: User) -> TargetRevision:
    """Submit a draft or returned target to the verifikator."""
    _lock(revision)
    target = revision.target
    _require(
        revision.status in (TargetStatus.DRAFT, TargetStatus.RETURNED)
        and can_edit_target(user, target.region, target.service),
        "Target ini tidak dapat diajukan oleh Anda.",
    )
    errors = submission_errors(revision)
    if errors:
        raise ValidationError(errors)
    _transition(revision, user, TargetStatus.SUBMITTED)
    revision.save(update_fields=["status", "updated_at"])
    return revision


@transaction.atomic
def target_return(*, revision: TargetRevision, user: User, comment: str) -> TargetRevision:
    """Return a submitted target to the OPD with a comment (required)."""
    _lock(revision)
    _require(can_review_target(user, revision), "Target ini tidak dapat diverifikasi oleh Anda.")
    if not comment or not comment.strip():
        raise ValidationError({"comment": "Komentar wajib diisi saat mengembalikan target."})
    _transition(revision, user, TargetStatus.RETURNED, comment.strip())
    revision.save(update_fields=["status", "updated_at"])
    return revision


@transaction.atomic
def target_approve(*, revision: TargetRevision, user: User, comment: str = "") -> TargetRevision:
    """Approve a submitted target: it becomes the one in force; the previously approved one is superseded."""
    _lock(revision)
    _require(can_review_target(user, revision), "Target ini tidak dapat diverifikasi oleh Anda.")
    target = Target.objects.select_for_update().get(pk=revision.target_id)
    previous = target.approved_revision
    if previous is not None:
        TargetTransition.objects.create(
            revision=previous,
            from_status=previous.status,
            to_status=TargetStatus.SUPERSEDED,
            actor=user,
            comment=f"Digantikan oleh revisi {revision.number}.",
            snapshot=revision_snapshot(previous),
        )
        previous.status = TargetStatus.SUPERSEDED
        previous.save(update_fields=["status", "updated_at"])
    _transition(revision, user, TargetStatus.APPROVED, comment.strip())
    revision.approved_at = timezone.now()
    revision.save(update_fields=["status", "approved_at", "updated_at"])
    target.approved_revision = revision
    target.save(update_fields=["approved_revision"])
    return revision


# --- Import ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportRow:
    """One parsed row of a target workbook (cell errors already found by the resource's widgets)."""

    number: int  # row number in the sheet (the header is row 1)
    region_code: str
    service_code: str
    year: int | None
    data: TargetInput
    errors: tuple[tuple[str, str], ...] = ()  # (column, message)


@dataclass
class ImportResult:
    rows: list[ImportRow]
    errors: list[tuple[int, str, str]]  # (row number, column, message)
    saved: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _row_errors(user: User, row: ImportRow, regions, services, seen: set) -> list[tuple[str, str]]:
    errors = list(row.errors)
    region, service = regions.get(row.region_code), services.get(row.service_code)
    if region is None:
        errors.append(("kode_daerah", f"Kode daerah '{row.region_code}' tidak dikenal atau di luar wewenang Anda."))
    if service is None:
        errors.append(("kode_layanan", f"Kode jenis pelayanan dasar '{row.service_code}' tidak dikenal."))
    if row.year is None and not any(c == "tahun" for c, _m in errors):
        errors.append(("tahun", "Tahun wajib diisi."))
    if region is None or service is None or row.year is None:
        return errors
    key = (row.region_code, row.service_code, row.year)
    if key in seen:
        errors.append(("kode_layanan", "Baris ganda: target layanan dan tahun ini sudah ada di baris sebelumnya."))
    seen.add(key)
    if not can_edit_target(user, region, service):
        errors.append(("kode_layanan", f"Anda tidak berwenang mengisi target {service.code} di {region.name}."))
        return errors
    if service.level != region.government_level:
        errors.append(("kode_layanan", f"{service.code} bukan kewenangan {region.name}."))
    for key_, messages in validate_target_input(service, row.year, row.data).items():
        column = "harus_dilayani" if key_ == "must_serve" else key_.replace("quality-", "mutu_")
        errors.extend((column, m) for m in messages)
    submitted = TargetRevision.objects.filter(
        target__region=region, target__service=service, target__year=row.year, status=TargetStatus.SUBMITTED
    ).exists()
    if submitted:
        errors.append(("kode_layanan", "Target ini sedang diverifikasi dan tidak dapat diubah."))
    return errors


@transaction.atomic
def targets_import(*, user: User, rows: list[ImportRow], dry_run: bool) -> ImportResult:
    """Validate every row, then (unless a dry run) save all of them in one transaction; all or nothing."""
    regions = {r.code: r for r in Region.objects.visible_to(user).filter(code__in={r.region_code for r in rows})}
    services = {
        s.code: s
        for s in BasicService.objects.filter(code__in={r.service_code for r in rows}).prefetch_related(
            "quality_components"
        )
    }
    seen: set = set()
    errors = [
        (row.number, column, message)
        for row in rows
        for column, message in _row_errors(user, row, regions, services, seen)
    ]
    result = ImportResult(rows=rows, errors=errors)
    if errors or dry_run:
        return result
    for row in rows:
        target_save(
            user=user,
            region=regions[row.region_code],
            service=services[row.service_code],
            year=row.year,
            data=row.data,
        )
        result.saved += 1
    return result


# --- Official report (Laporan Penerapan SPM) ------------------------------------------------------------


def can_write_official_report(user: User, region: Region) -> bool:
    """The verifikator of the daerah (Sekretariat Tim Penerapan SPM) and admins compile the official report."""
    if user.is_admin:
        return True
    return (
        user.role == Role.REVIEWER
        and user.region_id == region.pk
        and user.has_perm("targets.change_reportedition")
        and user.has_perm("targets.add_generatedreport")
    )


def edition_get_or_create(*, region: Region, year: int, quarter: int):
    from targets.models import ReportEdition

    if quarter not in (0, 1, 2, 3, 4):
        raise ValidationError({"quarter": "Periode laporan harus tahunan atau triwulan I–IV."})
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError({"year": f"Tahun {year} tidak valid."})
    edition, _created = ReportEdition.objects.get_or_create(region=region, year=year, quarter=quarter)
    return edition


@transaction.atomic
def edition_save(
    *, user: User, region: Region, year: int, quarter: int, introduction: str, conclusion: str, signer_name: str = ""
):
    """Save the narrative of an edition (pendahuluan, kesimpulan) and the name of the kepala daerah who signs."""
    _require(can_write_official_report(user, region), "Narasi laporan resmi hanya dapat diisi verifikator daerah.")
    edition = edition_get_or_create(region=region, year=year, quarter=quarter)
    edition.introduction = introduction.strip()
    edition.conclusion = conclusion.strip()
    edition.signer_name = signer_name.strip()[:160]
    edition.updated_by = user
    edition.save()
    return edition


@transaction.atomic
def official_report_request(*, user: User, region: Region, year: int, quarter: int):
    """Ask for the xlsx and PDF files of an edition; a Celery task makes them after the commit."""
    from targets.models import GeneratedReport
    from targets.tasks import generate_official_report

    _require(can_write_official_report(user, region), "Laporan resmi hanya dapat dibuat verifikator daerah.")
    edition = edition_get_or_create(region=region, year=year, quarter=quarter)
    generated = GeneratedReport.objects.create(edition=edition, requested_by=user)
    transaction.on_commit(lambda: generate_official_report.delay(generated.pk))
    return generated


def official_report_build(*, generated) -> None:
    """Make the files of a generation (called by the Celery task). Idempotent: a finished one is left alone.

    Progress is saved as it goes (outside a transaction) so the page polling it sees each step.
    """
    from django.core.files.base import ContentFile

    from targets import official_report
    from targets.choices import GenerationStatus
    from targets.models import GeneratedReport

    if generated.status == GenerationStatus.DONE:
        return

    def progress(value: int, **fields) -> None:
        GeneratedReport.objects.filter(pk=generated.pk).update(progress=value, **fields)

    progress(5, status=GenerationStatus.RUNNING, error="")
    try:
        edition = generated.edition
        content = official_report.build(edition)
        progress(30)
        period = "tahunan" if edition.is_annual else f"tw{edition.quarter}"
        stem = f"laporan-penerapan-spm-{edition.region.code}-{edition.year}-{period}"
        generated.xlsx_file.save(f"{stem}.xlsx", ContentFile(official_report.render_xlsx(content)), save=False)
        progress(60, xlsx_file=generated.xlsx_file.name)
        generated.pdf_file.save(f"{stem}.pdf", ContentFile(official_report.render_pdf(content)), save=False)
        progress(100, pdf_file=generated.pdf_file.name, status=GenerationStatus.DONE, finished_at=timezone.now())
    except Exception as exc:
        progress(100, status=GenerationStatus.FAILED, error=f"{type(exc).__name__}: {exc}", finished_at=timezone.now())
        raise


# --- Rencana Aksi Penerapan SPM (stage 3) ----------------------------------------------------------------


def can_manage_plan(user: User, region: Region) -> bool:
    """The verifikator (Sekretariat Tim Penerapan SPM) of the daerah and admins create, approve, enact plans."""
    if user.is_admin:
        return True
    return user.role == Role.REVIEWER and user.region_id == region.pk and user.has_perm("targets.approve_actionplan")


def can_edit_plan_item(user: User, plan, service: BasicService) -> bool:
    from targets.choices import PlanStatus

    if plan.status != PlanStatus.DRAFT:
        return False
    return can_manage_plan(user, plan.region) or can_edit_target(user, plan.region, service)


def baseline(region: Region, service: BasicService, before_year: int) -> tuple[int, int | None, Decimal | None] | None:
    """The last realised year before the plan: (year, served, nilai) of the latest stored TW IV achievement."""
    from reporting.models import Achievement, AchievementLevel

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
    from targets.models import PlanTransition

    PlanTransition.objects.create(plan=plan, from_status=plan.status, to_status=to_status, actor=user, comment=comment)
    plan.status = to_status


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
    from targets.models import ActionPlan, ActionPlanItem, ActionPlanYear

    _require(can_manage_plan(user, region), "Rencana aksi hanya dapat dibuat verifikator daerah.")
    if not (MIN_YEAR <= start_year <= end_year <= start_year + 9):
        raise ValidationError({"end_year": "Rentang tahun rencana aksi tidak valid (paling lama 10 tahun)."})
    if ActionPlan.objects.filter(region=region, start_year=start_year, end_year=end_year).exists():
        raise ValidationError({"start_year": f"Rencana aksi {start_year}–{end_year} sudah ada."})
    references = references or {}
    plan = ActionPlan.objects.create(
        region=region,
        start_year=start_year,
        end_year=end_year,
        created_by=user,
        rpjmd_ref=references.get("rpjmd_ref", "")[:255],
        renstra_ref=references.get("renstra_ref", "")[:255],
        renja_ref=references.get("renja_ref", "")[:255],
    )
    from targets.selectors import plan_year_defaults

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
    "program_code": "Kode program",
    "program_name": "Program",
    "activity_code": "Kode kegiatan",
    "activity_name": "Kegiatan",
    "sub_activity_code": "Kode sub kegiatan",
    "sub_activity_name": "Sub kegiatan",
}


@transaction.atomic
def plan_item_save(*, user: User, item, data: PlanItemInput):
    """Save one service of a draft plan: nomenclature and yearly targets and costs."""
    from targets.models import ActionPlan

    plan = ActionPlan.objects.select_for_update().get(pk=item.plan_id)
    _require(can_edit_plan_item(user, plan, item.service), "Rencana aksi ini tidak dapat diubah oleh Anda.")
    errors: dict[str, list[str]] = {}
    for year, (citizens, pct, cost) in data.years.items():
        if year not in plan.years:
            errors.setdefault(f"year-{year}", []).append(f"Tahun {year} di luar rentang rencana aksi.")
        if citizens is not None and citizens < 0:
            errors.setdefault(f"citizens_{year}", []).append(f"Target warga terlayani {year} tidak boleh negatif.")
        if pct is not None and not Decimal(0) <= pct <= Decimal(100):
            errors.setdefault(f"pct_{year}", []).append(f"Target capaian {year} harus antara 0 dan 100%.")
        if cost is not None and cost < 0:
            errors.setdefault(f"cost_{year}", []).append(f"Kebutuhan biaya {year} tidak boleh negatif.")
    if errors:
        raise ValidationError(errors)
    for name, value in data.nomenclature.items():
        if name in NOMENCLATURE_FIELDS:
            setattr(item, name, (value or "").strip()[:255])
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
    from targets.choices import PlanStatus
    from targets.models import ActionPlan, ActionPlanYear

    plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    _require(
        plan.status == PlanStatus.DRAFT and can_manage_plan(user, plan.region), "Rencana aksi tidak dapat disetujui."
    )
    missing = (
        ActionPlanYear.objects.filter(item__plan=plan, target_citizens__isnull=True)
        .values_list("item__service__code", flat=True)
        .distinct()
    )
    if missing:
        raise ValidationError(f"Target warga terlayani per tahun belum lengkap untuk: {', '.join(sorted(missing))}.")
    _plan_transition(plan, user, PlanStatus.APPROVED, comment)
    plan.save(update_fields=["status"])
    return plan


@transaction.atomic
def plan_enact(*, user: User, plan, perkada_number: str, perkada_date, document):
    """Record the Perkada that sets the approved plan, with its signed PDF (the content must be a PDF)."""
    from targets.choices import PlanStatus
    from targets.models import ActionPlan

    plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    _require(
        plan.status == PlanStatus.APPROVED and can_manage_plan(user, plan.region),
        "Hanya rencana aksi yang sudah disetujui yang dapat ditetapkan.",
    )
    errors: dict[str, list[str]] = {}
    if not (perkada_number or "").strip():
        errors["perkada_number"] = ["Nomor Perkada wajib diisi."]
    if perkada_date is None:
        errors["perkada_date"] = ["Tanggal Perkada wajib diisi."]
    if document is None:
        errors["signed_document"] = ["Unggah dokumen Perkada yang sudah ditandatangani (PDF)."]
    else:
        document.seek(0)
        head = document.read(5)
        document.seek(0)
        if head != b"%PDF-" or not document.name.lower().endswith(".pdf"):
            errors["signed_document"] = ["Dokumen Perkada harus berkas PDF; isi berkas bukan PDF."]
        elif document.size > 20 * 1024 * 1024:
            errors["signed_document"] = ["Dokumen Perkada melebihi 20 MB."]
    if errors:
        raise ValidationError(errors)
    plan.perkada_number = perkada_number.strip()[:80]
    plan.perkada_date = perkada_date
    plan.signed_document.save(f"perkada-{plan.region.code}-{plan.start_year}-{plan.end_year}.pdf", document, save=False)
    _plan_transition(plan, user, PlanStatus.ENACTED, f"Perkada {plan.perkada_number}")
    plan.save()
    return plan


# --- Kebutuhan pemenuhan (stage 2) ---------------------------------------------------------------------


@dataclass
class NeedInput:
    component_code: str
    item: str
    basis: str
    quantity: Decimal
    available: int
    unit_cost: int


@transaction.atomic
def need_save(*, user: User, region: Region, service: BasicService, year: int, data: NeedInput):
    """Enter or update one need line (the OPD pengampu); the gap and cost are computed, not stored."""
    from targets.choices import NeedBasis
    from targets.models import Need

    _require(can_edit_target(user, region, service), "Kebutuhan layanan ini tidak dapat diubah oleh Anda.")
    errors: dict[str, list[str]] = {}
    component = service.quality_components.filter(code=data.component_code).first()
    if component is None:
        errors["component"] = [f"Komponen mutu '{data.component_code}' tidak ada pada {service.code}."]
    if not data.item.strip():
        errors["item"] = ["Nama barang/jasa/SDM yang dibutuhkan wajib diisi."]
    if data.basis not in NeedBasis.values:
        errors["basis"] = ["Dasar kebutuhan harus per penerima atau per daerah."]
    if data.quantity < 0:
        errors["quantity"] = ["Jumlah dibutuhkan tidak boleh negatif."]
    if data.available < 0:
        errors["available"] = ["Jumlah tersedia tidak boleh negatif."]
    if data.unit_cost < 0:
        errors["unit_cost"] = ["Harga satuan (Rp) tidak boleh negatif."]
    if errors:
        raise ValidationError(errors)
    need, _created = Need.objects.update_or_create(
        region=region,
        service=service,
        year=year,
        component=component,
        item=data.item.strip()[:200],
        defaults={
            "basis": data.basis,
            "quantity": data.quantity,
            "available": data.available,
            "unit_cost": data.unit_cost,
            "updated_by": user,
        },
    )
    return need
