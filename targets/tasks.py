"""Celery tasks of the targets app: thin wrappers taking ids and calling services (idempotent)."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="targets.generate_official_report", time_limit=900, soft_time_limit=840, acks_late=True)
def generate_official_report(generated_id: int) -> str:
    """Make the xlsx and PDF of one requested Laporan Penerapan SPM."""
    from targets.models import GeneratedReport
    from targets.services import official_report_build

    generated = GeneratedReport.objects.select_related("edition__region").filter(pk=generated_id).first()
    if generated is None:
        return "missing"
    official_report_build(generated=generated)
    generated.refresh_from_db()
    logger.info("official report %s: %s", generated_id, generated.status)
    return generated.status


@shared_task(name="targets.purge_target_imports", time_limit=10 * 60, soft_time_limit=9 * 60)
def purge_target_imports() -> int:
    """Daily: delete target workbooks uploaded but never confirmed within the retention period."""
    from django.conf import settings

    from targets.services import target_import_purge

    return target_import_purge(older_than_days=settings.RECIPIENT_IMPORT_RETENTION_DAYS)
