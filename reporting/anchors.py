"""Anchors: the one naming of the places inside a quarterly report that comments, errors and form fields
point at — a section (``"A"``…``"F"``), a scalar field (``"must_serve"``), a mutu component
(``"quality-<code>"``) or a tahapan (``"stage-<code>"``). Every module builds and reads them here.

Building and parsing are plain functions (the pure checks use them); :func:`section_of` maps an anchor to
the section (A–F) it lives in.
"""

from __future__ import annotations

QUALITY = "quality"
STAGE = "stage"
ITEM = "item"


def quality(code: str) -> str:
    """The anchor of a mutu component of the report (``quality-<code>``)."""
    return f"{QUALITY}-{code}"


def item(item_id: int | str) -> str:
    """The anchor of one item of the report's mutu item list (``item-<id>``)."""
    return f"{ITEM}-{item_id}"


def stage(code: str) -> str:
    """The anchor of a tahapan (``stage-<code>``)."""
    return f"{STAGE}-{code}"


def form_field(anchor: str, part: str) -> str:
    """The form field of one part of an anchored row (``quality-<code>-required``, ``stage-<code>-note``)."""
    return f"{anchor}-{part}"


def parse(anchor: str) -> tuple[str | None, str]:
    """(``"quality"``/``"stage"``/``"item"``, code) for a component, tahapan or item anchor; (None, anchor) for
    anything else."""
    for kind in (QUALITY, STAGE, ITEM):
        prefix = f"{kind}-"
        if anchor.startswith(prefix):
            return kind, anchor.removeprefix(prefix)
    return None, anchor


def to_column(anchor: str, prefix: str) -> str:
    """A mutu anchor as a spreadsheet column or form name (``quality-X`` → ``mutu_X`` with prefix ``mutu_``)."""
    kind, code = parse(anchor)
    return f"{prefix}{code}" if kind == QUALITY else anchor


def section_of(anchor: str) -> str | None:
    """The section (A–F) an anchor belongs to; None when the anchor is not known."""
    from reporting.choices import Section
    from reporting.services.reports import FIELD_SECTION

    if anchor in Section.values:
        return anchor
    if anchor in FIELD_SECTION:
        return str(FIELD_SECTION[anchor].value if hasattr(FIELD_SECTION[anchor], "value") else FIELD_SECTION[anchor])
    kind, _code = parse(anchor)
    if kind in (QUALITY, ITEM):
        return Section.QUALITY.value
    if kind == STAGE:
        return Section.STAGES.value
    return None
