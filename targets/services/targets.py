"""Targets (target capaian SPM per tahun): save a revision, submit, return, approve.

Every write runs in a transaction, checks who may do it on this very object, and records each review
transition (:class:`~targets.models.TargetTransition`). An approved revision is never edited: a change opens
a new revision, and the approved one stays in force until the new one is approved.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from reporting import anchors
from spm import access
from spm.audit import record_transition
from spm.models import BasicService, Region, User
from targets.choices import OPEN_TARGET_STATUSES, TargetStatus
from targets.models import Target, TargetQuality, TargetRevision, TargetTransition

MIN_YEAR, MAX_YEAR = 2000, 2100


def _require(allowed: bool, message: str) -> None:
    """Refuse a write the access rules (``spm.access.can``) did not allow."""
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
    return record_transition(
        revision, user=user, to_status=to_status, comment=comment, snapshot=revision_snapshot(revision)
    )


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
        errors.setdefault("year", []).append(_("Tahun %(year)s tidak valid.") % {"year": year})
    if data.must_serve is not None and data.must_serve < 0:
        errors.setdefault("must_serve", []).append(_("Jumlah yang harus dilayani tidak boleh negatif."))
    components = {c.code: c.name for c in service.quality_components.all()}
    for code, required in data.quality.items():
        if code not in components:
            errors.setdefault(anchors.quality(code), []).append(
                _("Komponen mutu '%(code)s' tidak ada pada %(service)s.")
                % {"code": code, "service": f"{service.code} {service.name}"}
            )
        elif required is not None and required < 0:
            errors.setdefault(anchors.quality(code), []).append(
                _("%(name)s: target mutu tidak boleh negatif.") % {"name": components[code]}
            )
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
    access.require(
        user, "target.edit", access.ServiceIn(region, service), _("Target layanan ini tidak dapat diubah oleh Anda.")
    )
    if service.level != region.government_level:
        raise ValidationError({"service": _("Jenis pelayanan dasar ini bukan kewenangan daerah ini.")})
    errors = validate_target_input(service, year, data)
    if errors:
        raise ValidationError(errors)
    target, _created = Target.objects.get_or_create(region=region, service=service, year=year)
    Target.objects.select_for_update().filter(pk=target.pk).values_list("pk", flat=True).first()
    revision = _open_revision(target, user)
    if revision.status == TargetStatus.SUBMITTED:
        raise ValidationError(_("Target sedang diverifikasi; tunggu sampai dikembalikan atau disetujui."))
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
        errors.append(_("Jumlah yang harus dilayani (sasaran) belum diisi."))
    for q in revision.quality.select_related("component"):
        if q.required is None:
            errors.append(_("Target mutu '%(name)s' belum diisi.") % {"name": q.component.name})
    return errors


@transaction.atomic
def target_submit(*, revision: TargetRevision, user: User) -> TargetRevision:
    """Submit a draft or returned target to the verifikator."""
    _lock(revision)
    target = revision.target
    _require(
        revision.status in (TargetStatus.DRAFT, TargetStatus.RETURNED)
        and access.can(user, "target.edit", access.ServiceIn(target.region, target.service)),
        _("Target ini tidak dapat diajukan oleh Anda."),
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
    access.require(user, "target.review", revision, _("Target ini tidak dapat diverifikasi oleh Anda."))
    if not comment or not comment.strip():
        raise ValidationError({"comment": _("Komentar wajib diisi saat mengembalikan target.")})
    _transition(revision, user, TargetStatus.RETURNED, comment.strip())
    revision.save(update_fields=["status", "updated_at"])
    return revision


@transaction.atomic
def target_approve(*, revision: TargetRevision, user: User, comment: str = "") -> TargetRevision:
    """Approve a submitted target: it becomes the one in force; the previously approved one is superseded."""
    _lock(revision)
    access.require(user, "target.review", revision, _("Target ini tidak dapat diverifikasi oleh Anda."))
    target = Target.objects.select_for_update().get(pk=revision.target_id)
    previous = target.approved_revision
    if previous is not None:
        _transition(previous, user, TargetStatus.SUPERSEDED, f"Digantikan oleh revisi {revision.number}.")
        previous.save(update_fields=["status", "updated_at"])
    _transition(revision, user, TargetStatus.APPROVED, comment.strip())
    revision.approved_at = timezone.now()
    revision.save(update_fields=["status", "approved_at", "updated_at"])
    target.approved_revision = revision
    target.save(update_fields=["approved_revision"])
    return revision
