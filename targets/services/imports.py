"""Import of targets from an xlsx workbook: validate every row, then save all in one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reporting import anchors
from spm import access
from spm.models import BasicService, Region, User
from targets.choices import TargetStatus
from targets.models import TargetImport, TargetRevision
from targets.services.targets import TargetInput, target_save, validate_target_input

# --- Import ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportRow:
    """One parsed row of a target workbook (cell errors already found by the resource's widgets)."""

    number: int  # row number in the sheet (the header is row 1)
    region_code: str
    service_code: str
    year: int | None
    data: TargetInput
    errors: tuple[tuple[str, str], ...] = ()  # (column, message)


@dataclass
class ImportResult:
    rows: list[ImportRow]
    errors: list[tuple[int, str, str]]  # (row number, column, message)
    saved: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _row_errors(user: User, row: ImportRow, regions, services, seen: set) -> list[tuple[str, str]]:
    errors = list(row.errors)
    region, service = regions.get(row.region_code), services.get(row.service_code)
    if region is None:
        errors.append(("kode_daerah", f"Kode daerah '{row.region_code}' tidak dikenal atau di luar wewenang Anda."))
    if service is None:
        errors.append(("kode_layanan", f"Kode jenis pelayanan dasar '{row.service_code}' tidak dikenal."))
    if row.year is None and not any(c == "tahun" for c, _m in errors):
        errors.append(("tahun", "Tahun wajib diisi."))
    if region is None or service is None or row.year is None:
        return errors
    key = (row.region_code, row.service_code, row.year)
    if key in seen:
        errors.append(("kode_layanan", "Baris ganda: target layanan dan tahun ini sudah ada di baris sebelumnya."))
    seen.add(key)
    if not access.can(user, "target.edit", access.ServiceIn(region, service)):
        errors.append(("kode_layanan", f"Anda tidak berwenang mengisi target {service.code} di {region.name}."))
        return errors
    if service.level != region.government_level:
        errors.append(("kode_layanan", f"{service.code} bukan kewenangan {region.name}."))
    for key_, messages in validate_target_input(service, row.year, row.data).items():
        column = "harus_dilayani" if key_ == "must_serve" else anchors.to_column(key_, "mutu_")
        errors.extend((column, m) for m in messages)
    submitted = TargetRevision.objects.filter(
        target__region=region, target__service=service, target__year=row.year, status=TargetStatus.SUBMITTED
    ).exists()
    if submitted:
        errors.append(("kode_layanan", "Target ini sedang diverifikasi dan tidak dapat diubah."))
    return errors


@transaction.atomic
def targets_import(*, user: User, rows: list[ImportRow], dry_run: bool) -> ImportResult:
    """Validate every row, then (unless a dry run) save all of them in one transaction; all or nothing."""
    regions = {r.code: r for r in Region.objects.visible_to(user).filter(code__in={r.region_code for r in rows})}
    services = {
        s.code: s
        for s in BasicService.objects.filter(code__in={r.service_code for r in rows}).prefetch_related(
            "quality_components"
        )
    }
    seen: set = set()
    errors = [
        (row.number, column, message)
        for row in rows
        for column, message in _row_errors(user, row, regions, services, seen)
    ]
    result = ImportResult(rows=rows, errors=errors)
    if errors or dry_run:
        return result
    for row in rows:
        target_save(
            user=user,
            region=regions[row.region_code],
            service=services[row.service_code],
            year=row.year,
            data=row.data,
        )
        result.saved += 1
    return result


# --- The upload kept until it is confirmed ---------------------------------------------------------------


@transaction.atomic
def target_import_store(*, user: User, upload, rows: list[ImportRow]) -> TargetImport:
    """Keep a workbook whose dry run passed, so the user confirms it by id (never from the session)."""
    access.require(user, "target.import", None, _("Hanya operator OPD pengampu dan admin yang dapat mengimpor target."))
    upload.seek(0)
    return TargetImport.objects.create(
        file=File(upload, name="target.xlsx"),
        original_name=PurePath(upload.name or "target.xlsx").name[:255],
        row_count=len(rows),
        created_by=user,
    )


@transaction.atomic
def target_import_confirm(*, user: User, batch: TargetImport, rows: list[ImportRow]) -> ImportResult:
    """Save every row of a checked upload as draft targets, all or nothing, once; its file is then deleted."""
    batch = TargetImport.objects.select_for_update().get(pk=batch.pk)
    if batch.created_by_id != user.pk or batch.status != TargetImport.Status.CHECKED:
        raise ValidationError(_("Impor ini sudah dikonfirmasi atau bukan unggahan Anda; unggah ulang berkasnya."))
    result = targets_import(user=user, rows=rows, dry_run=False)
    if not result.ok:
        transaction.set_rollback(True)
        return result
    batch.status, batch.saved, batch.confirmed_at = TargetImport.Status.CONFIRMED, result.saved, timezone.now()
    batch.save(update_fields=["status", "saved", "confirmed_at"])
    name, storage = batch.file.name, batch.file.storage
    transaction.on_commit(lambda: storage.delete(name))
    TargetImport.objects.filter(pk=batch.pk).update(file="")
    return result


def target_import_purge(*, older_than_days: int) -> int:
    """Delete uploads never confirmed within N days (data minimisation)."""
    cutoff = timezone.now() - dt.timedelta(days=older_than_days)
    count = 0
    for batch in TargetImport.objects.filter(created_at__lt=cutoff).exclude(file=""):
        batch.file.storage.delete(batch.file.name)
        TargetImport.objects.filter(pk=batch.pk).update(file="")
        count += 1
    return count
