"""The one write path of recipient data (data penerima layanan dasar): import, validate, commit, cancel,
export; and the counts that feed section A of the quarterly report.

An import runs in three steps (pretix's "validate everything, then one transaction"):

1. :func:`recipient_import_start` (web request) checks the user may import for that daerah and service,
   and that the file is a readable xlsx within the size and row limits, with the template's columns; it
   stores the upload and enqueues the validation task after the transaction commits.
2. :func:`recipient_import_validate` (Celery) streams the sheet, checks every row with the pure core
   (``reporting.recipients.validation``), checks duplicates against the stored list in one query, and
   writes the counts, the first issues, an error report if anything is wrong, and a compact staging file
   of the valid rows (PostgreSQL COPY text format). Nothing becomes a :class:`Recipient` yet.
3. :func:`recipient_import_commit` (Celery, after the user confirms) stores the staged rows in one
   transaction: "ganti" deletes the year's list first; "tambah" skips NIKs already stored. PostgreSQL
   loads with COPY, SQLite with batched inserts. A failure stores nothing.

Personal data (UU 27/2022): no NIK, name or address is ever logged or put in an exception; messages use
row numbers and, where needed, :func:`~reporting.recipients.validation.mask_nik`. Exports are recorded in
:class:`~reporting.models.ExportLog`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import os
import shutil
import tempfile
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePath

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from reporting import spreadsheet
from reporting.choices import ExportKind, ImportMode, ImportPhase, ImportStatus, RecipientStatus
from reporting.models import ExportLog, QuarterlyReport, Recipient, RecipientImport
from reporting.recipients import rows as recipient_rows
from reporting.recipients import xlsx as recipient_xlsx
from reporting.recipients.selectors import recipient_counts
from reporting.recipients.validation import (
    ERROR,
    HEADERS,
    ValidationCounts,
    kecamatan_key,
    validate_rows,
)
from reporting.services.reports import ReportInput, report_save
from spm import access
from spm.choices import RegionLevel
from spm.models import BasicService, Region, User
from spm.tasks_safe import enqueue
from targets.selectors import approved_must_serve

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 5_000  # rows between two progress updates (one cheap UPDATE each)
ISSUES_KEPT = 200  # issues kept on the import for the status page; the error report has them all


def importable_services(user: User, region: Region):
    """The services a user may import for in a daerah (for the import form)."""
    services = BasicService.objects.active().for_region(region).select_related("affair")
    return access.services_allowed(user, "recipient_import.add", region, services)


class RecipientImportError(Exception):
    """A system failure during validation or commit; its message holds no personal data."""


# --- the template --------------------------------------------------------------------------------------


def recipients_template(service: BasicService, *, region: Region | None = None, year: int | None = None) -> bytes:
    """The xlsx template of a jenis pelayanan dasar (headers, instructions with its eligibility, dropdowns,
    formats, a valid example row); for a daerah, with its kecamatan codes as a dropdown (a provinsi: all of them)."""
    year = year or timezone.localdate().year
    districts: list[tuple[str, str]] = []
    if region is not None and region.is_daerah:
        districts = list(Region.objects.districts_of(region).order_by("code").values_list("code", "name"))
    return recipient_xlsx.recipients_template(service, year=year, region=region, districts=districts)


def _limit_text(size: int) -> str:
    return f"{size / 1_048_576:.1f}".replace(".", ",") + " MB"


# --- step 1: upload --------------------------------------------------------------------------------------


@contextmanager
def _local_path(upload: UploadedFile) -> Iterator[str]:
    """A path on disk for an upload (large uploads already are a temporary file)."""
    path = getattr(upload, "temporary_file_path", None)
    if path is not None:
        yield path()
        return
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        upload.seek(0)
        shutil.copyfileobj(upload, handle, 1024 * 1024)
        handle.flush()
        yield handle.name


def recipient_import_start(
    *, user: User, region: Region, service: BasicService, year: int, mode: str, upload: UploadedFile
) -> RecipientImport:
    """Accept an uploaded recipient list for validation; refuse bad files with the reason and store nothing."""
    access.require(
        user,
        "recipient_import.add",
        access.ServiceIn(region, service),
        _("Anda tidak berwenang mengimpor data penerima layanan ini."),
    )
    if not region.is_daerah or service.level != region.government_level:
        raise ValidationError({"service": _("Jenis pelayanan dasar ini bukan urusan daerah yang dipilih.")})
    this_year = timezone.localdate().year
    if not 2000 <= year <= this_year + 1:
        raise ValidationError({"year": _("Tahun harus antara 2000 dan %(last)s.") % {"last": this_year + 1}})
    if mode not in ImportMode.values:
        raise ValidationError({"mode": _("Pilih cara impor: Tambah atau Ganti.")})
    name = PurePath(upload.name or "berkas.xlsx").name[:255]
    limit = settings.RECIPIENT_IMPORT_MAX_BYTES
    if not upload.size:
        raise ValidationError({"file": _("Berkas kosong (0 byte).")})
    if upload.size > limit:
        raise ValidationError(
            {
                "file": _("Ukuran berkas %(size)s melebihi batas %(limit)s per impor.")
                % {"size": _limit_text(upload.size), "limit": _limit_text(limit)}
            }
        )
    try:
        with _local_path(upload) as path:
            check = recipient_rows.check_file(path)
    except spreadsheet.SpreadsheetError as exc:
        raise ValidationError({"file": str(exc)}) from None
    with transaction.atomic():
        batch = RecipientImport(
            region=region,
            service=service,
            year=year,
            mode=mode,
            original_name=name,
            size=upload.size,
            created_by=user,
            rows_total=check.rows_estimate,
            heartbeat_at=timezone.now(),  # waiting in the queue since; the watchdog re-sends a lost task
        )
        upload.seek(0)
        batch.file.save("impor.xlsx", upload, save=False)
        try:
            batch.save()
        except Exception:
            batch.file.delete(save=False)  # nothing half-saved
            raise
        transaction.on_commit(lambda: _enqueue("validate", batch.pk))
    logger.info("recipient import %s uploaded: %s rows estimated", batch.pk, check.rows_estimate)
    return batch


def _enqueue(step: str, import_id: int) -> None:
    from reporting import tasks

    task = tasks.validate_recipient_import if step == "validate" else tasks.commit_recipient_import
    enqueue(task, import_id)


# --- step 2: validate ------------------------------------------------------------------------------------


STORED_FILE_TOO_LARGE = "Berkas tersimpan lebih besar dari batas unggahan; unggah ulang berkasnya."


@contextmanager
def _field_path(field: FieldFile, *, max_bytes: int) -> Iterator[str]:
    """A local path for a stored file: its own on the filesystem storage; on object storage (no paths) a
    temporary copy of at most ``max_bytes`` (python-calamine and zipfile read a path), deleted on exit."""
    try:
        local = field.path
    except NotImplementedError:
        local = None
    if local is not None:
        yield local
        return
    with field.open("rb") as source, tempfile.NamedTemporaryFile(suffix=PurePath(field.name).suffix) as copy:
        copied = 0
        while chunk := source.read(1024 * 1024):
            copied += len(chunk)
            if copied > max_bytes:  # the upload was checked; a larger object is not the file that was
                raise spreadsheet.SpreadsheetError(STORED_FILE_TOO_LARGE)
            copy.write(chunk)
        copy.flush()
        yield copy.name


class _StoredNiks:
    """The NIKs already stored for a daerah, service and year: loaded in one query into a sorted array of
    integers (8 bytes each, so a million stored NIKs take 8 MB), looked up by bisection."""

    def __init__(self, region_id: int, service_id: int, year: int) -> None:
        values = array("q")
        rows = (
            Recipient.objects.for_list(region_id, service_id, year)
            .order_by("nik")
            .values_list("nik", flat=True)
            .iterator(chunk_size=20_000)
        )
        values.extend(int(nik) for nik in rows if nik.isdigit())
        self._values = values

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, nik: int) -> bool:
        values = self._values
        index = bisect_left(values, nik)
        return index < len(values) and values[index] == nik


class ImportStopped(Exception):
    """The import is no longer this run's to validate: cancelled by the user, or taken over by a run the
    watchdog re-queued after judging this one dead."""


# import id -> the attempt number this process's run claimed (its token at every progress point)
_RUNS: dict[int, int] = {}


def _progress(batch_id: int, **fields) -> None:
    """A progress point: also the heartbeat, and where a run notices it is no longer wanted."""
    updated = RecipientImport.objects.filter(
        pk=batch_id, status=ImportStatus.VALIDATING, attempts=_RUNS.get(batch_id, F("attempts"))
    ).update(heartbeat_at=timezone.now(), **fields)
    if not updated:
        raise ImportStopped


def heartbeat_cutoff():
    """A running step whose last heartbeat is older than this has lost its worker."""
    return timezone.now() - dt.timedelta(seconds=settings.RECIPIENT_IMPORT_HEARTBEAT_TIMEOUT)


TIME_LIMIT_MESSAGE = (
    "Validasi melebihi batas waktu pemrosesan sehingga dihentikan; tidak ada data yang disimpan. Bagi berkas "
    "menjadi beberapa berkas yang lebih kecil lalu unggah ulang."
)


def recipient_import_validate(import_id: int) -> RecipientImport | None:
    """Validate an uploaded list (the Celery task's body). Idempotent: a list already validated, stored or
    cancelled is left alone, as is one another run is validating (its heartbeat is fresh); a run whose
    worker died (stale heartbeat) starts over; of two concurrent runs, only the one that claimed last
    records its result. A run stops at its next progress point once the import is cancelled."""
    stale = Q(heartbeat_at__lt=heartbeat_cutoff()) | Q(heartbeat_at__isnull=True)
    claimed = (
        RecipientImport.objects.filter(pk=import_id)
        .filter(Q(status=ImportStatus.UPLOADED) | Q(stale, status=ImportStatus.VALIDATING))
        .update(
            status=ImportStatus.VALIDATING,
            phase=ImportPhase.READING,
            rows_processed=0,
            failure_message="",
            heartbeat_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
    )
    if not claimed:
        return None
    batch = RecipientImport.objects.select_related("region", "service").get(pk=import_id)
    _RUNS[batch.pk] = batch.attempts
    workdir = Path(tempfile.mkdtemp(prefix=f"espm-impor-{batch.pk}-"))
    try:
        with _field_path(batch.file, max_bytes=settings.RECIPIENT_IMPORT_MAX_BYTES) as path:
            outcome = _validate_file(batch, path, workdir)
    except ImportStopped:
        logger.info("recipient import %s: validation stopped (cancelled or taken over)", batch.pk)
        return None
    except SoftTimeLimitExceeded:
        logger.error("recipient import %s: validation over its time limit", batch.pk)
        recipient_import_fail(batch_id=batch.pk, message=TIME_LIMIT_MESSAGE)
        batch.refresh_from_db()
        return batch
    except spreadsheet.SpreadsheetError as exc:
        _finish(batch, status=ImportStatus.FAILED, failure_message=str(exc))
        return batch
    except Exception as exc:
        # Only the exception's type: database errors can quote a row (and so a NIK) in their message.
        logger.error("recipient import %s: validation failed (%s)", batch.pk, type(exc).__name__)
        _finish(
            batch,
            status=ImportStatus.FAILED,
            failure_message="Berkas tidak dapat divalidasi karena kesalahan sistem. Coba unggah ulang; bila "
            "berulang, hubungi admin.",
        )
        return batch
    finally:
        _RUNS.pop(batch.pk, None)
        shutil.rmtree(workdir, ignore_errors=True)
    return outcome


@dataclass
class _Outcome:
    counts: ValidationCounts
    with_errors: int
    with_warnings: int
    duplicates_stored: int
    issues: list[dict]
    staged: Path | None
    report: Path | None


def _validate_file(batch: RecipientImport, path: str, workdir: Path) -> RecipientImport:
    reader = spreadsheet.XlsxReader(path)
    header = recipient_rows.header_of(reader)
    region_codes = _region_codes()
    # Kecamatan may be written by name (case and spacing ignored): the names of this daerah's kecamatan.
    names = {
        kecamatan_key(name): code
        for name, code in Region.objects.districts_of(batch.region).values_list("name", "code")
    }
    rule = recipient_xlsx.eligibility_of(batch.service)
    example_nik = recipient_xlsx.example_row(batch.service, year=batch.year)["nik"]
    stored = _StoredNiks(batch.region_id, batch.service_id, batch.year) if batch.mode == ImportMode.APPEND else None
    counts = ValidationCounts()
    tap = recipient_rows.RowTap(reader.rows(), header.row_number)
    results = validate_rows(
        recipient_rows.records(reader, header, settings.RECIPIENT_IMPORT_MAX_ROWS, rows=tap),
        service_rule=rule,
        year=batch.year,
        province_codes=region_codes.provinces,
        kecamatan_codes=region_codes.kecamatan_ids.keys(),
        counts=counts,
        kecamatan_names=names,
    )
    messages_path = workdir / "pesan.tsv"
    staged_path = workdir / "siap-simpan.tsv"
    issue_rows_path = workdir / "baris-bermasalah.pickle"
    issues: list[dict] = []
    with_errors = with_warnings = duplicates_stored = rows = 0
    staging_ok = True
    kecamatan_ids = {**region_codes.kecamatan_ids, **{key: region_codes.kecamatan_ids[c] for key, c in names.items()}}
    prefix, suffix = recipient_rows.staging_affixes(batch)
    with (
        open(messages_path, "w", encoding="utf-8") as messages,
        open(staged_path, "w", encoding="utf-8") as staged,
        open(issue_rows_path, "wb") as issue_rows,
    ):
        for result in results:
            rows += 1
            record = result.record
            row_issues = result.issues
            extra = recipient_rows.extra_issues(record, example_nik)  # type: ignore[arg-type]
            if extra:
                row_issues += extra
            if row_issues:
                has_error = any(issue.severity == ERROR for issue in row_issues)
                if has_error:
                    with_errors += 1
                    staging_ok = False
                else:
                    with_warnings += 1
                number = result.row_number
                messages.write(f"{number}\t{int(has_error)}\t{recipient_rows.format_issues(number, row_issues)}\n")
                recipient_rows.write_issue_row(issue_rows, number, tap.values)
                for issue in row_issues[: max(0, ISSUES_KEPT - len(issues))]:
                    column = HEADERS.get(issue.column, issue.column)
                    issues.append(
                        {"row": number, "column": column, "severity": issue.severity, "message": issue.message}
                    )
            else:
                has_error = False
            # A NIK already on the stored list is skipped on append: counted, not reported row by row (a list
            # grown month by month and uploaded again would otherwise repeat every earlier row).
            if stored is not None and not has_error and int(recipient_rows.nik_text(record["nik"])) in stored:
                duplicates_stored += 1
            if staging_ok:
                staged.write(recipient_rows.staging_line(record, kecamatan_ids, prefix, suffix))
            if rows % PROGRESS_EVERY == 0:
                _progress(batch.pk, rows_processed=rows)
    if rows == 0:
        raise spreadsheet.SpreadsheetError(
            "Lembar kerja pertama hanya berisi judul kolom, tanpa data penerima. Isi data mulai baris "
            f"{header.row_number + 1}."
        )
    outcome = _Outcome(
        counts=counts,
        with_errors=with_errors,
        with_warnings=with_warnings,
        duplicates_stored=duplicates_stored,
        issues=issues,
        staged=staged_path if staging_ok else None,
        report=None,
    )
    if with_errors or with_warnings:
        outcome.report = workdir / "laporan-galat.xlsx"
        if rows > settings.RECIPIENT_IMPORT_FULL_REPORT_ROWS:
            # Only the rows with issues, kept as read during the pass: the sheet is not read a second time.
            _progress(batch.pk, phase=ImportPhase.REPORT, rows_processed=0, rows_total=with_errors + with_warnings)
            source = itertools.chain(
                [(header.row_number, tap.header_values)], recipient_rows.read_issue_rows(issue_rows_path)
            )
            _write_report(batch, source, header, messages_path, outcome.report, only_issues=True)
        else:
            _progress(batch.pk, phase=ImportPhase.REPORT, rows_processed=0, rows_total=rows)
            _write_report(batch, reader.rows(), header, messages_path, outcome.report, only_issues=False)
    return _store_outcome(batch, outcome)


@dataclass(frozen=True)
class _RegionCodes:
    provinces: frozenset[str]
    kecamatan_ids: dict[str, int]  # dotted kecamatan code -> Region id


def _region_codes() -> _RegionCodes:
    """Province codes and kecamatan codes (with their ids), loaded once per import."""
    provinces = frozenset(Region.objects.filter(level=RegionLevel.PROVINCE).values_list("code", flat=True))
    kecamatans = dict(Region.objects.filter(level=RegionLevel.DISTRICT).values_list("code", "id"))
    return _RegionCodes(provinces, kecamatans)


def _write_report(
    batch: RecipientImport,
    rows: Iterator[tuple[int, list]],
    header: recipient_rows.HeaderMap,
    messages: Path,
    destination: Path,
    *,
    only_issues: bool,
) -> None:
    done = 0

    def on_row(_number: int) -> None:
        nonlocal done
        done += 1
        if done % PROGRESS_EVERY == 0:
            _progress(batch.pk, rows_processed=done)

    recipient_xlsx.write_error_report(
        destination,
        rows,
        recipient_rows.read_messages(messages),
        header_row=header.row_number,
        report_column=header.report_column,
        only_issues=only_issues,
        on_row=on_row,
    )


def _save_file(field: FieldFile, name: str, path: Path) -> None:
    with open(path, "rb") as handle:
        field.save(name, File(handle), save=False)


def _store_outcome(batch: RecipientImport, outcome: _Outcome) -> RecipientImport:
    """Record the result, unless another run already did (then this run's files are dropped)."""
    folder = f"impor/penerima/{batch.year}/{batch.pk}"
    report_field = RecipientImport._meta.get_field("error_report")
    staged_field = RecipientImport._meta.get_field("staged_file")
    report = FieldFile(batch, report_field, None)
    staged = FieldFile(batch, staged_field, None)
    if outcome.report is not None:
        _save_file(report, f"{folder}/laporan-galat.xlsx", outcome.report)
    if outcome.staged is not None:
        _save_file(staged, f"{folder}/siap-simpan.tsv", outcome.staged)
    counts = outcome.counts
    updated = RecipientImport.objects.filter(
        pk=batch.pk, status=ImportStatus.VALIDATING, attempts=_RUNS.get(batch.pk, F("attempts"))
    ).update(
        status=ImportStatus.VALIDATED,
        phase="",
        rows_processed=counts.rows_read,
        rows_read=counts.rows_read,
        rows_valid=counts.rows_read - outcome.with_errors,
        rows_with_errors=outcome.with_errors,
        rows_with_warnings=outcome.with_warnings,
        duplicates_in_file=counts.duplicates_in_file,
        duplicates_stored=outcome.duplicates_stored,
        issues=outcome.issues,
        error_report=report.name or "",
        staged_file=staged.name or "",
        validated_at=timezone.now(),
    )
    if not updated:
        for field in (report, staged):
            if field.name:
                field.storage.delete(field.name)
    batch.refresh_from_db()
    logger.info(
        "recipient import %s validated: %s rows, %s with errors, %s with warnings",
        batch.pk,
        counts.rows_read,
        outcome.with_errors,
        outcome.with_warnings,
    )
    return batch


def _finish(batch: RecipientImport, **fields) -> None:
    RecipientImport.objects.filter(pk=batch.pk).update(phase="", **fields)
    batch.refresh_from_db()


# --- cancel, purge ---------------------------------------------------------------------------------------


def _lock(batch: RecipientImport) -> RecipientImport:
    return RecipientImport.objects.select_for_update().select_related("region", "service").get(pk=batch.pk)


@transaction.atomic
def recipient_import_cancel(*, user: User, batch: RecipientImport) -> RecipientImport:
    """Cancel an import that was not stored; its files (personal data) are deleted."""
    batch = _lock(batch)
    access.require(user, "recipient_import.cancel", batch, _("Anda tidak berwenang membatalkan impor ini."))
    if batch.status in (ImportStatus.COMMITTED, ImportStatus.COMMITTING, ImportStatus.CANCELLED):
        raise ValidationError(
            _("Impor berstatus '%(status)s' tidak dapat dibatalkan.") % {"status": batch.get_status_display()}
        )
    batch.status, batch.phase = ImportStatus.CANCELLED, ""
    batch.save(update_fields=["status", "phase"])
    transaction.on_commit(lambda: _delete_files(batch, keep_report=False))
    return batch


def recipient_import_fail(*, batch_id: int, message: str) -> bool:
    """End a running import as failed with a message the user sees on the status page, and delete its files
    (nothing was stored: the commit is one transaction). Returns False if it was no longer running."""
    with transaction.atomic():
        batch = (
            RecipientImport.objects.select_for_update()
            .filter(pk=batch_id, status__in=[ImportStatus.UPLOADED, ImportStatus.VALIDATING, ImportStatus.COMMITTING])
            .first()
        )
        if batch is None:
            return False
        batch.status, batch.phase, batch.failure_message = ImportStatus.FAILED, "", message
        batch.save(update_fields=["status", "phase", "failure_message"])
        transaction.on_commit(lambda: _delete_files(batch, keep_report=False))
    logger.warning("recipient import %s failed: %s", batch_id, message)
    return True


def _delete_files(batch: RecipientImport, *, keep_report: bool) -> None:
    """Remove an import's files once they are no longer needed, and forget their names."""
    fields = ["file", "staged_file"] + ([] if keep_report else ["error_report"])
    cleared = {}
    for name in fields:
        field: FieldFile = getattr(batch, name)
        if field.name:
            field.storage.delete(field.name)
            cleared[name] = ""
    if cleared:
        RecipientImport.objects.filter(pk=batch.pk).update(**cleared)


def recipient_import_purge(*, older_than_days: int | None = None) -> int:
    """Delete the files of imports that ended (or were abandoned) more than N days ago (data minimisation)."""
    days = older_than_days if older_than_days is not None else settings.RECIPIENT_IMPORT_RETENTION_DAYS
    cutoff = timezone.now() - dt.timedelta(days=days)
    stale = RecipientImport.objects.filter(created_at__lt=cutoff).exclude(file="", staged_file="", error_report="")
    count = 0
    for batch in stale.exclude(status__in=[ImportStatus.VALIDATING, ImportStatus.COMMITTING]).iterator():
        _delete_files(batch, keep_report=False)
        count += 1
    return count


# --- reads offered to the quarterly report ---------------------------------------------------------------


def _recompute_achievements(region_id: int, year: int) -> None:
    """A committed list may change what reports are prefilled with: refresh the daerah's stored achievements."""
    from reporting.tasks import recompute_achievements

    enqueue(recompute_achievements, region_id, year, None, "Data penerima diperbarui")


def report_prefill_from_recipients(*, report: QuarterlyReport, user: User, expected_version: int) -> QuarterlyReport:
    """Fill section A of a quarterly report from the recipient list: the year's must-serve and this
    triwulan's served count (saved as a draft through ``report_save``, so every change is recorded)."""
    counts = recipient_counts(report.region_id, report.service_id, report.period.year)
    if not counts["must_serve"]:
        raise ValidationError(
            _("Belum ada data penerima %(service)s tahun %(year)s; impor daftar penerima terlebih dahulu.")
            % {"service": report.service.name, "year": report.period.year}
        )
    scalars = {"served": counts["served"][report.period.quarter]}
    # An approved target is the year's "harus dilayani" (one source of truth); otherwise the named list is.
    if approved_must_serve(region=report.region, service=report.service, year=report.period.year) is None:
        scalars["must_serve"] = counts["must_serve"]
    return report_save(report=report, user=user, data=ReportInput(scalars=scalars), expected_version=expected_version)


# --- export ----------------------------------------------------------------------------------------------


def recipients_export(*, user: User, queryset, region: Region, service: BasicService, year: int, filters: dict) -> Path:
    """Write the (already scoped and filtered) recipients to an xlsx file and record the export (who,
    what, how many rows, when). Returns the path of a temporary file the caller sends and deletes."""
    access.require(user, "recipient.export", None, _("Anda tidak berwenang mengekspor data penerima."))
    rows = queryset.order_by("name", "id").values_list(
        "nik",
        "name",
        "sex",
        "birth_date",
        "address",
        "village",
        "district__code",
        "service_date",
        "status",
        "note",
        "district__name",
        "quarter",
        "created_at",
    )
    labels = {value: recipient_xlsx.STATUS_LABELS[value] for value in RecipientStatus.values}
    zone = timezone.get_current_timezone()

    def lines():
        for row in rows.iterator(chunk_size=5_000):
            values = list(row)
            values[6] = values[6] or ""
            values[8] = labels.get(values[8], values[8])
            values[10] = values[10] or ""
            values[12] = timezone.localtime(values[12], zone).replace(tzinfo=None)
            yield values

    handle, name = tempfile.mkstemp(prefix="espm-ekspor-", suffix=".xlsx")
    os.close(handle)
    path = Path(name)
    count = recipient_xlsx.write_export(path, lines())
    ExportLog.objects.create(
        user=user,
        kind=ExportKind.RECIPIENTS_XLSX,
        region=region,
        filters={"daerah": region.code, "layanan": service.code, "tahun": year, **filters},
        row_count=count,
    )
    logger.info("recipient export by user %s: %s rows", user.pk, count)
    return path


def log_export(*, user: User, kind: str, region: Region | None, filters: dict, row_count: int) -> ExportLog:
    """Record an export of personal data made elsewhere (the admin's export action)."""
    return ExportLog.objects.create(user=user, kind=kind, region=region, filters=filters, row_count=row_count)
