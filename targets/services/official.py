"""The official report (Laporan Penerapan SPM, Permendagri 59/2021): its narrative edition and its generation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spm import access
from spm.models import Region, User
from spm.tasks_safe import enqueue_on_commit
from targets import official_docx, official_report
from targets.choices import ANNUAL, GenerationStatus
from targets.models import (
    GeneratedReport,
    ReportEdition,
)
from targets.services.targets import MAX_YEAR, MIN_YEAR
from targets.tasks import generate_official_report

# --- Official report (Laporan Penerapan SPM) ------------------------------------------------------------


def edition_get_or_create(*, region: Region, year: int, quarter: int):
    """The edition of a period; a new annual edition gets the default due date (``annual_due_date``)."""
    if quarter not in (0, 1, 2, 3, 4):
        raise ValidationError({"quarter": _("Periode laporan harus tahunan atau triwulan I–IV.")})
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError({"year": _("Tahun %(year)s tidak valid.") % {"year": year}})
    edition, _created = ReportEdition.objects.get_or_create(
        region=region,
        year=year,
        quarter=quarter,
        defaults={"due_date": official_report.annual_due_date(year) if quarter == ANNUAL else None},
    )
    return edition


@dataclass(frozen=True)
class EditionInput:
    """The parts of an edition the verifikator writes: the narrative of the format (Permendagri 100/2018
    lampiran), the signer, and for the annual edition its due date and the date it was sent."""

    foreword: str = ""
    background: str = ""
    legal_basis: str = ""
    general_policy: str = ""
    policy_direction: str = ""
    conclusion: str = ""
    signer_name: str = ""
    due_date: dt.date | None = None
    submitted_on: dt.date | None = None


@transaction.atomic
def edition_save(*, user: User, region: Region, year: int, quarter: int, data: EditionInput):
    """Save the narrative parts of an edition, the name of the kepala daerah who signs, and its dates."""
    access.require(
        user, "official_report.write", region, _("Narasi laporan resmi hanya dapat diisi verifikator daerah.")
    )
    if data.submitted_on and data.submitted_on > timezone.localdate():
        raise ValidationError({"submitted_on": _("Tanggal disampaikan tidak boleh melewati hari ini.")})
    edition = edition_get_or_create(region=region, year=year, quarter=quarter)
    for name in official_report.NARRATIVE_FIELDS:
        setattr(edition, name, getattr(data, name).strip())
    edition.signer_name = data.signer_name.strip()[:160]
    if data.due_date is not None:
        edition.due_date = data.due_date
    edition.submitted_on = data.submitted_on
    edition.updated_by = user
    edition.save()
    return edition


@transaction.atomic
def official_report_request(*, user: User, region: Region, year: int, quarter: int):
    """Ask for the xlsx, PDF and docx files of an edition; a Celery task makes them after the commit."""

    access.require(user, "official_report.write", region, _("Laporan resmi hanya dapat dibuat verifikator daerah."))
    edition = edition_get_or_create(region=region, year=year, quarter=quarter)
    generated = GeneratedReport.objects.create(edition=edition, requested_by=user)
    enqueue_on_commit(generate_official_report, generated.pk)
    return generated


def official_report_build(*, generated) -> None:
    """Make the files of a generation (called by the Celery task). Idempotent: a finished one is left alone.

    Progress is saved as it goes (outside a transaction) so the page polling it sees each step.
    """
    if generated.status == GenerationStatus.DONE:
        return

    def progress(value: int, **fields) -> None:
        GeneratedReport.objects.filter(pk=generated.pk).update(progress=value, **fields)

    progress(5, status=GenerationStatus.RUNNING, error="")
    try:
        edition = generated.edition
        content = official_report.build(edition)
        progress(30)
        period = "tahunan" if edition.is_annual else f"tw{edition.quarter}"
        stem = f"laporan-penerapan-spm-{edition.region.code}-{edition.year}-{period}"
        generated.xlsx_file.save(f"{stem}.xlsx", ContentFile(official_report.render_xlsx(content)), save=False)
        progress(45, xlsx_file=generated.xlsx_file.name)
        generated.pdf_file.save(f"{stem}.pdf", ContentFile(official_report.render_pdf(content)), save=False)
        progress(85, pdf_file=generated.pdf_file.name)
        generated.docx_file.save(f"{stem}.docx", ContentFile(official_docx.render_docx(content)), save=False)
        progress(100, docx_file=generated.docx_file.name, status=GenerationStatus.DONE, finished_at=timezone.now())
    except Exception as exc:
        progress(100, status=GenerationStatus.FAILED, error=f"{type(exc).__name__}: {exc}", finished_at=timezone.now())
        raise
