"""Indonesian number formats for the review pages: "Rp 150.000.000", "1.250", "24,50 %".

Explicit rather than locale-driven: Rupiah amounts read the same whatever language the interface is in.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()

MONEY_FIELDS = ("budget_allocated", "budget_realised")


def _grouped(value: int) -> str:
    return f"{value:,}".replace(",", ".")


@register.filter
def angka(value) -> str:
    """A whole number with dots between thousands; "—" when empty."""
    if value is None or value == "":
        return "—"
    try:
        return _grouped(int(value))
    except (TypeError, ValueError):
        return str(value)


@register.filter
def rupiah(value) -> str:
    """A Rupiah amount: ``Rp 150.000.000``; "—" when empty."""
    if value is None or value == "":
        return "—"
    try:
        return f"Rp {_grouped(int(value))}"
    except (TypeError, ValueError):
        return str(value)


@register.filter
def desimal(value) -> str:
    """A number with two decimals and a decimal comma: ``1.234,50``; "—" when empty."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(value).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    whole, _, fraction = f"{abs(number):.2f}".partition(".")
    sign = "-" if number < 0 else ""
    return f"{sign}{_grouped(int(whole))},{fraction}"


@register.filter
def persen(value) -> str:
    """A percentage with a decimal comma: ``24,50 %``; "—" when it cannot be computed."""
    shown = desimal(value)
    return shown if shown == "—" or not shown[-1].isdigit() else f"{shown} %"


@register.filter
def nilai_isian(value: str, field: str) -> str:
    """A value of a report snapshot (always a string) shown as money or number when it is one."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str) and value.isdigit():
        return rupiah(value) if field in MONEY_FIELDS else angka(value)
    return value


@register.filter
def tampil(value, kind: str) -> str:
    """A figure of the comparison table by its kind: number, money, percent (text is left to the template)."""
    if kind == "money":
        return rupiah(value)
    if kind == "percent":
        return persen(value)
    if kind == "decimal":
        return desimal(value)
    if kind == "number":
        return angka(value)
    return "—" if value is None or value == "" else value


STATUS_CLASSES = {
    "not_started": "text-bg-light border",
    "draft": "text-bg-secondary",
    "submitted": "text-bg-primary",
    "returned": "text-bg-warning",
    "approved": "text-bg-success",
}


@register.filter
def status_class(status: str) -> str:
    """Bootstrap badge colours of a report status (``not_started`` included)."""
    return STATUS_CLASSES.get(status, "text-bg-light border")


@register.filter
def status_label(status: str) -> str:
    """The Indonesian name of a report status, or "Belum dimulai" for a report not yet opened."""
    from reporting.choices import ReportStatus

    if status in ReportStatus.values:
        return str(ReportStatus(status).label)
    return "Belum dimulai"


@register.filter
def anchor_section(anchor: str) -> str:
    """The section (A–F) a comment anchor belongs to, for a link to it on the page."""
    from reporting.choices import Section
    from reporting.services.reports import FIELD_SECTION

    if anchor in Section.values:
        return anchor
    if anchor in FIELD_SECTION:
        return str(FIELD_SECTION[anchor].value)
    if anchor.startswith("quality-"):
        return Section.QUALITY.value
    if anchor.startswith("stage-"):
        return Section.STAGES.value
    return ""
