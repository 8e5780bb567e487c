"""The one write path of quarterly reports: open, save a draft, submit, return, approve, unlock.

Every function runs in a transaction, checks who may do it on this very object, and records the audit
trail (:class:`~reporting.models.ReportTransition` for the workflow, :class:`~reporting.models.FieldChange`
for every figure and text). Saving uses optimistic locking: the caller passes the version it loaded, and
a save based on an older version is refused with nothing overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

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
    QualityItemEntry,
    QuarterlyReport,
    ReportingPeriod,
    ReportTransition,
    ReviewComment,
    StageProgress,
)
from reporting.querysets import item_entries_with_item, quality_with_component
from reporting.services.notifications import notify
from reporting.services.periods import today
from spm import access
from spm.access import operators_of, reviewers_of
from spm.audit import record_transition
from spm.models import BasicService, ServiceAssignment, User
from spm.services import quality_item_list_in_force
from spm.tasks_safe import enqueue_on_commit
from targets.selectors import approved_must_serve

SCALAR_FIELDS: dict[str, str] = {
    "must_serve": gettext_lazy("Jumlah yang harus dilayani"),
    "served": gettext_lazy("Jumlah terlayani triwulan ini"),
    "served_justification": gettext_lazy("Penjelasan terlayani melebihi sasaran"),
    "budget_allocated": gettext_lazy("Alokasi anggaran (Rp)"),
    "budget_realised": gettext_lazy("Realisasi anggaran (Rp)"),
    "budget_justification": gettext_lazy("Penjelasan realisasi melebihi alokasi"),
    "problems": gettext_lazy("Permasalahan"),
    "solutions": gettext_lazy("Solusi"),
    "flag_note": gettext_lazy("Catatan atas peringatan data"),
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
    # item id -> (dibutuhkan, tersedia) for a report bound to a mutu item list; the components of those
    # items are then derived (``checks.component_totals``) and whatever ``quality`` says of them is ignored.
    items: dict[int, tuple[int | None, int | None]] = field(default_factory=dict)


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
        .prefetch_related(quality_with_component(), item_entries_with_item(), "stages", "evidence")
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
    approved: int | None = None,
    data: ReportInput | None = None,
) -> checks.ReportValues:
    """The report's current figures as plain values for the pure rules in ``reporting.checks``.

    ``served_before_total`` skips the query for the earlier triwulan when the caller already knows it (list
    pages compute completeness for many reports at once and need neither that figure nor the previous index).
    ``previous`` is the previous triwulan's report when the caller has already loaded it. ``rules`` is the IP-SPM
    rule set the live index uses; left out, the active one (the one the stored index uses) is read, except
    for values read without the previous triwulan (completeness only) unless the caller passes it.
    ``approved`` is the year's approved target (the must-serve a submission must carry); ``data`` is what is on
    the entry form but not saved yet, read over the stored values (the live completeness meter).
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
    scalars = {name: getattr(report, name) for name in SCALAR_FIELDS}
    quality = {
        e.component.code: (e.component.name, e.required, e.met, e.not_applicable, e.not_applicable_reason)
        for e in report.quality_entries.all()
    }
    stages = {s.stage: (s.status, s.note) for s in report.stages.all()}
    if data is not None:
        scalars.update({k: v for k, v in data.scalars.items() if k in SCALAR_FIELDS})
        for code, (required, met) in data.quality.items():
            if code in quality:
                name, _r, _m, *marks = quality[code]
                if data.not_applicable is not None:
                    marks = [code in data.not_applicable, data.not_applicable.get(code, "")]
                quality[code] = (name, required, met, *marks)
        stages.update({k: v for k, v in data.stages.items() if k in stages})
    items = item_values(report) if (with_previous or _prefetched(report, "item_entries")) else ()
    if data is not None and data.items and items:
        # Unsaved item figures: the components they add up to are derived as the save derives them.
        items = tuple(
            replace(v, required=data.items[v.item_id][0], met=data.items[v.item_id][1])
            if v.item_id in data.items
            else v
            for v in items
        )
        for code, (required, met) in checks.component_totals(items, cap_each=rules.cap_each_component).items():
            if code in quality:
                name, _r, _m, *marks = quality[code]
                quality[code] = (name, required, met, *marks)
    return checks.ReportValues(
        must_serve=scalars["must_serve"],
        served=scalars["served"],
        served_before=before,
        missing_quarters=missing if rules.cumulative else (),
        served_justification=scalars["served_justification"] or "",
        budget_allocated=scalars["budget_allocated"],
        budget_realised=scalars["budget_realised"],
        budget_justification=scalars["budget_justification"] or "",
        problems=scalars["problems"] or "",
        solutions=scalars["solutions"] or "",
        flag_note=scalars["flag_note"] or "",
        quality=tuple(
            checks.QualityValue(code, name, required, met, not_applicable, reason or "")
            for code, (name, required, met, not_applicable, reason) in quality.items()
        ),
        items=items,
        **document_values(report, stages),
        previous_index=previous_index,
        rules=rules,
        approved_must_serve=approved,
    )


def _prefetched(report: QuarterlyReport, name: str) -> bool:
    return name in getattr(report, "_prefetched_objects_cache", {})


def item_values(report: QuarterlyReport) -> tuple[checks.ItemValue, ...]:
    """Section B item by item as plain values (empty for a report entered per component).

    List pages read completeness without the items (no query per report): the component rows they read are
    blank while any of their items is, so both readings agree."""
    if report.quality_item_list_id is None:
        return ()
    return tuple(
        checks.ItemValue(e.item_id, e.item.component.code, e.item.name, e.required, e.met)
        for e in sorted(report.item_entries.all(), key=lambda e: (e.item.component.order, e.item.order, e.item_id))
    )


def document_values(report: QuarterlyReport, stages: dict[str, tuple[str, str]] | None = None) -> dict:
    """The parts of ``ReportValues`` that sections E and F read (tahapan, files and the documents each tahapan
    needs), from the report's (prefetched) stages and evidence: the matrix reads only these. ``stages``: the
    tahapan as the entry form has them (status, note), when not saved yet."""
    if stages is None:
        stages = {s.stage: (s.status, s.note) for s in report.stages.all()}
    return {
        "stages": tuple(
            checks.StageValue(code, str(_STAGE_LABELS.get(code, code)), status or "", note or "")
            for code, (status, note) in sorted(
                stages.items(), key=lambda item: _STAGE_ORDER.get(item[0], len(_STAGE_ORDER))
            )
        ),
        "evidence_count": len(report.evidence.all()),
        "evidence_kinds": frozenset(e.kind for e in report.evidence.all()),
        "document_requirements": stage_documents.requirements(),
    }


def snapshot(report: QuarterlyReport) -> dict[str, dict[str, str]]:
    """Every figure and text of a report, keyed by field, with its label (for history and diffs). The labels
    are stored with the audit rows, so they are written in the official language whoever made the change."""
    with translation.override(settings.LANGUAGE_CODE):
        return _snapshot(report)


def _snapshot(report: QuarterlyReport) -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = {}
    for name, label in SCALAR_FIELDS.items():
        value = getattr(report, name)
        data[name] = {"label": str(label), "value": "" if value is None else str(value)}
    for entry in report.quality_entries.all():
        code, name = entry.component.code, entry.component.name
        data[f"quality.{code}.required"] = {"label": f"{name}: harus dipenuhi", "value": _str(entry.required)}
        data[f"quality.{code}.met"] = {"label": f"{name}: terpenuhi", "value": _str(entry.met)}
        if entry.not_applicable:
            reason = entry.not_applicable_reason
            data[f"quality.{code}.not_applicable"] = {"label": f"{name}: tidak berlaku", "value": reason or "ya"}
    for entry in report.item_entries.all() if report.quality_item_list_id else ():
        name = entry.item.name
        data[f"item.{entry.item_id}.required"] = {"label": f"{name}: dibutuhkan", "value": _str(entry.required)}
        data[f"item.{entry.item_id}.met"] = {"label": f"{name}: tersedia", "value": _str(entry.met)}
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
        raise ValidationError(_("Jenis pelayanan dasar ini belum memiliki OPD pengampu di daerah ini."))
    access.require(
        user,
        "report.open",
        access.ServiceIn(period.region, service),
        _("Hanya operator OPD pengampu yang dapat membuat laporan ini."),
    )
    if period.is_closed and not QuarterlyReport.objects.filter(period=period, service=service).exists():
        raise ValidationError(
            _("Periode %(period)s sudah ditutup; laporan baru tidak dapat dibuat.") % {"period": period.label}
        )
    report, created = QuarterlyReport.objects.get_or_create(
        period=period,
        service=service,
        defaults={
            "region_id": period.region_id,
            "agency_id": assignment.agency_id,
            "must_serve": approved_must_serve(region=period.region, service=service, year=period.year),
            # The report is filled against the item list in force when it is opened, and keeps it.
            "quality_item_list": quality_item_list_in_force(service=service, year=period.year),
        },
    )
    if created:
        QualityEntry.objects.bulk_create(
            QualityEntry(report=report, component=c) for c in service.quality_components.all()
        )
        if report.quality_item_list_id:
            QualityItemEntry.objects.bulk_create(
                QualityItemEntry(report=report, item=i) for i in report.quality_item_list.items.all()
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
                    _(
                        "Jumlah yang harus dilayani mengikuti target tahun %(year)s yang telah disetujui "
                        "(%(approved)s); perubahan dilakukan melalui menu Target dan perlu persetujuan baru."
                    )
                    % {"year": report.period.year, "approved": f"{approved:,}".replace(",", ".")}
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
            current.updated_by.get_full_name() or current.updated_by.username
            if current.updated_by
            else _("pengguna lain")
        )
        when = timezone.localtime(current.updated_at).strftime("%d-%m-%Y %H:%M")
        raise ConcurrentEditError(
            _(
                "Laporan ini sudah diubah oleh %(who)s pada %(when)s setelah Anda membukanya. Perubahan Anda tidak "
                "disimpan; muat ulang halaman untuk melihat isian terbaru, lalu ulangi perubahan Anda."
            )
            % {"who": who, "when": when}
        )
    report.version = expected_version + 1


def _validate_input(data: ReportInput) -> None:
    errors: dict[str, list[str]] = {}
    for name, value in data.scalars.items():
        if name not in SCALAR_FIELDS:
            raise ValidationError(_("Isian tidak dikenal: %(name)s.") % {"name": name})
        if isinstance(value, int) and value < 0:
            errors.setdefault(name, []).append(_("%(label)s tidak boleh negatif.") % {"label": SCALAR_FIELDS[name]})
    for code, (required, met) in data.quality.items():
        if (required is not None and required < 0) or (met is not None and met < 0):
            errors.setdefault(anchors.quality(code), []).append(_("Angka mutu tidak boleh negatif."))
    for item_id, (required, met) in data.items.items():
        if (required is not None and required < 0) or (met is not None and met < 0):
            errors.setdefault(anchors.item(item_id), []).append(_("Angka item mutu tidak boleh negatif."))
    for stage, (status, _note) in data.stages.items():
        if stage not in ImplementationStage.values or (status and status not in StageStatus.values):
            errors.setdefault(anchors.stage(stage), []).append(_("Tahapan atau status tidak dikenal."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def report_save(*, report: QuarterlyReport, user: User, data: ReportInput, expected_version: int) -> QuarterlyReport:
    """Save a draft (partial figures allowed); every changed value is recorded as old → new."""
    lock_report(report)
    access.require(user, "report.edit", report, _("Laporan ini tidak dapat diubah oleh Anda."))
    _validate_input(data)
    _apply_approved_target(report, data)
    _lock_version(report, expected_version, user)
    before = snapshot(report)
    for name, value in data.scalars.items():
        setattr(report, name, value)
    report.save(update_fields=[*data.scalars.keys()] or ["updated_at"])
    entries = {e.component.code: e for e in report.quality_entries.select_related("component")}
    derived = _save_items(report, data)
    for code, (required, met) in {**data.quality, **derived}.items():
        entry = entries.get(code)
        if entry is None:
            continue
        required, met = derived.get(code, (required, met))
        marks = (entry.not_applicable, entry.not_applicable_reason)
        if data.not_applicable is not None and code in data.quality:
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


def _save_items(report: QuarterlyReport, data: ReportInput) -> dict[str, tuple[int | None, int | None]]:
    """Store the typed item figures and return the component figures they add up to (one pure function,
    ``checks.component_totals``, by the active rule set's cap), which the caller stores on the components."""
    if report.quality_item_list_id is None:
        return {}
    stored = list(report.item_entries.select_related("item__component"))
    for entry in stored:
        if entry.item_id in data.items and (entry.required, entry.met) != data.items[entry.item_id]:
            entry.required, entry.met = data.items[entry.item_id]
            entry.save(update_fields=["required", "met"])
    values = [checks.ItemValue(e.item_id, e.item.component.code, e.item.name, e.required, e.met) for e in stored]
    return checks.component_totals(values, cap_each=active_rules()[1].cap_each_component)


def _fresh(report: QuarterlyReport) -> QuarterlyReport:
    return (
        QuarterlyReport.objects.with_related()
        .prefetch_related(quality_with_component(), item_entries_with_item(), "stages", "evidence")
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
    access.require(user, "report.edit", report, _("Laporan ini tidak dapat diajukan oleh Anda."))
    approved = approved_must_serve(region=report.region, service=report.service, year=report.period.year)
    # The same blockers the completeness meter shows (checks.blockers), the approved target included.
    errors = checks.submission_errors(report_values(report, approved=approved))
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
        message=lambda: (
            (
                _("%(agency)s mengajukan laporan %(service)s %(period)s (terlambat).")
                if report.is_late
                else _("%(agency)s mengajukan laporan %(service)s %(period)s.")
            )
            % {"agency": report.agency, "service": report.service.name, "period": report.period.label}
        ),
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
    raise ValidationError({"anchor": _("Bagian atau isian '%(anchor)s' tidak dikenal.") % {"anchor": anchor}})


@transaction.atomic
def report_return(
    *, report: QuarterlyReport, user: User, comments: list[CommentInput], summary: str = ""
) -> QuarterlyReport:
    """Return a submitted report to the OPD with comments anchored to sections or fields."""
    lock_report(report)
    access.require(user, "report.review", report, _("Laporan ini tidak dapat diverifikasi oleh Anda."))
    comments = [c for c in comments if c.text and c.text.strip()]
    if not comments:
        raise ValidationError({"comments": _("Tuliskan minimal satu catatan untuk OPD sebelum mengembalikan laporan.")})
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
        message=lambda: (
            ngettext(
                "Laporan %(service)s %(period)s dikembalikan dengan %(n)s catatan.",
                "Laporan %(service)s %(period)s dikembalikan dengan %(n)s catatan.",
                len(comments),
            )
            % {"service": report.service.name, "period": report.period.label, "n": len(comments)}
        ),
    )
    return report


@transaction.atomic
def report_approve(*, report: QuarterlyReport, user: User, comment: str = "") -> QuarterlyReport:
    """Approve a submitted report; it is then locked for everyone."""
    lock_report(report)
    access.require(user, "report.review", report, _("Laporan ini tidak dapat diverifikasi oleh Anda."))
    _transition(report, user, ReportStatus.APPROVED, comment.strip())
    report.approved_at = timezone.now()
    report.save(update_fields=["status", "approved_at"])
    _enqueue_recompute(report)
    notify(
        operators_of(report.agency_id),
        kind=NotificationKind.APPROVED,
        report=report,
        message=lambda: (
            _("Laporan %(service)s %(period)s disetujui.")
            % {"service": report.service.name, "period": report.period.label}
        ),
    )
    return report


@transaction.atomic
def report_unlock(*, report: QuarterlyReport, user: User, reason: str) -> QuarterlyReport:
    """Unlock an approved report (admins only, with a reason, logged): it returns to the OPD as a draft."""
    lock_report(report)
    if report.status != ReportStatus.APPROVED:
        raise ValidationError(_("Hanya laporan yang sudah disetujui yang dapat dibuka kuncinya."))
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("Alasan membuka kunci wajib diisi.")})
    if report.period.is_closed:
        raise ValidationError(_("Periode sudah ditutup; buka kembali periodenya terlebih dahulu."))
    access.require(
        user, "report.unlock", report, _("Hanya admin sistem yang dapat membuka kunci laporan yang disetujui.")
    )
    _transition(report, user, ReportStatus.DRAFT, reason.strip())
    report.approved_at = None
    report.save(update_fields=["status", "approved_at"])
    _enqueue_recompute(report)
    notify(
        operators_of(report.agency_id),
        kind=NotificationKind.UNLOCKED,
        report=report,
        message=lambda: (
            _("Kunci laporan %(service)s %(period)s dibuka: %(reason)s")
            % {"service": report.service.name, "period": report.period.label, "reason": reason.strip()}
        ),
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
        raise ValidationError(_("Belum ada laporan triwulan sebelumnya untuk disalin."))
    data = ReportInput()
    if previous.period.year == report.period.year and previous.must_serve is not None:
        data.scalars["must_serve"] = previous.must_serve
    current = {e.component.code: e for e in report.quality_entries.select_related("component")}
    for entry in previous.quality_entries.all():
        if entry.component.code in current and entry.required is not None:
            data.quality[entry.component.code] = (entry.required, current[entry.component.code].met)
    if report.quality_item_list_id and previous.quality_item_list_id:
        # Item targets carry over by component and name, across list versions.
        targets = {(e.item.component.code, e.item.name): e.required for e in previous.item_entries.all()}
        for entry in report.item_entries.select_related("item__component"):
            target = targets.get((entry.item.component.code, entry.item.name))
            if target is not None:
                data.items[entry.item_id] = (target, entry.met)
    for stage in previous.stages.all():
        if stage.status:
            data.stages[stage.stage] = (stage.status, stage.note)
    return report_save(report=report, user=user, data=data, expected_version=expected_version)
