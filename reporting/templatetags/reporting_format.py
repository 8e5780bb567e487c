"""Template helpers of the reporting pages: Rupiah and numbers with Indonesian separators, status badges."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from reporting.choices import ReportStatus
from spm.templatetags.spm_format import angka, desimal, persen, rupiah, triwulan

register = template.Library()

NOT_STARTED = "not_started"
STATUS_STYLE = {
    NOT_STARTED: ("text-bg-light border", "bi-circle"),
    ReportStatus.DRAFT: ("text-bg-secondary", "bi-pencil"),
    ReportStatus.SUBMITTED: ("text-bg-primary", "bi-send"),
    ReportStatus.RETURNED: ("text-bg-warning", "bi-arrow-return-left"),
    ReportStatus.APPROVED: ("text-bg-success", "bi-lock"),
}


def status_label(status: str) -> str:
    if status == NOT_STARTED:
        return _("Belum dimulai")
    return str(ReportStatus(status).label)


# Number formats live in one place (spm_format); registered here too so report templates load one library.
for _name, _filter in (
    ("angka", angka),
    ("rupiah", rupiah),
    ("persen", persen),
    ("desimal", desimal),
    ("triwulan", triwulan),
):
    register.filter(_name, _filter)


@register.filter
def get_item(mapping, key):
    """``mapping|get_item:key`` (an empty list when absent)."""
    if not mapping:
        return []
    return mapping.get(key, [])


@register.filter
def filesize(value) -> str:
    """Bytes as "12,3 KB" / "1,2 MB"."""
    size = int(value or 0)
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB".replace(".", ",")
    return f"{size / 1048576:.1f} MB".replace(".", ",")


@register.simple_tag
def status_badge(status: str, testid: str = "status-laporan") -> str:
    """The status of a report (or "Belum dimulai") as a coloured badge."""
    css, icon = STATUS_STYLE.get(status, ("text-bg-secondary", "bi-question"))
    return format_html(
        '<span class="badge {} status-badge" data-testid="{}" data-status="{}"><i class="bi {}"></i> {}</span>',
        css,
        testid,
        status,
        icon,
        status_label(status),
    )


@register.simple_tag
def days_left_badge(days: int) -> str:
    """Days left to the due date: "12 hari lagi", "hari ini", or "terlambat 3 hari"."""
    if days > 7:
        return format_html('<span class="badge text-bg-light border">{}</span>', _("%(n)d hari lagi") % {"n": days})
    if days > 0:
        return format_html('<span class="badge text-bg-warning">{}</span>', _("%(n)d hari lagi") % {"n": days})
    if days == 0:
        return format_html('<span class="badge text-bg-warning">{}</span>', _("batas waktu hari ini"))
    return format_html('<span class="badge text-bg-danger">{}</span>', _("lewat %(n)d hari") % {"n": -days})


@register.filter
def nilai_riwayat(value: str) -> str:
    """A value in the history: whole numbers get thousands separators ("150000000" → "150.000.000")."""
    text = str(value)
    return angka(int(text)) if text.isdigit() and len(text) > 3 else text


def _part(change, name: str) -> str:
    return change.get(name, "") if isinstance(change, dict) else getattr(change, name, "")


@register.filter
def label_isian(change) -> str:
    """The name of a changed input in the history, in the reader's language. The audit row keeps the label
    it was written with (Bahasa Indonesia); the field key tells which input it was, so the name is given again."""
    from reporting.choices import ImplementationStage
    from reporting.services.reports import SCALAR_FIELDS

    field, stored = _part(change, "field"), _part(change, "label")
    if field in SCALAR_FIELDS:
        return str(SCALAR_FIELDS[field])
    if field == "evidence":
        return _("Dokumen pendukung")
    kind, _dot, rest = field.partition(".")
    code, _dot, part = rest.rpartition(".")
    if kind == "quality":
        name = stored.rsplit(": ", 1)[0]
        labels = {
            "required": _("%(name)s: harus dipenuhi"),
            "met": _("%(name)s: terpenuhi"),
            "not_applicable": _("%(name)s: tidak berlaku"),
        }
        return labels[part] % {"name": name} if part in labels else stored
    if kind == "stage" and code in ImplementationStage.values:
        stage = ImplementationStage(code).label
        return (_("%(stage)s: status") if part == "status" else _("%(stage)s: keterangan")) % {"stage": stage}
    return stored


@register.filter
def nilai_tahapan(value, field: str) -> str:
    """A stored value written in Bahasa Indonesia in the audit row, in the reader's language: a tahapan status,
    or the jenis dokumen of an uploaded file ("sk.pdf (SK Tim Penerapan SPM)")."""
    from django.utils import translation

    from reporting.choices import EvidenceKind, StageStatus

    if not isinstance(field, str) or not value:
        return value
    if field == "evidence" and str(value).endswith(")"):
        with translation.override("id"):
            kinds = {str(label): code for code, label in EvidenceKind.choices}
        name, _sep, label = str(value)[:-1].rpartition(" (")
        return f"{name} ({EvidenceKind(kinds[label]).label})" if name and label in kinds else value
    if not (field.startswith("stage.") and field.endswith(".status")):
        return value
    with translation.override("id"):
        codes = {str(label): code for code, label in StageStatus.choices}
    return str(StageStatus(codes[value]).label) if value in codes else value
