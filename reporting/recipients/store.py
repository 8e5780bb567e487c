"""Step 3 of a recipient import: the one transaction that stores a validated list (all or nothing).

"ganti" deletes the year's list of that daerah and service first; "tambah" skips NIKs already stored.
PostgreSQL loads the staged rows with COPY, SQLite with batched inserts. A failure stores nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reporting.choices import ImportMode, ImportPhase, ImportStatus
from reporting.models import Recipient, RecipientImport
from reporting.recipients import rows as recipient_rows
from reporting.recipients import services
from reporting.recipients.services import (
    RecipientImportError,
    _delete_files,
    _lock,
    _recompute_achievements,
    _StoredNiks,
)
from spm import access, freshness
from spm.models import User

logger = logging.getLogger(__name__)


@transaction.atomic
def recipient_import_confirm(*, user: User, batch: RecipientImport) -> RecipientImport:
    """The user confirms a validated list without errors: it is stored in the background (a large list
    takes longer than a web request should)."""
    batch = _lock(batch)
    access.require(user, "recipient_import.commit", batch, _("Anda tidak berwenang menyimpan data penerima ini."))
    if not (batch.can_commit or commit_is_stuck(batch)):
        raise ValidationError(_not_committable(batch))
    batch.status, batch.phase, batch.committed_by = ImportStatus.COMMITTING, ImportPhase.STORING, user
    batch.failure_message = ""
    batch.commit_requested_at = batch.heartbeat_at = timezone.now()
    batch.attempts = 0  # attempts now count the runs of the commit
    batch.save(
        update_fields=[
            "status",
            "phase",
            "committed_by",
            "failure_message",
            "commit_requested_at",
            "heartbeat_at",
            "attempts",
        ]
    )
    transaction.on_commit(lambda: services._enqueue("commit", batch.pk))
    return batch


def commit_is_stuck(batch: RecipientImport) -> bool:
    """A list "being stored" whose task gave no sign of life for longer than the heartbeat timeout and holds
    no lock (its task was lost, or its worker died): the user may ask again, and the watchdog re-queues it.
    The commit task only acts on a list still being stored, under the import's row lock, so a late original
    run and the retry cannot both store it."""
    if batch.status != ImportStatus.COMMITTING:
        return False
    last_sign = batch.heartbeat_at or batch.commit_requested_at
    if last_sign is not None and last_sign >= services.heartbeat_cutoff():
        return False
    return not commit_running(batch.pk)


def commit_running(batch_id: int) -> bool:
    """Is a commit transaction running for this import? It holds the import's row lock from its first
    statement to its end, however long the COPY takes (PostgreSQL; SQLite has no row locks, and no
    separate workers either)."""
    if connection.vendor != "postgresql":
        return False
    with transaction.atomic():
        free = RecipientImport.objects.select_for_update(skip_locked=True).filter(pk=batch_id).values_list("pk")
        return not list(free)


def _not_committable(batch: RecipientImport) -> str:
    if batch.status != ImportStatus.VALIDATED:
        return _("Impor ini berstatus '%(status)s' sehingga tidak dapat disimpan.") % {
            "status": batch.get_status_display()
        }
    if batch.rows_with_errors:
        return _(
            "Berkas masih memiliki %(count)s baris dengan galat. Perbaiki baris tersebut (lihat laporan galat) lalu "
            "unggah ulang; tidak ada data yang disimpan."
        ) % {"count": batch.rows_with_errors}
    return _("Tidak ada baris valid untuk disimpan.")


def recipient_import_commit(*, user: User, batch: RecipientImport) -> RecipientImport:
    """Store a validated list without errors, all or nothing, in one transaction. "ganti" deletes the
    year's list of that daerah and service first; "tambah" skips NIKs already stored and counts them."""
    try:
        with transaction.atomic():
            batch = _lock(batch)
            access.require(
                user, "recipient_import.commit", batch, _("Anda tidak berwenang menyimpan data penerima ini.")
            )
            if batch.status not in (ImportStatus.VALIDATED, ImportStatus.COMMITTING) or (
                batch.status == ImportStatus.VALIDATED and not batch.can_commit
            ):
                raise ValidationError(_not_committable(batch))
            if batch.rows_with_errors or not batch.staged_file:
                raise ValidationError(_not_committable(batch))
            stored, skipped = _write_recipients(batch)
            batch.status, batch.phase = ImportStatus.COMMITTED, ""
            batch.rows_stored, batch.duplicates_stored = stored, skipped
            batch.committed_by, batch.committed_at = user, timezone.now()
            batch.save(
                update_fields=[
                    "status",
                    "phase",
                    "rows_stored",
                    "duplicates_stored",
                    "committed_by",
                    "committed_at",
                ]
            )
            transaction.on_commit(lambda: _delete_files(batch, keep_report=True))
            transaction.on_commit(lambda: _recompute_achievements(batch.region_id, batch.year))
    except (ValidationError, PermissionDenied):
        raise
    except SoftTimeLimitExceeded:
        logger.error("recipient import %s: commit over its time limit, nothing stored", batch.pk)
        message = (
            "Penyimpanan melebihi batas waktu pemrosesan sehingga dihentikan; tidak ada data yang disimpan. Bagi "
            "daftar menjadi beberapa berkas yang lebih kecil lalu unggah ulang."
        )
        services.recipient_import_fail(batch_id=batch.pk, message=message)
        raise RecipientImportError(message) from None
    except Exception as exc:
        # Only the exception's type: a database error may quote the failing row, NIK included.
        logger.error("recipient import %s: commit failed, nothing stored (%s)", batch.pk, type(exc).__name__)
        message = (
            "Penyimpanan gagal sehingga tidak ada data yang disimpan. Coba simpan sekali lagi; bila berulang, "
            "hubungi admin."
        )
        RecipientImport.objects.filter(
            pk=batch.pk, status__in=[ImportStatus.COMMITTING, ImportStatus.VALIDATED]
        ).update(status=ImportStatus.VALIDATED, phase="", failure_message=message)
        raise RecipientImportError(message) from None
    logger.info("recipient import %s committed: %s stored, %s skipped", batch.pk, stored, skipped)
    return batch


def _prepare_transaction(batch: RecipientImport) -> None:
    """PostgreSQL: serialise commits to the same list (SQLite serialises every write anyway), and do not wait
    for the WAL flush at commit. Without that wait a server crash in the following fraction of a second can
    lose the whole stored list and its "disimpan" status together, never part of it (the import then shows
    "sedang disimpan" and is stored again by the redelivered task); it saves a second per 100,000 rows."""
    if connection.vendor == "postgresql":
        key = (batch.region_id << 40) ^ (batch.service_id << 16) ^ batch.year
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key & 0x7FFF_FFFF_FFFF_FFFF])
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _write_recipients(batch: RecipientImport) -> tuple[int, int]:
    _prepare_transaction(batch)
    scope = Recipient.objects.for_list(batch.region_id, batch.service_id, batch.year)
    if batch.mode == ImportMode.REPLACE:
        scope.delete()
        stored = None
    else:
        stored = _StoredNiks(batch.region_id, batch.service_id, batch.year)
    counter = {"kept": 0, "skipped": 0}
    with batch.staged_file.open("rb") as handle:
        if connection.vendor == "postgresql" and not stored:
            # Nothing to skip: the staged lines as they are, in NIK order (see nik_ordered).
            _copy(recipient_rows.LineStream(recipient_rows.nik_ordered(handle)))
            counter["kept"] = batch.rows_read
        else:
            nik_at = len(recipient_rows.staging_affixes(batch)[0])
            lines = recipient_rows.staged_lines(handle, stored, counter, nik_at)
            if connection.vendor == "postgresql":
                _copy(recipient_rows.LineStream(recipient_rows.nik_ordered(lines)))
            else:
                _bulk_insert(lines)
    return counter["kept"], counter["skipped"]


def _copy(source) -> None:
    table = Recipient._meta.db_table
    sql = f"COPY {connection.ops.quote_name(table)} ({', '.join(recipient_rows.COPY_COLUMNS)}) FROM STDIN"
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(sql, source, size=1 << 20)
    # psycopg2's COPY does not pass through Django's cursor, where every other write is noticed.
    freshness.note_write(connection, table)


def _bulk_insert(lines: Iterator[bytes], batch_size: int = 2_000) -> None:
    """SQLite: the staged lines as batched INSERTs (COPY is PostgreSQL's)."""
    created = timezone.now()
    objects: list[Recipient] = []
    for line in lines:
        fields = line.decode("utf-8").rstrip("\n").split("\t")
        objects.append(
            Recipient(
                region_id=int(fields[0]),
                service_id=int(fields[1]),
                year=int(fields[2]),
                nik=fields[3],
                name=recipient_rows.unescape(fields[4]),
                sex=fields[5],
                birth_date=dt.date.fromisoformat(fields[6]),
                address=recipient_rows.unescape(fields[7]),
                village=recipient_rows.unescape(fields[8]),
                district_id=None if fields[9] == "\\N" else int(fields[9]),
                service_date=None if fields[10] == "\\N" else dt.date.fromisoformat(fields[10]),
                quarter=None if fields[11] == "\\N" else int(fields[11]),
                status=fields[12],
                note=recipient_rows.unescape(fields[13]),
                source_import_id=int(fields[14]),
                created_at=created,
            )
        )
        if len(objects) >= batch_size:
            Recipient.objects.bulk_create(objects)
            objects.clear()
    if objects:
        Recipient.objects.bulk_create(objects)
