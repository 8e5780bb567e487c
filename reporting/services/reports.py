"""The one write path of quarterly reports: open, save a draft, submit, return, approve, unlock.

Every function runs in a transaction, checks who may do it on this very object, and records the audit
trail (:class:`~reporting.models.ReportTransition` for the workflow, :class:`~reporting.models.FieldChange`
for every figure and text). Saving uses optimistic locking: the caller passes the version it loaded, and
a save based on an older version is refused with nothing overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from reporting import anchors, checks, stage_documents
from reporting.achievements import formula as achievement
from reporting.achievements.services import active_rules
from reporting.choices import (
    ImplementationStage,
    NotificationKind,
    ReportStatus,
    Section,
    StageStatus,
)
from reporting.models import (
    FieldChange,
    QualityEntry,
    QuarterlyReport,
    ReportingPeriod,
    ReportTransition,
    ReviewComment,
    StageProgress,
)
from reporting.querysets import quality_with_component
from reporting.services.notifications import notify
from reporting.services.periods import today
from spm import access
from spm.access import operators_of, reviewers_of
from spm.audit import record_transition
from spm.models import BasicService, ServiceAssignment, User
from spm.tasks_safe import enqueue_on_commit
from targets.selectors import approved_must_serve

SCALAR_FIELDS: dict[str, str] = {
    "must_serve": "Jumlah yang harus dilayani",
    "served": "Jumlah terlayani triwulan ini",
    "served_justification": "Penjelasan terlayani melebihi sasaran",
    "budget_allocated": "Alokasi anggaran (Rp)",
    "budget_realised": "Realisasi anggaran (Rp)",
    "budget_justification": "Penjelasan realisasi melebihi alokasi",
    "problems": "Permasalahan",
    "solutions": "Solusi",
    "flag_note": "Catatan atas peringatan data",
}
FIELD_SECTION = {
    "must_serve": Section.RECIPIENTS,
    "served": Section.RECIPIENTS,
    "served_justification": Section.RECIPIENTS,
    "budget_allocated": Section.BUDGET,
    "budget_realised": Section.BUDGET,
    "budget_justification": Section.BUDGET,
    "problems": Section.PROBLEMS,
    "solutions": Section.PROBLEMS,
    "flag_note": Section.RECIPIENTS,
}


class ConcurrentEditError(ValidationError):
    """Someone saved the report after this user loaded it."""


@dataclass
class ReportInput:
    """What the entry form sends: scalar fields, and per mutu component / stage their values."""

    scalars: dict[str, int | str | None] = field(default_factory=dict)
    quality: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)  # code -> (required, met)
    # code -> reason for the components marked "tidak berlaku"; None leaves the marks as stored (API, prefill),
    # a dict sets them for every code in ``quality`` (those not in it are cleared).
    not_applicable: dict[str, str] | None = None
    stages: dict[str, tuple[str, str]] = field(default_factory=dict)  # stage -> (status, note)


# --- Who may do what ----------------------------------------------------------------------------------


def lock_report(report: QuarterlyReport) -> QuarterlyReport:
    """Lock the report's row for this transaction and reload it, so decisions use the stored state."""
    QuarterlyReport.objects.select_for_update().filter(pk=report.pk).values_list("pk", flat=True).first()
    report.refresh_from_db()
    report.__dict__.pop("_prefetched_objects_cache", None)
    return report


# --- Reading the figures as plain values --------------------------------------------------------------


def served_before(report: QuarterlyReport, *, previous: QuarterlyReport | None = None) -> int:
    """Citizens served in the earlier triwulan of the same year (for the cumulative figure)."""
    return earlier_quarters(report, previous=previous)[0]


def earlier_quarters(
    report: QuarterlyReport, *, previous: QuarterlyReport | None = None
) -> tuple[int, tuple[int, ...]]:
    """Citizens served in the earlier triwulan of the same year, and those triwulan not reported (no figure).

    A missing triwulan adds nothing to the cumulative figure, and is named beside it ("TW II belum
    dilaporkan") rather than read silently as 0. Kept on the instance for the request (the report and review
    pages need it several times); with the previous triwulan's report of the same year at hand, it is that
    report's own figures plus what it served, without another query.
    """
    known = report.__dict__.get("_earlier_quarters")
    if known is not None:
        return known
    if (
        previous is not None
        and previous.period.year == report.period.year
        and previous.period.quarter == report.period.quarter - 1
    ):
        before, missing = earlier_quarters(previous)
        result = (
            before + (previous.served or 0),
            missing + ((previous.period.quarter,) if previous.served is None else ()),
        )
    else:
        served = dict(
            QuarterlyReport.objects.filter(
                region_id=report.region_id,
                service_id=report.service_id,
                period__year=report.period.year,
                period__quarter__lt=report.period.quarter,
            ).values_list("period__quarter", "served")
        )
        missing = tuple(q for q in range(1, report.period.quarter) if served.get(q) is None)
        result = (sum(value or 0 for value in served.values()), missing)
    report.__dict__["_earlier_quarters"] = result
    return result


def previous_report(report: QuarterlyReport) -> QuarterlyReport | None:
    """The same service's report of the previous triwulan (the previous year's TW IV for TW I)."""
    year, quarter = report.period.year, report.period.quarter - 1
    if quarter == 0:
        year, quarter = year - 1, 4
    return (
        QuarterlyReport.objects.with_related()
        .prefetch_related(quality_with_component(), "stages", "evidence")
        .filter(region_id=report.region_id, service_id=report.service_id, period__year=year, period__quarter=quarter)
        .first()
    )


_UNSET = object()
# Stage order and labels, looked up once: list pages read the stages of hundreds of reports per request, and
# ``get_stage_display`` rebuilds the choices mapping on every call.
_STAGE_ORDER = {stage: i for i, stage in enumerate(ImplementationStage.values)}
_STAGE_LABELS = dict(ImplementationStage.choices)


def report_values(
    report: QuarterlyReport,
    *,
    with_previous: bool = True,
    served_before_total: int | None = None,
    previous: QuarterlyReport | None | object = _UNSET,
    rules: achievement.RuleSet | None = None,
) -> checks.ReportValues:
    """The report's current figures as plain values for the pure rules in ``reporting.checks``.

    ``served_before_total`` skips the query for the earlier triwulan when the caller already knows it (list
    pages compute completeness for many reports at once and need neither that figure nor the previous index).
    ``previous`` is the previous triwulan's report when the caller has already loaded it. ``rules`` is the IP-SPM
    rule set the live index uses; left out, the active one (the one the stored index uses) is read, except
    for values read without the previous triwulan (completeness only) unless the caller passes it.
    """
    if rules is None:
        rules = active_rules()[1] if with_previous else achievement.DEFAULT_RULES
    previous_index = None
    if with_previous:
        if previous is _UNSET:
            previous = previous_report(report)
        if previous is not None and previous.period.year == report.period.year:
            previous_index = checks.current_index(report_values(previous, with_previous=False, rules=rules))
    before, missing = (
        earlier_quarters(report, previous=previous if with_previous else None)
        if served_before_total is None
        else (served_before_total, ())
    )
    return checks.ReportValues(
        must_serve=report.must_serve,
        served=report.served,
        served_before=before,
        missing_quarters=missing if rules.cumulative else (),
        served_justification=report.served_justification,
        budget_allocated=report.budget_allocated,
        budget_realised=report.budget_realised,
        budget_justification=report.budget_justification,
        problems=report.problems,
        solutions=report.solutions,
        flag_note=report.flag_note,
        quality=tuple(
            checks.QualityValue(
                e.component.code, e.component.name, e.required, e.met, e.not_applicable, e.not_applicable_reason
            )
            for e in report.quality_entries.all()
        ),
        **document_values(report),
        previous_index=previous_index,
        rules=rules,
    )


def document_values(report: QuarterlyReport) -> dict:
    """The parts of ``ReportValues`` that sections E and F read (tahapan, files and the documents each tahapan
    needs), from the report's (prefetched) stages and evidence: the matrix reads only these."""
    return {
        "stages": tuple(
            checks.StageValue(s.stage, str(_STAGE_LABELS.get(s.stage, s.stage)), s.status, s.note)
            for s in sorted(report.stages.all(), key=lambda s: _STAGE_ORDER.get(s.stage, len(_STAGE_ORDER)))
        ),
        "evidence_count": len(report.evidence.all()),
        "evidence_kinds": frozenset(e.kind for e in report.evidence.all()),
        "document_requirements": stage_documents.requirements(),
    }


def snapshot(report: QuarterlyReport) -> dict[str, dict[str, str]]:
    """Every figure and text of a report, keyed by field, with its label (for history and diffs)."""
    data: dict[str, dict[str, str]] = {}
    for name, label in SCALAR_FIELDS.items():
        value = getattr(report, name)
        data[name] = {"label": label, "value": "" if value is None else str(value)}
    for entry in report.quality_entries.all():
        code, name = entry.component.code, entry.component.name
        data[f"quality.{code}.required"] = {"label": f"{name}: harus dipenuhi", "value": _str(entry.required)}
        data[f"quality.{code}.met"] = {"label": f"{name}: terpenuhi", "value": _str(entry.met)}
        if entry.not_applicable:
            reason = entry.not_applicable_reason
            data[f"quality.{code}.not_applicable"] = {"label": f"{name}: tidak berlaku", "value": reason or "ya"}
    for stage in report.stages.all():
        label = stage.get_stage_display()
        status = StageStatus(stage.status).label if stage.status else ""
        data[f"stage.{stage.stage}.status"] = {"label": f"{label}: status", "value": str(status)}
        data[f"stage.{stage.stage}.note"] = {"label": f"{label}: keterangan", "value": stage.note}
    data["evidence"] = {
        "label": "Dokumen pendukung",
        "value": "; ".join(sorted(e.original_name for e in report.evidence.all())),
    }
    return data


def _str(value) -> str:
    return "" if value is None else str(value)


def diff(old: dict[str, dict[str, str]], new: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    """Fields whose value differs between two snapshots: [{field, label, old, new}]."""
    changes = []
    for key in dict.fromkeys([*old, *new]):
        before = old.get(key, {}).get("value", "")
        after = new.get(key, {}).get("value", "")
        if before != after:
            label = (new.get(key) or old.get(key))["label"]
            changes.append({"field": key, "label": label, "old": before, "new": after})
    return changes


def changes_since_last_review(report: QuarterlyReport) -> list[dict[str, str]] | None:
    """What the operator changed since the verifikator last returned the report (None if never returned)."""
    last_return = report.transitions.filter(to_status=ReportStatus.RETURNED).order_by("-created_at", "-id").first()
    if last_return is None:
        return None
    return diff(last_return.snapshot, snapshot(report))


# --- Writes -------------------------------------------------------------------------------------------


@transaction.atomic
def report_open(*, user: User, period: ReportingPeriod, service: BasicService) -> QuarterlyReport:
    """Get or create the report of a period and service, with one row per mutu component and stage."""
    assignment = ServiceAssignment.objects.filter(region_id=period.region_id, service=service).first()
    if assignment is None:
        raise ValidationError("Jenis pelayanan dasar ini belum memiliki OPD pengampu di daerah ini.")
    access.require(
        user,
        "report.open",
        access.ServiceIn(period.region, service),
        "Hanya operator OPD pengampu yang dapat membuat laporan ini.",
    )
    if period.is_closed and not QuarterlyReport.objects.filter(period=period, service=service).exists():
        raise ValidationError(f"Periode {period.label} sudah ditutup; laporan baru tidak dapat dibuat.")
    report, created = QuarterlyReport.objects.get_or_create(
        period=period,
        service=service,
        defaults={
            "region_id": period.region_id,
            "agency_id": assignment.agency_id,
            "must_serve": approved_must_serve(region=period.region, service=service, year=period.year),
        },
    )
    if created:
        QualityEntry.objects.bulk_create(
            QualityEntry(report=report, component=c) for c in service.quality_components.all()
        )
        StageProgress.objects.bulk_create(StageProgress(report=report, stage=s) for s in ImplementationStage.values)
    return report


def _apply_approved_target(report: QuarterlyReport, data: ReportInput) -> None:
    """One source of truth: with an approved target, "harus dilayani" is that target and cannot be typed."""
    approved = approved_must_serve(region=report.region, service=report.service, year=report.period.year)
    if approved is None:
        return
    typed = data.scalars.get("must_serve")
    if typed is not None and typed != approved:
        raise ValidationError(
            {
                "must_serve": (
                    f"Jumlah yang harus dilayani mengikuti target tahun {report.period.year} yang telah disetujui "
                    f"({approved}); perubahan dilakukan melalui menu Target dan perlu persetujuan baru."
                )
            }
        )
    if report.must_serve != approved or "must_serve" in data.scalars:
        data.scalars["must_serve"] = approved


def _lock_version(report: QuarterlyReport, expected_version: int, user: User) -> None:
    """Optimistic locking: bump the version only if nobody saved since ``expected_version`` was loaded."""
    updated = QuarterlyReport.objects.filter(pk=report.pk, version=expected_version).update(
        version=F("version") + 1, updated_by=user, updated_at=timezone.now()
    )
    if not updated:
        current = QuarterlyReport.objects.select_related("updated_by").get(pk=report.pk)
        who = (
            current.updated_by.get_full_name() or current.updated_by.username if current.updated_by else "pengguna lain"
        )
        when = timezone.localtime(current.updated_at).strftime("%d-%m-%Y %H:%M")
        raise ConcurrentEditError(
            f"Laporan ini sudah diubah oleh {who} pada {when} setelah Anda membukanya. Perubahan Anda tidak "
            "disimpan; muat ulang halaman untuk melihat isian terbaru, lalu ulangi perubahan Anda."
        )
    report.version = expected_version + 1


def _validate_input(data: ReportInput) -> None:
    errors: dict[str, list[str]] = {}
    for name, value in data.scalars.items():
        if name not in SCALAR_FIELDS:
            raise ValidationError(f"Isian tidak dikenal: {name}.")
        if isinstance(value, int) and value < 0:
            errors.setdefault(name, []).append(f"{SCALAR_FIELDS[name]} tidak boleh negatif.")
    for code, (required, met) in data.quality.items():
        if (required is not None and required < 0) or (met is not None and met < 0):
            errors.setdefault(anchors.quality(code), []).append("Angka mutu tidak boleh negatif.")
    for stage, (status, _note) in data.stages.items():
        if stage not in ImplementationStage.values or (status and status not in StageStatus.values):
            errors.setdefault(anchors.stage(stage), []).append("Tahapan atau status tidak dikenal.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def report_save(*, report: QuarterlyReport, user: User, data: ReportInput, expected_version: int) -> QuarterlyReport:
    """Save a draft (partial figures allowed); every changed value is recorded as old → new."""
    lock_report(report)
    access.require(user, "report.edit", report, "Laporan ini tidak dapat diubah oleh Anda.")
    _validate_input(data)
    _apply_approved_target(report, data)
    _lock_version(report, expected_version, user)
    before = snapshot(report)
    for name, value in data.scalars.items():
        setattr(report, name, value)
    report.save(update_fields=[*data.scalars.keys()] or ["updated_at"])
    entries = {e.component.code: e for e in report.quality_entries.select_related("component")}
    for code, (required, met) in data.quality.items():
        entry = entries.get(code)
        if entry is None:
            continue
        marks = (entry.not_applicable, entry.not_applicable_reason)
        if data.not_applicable is not None:
            marks = (code in data.not_applicable, data.not_applicable.get(code, ""))
        if (entry.required, entry.met, entry.not_applicable, entry.not_applicable_reason) != (required, met, *marks):
            entry.required, entry.met = required, met
            entry.not_applicable, entry.not_applicable_reason = marks
            entry.save(update_fields=["required", "met", "not_applicable", "not_applicable_reason"])
    stages = {s.stage: s for s in report.stages.all()}
    for stage, (status, note) in data.stages.items():
        progress = stages[stage]
        if (progress.status, progress.note) != (status, note):
            progress.status, progress.note = status, note
            progress.save(update_fields=["status", "note"])
    _record_changes(report, user, before)
    return report


def _fresh(report: QuarterlyReport) -> QuarterlyReport:
    return (
        QuarterlyReport.objects.with_related()
        .prefetch_related(quality_with_component(), "stages", "evidence")
        .get(pk=report.pk)
    )


def _record_changes(report: QuarterlyReport, user: User, before: dict) -> list[FieldChange]:
    after = snapshot(_fresh(report))
    return FieldChange.objects.bulk_create(
        FieldChange(
            report=report, field=c["field"], label=c["label"], old_value=c["old"], new_value=c["new"], actor=user
        )
        for c in diff(before, after)
    )


def _transition(report: QuarterlyReport, user: User, to_status: str, comment: str = "") -> ReportTransition:
    return record_transition(report, user=user, to_status=to_status, comment=comment, snapshot=snapshot(_fresh(report)))


@transaction.atomic
def report_submit(*, report: QuarterlyReport, user: User, expected_version: int) -> QuarterlyReport:
    """Submit a complete report to the verifikator; after the due date it is marked late."""
    lock_report(report)
    access.require(user, "report.edit", report, "Laporan ini tidak dapat diajukan oleh Anda.")
    approved = approved_must_serve(region=report.region, service=report.service, year=report.period.year)
    if approved is not None and report.must_serve != approved:
        raise ValidationError(
            {"must_serve": f"Target tahun ini telah disetujui ({approved}); simpan laporan untuk memperbaruinya."}
        )
    errors = checks.submission_errors(report_values(report))
    if errors:
        raise ValidationError(errors)
    _lock_version(report, expected_version, user)
    _transition(report, user, ReportStatus.SUBMITTED)
    report.submitted_at = timezone.now()
    report.is_late = today() > report.period.due_date
    report.save(update_fields=["status", "submitted_at", "is_late"])
    report.comments.filter(resolved_at__isnull=True).update(resolved_at=report.submitted_at)
    notify(
        reviewers_of(report.region_id),
        kind=NotificationKind.SUBMITTED,
        report=report,
        message=f"{report.agency} mengajukan laporan {report.service.name} {report.period.label}"
        + (" (terlambat)." if report.is_late else "."),
    )
    return report


@transaction.atomic
def report_save_and_submit(
    *, report: QuarterlyReport, user: User, data: ReportInput, expected_version: int
) -> QuarterlyReport:
    """ "Simpan dan ajukan" as one user action: the typed values are saved and the report submitted in one
    transaction, so a refused submission (incomplete, stale) leaves nothing half-done."""
    report = report_save(report=report, user=user, data=data, expected_version=expected_version)
    return report_submit(report=report, user=user, expected_version=report.version)


@dataclass(frozen=True)
class CommentInput:
    anchor: str  # a Section code (A–F) or a field key of SCALAR_FIELDS / quality-<code> / stage-<code>
    text: str


def anchor_label(report: QuarterlyReport, anchor: str) -> str:
    """The human name of a comment anchor: a section or a field of this report."""
    if anchor in Section.values:
        return str(Section(anchor).label)
    if anchor in SCALAR_FIELDS:
        return f"{Section(FIELD_SECTION[anchor]).label} — {SCALAR_FIELDS[anchor]}"
    kind, code = anchors.parse(anchor)
    if kind == anchors.QUALITY:
        component = report.service.quality_components.filter(code=code).first()
        if component:
            return f"{Section.QUALITY.label} — {component.name}"
    if kind == anchors.STAGE and code in ImplementationStage.values:
        return f"{Section.STAGES.label} — {ImplementationStage(code).label}"
    raise ValidationError({"anchor": f"Bagian atau isian '{anchor}' tidak dikenal."})


@transaction.atomic
def report_return(
    *, report: QuarterlyReport, user: User, comments: list[CommentInput], summary: str = ""
) -> QuarterlyReport:
    """Return a submitted report to the OPD with comments anchored to sections or fields."""
    lock_report(report)
    access.require(user, "report.review", report, "Laporan ini tidak dapat diverifikasi oleh Anda.")
    comments = [c for c in comments if c.text and c.text.strip()]
    if not comments:
        raise ValidationError({"comments": "Tuliskan minimal satu catatan untuk OPD sebelum mengembalikan laporan."})
    labels = [anchor_label(report, c.anchor) for c in comments]
    transition = _transition(report, user, ReportStatus.RETURNED, summary.strip())
    report.save(update_fields=["status"])
    ReviewComment.objects.bulk_create(
        ReviewComment(
            report=report, transition=transition, anchor=c.anchor, anchor_label=label, text=c.text.strip(), author=user
        )
        for c, label in zip(comments, labels, strict=True)
    )
    notify(
        operators_of(report.agency_id),
        kind=NotificationKind.RETURNED,
        report=report,
        message=f"Laporan {report.service.name} {report.period.label} dikembalikan dengan {len(comments)} catatan.",
    )
    return report


@transaction.atomic
def report_approve(*, report: QuarterlyReport, user: User, comment: str = "") -> QuarterlyReport:
    """Approve a submitted report; it is then locked for everyone."""
    lock_report(report)
    access.require(user, "report.review", report, "Laporan ini tidak dapat diverifikasi oleh Anda.")
    _transition(report, user, ReportStatus.APPROVED, comment.strip())
    report.approved_at = timezone.now()
    report.save(update_fields=["status", "approved_at"])
    _enqueue_recompute(report)
    notify(
        operators_of(report.agency_id),
        kind=NotificationKind.APPROVED,
        report=report,
        message=f"Laporan {report.service.name} {report.period.label} disetujui.",
    )
    return report


@transaction.atomic
def report_unlock(*, report: QuarterlyReport, user: User, reason: str) -> QuarterlyReport:
    """Unlock an approved report (admins only, with a reason, logged): it returns to the OPD as a draft."""
    lock_report(report)
    if report.status != ReportStatus.APPROVED:
        raise ValidationError("Hanya laporan yang sudah disetujui yang dapat dibuka kuncinya.")
    if not reason or not reason.strip():
        raise ValidationError({"reason": "Alasan membuka kunci wajib diisi."})
    if report.period.is_closed:
        raise ValidationError("Periode sudah ditutup; buka kembali periodenya terlebih dahulu.")
    access.require(user, "report.unlock", report, "Hanya admin sistem yang dapat membuka kunci laporan yang disetujui.")
    _transition(report, user, ReportStatus.DRAFT, reason.strip())
    report.approved_at = None
    report.save(update_fields=["status", "approved_at"])
    _enqueue_recompute(report)
    notify(
        operators_of(report.agency_id),
        kind=NotificationKind.UNLOCKED,
        report=report,
        message=f"Kunci laporan {report.service.name} {report.period.label} dibuka: {reason.strip()}",
    )
    return report


def _enqueue_recompute(report: QuarterlyReport) -> None:
    """Recompute the daerah's achievements once this transaction has committed (kept for later when the
    broker is unreachable: the decision stands either way)."""
    from reporting.tasks import recompute_achievements

    enqueue_on_commit(recompute_achievements, report.region_id, report.period.year)


@transaction.atomic
def report_prefill_from_previous(*, report: QuarterlyReport, user: User, expected_version: int) -> QuarterlyReport:
    """Copy the must-serve figure (same year), mutu targets and stage states from the previous triwulan."""
    previous = previous_report(report)
    if previous is None:
        raise ValidationError("Belum ada laporan triwulan sebelumnya untuk disalin.")
    data = ReportInput()
    if previous.period.year == report.period.year and previous.must_serve is not None:
        data.scalars["must_serve"] = previous.must_serve
    current = {e.component.code: e for e in report.quality_entries.select_related("component")}
    for entry in previous.quality_entries.all():
        if entry.component.code in current and entry.required is not None:
            data.quality[entry.component.code] = (entry.required, current[entry.component.code].met)
    for stage in previous.stages.all():
        if stage.status:
            data.stages[stage.stage] = (stage.status, stage.note)
    return report_save(report=report, user=user, data=data, expected_version=expected_version)
