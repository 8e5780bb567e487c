"""The quarterly report workflow: save, submit, return with anchored comments, approve, unlock, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from reporting import checks
from reporting.choices import ReportStatus
from reporting.models import FieldChange, Notification, ReportTransition
from reporting.services import (
    CommentInput,
    ConcurrentEditError,
    ReportInput,
    changes_since_last_review,
    default_due_date,
    evidence_add,
    period_close,
    period_get_or_create,
    period_reopen,
    report_approve,
    report_open,
    report_prefill_from_previous,
    report_return,
    report_save,
    report_submit,
    report_unlock,
    report_values,
)
from tests.reporting.conftest import fill_completely, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "quarter,expected",
    [(1, dt.date(2026, 4, 20)), (2, dt.date(2026, 7, 20)), (3, dt.date(2026, 10, 20)), (4, dt.date(2027, 1, 20))],
)
def test_default_due_date_is_the_20th_of_the_month_after_the_quarter(quarter, expected):
    assert default_due_date(2026, quarter) == expected


def test_report_open_creates_one_row_per_mutu_component_and_stage(report):
    assert [e.component.code for e in report.quality_entries.all()] == ["barang_jasa", "sdm", "tata_cara"]
    assert report.stages.count() == 4
    assert report.status == ReportStatus.DRAFT and report.agency.name == "Dinas Kesehatan"


def test_operator_of_another_opd_cannot_open_the_report(operator_b, agency_a, period, service_a):
    with pytest.raises(PermissionDenied):
        report_open(user=operator_b, period=period, service=service_a)


def test_draft_may_be_saved_with_partial_figures(report, operator_a):
    report_save(report=report, user=operator_a, data=ReportInput(scalars={"must_serve": 1000}), expected_version=1)
    report.refresh_from_db()
    assert report.must_serve == 1000 and report.served is None and report.version == 2


def test_negative_numbers_are_refused_naming_the_field(report, operator_a):
    with pytest.raises(ValidationError) as exc:
        report_save(report=report, user=operator_a, data=ReportInput(scalars={"served": -5}), expected_version=1)
    assert "Jumlah terlayani triwulan ini tidak boleh negatif." in exc.value.message_dict["served"]


def test_every_change_is_recorded_old_to_new(report, operator_a):
    report_save(report=report, user=operator_a, data=ReportInput(scalars={"must_serve": 1000}), expected_version=1)
    report_save(report=report, user=operator_a, data=ReportInput(scalars={"must_serve": 1200}), expected_version=2)
    changes = list(FieldChange.objects.filter(report=report, field="must_serve").values_list("old_value", "new_value"))
    assert changes == [("", "1000"), ("1000", "1200")]


def test_second_save_from_a_stale_page_is_refused_and_overwrites_nothing(report, operator_a):
    report_save(report=report, user=operator_a, data=ReportInput(scalars={"served": 100}), expected_version=1)
    with pytest.raises(ConcurrentEditError, match="sudah diubah oleh"):
        report_save(report=report, user=operator_a, data=ReportInput(scalars={"served": 999}), expected_version=1)
    report.refresh_from_db()
    assert report.served == 100 and report.version == 2


def test_reviewer_cannot_change_figures(report, reviewer):
    with pytest.raises(PermissionDenied):
        report_save(report=report, user=reviewer, data=ReportInput(scalars={"served": 1}), expected_version=1)


def test_leader_cannot_change_figures(report, leader):
    with pytest.raises(PermissionDenied):
        report_save(report=report, user=leader, data=ReportInput(scalars={"served": 1}), expected_version=1)


def test_submit_is_blocked_until_every_section_is_filled(report, operator_a):
    report_save(report=report, user=operator_a, data=ReportInput(scalars={"must_serve": 1000}), expected_version=1)
    with pytest.raises(ValidationError) as exc:
        report_submit(report=report, user=operator_a, expected_version=2)
    messages = " ".join(exc.value.message_dict["__all__"])
    assert "C. Anggaran" in messages and "F. Dokumen pendukung" in messages and "D. Permasalahan" in messages
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_complete_report_is_submitted_on_time(report, operator_a, reviewer):
    report = fill_completely(report, operator_a)
    report_submit(report=report, user=operator_a, expected_version=report.version)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and not report.is_late
    transition = ReportTransition.objects.get(report=report)
    assert (transition.from_status, transition.to_status, transition.actor) == ("draft", "submitted", operator_a)
    assert Notification.objects.filter(user=reviewer, kind="submitted").exists()


def test_submission_after_the_due_date_is_accepted_but_marked_late(report, operator_a, period):
    report = fill_completely(report, operator_a)
    period.due_date = timezone.localdate() - dt.timedelta(days=1)
    period.opens_on = period.due_date - dt.timedelta(days=60)
    period.save()
    report.refresh_from_db()
    report_submit(report=report, user=operator_a, expected_version=report.version)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.is_late


def test_served_above_must_serve_needs_a_justification(report, operator_a):
    report = fill_completely(report, operator_a, scalars={"served": 1200})
    with pytest.raises(ValidationError) as exc:
        report_submit(report=report, user=operator_a, expected_version=report.version)
    assert "served_justification" in exc.value.message_dict
    report_save(
        report=report,
        user=operator_a,
        expected_version=report.version,
        data=ReportInput(scalars={"served_justification": "Ada pendatang musiman.", "flag_note": "Sudah dicek."}),
    )
    report.refresh_from_db()
    report_submit(report=report, user=operator_a, expected_version=report.version)


def test_realisation_above_allocation_needs_a_justification(report, operator_a):
    report = fill_completely(report, operator_a, scalars={"budget_realised": 200_000_000})
    with pytest.raises(ValidationError) as exc:
        report_submit(report=report, user=operator_a, expected_version=report.version)
    assert "Realisasi anggaran melebihi alokasi" in exc.value.message_dict["budget_justification"][0]


def test_cumulative_is_the_sum_of_the_triwulan_and_never_falls(operator_a, daerah, service_a, report):
    q1 = report_open(
        user=operator_a, period=period_get_or_create(region=daerah, year=2026, quarter=1), service=service_a
    )
    report_save(
        report=q1, user=operator_a, data=ReportInput(scalars={"must_serve": 1000, "served": 240}), expected_version=1
    )
    report_save(
        report=report,
        user=operator_a,
        data=ReportInput(scalars={"must_serve": 1000, "served": 260}),
        expected_version=1,
    )
    f = checks.figures(report_values(report))
    assert (f.served_cumulative, f.not_served, str(f.served_pct)) == (500, 500, "50.00")
    with pytest.raises(ValidationError):  # a triwulan figure below zero would make the cumulative fall
        report_save(report=report, user=operator_a, data=ReportInput(scalars={"served": -1}), expected_version=2)


def test_return_needs_a_comment_and_anchors_each_to_its_field(report, operator_a, reviewer):
    report = fill_completely(report, operator_a)
    report_submit(report=report, user=operator_a, expected_version=report.version)
    with pytest.raises(ValidationError):
        report_return(report=report, user=reviewer, comments=[CommentInput("A", "  ")])
    report_return(
        report=report,
        user=reviewer,
        comments=[CommentInput("served", "Angka tidak sesuai data puskesmas."), CommentInput("C", "Lampirkan DPA.")],
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    labels = list(report.comments.values_list("anchor_label", flat=True))
    assert labels == ["A. Penerima layanan dasar — Jumlah terlayani triwulan ini", "C. Anggaran"]
    assert Notification.objects.filter(user=operator_a, kind="returned").exists()


def test_unknown_comment_anchor_is_refused(report, operator_a, reviewer):
    report = fill_completely(report, operator_a)
    report_submit(report=report, user=operator_a, expected_version=report.version)
    with pytest.raises(ValidationError, match="tidak dikenal"):
        report_return(report=report, user=reviewer, comments=[CommentInput("Z", "?")])


def test_resubmission_shows_what_changed_since_the_last_review(report, operator_a, reviewer):
    report = fill_completely(report, operator_a)
    report_submit(report=report, user=operator_a, expected_version=report.version)
    report_return(report=report, user=reviewer, comments=[CommentInput("served", "Periksa lagi.")])
    report.refresh_from_db()
    report_save(
        report=report, user=operator_a, data=ReportInput(scalars={"served": 250}), expected_version=report.version
    )
    report.refresh_from_db()
    report_submit(report=report, user=operator_a, expected_version=report.version)
    changes = changes_since_last_review(report)
    assert changes == [{"field": "served", "label": "Jumlah terlayani triwulan ini", "old": "240", "new": "250"}]
    assert report.comments.get().resolved_at is not None


def test_verifikator_of_another_daerah_cannot_review(report, operator_a, outsider):
    report = fill_completely(report, operator_a)
    report_submit(report=report, user=operator_a, expected_version=report.version)
    with pytest.raises(PermissionDenied):
        report_approve(report=report, user=outsider)


def test_operator_cannot_approve_its_own_report(report, operator_a):
    report = fill_completely(report, operator_a)
    report_submit(report=report, user=operator_a, expected_version=report.version)
    with pytest.raises(PermissionDenied):
        report_approve(report=report, user=operator_a)


def test_returned_report_cannot_be_approved(report, operator_a, reviewer):
    report = fill_completely(report, operator_a)
    report_submit(report=report, user=operator_a, expected_version=report.version)
    report_return(report=report, user=reviewer, comments=[CommentInput("A", "Perbaiki.")])
    with pytest.raises(PermissionDenied):
        report_approve(report=report, user=reviewer)


def test_approved_report_is_locked_for_everyone_but_an_admin_unlock(report, operator_a, reviewer, admin_user):
    report = fill_completely(report, operator_a)
    report_submit(report=report, user=operator_a, expected_version=report.version)
    report_approve(report=report, user=reviewer)
    report.refresh_from_db()
    assert report.is_locked
    for user in (operator_a, reviewer):
        with pytest.raises(PermissionDenied):
            report_save(
                report=report, user=user, data=ReportInput(scalars={"served": 1}), expected_version=report.version
            )
    with pytest.raises(PermissionDenied):
        evidence_add(report=report, user=operator_a, upload=pdf_upload())
    with pytest.raises(PermissionDenied):
        report_unlock(report=report, user=reviewer, reason="Salah input")
    with pytest.raises(ValidationError):
        report_unlock(report=report, user=admin_user, reason=" ")
    report_unlock(report=report, user=admin_user, reason="Koreksi data Dukcapil")
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    last = report.transitions.order_by("-id").first()
    assert (last.from_status, last.to_status, last.comment, last.actor) == (
        "approved",
        "draft",
        "Koreksi data Dukcapil",
        admin_user,
    )


def test_closed_period_is_read_only_and_reopening_needs_an_admin_and_a_reason(report, operator_a, admin_user, reviewer):
    period = report.period
    with pytest.raises(PermissionDenied):
        period_close(period=period, user=reviewer)
    period_close(period=period, user=admin_user)
    report.refresh_from_db()
    with pytest.raises(PermissionDenied):
        report_save(report=report, user=operator_a, data=ReportInput(scalars={"served": 1}), expected_version=1)
    with pytest.raises(ValidationError):
        period_reopen(period=period, user=admin_user, reason="")
    period_reopen(period=period, user=admin_user, reason="Perpanjangan atas surat Sekda")
    assert list(period.events.values_list("action", "reason")) == [
        ("reopen", "Perpanjangan atas surat Sekda"),
        ("close", ""),
    ]


def test_prefill_copies_must_serve_mutu_targets_and_stages_from_last_triwulan(operator_a, daerah, service_a, report):
    q1 = report_open(
        user=operator_a, period=period_get_or_create(region=daerah, year=2026, quarter=1), service=service_a
    )
    fill_completely(q1, operator_a)
    report_prefill_from_previous(report=report, user=operator_a, expected_version=1)
    report.refresh_from_db()
    assert report.must_serve == 1000 and report.served is None
    assert [(e.required, e.met) for e in report.quality_entries.all()] == [(40, None), (12, None), (4, None)]
    assert report.stages.get(stage="pengumpulan_data").status == "selesai"


def test_evidence_content_must_match_its_extension(report, operator_a):
    fake = SimpleUploadedFile("laporan.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError, match="tidak sesuai dengan ekstensinya"):
        evidence_add(report=report, user=operator_a, upload=fake)
    exe = SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    with pytest.raises(ValidationError, match="tidak diizinkan"):
        evidence_add(report=report, user=operator_a, upload=exe)


def test_evidence_above_the_size_limit_is_refused(report, operator_a, settings):
    settings.EVIDENCE_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="melebihi batas"):
        evidence_add(report=report, user=operator_a, upload=pdf_upload())


def test_evidence_records_who_uploaded_it(report, operator_a, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    evidence = evidence_add(report=report, user=operator_a, upload=pdf_upload("sk-tim.pdf"))
    assert (evidence.original_name, evidence.content_type, evidence.uploaded_by) == (
        "sk-tim.pdf",
        "application/pdf",
        operator_a,
    )


def test_data_quality_flags_do_not_block_but_ask_for_a_note(report, operator_a):
    report = fill_completely(report, operator_a, scalars={"served": 0, "budget_realised": 5_000_000})
    flags = {f.code for f in checks.quality_flags(report_values(report))}
    assert flags == {"budget_without_service"}
    with pytest.raises(ValidationError) as exc:
        report_submit(report=report, user=operator_a, expected_version=report.version)
    assert "flag_note" in exc.value.message_dict
    report_save(
        report=report,
        user=operator_a,
        data=ReportInput(scalars={"flag_note": "Belanja alat di awal tahun."}),
        expected_version=report.version,
    )
    report.refresh_from_db()
    report_submit(report=report, user=operator_a, expected_version=report.version)


def test_approved_target_is_the_reports_must_serve_and_cannot_be_typed(operator_a, reviewer, daerah, service_a, period):
    from tests.targets.conftest import approved_target

    approved_target(operator_a, reviewer, daerah, service_a, period.year, must_serve=1500)
    report = report_open(user=operator_a, period=period, service=service_a)
    assert report.must_serve == 1500
    with pytest.raises(ValidationError, match="mengikuti target tahun 2026 yang telah disetujui"):
        report_save(report=report, user=operator_a, data=ReportInput(scalars={"must_serve": 900}), expected_version=1)
    report_save(report=report, user=operator_a, data=ReportInput(scalars={"served": 10}), expected_version=1)
    report.refresh_from_db()
    assert (report.must_serve, report.served) == (1500, 10)


def test_report_follows_a_target_approved_after_it_was_opened(operator_a, reviewer, daerah, service_a, report):
    from tests.targets.conftest import approved_target

    report_save(report=report, user=operator_a, data=ReportInput(scalars={"must_serve": 900}), expected_version=1)
    approved_target(operator_a, reviewer, daerah, service_a, report.period.year, must_serve=1200)
    report.refresh_from_db()
    with pytest.raises(ValidationError, match="simpan laporan untuk memperbaruinya"):
        report_submit(report=report, user=operator_a, expected_version=report.version)
    report_save(
        report=report, user=operator_a, data=ReportInput(scalars={"served": 5}), expected_version=report.version
    )
    report.refresh_from_db()
    assert report.must_serve == 1200
    assert report.changes.filter(field="must_serve").last().new_value == "1200"


def test_served_before_sums_the_earlier_triwulan_of_the_year(worked_example, service_a, reviewer):
    """The report page reads it for the report and for the previous triwulan's report, from one query."""
    from reporting.selectors import report_detail, report_queryset
    from reporting.services.reports import served_before

    report = report_queryset().get(region=worked_example, service=service_a, period__year=2025, period__quarter=4)
    context = report_detail(report, reviewer)
    assert context["values"].served_before == 240 + 260 + 250
    assert served_before(context["previous"]) == 240 + 260
    first = report_queryset().get(region=worked_example, service=service_a, period__year=2025, period__quarter=1)
    assert served_before(first) == 0


def test_unlock_is_decided_by_the_declared_permission_unlock_quarterlyreport(report, operator_a, reviewer):
    """The permission is not a dead declaration: an admin may give it to a verifikator without code."""
    from django.contrib.auth.models import Permission

    from spm.models import User

    report = fill_completely(report, operator_a)
    report_submit(report=report, user=operator_a, expected_version=report.version)
    report_approve(report=report, user=reviewer)
    report.refresh_from_db()
    with pytest.raises(PermissionDenied):
        report_unlock(report=report, user=reviewer, reason="Salah input")
    reviewer.user_permissions.add(Permission.objects.get(codename="unlock_quarterlyreport"))
    reviewer = User.objects.get(pk=reviewer.pk)  # a fresh object: permissions are cached per object
    report_unlock(report=report, user=reviewer, reason="Salah input")
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
