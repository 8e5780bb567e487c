"""Kebutuhan pemenuhan pelayanan dasar (stage 2 of penerapan SPM, Permendagri 59/2021 Pasal 8–9): pure
functions over plain values. For each mutu component: the quantity the standard requires (per penerima × the
number of penerima, or once per daerah), less what is available, is the gap; the gap × the unit cost (Rp) is
the cost to close it. Quantities per penerima may be fractions (e.g. 0,25 bidan per ibu hamil); the total
required is rounded up to whole units, since half a bidan cannot be hired. Money stays in whole Rupiah."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

PER_RECIPIENT, PER_REGION = "per_penerima", "per_daerah"


@dataclass(frozen=True)
class NeedLine:
    basis: str
    quantity: Decimal  # required per penerima, or for the daerah
    available: int
    unit_cost: int  # Rp per unit
    recipients: int | None  # the year's sasaran (needed for per-penerima lines)


@dataclass(frozen=True)
class NeedResult:
    required: int | None
    gap: int | None
    cost: int | None


def required_total(line: NeedLine) -> int | None:
    if line.basis == PER_REGION:
        return int(line.quantity.to_integral_value(ROUND_CEILING))
    if line.recipients is None:
        return None  # no sasaran yet: the need cannot be computed, never guessed
    return int((line.quantity * line.recipients).to_integral_value(ROUND_CEILING))


def compute(line: NeedLine) -> NeedResult:
    required = required_total(line)
    if required is None:
        return NeedResult(None, None, None)
    gap = max(required - line.available, 0)
    return NeedResult(required, gap, gap * line.unit_cost)


def total_cost(results: Iterable[NeedResult]) -> int:
    """Sum of the costs that could be computed (lines without a sasaran are left out, and shown as such)."""
    return sum(r.cost for r in results if r.cost is not None)
