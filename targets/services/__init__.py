"""All writes of the targets app (STYLE.md: one write path), by topic: targets and their review (``targets``),
the xlsx import (``imports``), the official report (``official``), the rencana aksi (``plans``) and the needs
(``needs``). Import from here; reads live in ``targets.selectors``.
"""

from targets.services.imports import (
    ImportResult,
    ImportRow,
    targets_import,
)
from targets.services.needs import (
    NeedInput,
    need_save,
)
from targets.services.official import (
    EditionInput,
    can_write_official_report,
    edition_get_or_create,
    edition_save,
    official_report_build,
    official_report_request,
)
from targets.services.plans import (
    NOMENCLATURE_FIELDS,
    PlanItemInput,
    baseline,
    can_edit_plan_item,
    can_manage_plan,
    plan_approve,
    plan_create,
    plan_enact,
    plan_item_save,
)
from targets.services.targets import (
    TargetInput,
    can_edit_target,
    can_review_target,
    revision_snapshot,
    submission_errors,
    target_approve,
    target_return,
    target_save,
    target_submit,
    validate_target_input,
)

__all__ = [
    "EditionInput",
    "NOMENCLATURE_FIELDS",
    "ImportResult",
    "ImportRow",
    "NeedInput",
    "PlanItemInput",
    "TargetInput",
    "baseline",
    "can_edit_plan_item",
    "can_edit_target",
    "can_manage_plan",
    "can_review_target",
    "can_write_official_report",
    "edition_get_or_create",
    "edition_save",
    "need_save",
    "official_report_build",
    "official_report_request",
    "plan_approve",
    "plan_create",
    "plan_enact",
    "plan_item_save",
    "revision_snapshot",
    "submission_errors",
    "target_approve",
    "target_return",
    "target_save",
    "target_submit",
    "targets_import",
    "validate_target_input",
]
