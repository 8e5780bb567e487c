"""The national figures of SPM application, from one row per daerah (pure: no ORM, no Django import).

Permendagri 59/2021 (reporting and monitoring; article numbers not confirmed here): the daerah report the
application of SPM to the Minister, who monitors it nationally. Kemendagri publishes the share of daerah
reporting, the national and provincial IP-SPM, the distribution over the status bands and the daerah Tuntas
Paripurna. Every figure here carries its coverage
("dari N daerah"): a mean says over how many daerah it was taken, a rate over how many it was counted.

Definitions (ours, marked where assumed):

- a daerah **reported** a triwulan when at least one of its reports of that triwulan was submitted
  (diajukan or disetujui) — the e-SPM "sudah melapor" count (assumed: Kemendagri's dashboards count a
  daerah with any submitted report);
- it is **late** when it reported and one of those reports came after its due date (perpanjangan included);
- it is **missing** when it has no submitted report; "lewat batas waktu" once its due date has passed;
- the IP-SPM of a provinsi's area and of the nation is the plain mean of the stored IP-SPM of its daerah
  that have one (assumed: unweighted, as Kemendagri's published national figure), with the count beside it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class DaerahRow:
    """One daerah's inputs for one triwulan (stored achievements, report counts, its period)."""

    region_id: int
    code: str
    name: str
    province_id: int  # its own id for a provinsi
    index: Decimal | None = None
    status: str = ""
    submitted: int = 0  # reports diajukan or disetujui
    late: int = 0  # of those, after the due date
    due_date: dt.date | None = None
    affairs: dict[int, Decimal] = field(default_factory=dict)  # urusan id -> IP-SPM urusan

    @property
    def reported(self) -> bool:
        return self.submitted > 0

    @property
    def is_late(self) -> bool:
        return self.late > 0


@dataclass(frozen=True)
class Mean:
    """A mean with its coverage: the value (None when no daerah has one), over ``counted`` of ``total``."""

    value: Decimal | None
    counted: int
    total: int


@dataclass(frozen=True)
class Rate:
    """A share of daerah: ``count`` of ``total`` (percentage None when there is no daerah)."""

    count: int
    total: int

    @property
    def pct(self) -> Decimal | None:
        return None if not self.total else Decimal(self.count) * 100 / Decimal(self.total)


def mean(values: Iterable[Decimal | None], total: int) -> Mean:
    present = [v for v in values if v is not None]
    value = sum(present, Decimal(0)) / len(present) if present else None
    return Mean(value, len(present), total)


def reporting_rate(rows: Sequence[DaerahRow]) -> Rate:
    return Rate(sum(1 for r in rows if r.reported), len(rows))


@dataclass(frozen=True)
class ProvinceFigures:
    province_id: int
    code: str
    name: str
    rate: Rate
    index: Mean
    affairs: dict[int, Mean]
    late: int
    missing: int


def province_figures(
    provinces: Sequence[tuple[int, str, str]], rows: Sequence[DaerahRow], affair_ids: Sequence[int]
) -> list[ProvinceFigures]:
    """Per provinsi (its own government and its kabupaten/kota): reporting rate, mean IP-SPM, mean per urusan."""
    by_province: dict[int, list[DaerahRow]] = defaultdict(list)
    for row in rows:
        by_province[row.province_id].append(row)
    out = []
    for pk, code, name in provinces:
        members = by_province.get(pk, [])
        out.append(
            ProvinceFigures(
                province_id=pk,
                code=code,
                name=name,
                rate=reporting_rate(members),
                index=mean((r.index for r in members), len(members)),
                affairs={a: mean((r.affairs.get(a) for r in members), len(members)) for a in affair_ids},
                late=sum(1 for r in members if r.is_late),
                missing=sum(1 for r in members if not r.reported),
            )
        )
    return out


def affair_means(rows: Sequence[DaerahRow], affair_ids: Sequence[int]) -> dict[int, Mean]:
    """National IP-SPM per urusan: the mean over daerah with a stored urusan figure."""
    return {a: mean((r.affairs.get(a) for r in rows), len(rows)) for a in affair_ids}


def band_distribution(rows: Sequence[DaerahRow], band_codes: Sequence[str]) -> tuple[dict[str, int], int]:
    """How many daerah are in each status band (in the rule set's order), and how many have no IP-SPM."""
    counts = dict.fromkeys(band_codes, 0)
    without = 0
    for row in rows:
        if row.index is None or row.status not in counts:
            without += 1
        else:
            counts[row.status] += 1
    return counts, without


def paripurna(rows: Sequence[DaerahRow], top_band: str) -> list[DaerahRow]:
    """The daerah Tuntas Paripurna (the top band), highest IP-SPM first."""
    return sorted((r for r in rows if r.index is not None and r.status == top_band), key=lambda r: (-r.index, r.code))


def late(rows: Sequence[DaerahRow]) -> list[DaerahRow]:
    return sorted((r for r in rows if r.is_late), key=lambda r: r.code)


def missing(rows: Sequence[DaerahRow], on: dt.date) -> tuple[list[DaerahRow], int]:
    """The daerah without a submitted report, and how many of them are past their due date on ``on``."""
    absent = sorted((r for r in rows if not r.reported), key=lambda r: r.code)
    overdue = sum(1 for r in absent if r.due_date is not None and r.due_date < on)
    return absent, overdue
