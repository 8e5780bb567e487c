"""Celery tasks of the reporting app: thin wrappers taking ids and calling services (idempotent)."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="reporting.recompute_achievements", time_limit=600, soft_time_limit=540, acks_late=True)
def recompute_achievements(region_id: int, year: int, quarter: int | None = None, reason: str = "") -> dict:
    """Recompute one daerah's achievements for a year (or one triwulan)."""
    from reporting.achievements.services import achievements_recompute
    from spm.models import Region

    region = Region.objects.get(pk=region_id)
    stats = achievements_recompute(region=region, year=year, quarter=quarter, reason=reason)
    logger.info("achievements region=%s year=%s quarter=%s %s", region_id, year, quarter, stats)
    return stats.__dict__


@shared_task(name="reporting.recompute_open_year", time_limit=3600, soft_time_limit=3500)
def recompute_open_year() -> int:
    """Nightly: fan out one recompute per daerah with approved reports in the current year."""
    from reporting.achievements.services import regions_with_reports
    from reporting.services.periods import today
    from spm.tasks_safe import enqueue

    year = today().year
    regions = regions_with_reports(year)
    for region_id in regions:
        enqueue(recompute_achievements, region_id, year, None, "Penghitungan ulang terjadwal (malam)")
    return len(regions)


@shared_task(name="reporting.close_expired_periods", time_limit=600, soft_time_limit=540)
def close_expired_periods() -> int:
    """Daily: close the periods whose national close of input has passed (idempotent)."""
    from reporting.services.periods import periods_close_expired

    return periods_close_expired()


@shared_task(name="reporting.send_due_reminders", time_limit=600, soft_time_limit=540)
def send_due_reminders() -> int:
    """Daily: remind operators 7 days and 1 day before the due date (idempotent per day and OPD)."""
    from reporting.services.notifications import reminders_send
    from reporting.services.periods import today

    return reminders_send(on=today())


# A million-row list takes a few minutes to validate and to write its error report; the limits leave room. Past
# the soft limit the import is marked failed with the reason and its files deleted; the hard limit kills the
# child. The broker's visibility timeout (settings) is longer than the hard limit, so Redis never hands a
# running import to a second worker.
IMPORT_SOFT_TIME_LIMIT = 55 * 60
IMPORT_TIME_LIMIT = 60 * 60


@shared_task(
    name="reporting.validate_recipient_import", time_limit=IMPORT_TIME_LIMIT, soft_time_limit=IMPORT_SOFT_TIME_LIMIT
)
def validate_recipient_import(import_id: int) -> dict:
    """Validate an uploaded recipient list (nothing is stored). Safe to run twice. The error report is a file
    for the uploader: it is written in the language the uploader picked."""
    from django.utils import translation

    from reporting.models import RecipientImport
    from reporting.recipients.services import recipient_import_validate
    from spm.language import user_language

    uploader = RecipientImport.objects.filter(pk=import_id).select_related("created_by").first()
    with translation.override(user_language(uploader.created_by if uploader else None)):
        batch = recipient_import_validate(import_id)
    if batch is None:
        return {"import": import_id, "status": "skipped"}
    return {"import": import_id, "status": batch.status, "rows": batch.rows_read, "errors": batch.rows_with_errors}


@shared_task(
    name="reporting.commit_recipient_import", time_limit=IMPORT_TIME_LIMIT, soft_time_limit=IMPORT_SOFT_TIME_LIMIT
)
def commit_recipient_import(import_id: int) -> dict:
    """Store a confirmed recipient list in one transaction. Safe to run twice: a stored list is skipped."""
    from django.core.exceptions import ValidationError
    from django.db.models import F
    from django.utils import timezone

    from reporting.choices import ImportStatus
    from reporting.models import RecipientImport
    from reporting.recipients.store import recipient_import_commit

    started = RecipientImport.objects.filter(pk=import_id, status=ImportStatus.COMMITTING).update(
        heartbeat_at=timezone.now(), attempts=F("attempts") + 1
    )
    batch = RecipientImport.objects.select_related("committed_by").filter(pk=import_id).first()
    if not started or batch is None or batch.committed_by is None:
        return {"import": import_id, "status": "skipped"}
    try:
        batch = recipient_import_commit(user=batch.committed_by, batch=batch)
    except ValidationError:  # a concurrent run stored it while this one waited for the lock
        return {"import": import_id, "status": "skipped"}
    return {"import": import_id, "status": batch.status, "stored": batch.rows_stored}


@shared_task(name="reporting.watch_recipient_imports", time_limit=300, soft_time_limit=240)
def watch_recipient_imports() -> dict:
    """Every minute: re-queue (or, after too many attempts, fail) imports whose worker stopped answering."""
    from reporting.recipients.watchdog import recipient_imports_watch

    return recipient_imports_watch()


@shared_task(name="reporting.purge_recipient_import_files", time_limit=30 * 60, soft_time_limit=25 * 60)
def purge_recipient_import_files() -> int:
    """Daily: delete the files (personal data) of imports that ended more than the retention period ago."""
    from reporting.recipients.services import recipient_import_purge

    return recipient_import_purge()
