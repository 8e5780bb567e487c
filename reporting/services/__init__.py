"""All writes of quarterly reporting (STYLE.md: one write path), split by topic; import from here.

Recipient lists have their own package (``reporting.recipients``: ``services`` and ``store``), and stored
achievements theirs (``reporting.achievements.services``).
"""

from reporting.services.evidence import evidence_add, evidence_remove
from reporting.services.notifications import notifications_mark_read, notify, reminders_send
from reporting.services.periods import (
    default_due_date,
    period_close,
    period_get_or_create,
    period_reopen,
    period_set_due_date,
    quarter_of,
)
from reporting.services.reports import (
    CommentInput,
    ConcurrentEditError,
    ReportInput,
    changes_since_last_review,
    report_approve,
    report_open,
    report_prefill_from_previous,
    report_return,
    report_save,
    report_save_and_submit,
    report_submit,
    report_unlock,
    report_values,
    snapshot,
)

__all__ = [
    "CommentInput",
    "ConcurrentEditError",
    "ReportInput",
    "changes_since_last_review",
    "default_due_date",
    "evidence_add",
    "evidence_remove",
    "notifications_mark_read",
    "notify",
    "period_close",
    "period_get_or_create",
    "period_reopen",
    "period_set_due_date",
    "quarter_of",
    "reminders_send",
    "report_approve",
    "report_open",
    "report_prefill_from_previous",
    "report_return",
    "report_save",
    "report_save_and_submit",
    "report_submit",
    "report_unlock",
    "report_values",
    "snapshot",
]
