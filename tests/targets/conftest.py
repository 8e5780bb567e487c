"""Fixtures of the targets tests (the reporting fixtures are reused for the worked example)."""

from __future__ import annotations

from targets.services import TargetInput, target_approve, target_save, target_submit
from tests.reporting.conftest import worked_example  # noqa: F401 - re-exported fixture

WORKED_QUALITY = {"barang_jasa": 40, "sdm": 12, "tata_cara": 4}


def target_input(must_serve: int = 1000, **quality) -> TargetInput:
    return TargetInput(must_serve=must_serve, quality={**WORKED_QUALITY, **quality})


def approved_target(operator, reviewer, region, service, year, must_serve=1000):
    revision = target_save(user=operator, region=region, service=service, year=year, data=target_input(must_serve))
    target_submit(revision=revision, user=operator)
    return target_approve(revision=revision, user=reviewer)
