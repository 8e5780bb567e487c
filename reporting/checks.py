"""Pure rules of the quarterly report: derived figures, completeness, validation and data-quality flags.

Plain functions over a plain :class:`ReportValues` (no ORM; Django is used only for the translation of
messages), shared by the entry page, the review page, the services that save and submit, and the tests.
Messages are in Bahasa Indonesia (English when the user picks it) and name the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

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
class ItemValue:
    """One item of the report's mutu item list: its target (dibutuhkan) and realisation (tersedia)."""

    item_id: int
    component: str  # the mutu component code it belongs to
    label: str
    required: int | None
    met: int | None


def component_totals(items: Sequence[ItemValue], *, cap_each: bool = True) -> dict[str, tuple[int | None, int | None]]:
    """The mutu component figures (harus dipenuhi, terpenuhi) that items of a standar teknis add up to.

    PP 2/2018 Pasal 1: a component (barang/jasa, SDM, petunjuk teknis/tata cara) is met by its items. Per
    component, the sum of the items' targets and of their realisations; with ``cap_each`` (the rule set's
    ``cap_each_component``) an item met above its target counts at its target, so 12 tablets of 10 cannot
    offset a missing doctor. A component with any item left blank is blank itself (``None``): it is not
    complete, and the engine reads it as 0, as it reads a blank component.
    """
    grouped: dict[str, list[ItemValue]] = {}
    for value in items:
        grouped.setdefault(value.component, []).append(value)
    totals: dict[str, tuple[int | None, int | None]] = {}
    for code, values in grouped.items():
        required = None if any(v.required is None for v in values) else sum(v.required for v in values)
        if any(v.met is None for v in values):
            met = None
        elif cap_each:
            met = sum(v.met if v.required is None else min(v.met, v.required) for v in values)
        else:
            met = sum(v.met for v in values)
        totals[code] = (required, met)
    return totals


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
    # The labels follow from the codes (lazy, read in the reader's language): left out of equality and hashing,
    # which would otherwise translate them each time a report's values are compared or looked up.
    stage_label: str = field(compare=False)
    kind: str = ""
    kind_label: str = field(compare=False, default="")
    when: frozenset[str] = frozenset()
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
    items: Sequence[ItemValue] = field(default_factory=tuple)  # section B item by item (empty: per component)
    stages: Sequence[StageValue] = field(default_factory=tuple)
    evidence_count: int = 0
    evidence_kinds: frozenset[str] = frozenset()  # the jenis dokumen of the files uploaded
    document_requirements: Sequence[DocumentRequirement] = ()  # what each tahapan needs (data file)
    previous_index: Decimal | None = None  # nilai of the previous triwulan, if any
    rules: achievement.RuleSet = achievement.DEFAULT_RULES  # the active rule set, as the stored index uses
    approved_must_serve: int | None = None  # the approved target of the year, when known (it is the must-serve)


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


# --- Completeness (tingkat keterisian) and what blocks a submission --------------------------------------


@dataclass(frozen=True)
class Blocker:
    """One thing that stops the report from being submitted: a required input left blank, or a value the
    rules refuse. The completeness meter and the submission check both read :func:`blockers`, so the meter
    never says "Lengkap" while the submission would be refused."""

    section: str  # A–F
    anchor: str  # where it lives in the report (reporting.anchors): "must_serve", "quality-sdm", "stage-…", "F"
    field: str  # the form field to outline ("quality-sdm-required"); "" when no single input can be named
    message: str  # the field's name when blank, else the whole message
    blank: bool = False


@dataclass(frozen=True)
class SectionState:
    code: str
    label: str
    filled: bool
    missing: tuple[str, ...]  # names of the blank required inputs
    problems: tuple[Blocker, ...] = ()  # every blocker of the section, blank or refused

    @property
    def refused(self) -> tuple[Blocker, ...]:
        """Blockers that are values the rules refuse (outlined in red), not blanks."""
        return tuple(b for b in self.problems if not b.blank)


SECTION_LABELS = {
    "A": gettext_lazy("A. Penerima layanan dasar"),
    "B": gettext_lazy("B. Mutu minimal layanan dasar"),
    "C": gettext_lazy("C. Anggaran"),
    "D": gettext_lazy("D. Permasalahan dan solusi"),
    "E": gettext_lazy("E. Tahapan penerapan SPM"),
    "F": gettext_lazy("F. Dokumen pendukung"),
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


# Section B's wording: a component is "harus dipenuhi / terpenuhi", an item of the standar teknis "dibutuhkan /
# tersedia" (the sector forms' words). Lazy: read in the active language.
COMPONENT_WORDING = {
    "required": gettext_lazy("%(name)s: harus dipenuhi"),
    "met": gettext_lazy("%(name)s: terpenuhi"),
    "zero": gettext_lazy(
        "%(name)s: jumlah yang harus dipenuhi harus lebih dari 0, atau tandai komponen ini tidak "
        "berlaku dan tuliskan alasannya."
    ),
    "over": gettext_lazy("%(name)s: jumlah terpenuhi (%(met)s) melebihi yang harus dipenuhi (%(required)s)."),
}
ITEM_WORDING = {
    "required": gettext_lazy("%(name)s: dibutuhkan"),
    "met": gettext_lazy("%(name)s: tersedia"),
    "zero": gettext_lazy(
        "%(name)s: jumlah yang dibutuhkan harus lebih dari 0, atau tandai komponennya tidak "
        "berlaku dan tuliskan alasannya."
    ),
    "over": gettext_lazy("%(name)s: jumlah tersedia (%(met)s) melebihi yang dibutuhkan (%(required)s)."),
}


def blockers(values: ReportValues) -> list[Blocker]:
    """Everything that blocks the submission of a report, each naming its section and exact input.

    The one source of the completeness meter (:func:`completeness`) and of the submission check
    (:func:`submission_errors`). Messages are in the active language (Bahasa Indonesia by default).
    """
    found: list[Blocker] = []

    def blank(section: str, anchor: str, field_name: str, label: str) -> None:
        found.append(Blocker(section, anchor, field_name, label, blank=True))

    def refuse(section: str, anchor: str, field_name: str, message: str) -> None:
        found.append(Blocker(section, anchor, field_name, message))

    def mutu_figures(anchor: str, name: str, required: int | None, met: int | None, wording: dict) -> None:
        """A mutu component or item of section B: both figures given, a target above 0 under the strict rule
        (else "tidak berlaku" with a reason), and no more met than required."""
        if required is None:
            blank("B", anchor, anchors.form_field(anchor, "required"), wording["required"] % {"name": name})
        if met is None:
            blank("B", anchor, anchors.form_field(anchor, "met"), wording["met"] % {"name": name})
        if strict and values.must_serve and required == 0:
            refuse("B", anchor, anchors.form_field(anchor, "required"), wording["zero"] % {"name": name})
        if required is not None and met is not None and met > required:
            refuse(
                "B",
                anchor,
                anchors.form_field(anchor, "met"),
                wording["over"] % {"name": name, "met": met, "required": required},
            )

    if values.must_serve is None:
        blank("A", "must_serve", "must_serve", _("Jumlah yang harus dilayani"))
    elif values.approved_must_serve is not None and values.must_serve != values.approved_must_serve:
        refuse(
            "A",
            "must_serve",
            "must_serve",
            _("Target tahun ini telah disetujui (%(n)s); simpan laporan untuk memperbaruinya.")
            % {"n": _thousands(values.approved_must_serve)},
        )
    if values.served is None:
        blank("A", "served", "served", _("Jumlah terlayani triwulan ini"))
    f = figures(values)
    if (
        f.served_cumulative is not None
        and values.must_serve is not None
        and f.served_cumulative > values.must_serve
        and not values.served_justification.strip()
    ):
        refuse(
            "A",
            "served_justification",
            "served_justification",
            _("Jumlah terlayani melebihi jumlah yang harus dilayani: tuliskan penjelasannya."),
        )
    strict = values.rules.quality_declaration == "strict"
    by_component: dict[str, list[ItemValue]] = {}
    for item in values.items:
        by_component.setdefault(item.component, []).append(item)
    for q in values.quality:
        anchor = anchors.quality(q.code)
        if q.not_applicable:
            if not q.reason.strip():
                blank(
                    "B",
                    anchor,
                    anchors.form_field(anchor, "reason"),
                    _("%(name)s: alasan tidak berlaku") % {"name": q.label},
                )
            continue
        if q.code in by_component:  # entered item by item: its items block, not the derived component row
            for item in by_component[q.code]:
                mutu_figures(anchors.item(item.item_id), item.label, item.required, item.met, ITEM_WORDING)
            continue
        mutu_figures(anchor, q.label, q.required, q.met, COMPONENT_WORDING)
    if values.budget_allocated is None:
        blank("C", "budget_allocated", "budget_allocated", _("Alokasi anggaran"))
    if values.budget_realised is None:
        blank("C", "budget_realised", "budget_realised", _("Realisasi anggaran"))
    if (
        values.budget_allocated is not None
        and values.budget_realised is not None
        and values.budget_realised > values.budget_allocated
        and not values.budget_justification.strip()
    ):
        refuse(
            "C",
            "budget_justification",
            "budget_justification",
            _("Realisasi anggaran melebihi alokasi: tuliskan penjelasannya."),
        )
    if not values.problems.strip():
        blank("D", "problems", "problems", _("Permasalahan"))
    if not values.solutions.strip():
        blank("D", "solutions", "solutions", _("Solusi"))
    for s in values.stages:
        if not s.status:
            anchor = anchors.stage(s.code)
            blank("E", anchor, anchors.form_field(anchor, "status"), s.label)
    if values.evidence_count == 0:
        blank("F", "F", "", _("Minimal satu dokumen pendukung"))
    for item in documents_missing(values):
        blank(
            "F",
            "F",
            "",
            _("%(document)s (tahapan %(stage)s)") % {"document": item.kind_label, "stage": item.stage_label},
        )
    if quality_flags(values) and not values.flag_note.strip():
        # The note answers the data-quality warnings, which are about the figures of section A.
        refuse(
            "A",
            "flag_note",
            "flag_note",
            _("Ada peringatan kualitas data: tuliskan catatan penjelasan sebelum mengajukan."),
        )
    return found


def completeness(values: ReportValues, extra: Sequence[Blocker] = ()) -> list[SectionState]:
    """Sections A–F, each filled only when nothing in it blocks the submission (``extra``: input the form
    itself refused, on the live meter)."""
    if not extra:
        return list(_completeness_of_values(values, get_language()))
    return _completeness(values, extra)


# Keyed by the values themselves (frozen, hashable) and the language of the messages: a pure function of both,
# so a hit is always right. List pages and dashboards ask for the same reports' completeness on every request.
@lru_cache(maxsize=2048)
def _completeness_of_values(values: ReportValues, _language: str | None) -> tuple[SectionState, ...]:
    return tuple(_completeness(values, ()))


def _completeness(values: ReportValues, extra: Sequence[Blocker]) -> list[SectionState]:
    by_section: dict[str, list[Blocker]] = {code: [] for code in SECTION_LABELS}
    for blocker in [*blockers(values), *extra]:
        by_section[blocker.section].append(blocker)
    return [
        SectionState(
            code,
            str(label),
            not by_section[code],
            tuple(b.message for b in by_section[code] if b.blank),
            tuple(by_section[code]),
        )
        for code, label in SECTION_LABELS.items()
    ]


def completeness_pct(sections: Sequence[SectionState]) -> int:
    """Share of sections A–F with nothing blocking; 100 only when the report can be submitted."""
    if not sections:
        return 0
    pct = round(100 * sum(s.filled for s in sections) / len(sections))
    # Never round up to 100 while a section still blocks (not reachable with six sections; kept for safety).
    return min(pct, 99) if not all(s.filled for s in sections) else pct


# --- Data-quality flags (do not block; ask for a note) ----------------------------------------------


@dataclass(frozen=True)
class Flag:
    code: str
    message: str


def _thousands(value: int) -> str:
    """1250 → "1.250": the one number format (id-ID) in both languages."""
    return f"{value:,}".replace(",", ".")


def _decimal(value: Decimal) -> str:
    """40.65 → "40,65"."""
    return f"{achievement.display(value):f}".replace(".", ",")


def quality_flags(values: ReportValues) -> list[Flag]:
    f = figures(values)
    flags: list[Flag] = []
    if f.served_cumulative is not None and values.must_serve is not None and f.served_cumulative > values.must_serve:
        flags.append(
            Flag(
                "served_above_target",
                _("Jumlah terlayani kumulatif (%(served)s) melebihi jumlah yang harus dilayani (%(must)s).")
                % {"served": _thousands(f.served_cumulative), "must": _thousands(values.must_serve)},
            )
        )
    if f.index is not None and values.previous_index is not None:
        jump = abs(f.index - values.previous_index)
        if jump > JUMP_THRESHOLD:
            flags.append(
                Flag(
                    "index_jump",
                    _("Nilai capaian berubah %(jump)s poin dari triwulan sebelumnya (%(before)s → %(now)s).")
                    % {
                        "jump": _decimal(jump),
                        "before": _decimal(values.previous_index),
                        "now": _decimal(f.index),
                    },
                )
            )
    quality_full = values.quality and all(
        q.required is not None and q.met is not None and q.met >= q.required for q in values.quality
    )
    if quality_full and any(q.required for q in values.quality) and f.served_cumulative == 0:
        flags.append(
            Flag("quality_full_none_served", _("Mutu terpenuhi 100% padahal belum ada penerima yang terlayani."))
        )
    if values.budget_realised and values.served == 0:
        flags.append(
            Flag(
                "budget_without_service",
                _("Anggaran sudah direalisasikan padahal tidak ada yang terlayani triwulan ini."),
            )
        )
    return flags


# --- Validation ---------------------------------------------------------------------------------------


def submission_errors(values: ReportValues) -> dict[str, list[str]]:
    """Everything that blocks a submission, per field anchor (or ``__all__`` for the blank inputs of a
    section), from :func:`blockers`: the same list the completeness meter shows."""
    errors: dict[str, list[str]] = {}
    for section in completeness(values):
        if section.missing:
            errors.setdefault("__all__", []).append(
                _("Bagian %(section)s belum lengkap: %(missing)s.")
                % {"section": section.label, "missing": ", ".join(section.missing)}
            )
        for blocker in section.refused:
            errors.setdefault(blocker.anchor, []).append(blocker.message)
    return errors
