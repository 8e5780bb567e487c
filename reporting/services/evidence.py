"""Dokumen pendukung: evidence files of a report, typed (``EvidenceKind``) and checked by their content.

A file must be what it claims: the first bytes decide the type (magic bytes), then the structure is parsed —
pypdf must open a PDF and find at least one page, Pillow must decode a PNG or JPEG completely. Images are
re-encoded before they are stored, so whatever rode along (bytes appended after the image, EXIF with the
camera's location, text chunks) is dropped; the EXIF orientation is applied first, so photos stay upright.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from reporting.choices import EvidenceKind
from reporting.models import Evidence, FieldChange, QuarterlyReport
from reporting.services.reports import lock_report
from spm import access

# The checks live in spm.uploads (shared with the SK of the Tim Penerapan SPM); the names stay importable here.
from spm.uploads import (  # noqa: F401
    ALLOWED_TYPES,
    EVIDENCE_MAX_PIXELS,
    IMAGE_FORMATS,
    check_pdf,
    checked_upload,
    clean_image,
    sniff_content_type,
)


@transaction.atomic
def evidence_add(
    *,
    report: QuarterlyReport,
    user,
    upload: UploadedFile,
    description: str = "",
    kind: str = EvidenceKind.OTHER,
) -> Evidence:
    """Attach an evidence file of a jenis dokumen (``kind``) to a report the user may edit."""
    lock_report(report)
    access.require(user, "evidence.add", report, _("Laporan ini tidak dapat diubah oleh Anda."))
    if kind not in EvidenceKind.values:
        raise ValidationError({"kind": _("Jenis dokumen tidak dikenal; pilih salah satu dari daftar.")})
    name, detected, content = checked_upload(upload)
    evidence = Evidence(
        report=report,
        kind=kind,
        original_name=name[:255],
        content_type=detected,
        size=content.size,
        description=description.strip()[:255],
        uploaded_by=user,
    )
    evidence.file.save(get_valid_filename(name), content, save=False)
    evidence.save()
    label = EvidenceKind(kind).label
    FieldChange.objects.create(
        report=report,
        field="evidence",
        label="Dokumen pendukung",
        old_value="",
        new_value=f"{name} ({label})",
        actor=user,
    )
    return evidence


@transaction.atomic
def evidence_remove(*, evidence: Evidence, user) -> None:
    report = lock_report(evidence.report)
    access.require(user, "evidence.add", report, _("Laporan ini tidak dapat diubah oleh Anda."))
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
