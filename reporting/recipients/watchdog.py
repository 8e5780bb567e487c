"""The watchdog of recipient imports: nothing is lost when a worker dies.

A running import shows a heartbeat (``RecipientImport.heartbeat_at``): set on upload and on confirmation, at
the start of each task run and at every progress point of the validation. The broker redelivers the task of
a worker killed outright only after its visibility timeout (two hours), so the periodic task
``reporting.watch_recipient_imports`` (beat, every minute) looks for imports whose heartbeat is older than
``RECIPIENT_IMPORT_HEARTBEAT_TIMEOUT`` and

- waiting for validation (its task lost or never sent): sends the task again;
- being validated: starts the validation over from the file (it stores nothing, so a restart is clean);
- being stored, with no commit transaction holding its row lock: sends the commit again. The commit is one
  transaction that a dead worker's connection rolls back, and it only acts on a list still "being stored",
  under the row lock, so the list is stored exactly once;

up to ``RECIPIENT_IMPORT_MAX_ATTEMPTS`` runs of a step; after that the import is marked failed with a message
the user sees on the status page, and its files are deleted.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from reporting.choices import ImportStatus
from reporting.models import RecipientImport
from reporting.recipients.services import heartbeat_cutoff, recipient_import_fail
from spm.tasks_safe import enqueue_on_commit

logger = logging.getLogger(__name__)

STOPPED_MESSAGE = "Proses impor terhenti karena pekerja berhenti; unggah ulang atau coba lagi."
RUNNING = [ImportStatus.UPLOADED, ImportStatus.VALIDATING, ImportStatus.COMMITTING]


def recipient_imports_watch() -> dict[str, int]:
    """Re-queue or fail every running import whose heartbeat stopped; returns what it did, by outcome."""
    cutoff = heartbeat_cutoff()
    stale = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True)
    done = {"requeued": 0, "failed": 0}
    for batch_id in RecipientImport.objects.filter(stale, status__in=RUNNING).values_list("pk", flat=True):
        outcome = _revive(batch_id, stale)
        if outcome:
            done[outcome] += 1
    return done


def _revive(batch_id: int, stale: Q) -> str | None:
    from reporting import tasks

    with transaction.atomic():
        # skip_locked: a commit transaction in progress holds this row however long its COPY takes.
        batch = (
            RecipientImport.objects.select_for_update(skip_locked=True)
            .filter(stale, pk=batch_id, status__in=RUNNING)
            .first()
        )
        if batch is None:
            return None
        if batch.attempts >= settings.RECIPIENT_IMPORT_MAX_ATTEMPTS:
            recipient_import_fail(batch_id=batch.pk, message=STOPPED_MESSAGE)
            return "failed"
        fields = ["heartbeat_at"]
        batch.heartbeat_at = timezone.now()
        if batch.status == ImportStatus.VALIDATING:
            batch.status, batch.phase, batch.rows_processed = ImportStatus.UPLOADED, "", 0
            fields += ["status", "phase", "rows_processed"]
        batch.save(update_fields=fields)
        committing = batch.status == ImportStatus.COMMITTING
        enqueue_on_commit(tasks.commit_recipient_import if committing else tasks.validate_recipient_import, batch.pk)
    logger.warning("recipient import %s: no heartbeat, re-queued after %s attempts", batch_id, batch.attempts)
    return "requeued"
