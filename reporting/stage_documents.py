"""The documents each tahapan penerapan SPM needs (dokumen per tahapan), read from editable data.

``reporting/data/stage_documents.yaml`` says, per tahapan, which jenis dokumen (``EvidenceKind``) prove it and
at which status they are required, with the source of each line (the file's header says what is confirmed
and what is assumed). It is read once per process and handed to the pure completeness rules
(``reporting.checks``) as plain values, so the meter, the submission and the matrix count the same documents.
A file naming an unknown tahapan, status or jenis dokumen stops with a message naming it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from reporting import checks
from reporting.choices import EvidenceKind, ImplementationStage, StageStatus

DATA_FILE = Path(__file__).resolve().parent / "data" / "stage_documents.yaml"


def parse(data: dict) -> tuple[checks.DocumentRequirement, ...]:
    """The requirements of a loaded file, in tahapan order; ``ValueError`` (Indonesian) on an unknown key."""
    stages = data.get("stages") or {}
    kind_labels = dict(EvidenceKind.choices)
    stage_labels = dict(ImplementationStage.choices)
    found = []
    for stage, spec in stages.items():
        if stage not in stage_labels:
            raise ValueError(f"Dokumen per tahapan: tahapan '{stage}' tidak dikenal.")
        when = tuple(spec.get("when") or ())
        for status in when:
            if status not in StageStatus.values:
                raise ValueError(f"Dokumen per tahapan: status '{status}' pada tahapan '{stage}' tidak dikenal.")
        for kind in spec.get("documents") or ():
            if kind not in kind_labels:
                raise ValueError(f"Dokumen per tahapan: jenis dokumen '{kind}' pada tahapan '{stage}' tidak dikenal.")
            found.append(
                checks.DocumentRequirement(
                    stage=stage,
                    stage_label=stage_labels[stage],  # lazy: read in the reader's language
                    kind=kind,
                    kind_label=kind_labels[kind],
                    when=frozenset(when),
                    source=str(spec.get("source") or ""),
                )
            )
    order = {stage: i for i, stage in enumerate(ImplementationStage.values)}
    return tuple(sorted(found, key=lambda r: order[r.stage]))


@cache
def requirements() -> tuple[checks.DocumentRequirement, ...]:
    """The documents every tahapan needs (the data file, read once)."""
    return parse(yaml.safe_load(DATA_FILE.read_text(encoding="utf-8")))


def version() -> str:
    return str(yaml.safe_load(DATA_FILE.read_text(encoding="utf-8")).get("version", ""))
