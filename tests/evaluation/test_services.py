"""The provincial evaluation's write path: requests for correction (send → answer → close), their history and
notifications, the annual evaluation record, and the personas who must be refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from evaluation.choices import RequestKind, RequestStatus
from evaluation.models import AnnualEvaluation, CorrectionRequest, CorrectionTransition
from evaluation.selectors import requests_for_report
from evaluation.services import (
    annual_evaluation_save,
    correction_request_answer,
    correction_request_close,
    correction_request_create,
)
from reporting.choices import NotificationKind
from reporting.models import Notification
from reporting.selectors import report_detail
from tests.evaluation.conftest import QUARTER, YEAR

pytestmark = pytest.mark.django_db


def _send(evaluator, daerah, report=None, **kwargs) -> CorrectionRequest:
    return correction_request_create(
        user=evaluator,
        region=daerah,
        year=YEAR,
        quarter=QUARTER,
        report=report,
        message=kwargs.pop("message", "Capaian mutu SDM belum didukung bukti."),
        **kwargs,
    )


def test_evaluator_sends_a_request_and_the_daerah_verifikator_is_notified(
    provincial_evaluator, reviewer, outsider, daerah, kab_report
):
    request = _send(provincial_evaluator, daerah, kab_report)
    assert request.status == RequestStatus.OPEN and request.kind == RequestKind.CORRECTION
    note = Notification.objects.get(user=reviewer, kind=NotificationKind.CORRECTION)
    assert note.report == kab_report and "Capaian mutu SDM" in note.message
    assert not Notification.objects.filter(user=outsider).exists(), "only the addressed daerah's verifikator hears"


def test_the_verifikator_answers_the_evaluator_closes_and_both_moves_are_in_the_history(
    provincial_evaluator, reviewer, daerah, kab_report
):
    request = _send(provincial_evaluator, daerah, kab_report)
    correction_request_answer(request=request, user=reviewer, answer="Bukti SK penugasan bidan sudah diunggah.")
    request.refresh_from_db()
    assert request.status == RequestStatus.ANSWERED and request.answered_at is not None
    assert Notification.objects.filter(user=provincial_evaluator, kind=NotificationKind.CORRECTION_ANSWERED).exists()

    correction_request_close(request=request, user=provincial_evaluator, comment="Diterima.")
    request.refresh_from_db()
    assert request.status == RequestStatus.CLOSED and request.closed_at is not None
    assert Notification.objects.filter(user=reviewer, kind=NotificationKind.CORRECTION_CLOSED).exists()
    moves = list(CorrectionTransition.objects.filter(request=request).values_list("from_status", "to_status", "actor"))
    assert moves == [
        (RequestStatus.OPEN, RequestStatus.ANSWERED, reviewer.pk),
        (RequestStatus.ANSWERED, RequestStatus.CLOSED, provincial_evaluator.pk),
    ]
    # kept in the report's history: the report page reads the request with its moves
    shown = report_detail(kab_report, reviewer)["correction_requests"]
    assert [r.pk for r in shown] == [request.pk] and len(shown[0].transitions.all()) == 2


@pytest.mark.parametrize(
    "persona", ["provincial_viewer", "reviewer", "leader", "operator_a", "outsider", "province_reviewer"]
)
def test_only_the_evaluator_of_the_provinsi_may_send_a_request(persona, request, daerah, kab_report):
    with pytest.raises(PermissionDenied):
        _send(request.getfixturevalue(persona), daerah, kab_report)
    assert not CorrectionRequest.objects.exists()


def test_the_evaluator_of_another_provinsi_is_refused(other_evaluator, daerah):
    with pytest.raises(PermissionDenied):
        _send(other_evaluator, daerah)


def test_a_provinsi_does_not_evaluate_its_own_reports(provincial_evaluator, admin_user, province):
    with pytest.raises(PermissionDenied):
        _send(provincial_evaluator, province)
    with pytest.raises(ValidationError) as exc:
        _send(admin_user, province)  # the rules let an admin act anywhere; the domain still refuses
    assert "kabupaten/kota" in exc.value.message_dict["region"][0]


@pytest.mark.parametrize("persona", ["provincial_evaluator", "outsider", "leader", "operator_a", "province_reviewer"])
def test_only_the_daerah_verifikator_may_answer(persona, request, provincial_evaluator, daerah):
    sent = _send(provincial_evaluator, daerah)
    with pytest.raises(PermissionDenied):
        correction_request_answer(request=sent, user=request.getfixturevalue(persona), answer="Sudah.")
    sent.refresh_from_db()
    assert sent.status == RequestStatus.OPEN and sent.answer == ""


@pytest.mark.parametrize("persona", ["reviewer", "provincial_viewer", "other_evaluator"])
def test_only_the_evaluator_may_close(persona, request, provincial_evaluator, reviewer, daerah):
    sent = _send(provincial_evaluator, daerah)
    correction_request_answer(request=sent, user=reviewer, answer="Sudah diperbaiki.")
    with pytest.raises(PermissionDenied):
        correction_request_close(request=sent, user=request.getfixturevalue(persona))
    sent.refresh_from_db()
    assert sent.status == RequestStatus.ANSWERED


def test_an_answered_request_is_not_answered_twice_and_a_closed_one_not_closed_twice(
    provincial_evaluator, reviewer, daerah
):
    sent = _send(provincial_evaluator, daerah)
    correction_request_answer(request=sent, user=reviewer, answer="Sudah.")
    with pytest.raises(PermissionDenied):
        correction_request_answer(request=sent, user=reviewer, answer="Lagi.")
    correction_request_close(request=sent, user=provincial_evaluator)
    with pytest.raises(PermissionDenied):
        correction_request_close(request=sent, user=provincial_evaluator)
    assert CorrectionTransition.objects.filter(request=sent).count() == 2


def test_an_empty_message_or_answer_is_refused_naming_the_field_and_nothing_is_saved(
    provincial_evaluator, reviewer, daerah
):
    with pytest.raises(ValidationError) as exc:
        _send(provincial_evaluator, daerah, message="   ")
    assert "Isi permintaan wajib diisi." in exc.value.message_dict["message"]
    assert not CorrectionRequest.objects.exists() and not Notification.objects.exists()
    sent = _send(provincial_evaluator, daerah)
    with pytest.raises(ValidationError) as exc:
        correction_request_answer(request=sent, user=reviewer, answer="")
    assert "Jawaban wajib diisi." in exc.value.message_dict["answer"]
    sent.refresh_from_db()
    assert sent.status == RequestStatus.OPEN and not sent.transitions.exists()


def test_a_report_of_another_triwulan_or_daerah_is_refused(provincial_evaluator, other_daerah, kab_report):
    with pytest.raises(ValidationError) as exc:
        _send(provincial_evaluator, other_daerah, kab_report)
    assert "report" in exc.value.message_dict
    assert not CorrectionRequest.objects.exists()


def test_the_report_history_shows_only_requests_the_user_may_see(provincial_evaluator, outsider, daerah, kab_report):
    _send(provincial_evaluator, daerah, kab_report)
    assert len(requests_for_report(kab_report, provincial_evaluator)) == 1
    assert requests_for_report(kab_report, outsider) == []


def test_annual_evaluation_is_one_record_per_daerah_and_year_updated_in_place(provincial_evaluator, daerah):
    first = annual_evaluation_save(
        user=provincial_evaluator,
        region=daerah,
        year=2025,
        achievements="IP-SPM 72,4 (Tuntas Pratama).",
        obstacles="Data sasaran belum padan dengan Dukcapil.",
        follow_up="",
    )
    again = annual_evaluation_save(
        user=provincial_evaluator,
        region=daerah,
        year=2025,
        achievements="IP-SPM 72,4 (Tuntas Pratama).",
        obstacles="Data sasaran belum padan dengan Dukcapil.",
        follow_up="Pendampingan pemadanan data pada TW I 2026.",
    )
    assert again.pk == first.pk and AnnualEvaluation.objects.count() == 1
    assert AnnualEvaluation.objects.get().follow_up.startswith("Pendampingan")


def test_annual_evaluation_needs_some_text_and_the_evaluator_of_the_provinsi(
    provincial_evaluator, other_evaluator, reviewer, daerah
):
    with pytest.raises(ValidationError):
        annual_evaluation_save(
            user=provincial_evaluator, region=daerah, year=2025, achievements=" ", obstacles="", follow_up=""
        )
    for persona in (other_evaluator, reviewer):
        with pytest.raises(PermissionDenied):
            annual_evaluation_save(
                user=persona, region=daerah, year=2025, achievements="Baik.", obstacles="", follow_up=""
            )
    assert not AnnualEvaluation.objects.exists()
