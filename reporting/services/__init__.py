"""All writes of quarterly reporting (STYLE.md: one write path), split by topic; import from here.

Recipient lists have their own package (``reporting.recipients``: ``services`` and ``store``), and stored
achievements theirs (``reporting.achievements.services``).
"""

from reporting.services.evidence import evidence_add, evidence_remove
from reporting.services.notifications import notifications_mark_read, notify, reminders_send
from reporting.services.periods import (
    NationalWindowResult,
    default_due_date,
    national_window_set,
    period_close,
    period_extend,
    period_get_or_create,
    period_reopen,
    period_set_due_date,
    periods_close_expired,
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
    "NationalWindowResult",
    "ReportInput",
    "changes_since_last_review",
    "default_due_date",
    "evidence_add",
    "evidence_remove",
    "national_window_set",
    "notifications_mark_read",
    "notify",
    "period_close",
    "period_extend",
    "period_get_or_create",
    "period_reopen",
    "period_set_due_date",
    "periods_close_expired",
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
