"""One audit shape: every review transition (reports, targets, rencana aksi, requests for correction) is a
row of a :class:`spm.audit.TransitionLog` model written by :func:`spm.audit.record_transition` alone."""

from __future__ import annotations

import re
from pathlib import Path

from django.apps import apps

from spm.audit import TransitionLog

ROOT = Path(__file__).resolve().parents[2]
APPS = ("spm", "reporting", "targets", "evaluation")


def test_every_transition_log_is_written_only_by_record_transition():
    logs = [m.__name__ for m in apps.get_models() if issubclass(m, TransitionLog)]
    assert {"ReportTransition", "TargetTransition", "PlanTransition", "CorrectionTransition"} <= set(logs)
    direct = re.compile(rf"\b({'|'.join(logs)})\.objects\.(create|bulk_create|get_or_create|update_or_create)\b")
    writers = [
        f"{path.relative_to(ROOT)}:{number}"
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if direct.search(line)
    ]
    assert writers == [], f"transitions written around spm.audit.record_transition: {writers}"
