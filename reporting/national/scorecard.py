"""The SPM Awards scorecard of a daerah for a year (pure: plain values, Decimal, no ORM).

**Assumed, not a regulation.** PP 2/2018 and Permendagri 59/2021 define the IP-SPM, the tahapan penerapan
, section C anggaran and the reporting duty (article numbers not confirmed here), but not the criteria or weights of the
SPM Awards Kemendagri gives beside the IP-SPM. The criteria and weights are data
(``reporting.models.AwardCriteriaSet``, default ``spm/data/awards_criteria.yaml``, marked as an assumption),
each criterion 0-100:

- ``ip_spm``: the daerah's stored IP-SPM of the latest triwulan of the year;
- ``budget``: realisasi / alokasi anggaran (section C, all jenis of that triwulan), capped at 100;
- ``stages``: the share of tahapan penerapan reported "selesai" in that triwulan's approved reports (section E);
- ``team``: Tim Penerapan SPM in place, 100 or 0 (None = "data belum tersedia");
- ``on_time``: reports submitted by their due date / reports due so far (jenis × triwulan past due), capped at 100.

A criterion without data is None; with ``missing: exclude`` it is left out and the other weights scaled to
100 (named on the scorecard, never silently 0); with ``missing: zero`` it counts 0.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

HUNDRED = Decimal(100)
CRITERIA_CODES = ("ip_spm", "budget", "stages", "team", "on_time")


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    weight: Decimal
    source: str = ""


@dataclass(frozen=True)
class Criteria:
    """A version of the awards criteria: weights (any positive scale), the source, what a missing value does."""

    version: str
    label: str
    source: str
    criteria: tuple[Criterion, ...]
    missing: str = "exclude"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Criteria:
        items = tuple(
            Criterion(str(c["code"]), str(c["label"]), Decimal(str(c["weight"])), str(c.get("source", "")))
            for c in data["criteria"]
        )
        unknown = [c.code for c in items if c.code not in CRITERIA_CODES]
        if unknown or not items or any(c.weight < 0 for c in items) or sum(c.weight for c in items) <= 0:
            raise ValueError(f"Kriteria SPM Awards tidak valid: {unknown or 'bobot'}")
        missing = str(data.get("missing", "exclude"))
        if missing not in ("exclude", "zero"):
            raise ValueError(f"Aturan data kosong tidak dikenal: {missing}")
        return cls(str(data["version"]), str(data["label"]), str(data.get("source", "")), items, missing)


@dataclass(frozen=True)
class AwardInputs:
    """What the scorecard reads of one daerah for one year (gathered by ``reporting.national.awards``)."""

    region_id: int
    code: str
    name: str
    ip_spm: Decimal | None = None
    quarter: int | None = None  # the triwulan the IP-SPM, budget and tahapan come from
    budget_allocated: int | None = None
    budget_realised: int | None = None
    stages_done: int = 0
    stages_total: int = 0
    team: bool | None = None  # None: no Tim data in the system yet
    reports_on_time: int = 0
    reports_due: int = 0


def _pct(part: int | Decimal, whole: int | Decimal) -> Decimal:
    return min(HUNDRED, Decimal(part) * HUNDRED / Decimal(whole))


def criterion_values(inputs: AwardInputs) -> dict[str, Decimal | None]:
    """Each criterion 0-100, or None when there is no data for it."""
    return {
        "ip_spm": inputs.ip_spm,
        "budget": _pct(inputs.budget_realised or 0, inputs.budget_allocated) if inputs.budget_allocated else None,
        "stages": _pct(inputs.stages_done, inputs.stages_total) if inputs.stages_total else None,
        "team": None if inputs.team is None else (HUNDRED if inputs.team else Decimal(0)),
        "on_time": _pct(inputs.reports_on_time, inputs.reports_due) if inputs.reports_due else None,
    }


@dataclass(frozen=True)
class Scorecard:
    inputs: AwardInputs
    values: dict[str, Decimal | None]
    score: Decimal | None
    missing: tuple[str, ...]  # criteria without data (left out or counted 0, as the criteria say)
    score_rank: int | None = None
    index_rank: int | None = None

    def cells(self, criteria: Criteria) -> list[Decimal | None]:
        """The criterion values in the criteria's order (a table row)."""
        return [self.values.get(c.code) for c in criteria.criteria]


def score(values: Mapping[str, Decimal | None], criteria: Criteria) -> tuple[Decimal | None, tuple[str, ...]]:
    """The weighted score (0-100) and the criteria it lacks. None when no weighted criterion has data."""
    missing = tuple(c.code for c in criteria.criteria if values.get(c.code) is None)
    counted = [c for c in criteria.criteria if values.get(c.code) is not None or criteria.missing == "zero"]
    weight = sum((c.weight for c in counted), Decimal(0))
    if not weight or all(values.get(c.code) is None for c in criteria.criteria):
        return None, missing
    total = sum((c.weight * (values.get(c.code) or Decimal(0)) for c in counted), Decimal(0))
    return total / weight, missing


def _ranked(cards: Sequence[Scorecard], key: Callable[[Scorecard], Decimal | None]) -> dict[int, int]:
    """Competition ranking (1, 2, 2, 4) by ``key``, highest first; a card without a value has no rank."""
    ordered = sorted((c for c in cards if key(c) is not None), key=lambda c: (-key(c), c.inputs.code))
    ranks: dict[int, int] = {}
    previous, place = None, 0
    for position, card in enumerate(ordered, start=1):
        if key(card) != previous:
            place, previous = position, key(card)
        ranks[card.inputs.region_id] = place
    return ranks


def scorecards(items: Sequence[AwardInputs], criteria: Criteria) -> list[Scorecard]:
    """Every daerah's scorecard with its place by score and by IP-SPM, ordered by score (no score last)."""
    cards = []
    for inputs in items:
        values = criterion_values(inputs)
        total, missing = score(values, criteria)
        cards.append(Scorecard(inputs, values, total, missing))
    by_score = _ranked(cards, lambda c: c.score)
    by_index = _ranked(cards, lambda c: c.inputs.ip_spm)
    ranked = [
        Scorecard(
            c.inputs, c.values, c.score, c.missing, by_score.get(c.inputs.region_id), by_index.get(c.inputs.region_id)
        )
        for c in cards
    ]
    return sorted(ranked, key=lambda c: (c.score_rank is None, c.score_rank or 0, c.inputs.code))
