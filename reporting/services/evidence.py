"""Dokumen pendukung: evidence files, checked by their content (magic bytes), not only their extension."""

from __future__ import annotations

import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.text import get_valid_filename

from reporting.models import Evidence, FieldChange, QuarterlyReport
from reporting.services.reports import lock_report
from spm import access

# extension -> content type; the content must match (sniff_content_type)
ALLOWED_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def sniff_content_type(head: bytes, file) -> str | None:
    """The real type of a file from its first bytes (and, for xlsx, its zip directory)."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"PK\x03\x04"):
        try:
            file.seek(0)
            with zipfile.ZipFile(file) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            file.seek(0)
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            return ALLOWED_TYPES[".xlsx"]
    return None


@transaction.atomic
def evidence_add(*, report: QuarterlyReport, user, upload: UploadedFile, description: str = "") -> Evidence:
    """Attach an evidence file to a report the user may edit."""
    lock_report(report)
    access.require(user, "evidence.add", report, "Laporan ini tidak dapat diubah oleh Anda.")
    name = PurePath(upload.name or "").name
    extension = PurePath(name).suffix.lower()
    limit = settings.EVIDENCE_MAX_BYTES
    if extension not in ALLOWED_TYPES:
        raise ValidationError({"file": "Jenis berkas tidak diizinkan. Gunakan PDF, gambar (PNG/JPG) atau xlsx."})
    if upload.size > limit:
        raise ValidationError(
            {"file": f"Ukuran berkas {upload.size / 1_048_576:.1f} MB melebihi batas {limit / 1_048_576:.0f} MB."}
        )
    if upload.size == 0:
        raise ValidationError({"file": "Berkas kosong."})
    upload.seek(0)
    head = upload.read(16)
    detected = sniff_content_type(head, upload)
    if detected != ALLOWED_TYPES[extension]:
        raise ValidationError(
            {"file": f"Isi berkas '{name}' tidak sesuai dengan ekstensinya {extension}; berkas ditolak."}
        )
    upload.seek(0)
    evidence = Evidence(
        report=report,
        original_name=name[:255],
        content_type=detected,
        size=upload.size,
        description=description.strip()[:255],
        uploaded_by=user,
    )
    evidence.file.save(get_valid_filename(name), upload, save=False)
    evidence.save()
    FieldChange.objects.create(
        report=report, field="evidence", label="Dokumen pendukung", old_value="", new_value=name, actor=user
    )
    return evidence


@transaction.atomic
def evidence_remove(*, evidence: Evidence, user) -> None:
    report = lock_report(evidence.report)
    access.require(user, "evidence.add", report, "Laporan ini tidak dapat diubah oleh Anda.")
    FieldChange.objects.create(
        report=report,
        field="evidence",
        label="Dokumen pendukung",
        old_value=evidence.original_name,
        new_value="",
        actor=user,
    )
    storage, path = evidence.file.storage, evidence.file.name
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(path))
