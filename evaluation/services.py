"""All writes of the provincial evaluation (STYLE.md: one write path): requests for correction (send, answer,
close) and the annual evaluation record. Each runs in one transaction, checks the rule in ``spm.access``,
records the move in the request's history (``spm.audit.record_transition``) and notifies the other side through
the notification service."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluation.choices import RequestKind, RequestStatus
from evaluation.models import AnnualEvaluation, CorrectionRequest
from reporting.choices import NotificationKind
from reporting.models import QuarterlyReport
from reporting.services.notifications import notify
from spm import access
from spm.audit import record_transition
from spm.choices import RegionLevel
from spm.models import Region, User

FIRST_YEAR = 2020  # the first year of e-SPM reporting (as reporting.review.selectors)
MAX_TEXT = 5000  # characters of a message, an answer or a part of the annual record


def _text(value: str | None, field: str, label: str, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: _("%(label)s wajib diisi.") % {"label": label}})
    if len(text) > MAX_TEXT:
        raise ValidationError(
            {
                field: _("%(label)s paling banyak %(n)s karakter.")
                % {"label": label, "n": f"{MAX_TEXT:,}".replace(",", ".")}
            }
        )
    return text


def _check_regency(region: Region) -> None:
    """The provinsi evaluates kabupaten/kota; its own reports are its verifikator's (admins pass the rules)."""
    if region.level != RegionLevel.REGENCY_CITY:
        raise ValidationError({"region": _("Evaluasi provinsi hanya untuk kabupaten/kota.")})


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= timezone.localdate().year + 1:
        raise ValidationError({"year": _("Tahun %(year)s di luar rentang yang dapat dievaluasi.") % {"year": year}})


def _lock(request: CorrectionRequest) -> CorrectionRequest:
    """Re-read the request under a row lock: two clicks never answer or close it twice."""
    fresh = CorrectionRequest.objects.select_for_update().get(pk=request.pk)
    request.status, request.answer = fresh.status, fresh.answer
    return request


def _describe(request: CorrectionRequest) -> str:
    subject = request.report.service.name if request.report_id else request.region.name
    return f"{request.get_kind_display()} {request.period_label}: {subject}"


@transaction.atomic
def correction_request_create(
    *,
    user: User,
    region: Region,
    year: int,
    quarter: int,
    message: str,
    kind: str = RequestKind.CORRECTION,
    report: QuarterlyReport | None = None,
) -> CorrectionRequest:
    """Send a note or a request for correction to a kab/kota's verifikator (Evaluator Provinsi only)."""
    access.require(
        user, "correction.create", region, _("Hanya evaluator provinsi dari daerah ini yang dapat mengirim permintaan.")
    )
    _check_regency(region)
    if kind not in RequestKind.values:
        raise ValidationError({"kind": _("Jenis permintaan tidak dikenal.")})
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": _("Triwulan harus 1 sampai 4.")})
    _check_year(year)
    if report is not None and (
        report.region_id != region.pk or (report.period.year, report.period.quarter) != (year, quarter)
    ):
        raise ValidationError({"report": _("Laporan yang dipilih bukan laporan daerah dan triwulan ini.")})
    text = _text(message, "message", _("Isi permintaan"), required=True)
    request = CorrectionRequest.objects.create(
        region=region, year=year, quarter=quarter, report=report, kind=kind, message=text, created_by=user
    )
    notify(
        access.reviewers_of(region.pk),
        kind=NotificationKind.CORRECTION,
        report=report,
        message=lambda: _("%(what)s dari provinsi: %(text)s") % {"what": _describe(request), "text": text[:300]},
    )
    return request


@transaction.atomic
def correction_request_answer(*, request: CorrectionRequest, user: User, answer: str) -> CorrectionRequest:
    """The kab/kota's verifikator answers an open request (what was corrected, or why not)."""
    _lock(request)
    access.require(
        user, "correction.answer", request, _("Permintaan ini tidak dapat dijawab oleh Anda atau sudah dijawab.")
    )
    text = _text(answer, "answer", _("Jawaban"), required=True)
    record_transition(request, user=user, to_status=RequestStatus.ANSWERED, comment=text)
    request.answer = text
    request.answered_at = timezone.now()
    request.save(update_fields=["status", "answer", "answered_at"])
    notify(
        access.evaluators_of(request.region_id),
        kind=NotificationKind.CORRECTION_ANSWERED,
        report=request.report,
        message=lambda: (
            _("%(daerah)s menjawab %(what)s: %(text)s")
            % {"daerah": request.region.name, "what": _describe(request), "text": text[:300]}
        ),
    )
    return request


@transaction.atomic
def correction_request_close(*, request: CorrectionRequest, user: User, comment: str = "") -> CorrectionRequest:
    """The Evaluator Provinsi closes a request (answered, or settled otherwise), with an optional comment."""
    _lock(request)
    access.require(user, "correction.close", request, _("Permintaan ini tidak dapat ditutup oleh Anda."))
    text = _text(comment, "comment", _("Komentar"), required=False)
    record_transition(request, user=user, to_status=RequestStatus.CLOSED, comment=text)
    request.closed_at = timezone.now()
    request.save(update_fields=["status", "closed_at"])
    notify(
        access.reviewers_of(request.region_id),
        kind=NotificationKind.CORRECTION_CLOSED,
        report=request.report,
        message=lambda: _("Provinsi menutup %(what)s.") % {"what": _describe(request)},
    )
    return request


@transaction.atomic
def annual_evaluation_save(
    *, user: User, region: Region, year: int, achievements: str, obstacles: str, follow_up: str
) -> AnnualEvaluation:
    """Write the provinsi's annual evaluation record of a kab/kota (capaian, kendala, tindak lanjut)."""
    access.require(
        user,
        "annual_evaluation.edit",
        region,
        _("Hanya evaluator provinsi dari daerah ini yang dapat mengisi evaluasi tahunan."),
    )
    _check_regency(region)
    _check_year(year)
    values = {
        "achievements": _text(achievements, "achievements", _("Capaian"), required=False),
        "obstacles": _text(obstacles, "obstacles", _("Kendala"), required=False),
        "follow_up": _text(follow_up, "follow_up", _("Tindak lanjut"), required=False),
    }
    if not any(values.values()):
        raise ValidationError(_("Isi sekurang-kurangnya satu dari capaian, kendala atau tindak lanjut."))
    record, _created = AnnualEvaluation.objects.select_for_update().get_or_create(
        region=region, year=year, defaults={**values, "updated_by": user}
    )
    if not _created:
        for name, value in values.items():
            setattr(record, name, value)
        record.updated_by = user
        record.save()
    return record
