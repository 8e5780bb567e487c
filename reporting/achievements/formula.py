"""Indeks Pencapaian SPM (IP-SPM): the pure achievement engine.

Implements the IP-SPM reported every three months through the application under Permendagri 59/2021
tentang Penerapan Standar Pelayanan Minimal, Pasal 24 ayat (1), with the rules of ``domain/formula.md``.
Plain functions over plain values: no ORM, no Django, ``Decimal`` only (never float).

Per jenis pelayanan dasar (``BasicService``), per daerah, for a period::

    %penerima = jumlah terlayani / jumlah yang harus dilayani × 100     (capped at 100)
    %mutu     = Σ mutu terpenuhi / Σ mutu yang harus dipenuhi × 100     (capped at 100; or mean of components)
    nilai     = 0,8 × %penerima + 0,2 × %mutu

A triwulan counts citizens served from January to its end (cumulative); TW IV is the annual value. The
IP-SPM of an urusan is the mean of its services that have a sasaran; of a daerah, the mean of its urusan (or
of all services). Every configurable value lives in ``RuleSet``; every result names the rule-set version.

Precision: 28 significant digits are kept (store them, average them); round only with ``display``. The
status band is read from the value rounded to 2 decimals with ROUND_HALF_UP, so the status always agrees
with the number shown: 89,995 shows as 90,00 and is "Tuntas Utama"; 99,995 shows as 100,00 and is
"Tuntas Paripurna". With the cap off, values above 100 are "Tuntas Paripurna" too.

Interpretation decisions where formula.md is silent:

- No sasaran (jumlah yang harus dilayani = 0): no nilai and no status ("tidak ada sasaran"); left out of every
  mean, never counted as 0 or 100, whatever the mutu.
- A sasaran but no mutu required (Σ mutu yang harus dipenuhi = 0): by default (``quality_undefined =
  "recipients_only"``) nilai = %penerima, i.e. the weights renormalised over the defined part. The option
  ``"exclude_service"`` leaves such a service without nilai, like one without sasaran.
- Sum aggregation caps the summed %mutu, as the formula is written (a component met above its requirement
  can offset another); the mean aggregation caps each component's percentage.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, InvalidOperation
from functools import reduce
from typing import Any, NamedTuple

HUNDRED = Decimal(100)
_CENT = Decimal("0.01")
_HALF_CENT = Decimal("0.005")
_CTX = Context(prec=28, rounding=ROUND_HALF_EVEN)  # fixed: a caller's decimal context cannot change results
_WIDE = Context(prec=200)  # sums stay exact, so the mean of equal values is that value
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_ID_SEPARATORS = str.maketrans({",": ".", ".": ","})

# Options of RuleSet fields that take one of several readings (first = formula.md default).
CHOICES: dict[str, tuple[str, ...]] = {
    "quality_aggregation": ("sum", "mean"),
    "quality_undefined": ("recipients_only", "exclude_service"),
    "affair_rollup": ("mean_with_target",),
    "region_rollup": ("mean_of_affairs", "mean_of_services"),
}

Number = int | Decimal


def _round2(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP, context=_WIDE)


class Band(NamedTuple):
    """A status band (``AchievementStatus``): a rounded value >= ``lower`` (inclusive) gets ``code``."""

    lower: Decimal
    code: str
    label: str


DEFAULT_BANDS: tuple[Band, ...] = (
    Band(Decimal(100), "tuntas_paripurna", "Tuntas Paripurna"),
    Band(Decimal(90), "tuntas_utama", "Tuntas Utama"),
    Band(Decimal(80), "tuntas_madya", "Tuntas Madya"),
    Band(Decimal(70), "tuntas_pratama", "Tuntas Pratama"),
    Band(Decimal(60), "tuntas_muda", "Tuntas Muda"),
    Band(Decimal(0), "belum_tuntas", "Belum Tuntas"),
)


@dataclass(frozen=True)
class RuleSet:
    """Every configurable value of the IP-SPM formula (aturan penghitungan), versioned.

    Defaults are those of formula.md. Construction validates and raises ``ValueError`` in Bahasa Indonesia.
    """

    version: str = "2021.1"
    label: str = "Aturan bawaan Permendagri 59/2021"
    weight_recipients: Decimal = Decimal("0.8")
    weight_quality: Decimal = Decimal("0.2")
    cap_at_100: bool = True
    cumulative: bool = True
    quality_aggregation: str = "sum"
    quality_undefined: str = "recipients_only"
    affair_rollup: str = "mean_with_target"
    region_rollup: str = "mean_of_affairs"
    bands: tuple[Band, ...] = DEFAULT_BANDS

    def __post_init__(self) -> None:
        if not all(isinstance(text, str) and text.strip() for text in (self.version, self.label)):
            raise ValueError("Aturan: versi dan nama aturan wajib diisi.")
        if not all(isinstance(flag, bool) for flag in (self.cap_at_100, self.cumulative)):
            raise ValueError("Aturan: 'cap_at_100' dan 'cumulative' harus bernilai benar atau salah.")
        weights = (self.weight_recipients, self.weight_quality)
        if not all(isinstance(w, Decimal) and w.is_finite() and 0 <= w <= 1 for w in weights):
            raise ValueError("Aturan: bobot %penerima dan bobot %mutu harus Decimal antara 0 dan 1.")
        if (total := _WIDE.add(*weights)) != 1:
            raise ValueError(f"Aturan: bobot %penerima dan bobot %mutu harus berjumlah 1, bukan {total}.")
        for name, allowed in CHOICES.items():
            if (value := getattr(self, name)) not in allowed:
                options = ", ".join(allowed)
                raise ValueError(f"Aturan: pilihan '{name}' tidak dikenal: {value!r} (pilihan: {options}).")
        object.__setattr__(self, "bands", _checked_bands(self.bands))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (Decimals as strings), e.g. for a JSONField."""
        data: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        data["weight_recipients"] = str(self.weight_recipients)
        data["weight_quality"] = str(self.weight_quality)
        data["bands"] = [[str(b.lower), b.code, b.label] for b in self.bands]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RuleSet:
        """Rebuild from ``to_dict`` output; missing keys take the defaults, unknown keys are refused."""
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"Aturan: kunci tidak dikenal: {', '.join(sorted(unknown))}.")
        values = dict(data)
        for name in ("weight_recipients", "weight_quality"):
            if name in values:
                values[name] = _parse_decimal(values[name], f"bobot '{name}'")
        if "bands" in values:
            rows = []
            for row in values["bands"]:
                if isinstance(row, str | bytes) or len(row) != 3:
                    raise ValueError("Aturan: setiap pita status harus berisi [batas bawah, kode, label].")
                rows.append(Band(_parse_decimal(row[0], "batas bawah pita status"), row[1], row[2]))
            values["bands"] = tuple(rows)
        return cls(**values)


def _parse_decimal(value: Any, what: str) -> Decimal:
    if isinstance(value, bool | float) or not isinstance(value, str | int | Decimal):
        raise ValueError(f'Aturan: {what} harus ditulis sebagai teks angka (misalnya "0.8"): {value!r}.')
    try:
        return Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"Aturan: {what} bukan angka: {value!r}.") from exc


def _checked_bands(bands: Iterable[Sequence[Any]]) -> tuple[Band, ...]:
    try:
        rows = tuple(Band(*row) for row in bands)
    except TypeError as exc:
        raise ValueError("Aturan: setiap pita status harus berisi (batas bawah, kode, label).") from exc
    for row in rows:
        lower = row.lower
        if not (isinstance(lower, Decimal) and lower.is_finite() and lower >= 0 and lower == _round2(lower)):
            raise ValueError(f"Aturan: batas bawah pita status harus Decimal >= 0, 2 desimal: {lower!r}.")
        if not (isinstance(row.code, str) and row.code and isinstance(row.label, str) and row.label):
            raise ValueError("Aturan: kode dan label pita status wajib diisi.")
    if len({row.code for row in rows}) != len(rows):
        raise ValueError("Aturan: kode pita status tidak boleh berulang.")
    if any(high.lower <= low.lower for high, low in zip(rows, rows[1:], strict=False)):
        raise ValueError("Aturan: pita status harus berurutan menurun menurut batas bawahnya.")
    if not rows or rows[-1].lower != 0:
        raise ValueError("Aturan: pita status tidak boleh kosong dan yang terakhir harus berbatas bawah 0.")
    return rows


DEFAULT_RULES = RuleSet()


def _count(value: Number, what: str) -> Decimal:
    """A non-negative count (int or Decimal) as Decimal; floats are refused."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TypeError(f"{what} harus bilangan bulat atau Decimal, bukan {type(value).__name__}.")
    number = Decimal(value)
    if not number.is_finite() or number < 0:
        raise ValueError(f"{what} tidak boleh negatif atau tak hingga: {value}.")
    return number


def _sum(values: Iterable[Decimal]) -> Decimal:
    return reduce(_WIDE.add, values, Decimal(0))


def _mean(values: Sequence[Decimal]) -> Decimal | None:
    return _CTX.divide(_sum(values), Decimal(len(values))) if values else None


def _pct(part: Decimal, whole: Decimal) -> Decimal:
    return _CTX.divide(_CTX.multiply(part, HUNDRED), whole)


def _cap(pct: Decimal, rules: RuleSet) -> Decimal:
    return min(pct, HUNDRED) if rules.cap_at_100 else pct


def recipient_percentage(served: Number, must_serve: Number, rules: RuleSet = DEFAULT_RULES) -> Decimal | None:
    """%penerima = served / must_serve × 100 (capped per rules); None = tidak ada sasaran (must_serve 0)."""
    served_d = _count(served, "Jumlah terlayani")
    must_d = _count(must_serve, "Jumlah yang harus dilayani")
    return None if must_d == 0 else _cap(_pct(served_d, must_d), rules)


def quality_percentage(components: Iterable[tuple[Number, Number]], rules: RuleSet = DEFAULT_RULES) -> Decimal | None:
    """%mutu over (required, met) pairs of mutu components; None when nothing is required.

    ``sum``: Σ met / Σ required × 100, then capped. ``mean``: mean of each component's capped percentage,
    components with nothing required left out.
    """
    pairs = [(_count(req, "Mutu yang harus dipenuhi"), _count(met, "Mutu terpenuhi")) for req, met in components]
    if rules.quality_aggregation == "mean":
        return _mean([_cap(_pct(met, req), rules) for req, met in pairs if req > 0])
    required = _sum(req for req, _ in pairs)
    return None if required == 0 else _cap(_pct(_sum(met for _, met in pairs), required), rules)


def cumulative_served(per_quarter: Sequence[int], quarter: int, rules: RuleSet = DEFAULT_RULES) -> int:
    """Citizens served counted for triwulan ``quarter`` (1-4): year to date if cumulative, else its own."""
    if isinstance(quarter, bool) or not isinstance(quarter, int) or not 1 <= quarter <= 4:
        raise ValueError(f"Triwulan harus 1 sampai 4, bukan {quarter!r}.")
    if len(per_quarter) < quarter:
        raise ValueError(f"Jumlah terlayani TW {_ROMAN[quarter]} belum diisi.")
    for value in per_quarter:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"Jumlah terlayani per triwulan harus bilangan bulat, bukan {value!r}.")
        _count(value, "Jumlah terlayani per triwulan")
    return sum(per_quarter[:quarter]) if rules.cumulative else per_quarter[quarter - 1]


def _combine(recipient_pct: Decimal | None, quality_pct: Decimal | None, rules: RuleSet) -> Decimal | None:
    """nilai from the two parts; see the module docstring for an undefined part."""
    if recipient_pct is None:
        return None
    if quality_pct is None:
        return recipient_pct if rules.quality_undefined == "recipients_only" else None
    recipient_part = _CTX.multiply(rules.weight_recipients, recipient_pct)
    return _CTX.add(recipient_part, _CTX.multiply(rules.weight_quality, quality_pct))


@dataclass(frozen=True)
class ServiceResult:
    """Capaian of one jenis pelayanan dasar in one daerah for one period, with its inputs and rule set.

    ``index`` is the full-precision nilai (None: not counted in any mean); ``status`` a band code or None.
    """

    recipient_pct: Decimal | None
    quality_pct: Decimal | None
    index: Decimal | None
    status: str | None
    has_target: bool
    inputs: dict[str, Any]
    rules: RuleSet = field(repr=False)

    @property
    def rules_version(self) -> str:
        """Version of the rule set that produced this result."""
        return self.rules.version

    @property
    def status_label(self) -> str:
        """Status as shown to users."""
        if not self.has_target:
            return "Tidak ada sasaran"
        return status_label(self.status, self.rules) or "Tidak dinilai (tidak ada mutu yang harus dipenuhi)"


def _json(value: Number) -> int | str:
    return value if isinstance(value, int) else str(value)


def _result(
    served: Number,
    must_serve: Number,
    quality: Iterable[tuple[Number, Number]],
    rules: RuleSet,
    extra: dict[str, Any],
) -> ServiceResult:
    pairs = [(req, met) for req, met in quality]
    recipient_pct = recipient_percentage(served, must_serve, rules)
    quality_pct = quality_percentage(pairs, rules)
    index = _combine(recipient_pct, quality_pct, rules)
    quality_json = [[_json(req), _json(met)] for req, met in pairs]
    inputs = {**extra, "served": _json(served), "must_serve": _json(must_serve), "quality": quality_json}
    has_target = recipient_pct is not None
    status = status_for(index, rules)
    return ServiceResult(recipient_pct, quality_pct, index, status, has_target, inputs, rules)


def service_index(
    served: Number,
    must_serve: Number,
    quality: Iterable[tuple[Number, Number]] = (),
    rules: RuleSet = DEFAULT_RULES,
) -> ServiceResult:
    """IP-SPM of one service from the served count of the period and its mutu (required, met) pairs."""
    return _result(served, must_serve, quality, rules, {})


def quarter_service_index(
    per_quarter: Sequence[int],
    quarter: int,
    must_serve: Number,
    quality: Iterable[tuple[Number, Number]] = (),
    rules: RuleSet = DEFAULT_RULES,
) -> ServiceResult:
    """``service_index`` for triwulan ``quarter`` from each quarter's served count (``cumulative_served``)."""
    served = cumulative_served(per_quarter, quarter, rules)
    extra = {"quarter": quarter, "per_quarter": list(per_quarter[:quarter]), "cumulative": rules.cumulative}
    return _result(served, must_serve, quality, rules, extra)


def display(value: Number | None) -> Decimal | None:
    """Round to 2 decimals, ROUND_HALF_UP, for display and for the status test; None stays None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TypeError(f"Nilai harus Decimal, bukan {type(value).__name__}.")
    return _round2(Decimal(value))


def _band_for(value: Number | None, rules: RuleSet) -> Band | None:
    shown = display(value)
    if shown is None:
        return None
    return next((band for band in rules.bands if shown >= band.lower), rules.bands[-1])


def status_for(value: Number | None, rules: RuleSet = DEFAULT_RULES) -> str | None:
    """Status code of the band containing ``display(value)``; None for no value."""
    band = _band_for(value, rules)
    return band.code if band else None


def status_label(code: str | None, rules: RuleSet = DEFAULT_RULES) -> str | None:
    """Label (e.g. "Tuntas Utama") of a status code; None for None or an unknown code."""
    return next((band.label for band in rules.bands if band.code == code), None)


Indexed = Decimal | ServiceResult | None


def _index_of(item: Indexed) -> Decimal | None:
    return item.index if isinstance(item, ServiceResult) else item


def affair_index(service_indices: Iterable[Indexed], rules: RuleSet = DEFAULT_RULES) -> Decimal | None:
    """IP-SPM of an urusan: mean nilai of its services that have one (None ignored); None if none has."""
    # "mean_with_target" is the only affair_rollup; RuleSet validation guarantees it.
    return _mean([value for value in map(_index_of, service_indices) if value is not None])


def region_index(services_by_affair: Iterable[Iterable[Indexed]], rules: RuleSet = DEFAULT_RULES) -> Decimal | None:
    """IP-SPM of a daerah from its services' nilai grouped per urusan.

    ``mean_of_affairs``: mean of the urusan values (urusan without any value left out);
    ``mean_of_services``: mean over all services with a value. Callers pass the same shape for both.
    """
    groups = [list(group) for group in services_by_affair]
    if rules.region_rollup == "mean_of_services":
        return affair_index((item for group in groups for item in group), rules)
    affairs = [affair_index(group, rules) for group in groups]
    return _mean([value for value in affairs if value is not None])


class NextBand(NamedTuple):
    """The next status band up and the additional citizens to serve (None: serving more cannot reach it)."""

    label: str
    additional: int | None


def served_needed_for_next_band(
    served: int, must_serve: int, quality_pct: Decimal | None, rules: RuleSet = DEFAULT_RULES
) -> NextBand | None:
    """What would move the status: the fewest more citizens served (same %mutu) to reach the next band.

    ``additional`` counts citizens beyond ``served`` (year to date when cumulative); with a small sasaran they
    may lift the status past the next band. None when there is no nilai or the status is already the top
    band; ``additional`` is None when serving alone cannot reach the band (capped, mutu too low).
    """
    current = _combine(recipient_percentage(served, must_serve, rules), quality_pct, rules)
    band = _band_for(current, rules)
    if band is None or band == rules.bands[0]:
        return None
    target = rules.bands[rules.bands.index(band) - 1]

    def reaches(more: int) -> bool:
        value = _combine(recipient_percentage(served + more, must_serve, rules), quality_pct, rules)
        return value is not None and display(value) >= target.lower

    weight, rest = Decimal(1), Decimal(0)
    if quality_pct is not None:
        weight, rest = rules.weight_recipients, _CTX.multiply(rules.weight_quality, quality_pct)
    if weight == 0:
        return NextBand(target.label, None)
    needed_pct = _CTX.divide(_CTX.subtract(_CTX.subtract(target.lower, _HALF_CENT), rest), weight)
    if rules.cap_at_100 and needed_pct > HUNDRED:
        return NextBand(target.label, None)
    more = max(1, math.ceil(_CTX.divide(_CTX.multiply(needed_pct, Decimal(must_serve)), HUNDRED)) - served)
    while more > 1 and reaches(more - 1):  # guard the closed form against rounding at the edge
        more -= 1
    while not reaches(more):
        if rules.cap_at_100 and served + more > must_serve:
            return NextBand(target.label, None)
        more += 1
    return NextBand(target.label, more)


def _fmt(value: Number | str) -> str:
    """Indonesian number format: 1.000 and 98,00."""
    return f"{Decimal(value):,f}".translate(_ID_SEPARATORS)


def _fmt2(value: Decimal) -> str:
    return _fmt(_round2(value))


def _pct_line(name: str, part: Decimal, whole: Decimal, capped: Decimal) -> str:
    raw = _pct(part, whole)
    line = f"{name} = {_fmt(part)} / {_fmt(whole)} × 100 = {_fmt2(raw)}"
    return line if raw == capped else f"{line}, dibatasi menjadi {_fmt2(capped)}"


def explain(result: ServiceResult) -> list[str]:
    """The formula with the actual numbers, one line per step, in Bahasa Indonesia."""
    rules, inputs, lines = result.rules, result.inputs, []
    if "quarter" in inputs:
        tw, served = _ROMAN[inputs["quarter"]], _fmt(inputs["served"])
        if inputs["cumulative"] and inputs["quarter"] > 1:
            summed = " + ".join(_fmt(part) for part in inputs["per_quarter"])
            lines.append(f"jumlah terlayani s.d. TW {tw} (kumulatif) = {summed} = {served}")
        else:
            lines.append(f"jumlah terlayani TW {tw} = {served}")
    not_counted = "nilai tidak dihitung; layanan ini tidak masuk rata-rata urusan dan daerah"
    if result.recipient_pct is None:
        no_target = "%penerima tidak dihitung: jumlah yang harus dilayani = 0 (tidak ada sasaran)"
        return [*lines, no_target, not_counted]
    served_d, must_d = Decimal(inputs["served"]), Decimal(inputs["must_serve"])
    lines.append(_pct_line("%penerima", served_d, must_d, result.recipient_pct))
    pairs = [(Decimal(req), Decimal(met)) for req, met in inputs["quality"]]
    if result.quality_pct is None:
        lines.append("%mutu tidak dihitung: tidak ada mutu yang harus dipenuhi")
    elif rules.quality_aggregation == "mean":
        each = "; ".join(_fmt2(_cap(_pct(met, req), rules)) for req, met in pairs if req > 0)
        lines.append(f"%mutu = rata-rata %mutu per komponen ({each}) = {_fmt2(result.quality_pct)}")
    else:
        met, required = _sum(m for _, m in pairs), _sum(r for r, _ in pairs)
        lines.append(_pct_line("%mutu", met, required, result.quality_pct))
    if result.index is None:
        return [*lines, not_counted]
    index = _fmt2(result.index)
    if result.quality_pct is None:
        lines.append(f"nilai = %penerima = {index} (bobot mutu tidak dipakai)")
    else:
        parts = [(rules.weight_recipients, result.recipient_pct), (rules.weight_quality, result.quality_pct)]
        terms = " + ".join(f"{_fmt(weight.normalize(_CTX))} × {_fmt2(pct)}" for weight, pct in parts)
        lines.append(f"nilai = {terms} = {index}")
    band = _band_for(result.index, rules) or rules.bands[-1]
    if band == rules.bands[-1] and len(rules.bands) > 1:
        return [*lines, f"status = {band.label} ({index} < {_fmt(rules.bands[-2].lower)})"]
    return [*lines, f"status = {band.label} ({index} ≥ {_fmt(band.lower)})"]
