"""Pure rules of the quarterly report: derived figures, completeness, validation and data-quality flags.

Plain functions over a plain :class:`ReportValues` (no ORM), shared by the entry page, the review page,
the services that save and submit, and the tests. Messages are in Bahasa Indonesia and name the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from reporting import anchors
from reporting.achievements import formula as achievement

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
JUMP_THRESHOLD = Decimal(30)  # points of nilai between consecutive triwulan that call for a note


@dataclass(frozen=True)
class QualityValue:
    code: str
    label: str
    required: int | None
    met: int | None
    not_applicable: bool = False  # marked "tidak berlaku", with ``reason``
    reason: str = ""


@dataclass(frozen=True)
class StageValue:
    code: str
    label: str
    status: str
    note: str


@dataclass(frozen=True)
class DocumentRequirement:
    """A jenis dokumen a tahapan needs once its status is one of ``when`` (``reporting.stage_documents``)."""

    stage: str
    stage_label: str
    kind: str
    kind_label: str
    when: frozenset[str]
    source: str = ""


@dataclass(frozen=True)
class ReportValues:
    """What an operator has entered on a report, plus what came before it in the year."""

    must_serve: int | None = None
    served: int | None = None
    served_before: int = 0  # citizens served in earlier triwulan of the same year
    missing_quarters: tuple[int, ...] = ()  # earlier triwulan of the year with no figure ("belum dilaporkan")
    served_justification: str = ""
    budget_allocated: int | None = None
    budget_realised: int | None = None
    budget_justification: str = ""
    problems: str = ""
    solutions: str = ""
    flag_note: str = ""
    quality: Sequence[QualityValue] = field(default_factory=tuple)
    stages: Sequence[StageValue] = field(default_factory=tuple)
    evidence_count: int = 0
    evidence_kinds: frozenset[str] = frozenset()  # the jenis dokumen of the files uploaded
    document_requirements: Sequence[DocumentRequirement] = ()  # what each tahapan needs (data file)
    previous_index: Decimal | None = None  # nilai of the previous triwulan, if any
    rules: achievement.RuleSet = achievement.DEFAULT_RULES  # the active rule set, as the stored index uses


def percent(part: int | None, whole: int | None) -> Decimal | None:
    """A percentage for display (2 decimals, uncapped, never 100,00 below 100); None when it cannot be computed."""
    if part is None or not whole:
        return None
    return achievement.display(Decimal(part) * 100 / Decimal(whole))


@dataclass(frozen=True)
class Figures:
    """Derived figures of section A and C (never typed)."""

    served_cumulative: int | None
    not_served: int | None
    served_pct: Decimal | None
    budget_pct: Decimal | None
    index: Decimal | None
    missing_quarters: tuple[int, ...] = ()  # the cumulative figure lacks these triwulan

    @property
    def missing_quarters_text(self) -> str:
        """ "TW I, TW II" for the page: a cumulative figure over a missing report is shown as such."""
        return ", ".join(f"TW {ROMAN[q]}" for q in self.missing_quarters)


def figures(values: ReportValues) -> Figures:
    cumulative = None if values.served is None else values.served_before + values.served
    not_served = None
    if values.must_serve is not None and cumulative is not None:
        not_served = max(values.must_serve - cumulative, 0)
    return Figures(
        served_cumulative=cumulative,
        not_served=not_served,
        served_pct=percent(cumulative, values.must_serve),
        budget_pct=percent(values.budget_realised, values.budget_allocated),
        index=current_index(values),
        missing_quarters=values.missing_quarters,
    )


def quality_inputs(values: ReportValues) -> list[tuple[int, int, bool]]:
    """Section B as the engine reads it (required, met, tidak berlaku); blanks are read as 0, as stored."""
    return [(q.required or 0, q.met or 0, q.not_applicable) for q in values.quality]


def current_result(values: ReportValues) -> achievement.ServiceResult | None:
    """The result the entered figures would give, computed exactly as the stored one (``values.rules``)."""
    if values.must_serve is None or values.served is None:
        return None
    served = values.served_before + values.served if values.rules.cumulative else values.served
    return achievement.service_index(served, values.must_serve, quality_inputs(values), values.rules)


def current_index(values: ReportValues) -> Decimal | None:
    """The nilai (IP-SPM of this service) the entered figures would give, by the active rule set."""
    result = current_result(values)
    return None if result is None else result.index


# --- Completeness (tingkat keterisian) --------------------------------------------------------------


@dataclass(frozen=True)
class SectionState:
    code: str
    label: str
    filled: bool
    missing: tuple[str, ...]


SECTION_LABELS = {
    "A": "A. Penerima layanan dasar",
    "B": "B. Mutu minimal layanan dasar",
    "C": "C. Anggaran",
    "D": "D. Permasalahan dan solusi",
    "E": "E. Tahapan penerapan SPM",
    "F": "F. Dokumen pendukung",
}


@dataclass(frozen=True)
class ChecklistItem:
    """One line of the documents checklist: a jenis dokumen of a tahapan, needed now or not, uploaded or not."""

    stage_label: str
    kind: str
    kind_label: str
    needed: bool
    present: bool

    @property
    def missing(self) -> bool:
        return self.needed and not self.present


def document_checklist(values: ReportValues) -> list[ChecklistItem]:
    """Every document the tahapan name, with whether the tahapan's status needs it now and whether a file of
    that jenis is uploaded (section F)."""
    status = {s.code: s.status for s in values.stages}
    return [
        ChecklistItem(
            stage_label=r.stage_label,
            kind=r.kind,
            kind_label=r.kind_label,
            needed=status.get(r.stage, "") in r.when,
            present=r.kind in values.evidence_kinds,
        )
        for r in values.document_requirements
    ]


def documents_missing(values: ReportValues) -> list[ChecklistItem]:
    """The documents a tahapan needs now that no uploaded file provides."""
    return [item for item in document_checklist(values) if item.missing]


def completeness(values: ReportValues) -> list[SectionState]:
    """Which required sections are filled; submit is blocked until all are.

    Section F needs at least one file and, for every tahapan whose status asks for it, a file of each jenis
    dokumen the tahapan needs (``reporting/data/stage_documents.yaml``)."""
    missing: dict[str, list[str]] = {code: [] for code in SECTION_LABELS}
    if values.must_serve is None:
        missing["A"].append("Jumlah yang harus dilayani")
    if values.served is None:
        missing["A"].append("Jumlah terlayani triwulan ini")
    for q in values.quality:
        if q.not_applicable:
            if not q.reason.strip():
                missing["B"].append(f"{q.label}: alasan tidak berlaku")
            continue
        if q.required is None:
            missing["B"].append(f"{q.label}: harus dipenuhi")
        if q.met is None:
            missing["B"].append(f"{q.label}: terpenuhi")
    if values.budget_allocated is None:
        missing["C"].append("Alokasi anggaran")
    if values.budget_realised is None:
        missing["C"].append("Realisasi anggaran")
    if not values.problems.strip():
        missing["D"].append("Permasalahan")
    if not values.solutions.strip():
        missing["D"].append("Solusi")
    for s in values.stages:
        if not s.status:
            missing["E"].append(s.label)
    if values.evidence_count == 0:
        missing["F"].append("Minimal satu dokumen pendukung")
    for item in documents_missing(values):
        missing["F"].append(f"{item.kind_label} (tahapan {item.stage_label})")
    return [
        SectionState(code, label, not missing[code], tuple(missing[code])) for code, label in SECTION_LABELS.items()
    ]


def completeness_pct(sections: Sequence[SectionState]) -> int:
    return round(100 * sum(s.filled for s in sections) / len(sections)) if sections else 0


# --- Data-quality flags (do not block; ask for a note) ----------------------------------------------


@dataclass(frozen=True)
class Flag:
    code: str
    message: str


def quality_flags(values: ReportValues) -> list[Flag]:
    f = figures(values)
    flags: list[Flag] = []
    if f.served_cumulative is not None and values.must_serve is not None and f.served_cumulative > values.must_serve:
        flags.append(
            Flag(
                "served_above_target",
                f"Jumlah terlayani kumulatif ({f.served_cumulative}) melebihi jumlah yang harus dilayani "
                f"({values.must_serve}).",
            )
        )
    if f.index is not None and values.previous_index is not None:
        jump = abs(f.index - values.previous_index)
        if jump > JUMP_THRESHOLD:
            flags.append(
                Flag(
                    "index_jump",
                    f"Nilai capaian berubah {achievement.display(jump)} poin dari triwulan sebelumnya "
                    f"({achievement.display(values.previous_index)} → {achievement.display(f.index)}).",
                )
            )
    quality_full = values.quality and all(
        q.required is not None and q.met is not None and q.met >= q.required for q in values.quality
    )
    if quality_full and any(q.required for q in values.quality) and f.served_cumulative == 0:
        flags.append(Flag("quality_full_none_served", "Mutu terpenuhi 100% padahal belum ada penerima yang terlayani."))
    if values.budget_realised and values.served == 0:
        flags.append(
            Flag(
                "budget_without_service", "Anggaran sudah direalisasikan padahal tidak ada yang terlayani triwulan ini."
            )
        )
    return flags


# --- Validation ---------------------------------------------------------------------------------------


def submission_errors(values: ReportValues) -> dict[str, list[str]]:
    """Everything that blocks a submission, per field (or ``__all__``), in Bahasa Indonesia."""
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    for section in completeness(values):
        if not section.filled:
            add("__all__", f"Bagian {section.label} belum lengkap: {', '.join(section.missing)}.")
    f = figures(values)
    if (
        f.served_cumulative is not None
        and values.must_serve is not None
        and f.served_cumulative > values.must_serve
        and not values.served_justification.strip()
    ):
        add(
            "served_justification",
            "Jumlah terlayani melebihi jumlah yang harus dilayani: tuliskan penjelasannya.",
        )
    if (
        values.budget_allocated is not None
        and values.budget_realised is not None
        and values.budget_realised > values.budget_allocated
        and not values.budget_justification.strip()
    ):
        add("budget_justification", "Realisasi anggaran melebihi alokasi: tuliskan penjelasannya.")
    strict = values.rules.quality_declaration == "strict"
    for q in values.quality:
        if strict and values.must_serve and not q.not_applicable and q.required == 0:
            add(
                anchors.quality(q.code),
                f"{q.label}: jumlah yang harus dipenuhi harus lebih dari 0, atau tandai komponen ini tidak berlaku "
                "dan tuliskan alasannya.",
            )
        if q.not_applicable:
            continue
        if q.required is not None and q.met is not None and q.met > q.required:
            add(
                anchors.quality(q.code),
                f"{q.label}: jumlah terpenuhi ({q.met}) melebihi yang harus dipenuhi ({q.required}).",
            )
    if quality_flags(values) and not values.flag_note.strip():
        add("flag_note", "Ada peringatan kualitas data: tuliskan catatan penjelasan sebelum mengajukan.")
    return errors
