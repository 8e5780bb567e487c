"""Indonesian number formats for templates: Rp 150.000.000, 97,33 %, and the status badge colour."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()

STATUS_COLOURS = {
    "tuntas_paripurna": "success",
    "tuntas_utama": "primary",
    "tuntas_madya": "info",
    "tuntas_pratama": "warning",
    "tuntas_muda": "orange",
    "belum_tuntas": "danger",
}


@register.filter
def ribuan(value) -> str:
    """1500000 → 1.500.000"""
    if value is None or value == "":
        return "—"
    try:
        return f"{int(value):,}".replace(",", ".")
    except (TypeError, ValueError):
        return str(value)


@register.filter
def rupiah(value) -> str:
    return "—" if value is None or value == "" else f"Rp {ribuan(value)}"


@register.filter
def desimal(value, places: int = 2) -> str:
    """97.328571 → 97,33 (half up, as the status band test); below 100 never 100: 99.995 → 99,99."""
    if value is None or value == "":
        return "—"
    try:
        exact = Decimal(str(value))
        step = Decimal(10) ** -int(places)
        number = exact.quantize(step, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(value)
    if number >= 100 > exact:  # 100 means every citizen served to standard: never shown for less
        number = Decimal(100) - step
    whole, _, frac = f"{number:f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = f"{int(whole.lstrip('-')):,}".replace(",", ".")
    return f"{sign}{whole},{frac}" if frac else f"{sign}{whole}"


@register.filter
def persen(value) -> str:
    """24.5 → 24,50 %"""
    shown = desimal(value)
    return shown if shown == "—" else f"{shown} %"


ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@register.filter
def triwulan(quarter, year=None) -> str:
    """The one way a period is written: 4 → "TW IV"; with the year (``q|triwulan:year``) "TW IV 2026"."""
    try:
        label = f"TW {ROMAN[int(quarter)]}"
    except (KeyError, TypeError, ValueError):
        return str(quarter)
    return f"{label} {year}" if year not in (None, "") else label


# The same thousands format under the name the report pages use.
angka = register.filter("angka", ribuan)


@register.filter
def status_colour(code: str) -> str:
    return STATUS_COLOURS.get(code or "", "secondary")
