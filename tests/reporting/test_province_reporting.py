"""The provinsi as a reporting daerah (issue 14): its OPD report its 14 jenis like a kabupaten's, its own
verifikator reviews them and sees nothing of its kab/kota, and its achievements roll up for the provinsi."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reporting.choices import ReportStatus
from reporting.models import Achievement, AchievementLevel, QuarterlyReport
from reporting.review.selectors import queue_reports
from reporting.services import period_get_or_create, report_approve, report_open, report_save, report_submit
from spm import access
from spm.models import BasicService, Region
from tests.reporting.conftest import add_evidence, complete_input

pytestmark = pytest.mark.django_db


def _provincial_report(operator, province, code="1.06.P1", quarter=1) -> QuarterlyReport:
    """A complete report of a provincial social service (mutu: barang_jasa, sdm, tata_cara as the fixture)."""

    period = period_get_or_create(region=province, year=2026, quarter=quarter)
    report = report_open(user=operator, period=period, service=BasicService.objects.get(code=code))
    report = report_save(
        report=report, user=operator, data=complete_input(scalars={"flag_note": "Diperiksa."}), expected_version=1
    )
    add_evidence(report, operator)
    report.refresh_from_db()
    return report_submit(report=report, user=operator, expected_version=report.version)


def test_a_provinsi_operator_reports_and_its_verifikator_approves_with_the_achievement_stored(
    province_operator, province_reviewer, province, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = _provincial_report(province_operator, province)
        report_approve(report=report, user=province_reviewer)
    assert report.status == ReportStatus.APPROVED
    daerah_row = Achievement.objects.get(region=province, level=AchievementLevel.REGION, is_current=True)
    assert daerah_row.services_expected == 14, "the provinsi's roll-up counts its 14 jenis"
    assert daerah_row.services_counted == 1


def test_a_provinsi_opd_has_only_provincial_jenis(province_operator, province):
    with pytest.raises(Exception, match="OPD pengampu|tingkat"):
        report_open(
            user=province_operator,
            period=period_get_or_create(region=province, year=2026, quarter=1),
            service=BasicService.objects.get(code="1.02.K01"),
        )


def test_the_provinsi_verifikator_sees_the_provinsi_reports_not_its_kab_kota(
    province_operator, province_reviewer, operator_a, reviewer, province, daerah, service_a
):
    own = _provincial_report(province_operator, province)
    kab = report_open(
        user=operator_a, period=period_get_or_create(region=daerah, year=2026, quarter=1), service=service_a
    )
    visible = set(QuarterlyReport.objects.visible_to(province_reviewer).values_list("pk", flat=True))
    assert visible == {own.pk}
    reports, counts = queue_reports(province_reviewer, status=ReportStatus.SUBMITTED)
    assert [r.pk for r in reports] == [own.pk] and counts[ReportStatus.SUBMITTED] == 1
    # and the kabupaten's verifikator never sees the provinsi's
    assert set(QuarterlyReport.objects.visible_to(reviewer).values_list("pk", flat=True)) == {kab.pk}
    assert not access.can(reviewer, "report.review", own)


def test_the_evaluator_reads_the_kab_kota_reports_but_not_the_provinsi_own(
    provincial_evaluator, provincial_viewer, province_operator, operator_a, province, daerah, service_a
):
    own = _provincial_report(province_operator, province)
    kab = report_open(
        user=operator_a, period=period_get_or_create(region=daerah, year=2026, quarter=1), service=service_a
    )
    assert set(QuarterlyReport.objects.visible_to(provincial_evaluator).values_list("pk", flat=True)) == {kab.pk}
    # the Peninjau Provinsi (kept, read-only) covers the provinsi and its kab/kota
    assert set(QuarterlyReport.objects.visible_to(provincial_viewer).values_list("pk", flat=True)) == {own.pk, kab.pk}


def test_provinsi_pages_work_for_its_operator_and_verifikator(
    client_for, province_operator, province_reviewer, province
):
    report = _provincial_report(province_operator, province)
    operator = client_for(province_operator)
    tasks = operator.get(reverse("reporting:tasks") + "?tahun=2026&triwulan=1").content.decode()
    assert "1.06.P1" in tasks and "1.06.P2" in tasks
    reviewer_client = client_for(province_reviewer)
    assert reviewer_client.get(reverse("reporting:review", args=[report.pk])).status_code == 200
    matrix = reviewer_client.get(reverse("reporting:matrix") + "?tahun=2026&triwulan=1").content.decode()
    assert "Dinas Sosial Provinsi" in matrix and 'data-status="submitted"' in matrix


def test_a_provinsi_recipient_list_knows_the_kecamatan_of_all_its_kab_kota(province, daerah):
    districts = Region.objects.districts_of(province)
    assert districts.filter(parent=daerah).exists()
    assert districts.filter(parent__code="18.71").exists()
    assert not districts.exclude(parent__parent=province).exists()
    assert set(Region.objects.districts_of(daerah).values_list("pk", flat=True)) == set(
        daerah.children.values_list("pk", flat=True)
    )
