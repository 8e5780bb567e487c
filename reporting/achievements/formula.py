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
with the number shown: 89,995 shows as 90,00 and is "Tuntas Utama". The top band (Tuntas Paripurna, 100 %
served to standard as the seeds Lamongan and Tapin read it) is reached only by the unrounded value, and
``display`` never shows 100,00 for a value below 100: 99,995 shows as 99,99 and is "Tuntas Utama". With the
cap off, values above 100 are "Tuntas Paripurna" too.

Interpretation decisions where formula.md is silent:

- No sasaran (jumlah yang harus dilayani = 0): no nilai and no status ("tidak ada sasaran"); left out of every
  mean, never counted as 0 or 100, whatever the mutu.
- Mutu declared (``quality_declaration``). ``"strict"`` (default): when there is a sasaran, every mutu
  component must have a requirement > 0 or be marked *tidak berlaku* (with a reason the verifikator reads).
  A component left at 0 is *mutu belum dinyatakan* and scores 0: with the sum aggregation it makes %mutu 0,
  with the mean it counts as a component at 0 %. Declaring nothing therefore never scores better than
  declaring honestly and meeting nothing. ``"lenient"`` is the formula as first read (version 2021.1):
  a component with nothing required drops out, and with Σ required = 0 the weights are renormalised. In
  both readings a service with undeclared mutu is never in the top band.
- *Tidak berlaku* components (``quality_not_applicable``): ``"exclude"`` leaves them out of %mutu;
  ``"as_undeclared"`` treats them as undeclared.
- A sasaran but no mutu required because the catalogue lists no component, or every component is *tidak
  berlaku* (Σ mutu yang harus dipenuhi = 0): by default (``quality_undefined = "recipients_only"``) nilai =
  %penerima, i.e. the weights renormalised over the defined part. The option ``"exclude_service"`` leaves
  such a service without nilai, like one without sasaran.
- ``cap_each_component`` (default on): a component met above its requirement counts as met at its
  requirement before the sum, so 12 of 10 cannot offset another component's shortfall (submission refuses
  it anyway; the draft's live figure follows the same rule). Off, the sum is capped only as a whole, as
  formula.md is written. The mean aggregation caps each component's percentage.
- A triwulan without an (approved) report in a cumulative figure counts 0 citizens but is named: the result
  records ``missing_quarters`` and ``explain`` says "TW II belum dilaporkan"; it is never silently 0.
- A jenis pelayanan dasar without an approved report (``None`` in a roll-up; not the same as "tidak ada
  sasaran"): ``missing_service = "exclude"`` (default, formula.md: the mean of the services that have a
  value) leaves it out; ``"zero"`` counts it as 0, so a daerah reporting 1 of 29 services cannot head the
  ranking. ``coverage`` says how many services a roll-up rests on.
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
    "quality_declaration": ("strict", "lenient"),
    "quality_not_applicable": ("exclude", "as_undeclared"),
    "affair_rollup": ("mean_with_target",),
    "region_rollup": ("mean_of_affairs", "mean_of_services"),
    "missing_service": ("exclude", "zero"),
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

    version: str = "2026.1"
    label: str = "Aturan bawaan Permendagri 59/2021, mutu wajib dinyatakan"
    weight_recipients: Decimal = Decimal("0.8")
    weight_quality: Decimal = Decimal("0.2")
    cap_at_100: bool = True
    cumulative: bool = True
    quality_aggregation: str = "sum"
    quality_undefined: str = "recipients_only"
    affair_rollup: str = "mean_with_target"
    region_rollup: str = "mean_of_affairs"
    bands: tuple[Band, ...] = DEFAULT_BANDS
    quality_declaration: str = "strict"
    quality_not_applicable: str = "exclude"
    cap_each_component: bool = True
    missing_service: str = "exclude"

    def __post_init__(self) -> None:
        if not all(isinstance(text, str) and text.strip() for text in (self.version, self.label)):
            raise ValueError("Aturan: versi dan nama aturan wajib diisi.")
        if not all(isinstance(flag, bool) for flag in (self.cap_at_100, self.cumulative, self.cap_each_component)):
            raise ValueError(
                "Aturan: 'cap_at_100', 'cumulative' dan 'cap_each_component' harus bernilai benar atau salah."
            )
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
        """Rebuild from ``to_dict`` output; missing keys take the defaults, unknown keys are refused.

        A stored rule set written before an option existed (it has ``version`` but not the option) keeps the
        reading it was computed with (``LEGACY_OPTIONS``), so its stored figures stay reproducible.
        """
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"Aturan: kunci tidak dikenal: {', '.join(sorted(unknown))}.")
        values = dict(data)
        if "quality_declaration" not in values and "bands" in values:
            values = {**LEGACY_OPTIONS, **values}
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

# Options as they read before they could be chosen (rule set 2021.1): see ``RuleSet.from_dict``.
LEGACY_OPTIONS: dict[str, Any] = {
    "quality_declaration": "lenient",
    "quality_not_applicable": "exclude",
    "cap_each_component": False,
}


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


class QualityItem(NamedTuple):
    """One mutu component as the engine reads it: required, met, and whether it is marked *tidak berlaku*."""

    required: Decimal
    met: Decimal
    not_applicable: bool = False


QualityInput = tuple[Number, Number] | tuple[Number, Number, bool]


def _items(components: Iterable[QualityInput]) -> list[QualityItem]:
    items = []
    for component in components:
        required, met, *rest = component
        flag = bool(rest[0]) if rest else False
        items.append(QualityItem(_count(required, "Mutu yang harus dipenuhi"), _count(met, "Mutu terpenuhi"), flag))
    return items


def _undeclared(item: QualityItem, rules: RuleSet) -> bool:
    """Strict reading: nothing required and not marked tidak berlaku (or tidak berlaku treated as undeclared)."""
    if item.not_applicable:
        return rules.quality_not_applicable == "as_undeclared"
    return item.required == 0


def undeclared_count(components: Iterable[QualityInput], rules: RuleSet = DEFAULT_RULES) -> int:
    """How many mutu components are *belum dinyatakan* (see the module docstring); 0 in the lenient reading."""
    items = _items(components)
    if rules.quality_declaration == "lenient":
        return sum(1 for item in items if not item.not_applicable and item.required == 0)
    return sum(1 for item in items if _undeclared(item, rules))


def quality_percentage(components: Iterable[QualityInput], rules: RuleSet = DEFAULT_RULES) -> Decimal | None:
    """%mutu over (required, met[, tidak berlaku]) mutu components; None when nothing is required.

    ``sum``: Σ met / Σ required × 100, then capped (each component's met capped at its requirement first when
    ``cap_each_component``). ``mean``: mean of each component's capped percentage. Components marked tidak
    berlaku are left out (``quality_not_applicable = "exclude"``). Strict reading: an undeclared component
    makes the sum 0 and counts as 0 % in the mean.
    """
    items = _items(components)
    strict = rules.quality_declaration == "strict"
    undeclared = [item for item in items if strict and _undeclared(item, rules)]
    counted = [item for item in items if not item.not_applicable and item.required > 0]
    if rules.quality_aggregation == "mean":
        shares = [_cap(_pct(item.met, item.required), rules) for item in counted]
        return _mean([*shares, *(Decimal(0) for _ in undeclared)])
    if undeclared:
        return Decimal(0)
    if not strict:  # the first reading: met of a component with nothing required still adds up
        counted = [item for item in items if not item.not_applicable]
    required = _sum(item.required for item in counted)
    if required == 0:
        return None
    met = _sum(min(item.met, item.required) if rules.cap_each_component else item.met for item in counted)
    return _cap(_pct(met, required), rules)


def cumulative_served(per_quarter: Sequence[int | None], quarter: int, rules: RuleSet = DEFAULT_RULES) -> int:
    """Citizens served counted for triwulan ``quarter`` (1-4): year to date if cumulative, else its own.

    ``None`` is an earlier triwulan not reported: it adds nothing (see ``missing_quarters``); the triwulan
    itself must be reported.
    """
    if isinstance(quarter, bool) or not isinstance(quarter, int) or not 1 <= quarter <= 4:
        raise ValueError(f"Triwulan harus 1 sampai 4, bukan {quarter!r}.")
    if len(per_quarter) < quarter or per_quarter[quarter - 1] is None:
        raise ValueError(f"Jumlah terlayani TW {_ROMAN[quarter]} belum diisi.")
    for value in per_quarter:
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"Jumlah terlayani per triwulan harus bilangan bulat, bukan {value!r}.")
        _count(value, "Jumlah terlayani per triwulan")
    if not rules.cumulative:
        return per_quarter[quarter - 1]
    return sum(value or 0 for value in per_quarter[:quarter])


def missing_quarters(per_quarter: Sequence[int | None], quarter: int, rules: RuleSet = DEFAULT_RULES) -> list[int]:
    """The triwulan a cumulative figure for ``quarter`` would need but that were not reported."""
    if not rules.cumulative:
        return []
    return [q for q, value in enumerate(per_quarter[:quarter], start=1) if value is None]


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
    quality: Iterable[QualityInput],
    rules: RuleSet,
    extra: dict[str, Any],
) -> ServiceResult:
    components = [tuple(component) for component in quality]
    recipient_pct = recipient_percentage(served, must_serve, rules)
    quality_pct = quality_percentage(components, rules)
    index = _combine(recipient_pct, quality_pct, rules)
    quality_json = [[_json(c[0]), _json(c[1]), *([True] if len(c) > 2 and c[2] else [])] for c in components]
    inputs = {**extra, "served": _json(served), "must_serve": _json(must_serve), "quality": quality_json}
    has_target = recipient_pct is not None
    undeclared = undeclared_count(components, rules) if has_target else 0
    if undeclared:
        inputs["quality_undeclared"] = undeclared
    status = status_for(index, rules, mutu_declared=not undeclared)
    return ServiceResult(recipient_pct, quality_pct, index, status, has_target, inputs, rules)


def service_index(
    served: Number,
    must_serve: Number,
    quality: Iterable[QualityInput] = (),
    rules: RuleSet = DEFAULT_RULES,
) -> ServiceResult:
    """IP-SPM of one service from the served count of the period and its mutu (required, met) pairs."""
    return _result(served, must_serve, quality, rules, {})


def quarter_service_index(
    per_quarter: Sequence[int | None],
    quarter: int,
    must_serve: Number,
    quality: Iterable[QualityInput] = (),
    rules: RuleSet = DEFAULT_RULES,
) -> ServiceResult:
    """``service_index`` for triwulan ``quarter`` from each quarter's served count (``cumulative_served``)."""
    served = cumulative_served(per_quarter, quarter, rules)
    extra = {"quarter": quarter, "per_quarter": list(per_quarter[:quarter]), "cumulative": rules.cumulative}
    if missing := missing_quarters(per_quarter, quarter, rules):
        extra["missing_quarters"] = missing
    return _result(served, must_serve, quality, rules, extra)


_BELOW_HUNDRED = Decimal("99.99")


def display(value: Number | None) -> Decimal | None:
    """Round to 2 decimals, ROUND_HALF_UP, for display and for the status test; None stays None.

    A value below 100 never shows as 100,00: it shows as 99,99 (100 means every citizen served to standard).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TypeError(f"Nilai harus Decimal, bukan {type(value).__name__}.")
    rounded = _round2(Decimal(value))
    return _BELOW_HUNDRED if rounded >= HUNDRED > value else rounded


def _band_for(value: Number | None, rules: RuleSet, mutu_declared: bool = True) -> Band | None:
    shown = display(value)
    if shown is None:
        return None
    top = rules.bands[0]
    # The top band is reached by the unrounded value only, and never with undeclared mutu.
    candidates = rules.bands if mutu_declared and value >= top.lower else rules.bands[1:] or rules.bands
    return next((band for band in candidates if shown >= band.lower), rules.bands[-1])


def status_for(value: Number | None, rules: RuleSet = DEFAULT_RULES, *, mutu_declared: bool = True) -> str | None:
    """Status code of the band containing ``display(value)``; None for no value.

    The top band needs the unrounded value at its bound and declared mutu (``mutu_declared``).
    """
    band = _band_for(value, rules, mutu_declared)
    return band.code if band else None


def status_label(code: str | None, rules: RuleSet = DEFAULT_RULES) -> str | None:
    """Label (e.g. "Tuntas Utama") of a status code; None for None or an unknown code."""
    return next((band.label for band in rules.bands if band.code == code), None)


Indexed = Decimal | ServiceResult | None


def _index_of(item: Indexed) -> Decimal | None:
    return item.index if isinstance(item, ServiceResult) else item


def counted_values(items: Iterable[Indexed], rules: RuleSet) -> list[Decimal]:
    """The nilai a mean counts: ``None`` (no approved report) left out or 0 by ``missing_service``; a service
    without sasaran (a result without nilai) is always left out."""
    values = []
    for item in items:
        if item is None:
            if rules.missing_service == "zero":
                values.append(Decimal(0))
        elif (value := _index_of(item)) is not None:
            values.append(value)
    return values


def affair_index(service_indices: Iterable[Indexed], rules: RuleSet = DEFAULT_RULES) -> Decimal | None:
    """IP-SPM of an urusan: mean nilai of its services that have one; None if none has.

    A service without an approved report (``None``) is left out or counted as 0 (``missing_service``).
    """
    # "mean_with_target" is the only affair_rollup; RuleSet validation guarantees it.
    return _mean(counted_values(service_indices, rules))


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


class Coverage(NamedTuple):
    """How many jenis pelayanan dasar a roll-up rests on: ``counted`` with a nilai, of ``expected``."""

    counted: int
    expected: int


def coverage(items: Iterable[Indexed]) -> Coverage:
    """Services with a nilai among those expected (every item, reported or not)."""
    listed = list(items)
    return Coverage(sum(1 for item in listed if _index_of(item) is not None), len(listed))


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
    return _fmt(display(value))


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
            parts = inputs["per_quarter"]
            summed = " + ".join(
                f"0 (TW {_ROMAN[q]} belum dilaporkan)" if part is None else _fmt(part)
                for q, part in enumerate(parts, start=1)
            )
            lines.append(f"jumlah terlayani s.d. TW {tw} (kumulatif) = {summed} = {served}")
            if missing := inputs.get("missing_quarters"):
                names = ", ".join(f"TW {_ROMAN[q]}" for q in missing)
                lines.append(f"perhatian: {names} belum dilaporkan; angka kumulatif ini belum lengkap")
        else:
            lines.append(f"jumlah terlayani TW {tw} = {served}")
    not_counted = "nilai tidak dihitung; layanan ini tidak masuk rata-rata urusan dan daerah"
    if result.recipient_pct is None:
        no_target = "%penerima tidak dihitung: jumlah yang harus dilayani = 0 (tidak ada sasaran)"
        return [*lines, no_target, not_counted]
    served_d, must_d = Decimal(inputs["served"]), Decimal(inputs["must_serve"])
    lines.append(_pct_line("%penerima", served_d, must_d, result.recipient_pct))
    items = _items((Decimal(c[0]), Decimal(c[1]), *c[2:]) for c in inputs["quality"])
    undeclared = inputs.get("quality_undeclared", 0)
    strict = rules.quality_declaration == "strict"
    if skipped := sum(1 for item in items if item.not_applicable and not _undeclared(item, rules)):
        lines.append(f"komponen mutu tidak berlaku (tidak dihitung): {skipped}")
    if undeclared:
        reading = "dihitung 0" if strict else "tidak dihitung; status tidak dapat mencapai pita tertinggi"
        lines.append(f"komponen mutu belum dinyatakan (harus dipenuhi 0): {undeclared}, {reading}")
    counted = [item for item in items if not item.not_applicable and item.required > 0]
    if result.quality_pct is None:
        lines.append("%mutu tidak dihitung: tidak ada mutu yang harus dipenuhi")
    elif rules.quality_aggregation == "mean":
        shares = [_fmt2(_cap(_pct(item.met, item.required), rules)) for item in counted]
        shares += ["0,00"] * (undeclared if strict else 0)
        lines.append(f"%mutu = rata-rata %mutu per komponen ({'; '.join(shares)}) = {_fmt2(result.quality_pct)}")
    elif strict and undeclared:
        lines.append("%mutu = 0,00 (ada komponen mutu yang belum dinyatakan)")
    else:
        if not strict:
            counted = [item for item in items if not item.not_applicable]
        required = _sum(item.required for item in counted)
        met = _sum(min(i.met, i.required) if rules.cap_each_component else i.met for i in counted)
        raw_met = _sum(item.met for item in counted)
        line = _pct_line("%mutu", met, required, result.quality_pct)
        if met != raw_met:
            line += (
                f" (terpenuhi di atas yang harus dipenuhi dihitung sebatas kebutuhannya: {_fmt(raw_met)} → {_fmt(met)})"
            )
        lines.append(line)
    if result.index is None:
        return [*lines, not_counted]
    index = _fmt2(result.index)
    if result.quality_pct is None:
        lines.append(f"nilai = %penerima = {index} (bobot mutu tidak dipakai)")
    else:
        parts = [(rules.weight_recipients, result.recipient_pct), (rules.weight_quality, result.quality_pct)]
        terms = " + ".join(f"{_fmt(weight.normalize(_CTX))} × {_fmt2(pct)}" for weight, pct in parts)
        lines.append(f"nilai = {terms} = {index}")
    band = _band_for(result.index, rules, not undeclared) or rules.bands[-1]
    if band != rules.bands[0] and result.index >= rules.bands[0].lower:
        return [*lines, f"status = {band.label} (mutu belum dinyatakan: tidak dapat {rules.bands[0].label})"]
    if band == rules.bands[-1] and len(rules.bands) > 1:
        return [*lines, f"status = {band.label} ({index} < {_fmt(rules.bands[-2].lower)})"]
    return [*lines, f"status = {band.label} ({index} ≥ {_fmt(band.lower)})"]
