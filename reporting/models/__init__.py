"""Models of the reporting app, by topic: quarterly reports and their review (``reports``), stored
achievements and rule sets (``achievements``), recipient lists and their exports (``recipients``).

Import from ``reporting.models``; the split is only for the reader.
"""

from reporting.models.achievements import Achievement, AchievementLevel, AchievementRuleSet
from reporting.models.awards import AwardCriteriaSet
from reporting.models.recipients import ExportLog, Recipient, RecipientImport, recipient_import_upload_to
from reporting.models.reports import (
    ROMAN,
    Evidence,
    FieldChange,
    NationalWindow,
    Notification,
    PeriodEvent,
    QualityEntry,
    QualityItemEntry,
    QuarterlyReport,
    ReportingPeriod,
    ReportTransition,
    ReviewComment,
    StageProgress,
    evidence_upload_to,
)

__all__ = [
    "ROMAN",
    "Achievement",
    "AchievementLevel",
    "AchievementRuleSet",
    "AwardCriteriaSet",
    "Evidence",
    "ExportLog",
    "FieldChange",
    "NationalWindow",
    "Notification",
    "PeriodEvent",
    "QualityEntry",
    "QualityItemEntry",
    "QuarterlyReport",
    "Recipient",
    "RecipientImport",
    "ReportTransition",
    "ReportingPeriod",
    "ReviewComment",
    "StageProgress",
    "evidence_upload_to",
    "recipient_import_upload_to",
]
