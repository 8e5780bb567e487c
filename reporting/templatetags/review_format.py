"""Indonesian number formats for the review pages: "Rp 150.000.000", "1.250", "24,50 %".

Explicit rather than locale-driven: Rupiah amounts read the same whatever language the interface is in.
"""

from __future__ import annotations

from django import template

from reporting.templatetags.reporting_format import STATUS_STYLE
from reporting.templatetags.reporting_format import status_label as _status_label
from spm.templatetags.spm_format import angka, desimal, persen, rupiah, triwulan

register = template.Library()

MONEY_FIELDS = ("budget_allocated", "budget_realised")


for _name, _filter in (
    ("angka", angka),
    ("rupiah", rupiah),
    ("persen", persen),
    ("desimal", desimal),
    ("triwulan", triwulan),
):
    register.filter(_name, _filter)


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


@register.filter
def status_class(status: str) -> str:
    """Bootstrap badge colours of a report status (``not_started`` included)."""
    return STATUS_STYLE.get(status, STATUS_STYLE["not_started"])[0]


@register.filter
def status_label(status: str) -> str:
    """The Indonesian name of a report status, or "Belum dimulai" for a report not yet opened."""
    return _status_label(status) if status in STATUS_STYLE else _status_label("not_started")


@register.filter
def anchor_section(anchor: str) -> str:
    """The section (A–F) a comment anchor belongs to, for a link to it on the page."""
    from reporting import anchors

    return anchors.section_of(anchor) or ""
