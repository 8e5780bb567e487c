"""All writes of the targets app (STYLE.md: one write path), by topic: targets and their review (``targets``),
the Tim Penerapan SPM (``team``), the xlsx import (``imports``), the official report (``official``), the rencana
aksi (``plans``) and the needs (``needs``). Import from here; reads live in ``targets.selectors``.
"""

from targets.services.imports import (
    ImportResult,
    ImportRow,
    target_import_confirm,
    target_import_purge,
    target_import_store,
    targets_import,
)
from targets.services.needs import (
    NeedInput,
    need_save,
)
from targets.services.official import (
    EditionInput,
    edition_get_or_create,
    edition_save,
    official_report_build,
    official_report_request,
)
from targets.services.plans import (
    NOMENCLATURE_FIELDS,
    PlanItemInput,
    baseline,
    plan_approve,
    plan_create,
    plan_enact,
    plan_item_save,
)
from targets.services.targets import (
    TargetInput,
    revision_snapshot,
    submission_errors,
    target_approve,
    target_return,
    target_save,
    target_submit,
    validate_target_input,
)
from targets.services.team import MemberInput, team_member_add, team_member_remove, team_save

__all__ = [
    "target_import_confirm",
    "target_import_purge",
    "target_import_store",
    "team_member_add",
    "team_member_remove",
    "team_save",
    "EditionInput",
    "MemberInput",
    "NOMENCLATURE_FIELDS",
    "ImportResult",
    "ImportRow",
    "NeedInput",
    "PlanItemInput",
    "TargetInput",
    "baseline",
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
