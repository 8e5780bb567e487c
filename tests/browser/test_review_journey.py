"""Browser journey of the verifikator: queue, review beside the previous triwulan, return with anchored comments
(a row added by htmx), the operator's fix, what changed, approval, the matrix; then the admin's periods.

The operator's part runs through the services here; the whole operator-and-verifikator journey in the browser
is tests/browser/test_quarterly_journey.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from reporting.choices import PeriodStatus, ReportStatus
from reporting.models import ReviewComment
from reporting.services import ReportInput, period_get_or_create, report_open, report_save, report_submit
from spm.models import BasicService
from tests.browser.conftest import login
from tests.factories import TEST_PASSWORD
from tests.reporting.conftest import fill_completely

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def review_setup(settings, tmp_path, operator_a, operator_b, reviewer, daerah):
    settings.MEDIA_ROOT = tmp_path
    service = BasicService.objects.get(code="1.02.K01")
    q1 = report_open(user=operator_a, period=period_get_or_create(region=daerah, year=2026, quarter=1), service=service)
    fill_completely(q1, operator_a, scalars={"served": 200})
    period = period_get_or_create(region=daerah, year=2026, quarter=2)
    period.due_date = timezone.localdate() + dt.timedelta(days=30)
    period.save()
    report = fill_completely(report_open(user=operator_a, period=period, service=service), operator_a)
    report_submit(report=report, user=operator_a, expected_version=report.version)
    report.refresh_from_db()
    return report


def test_verifikator_returns_then_approves_and_the_matrix_shows_it(page, screenshot, review_setup, operator_a):
    report = review_setup
    login(page, "verifikator", TEST_PASSWORD)
    page.get_by_role("link", name="Verifikasi", exact=True).click()
    rows = page.get_by_test_id("baris-antrean")
    assert rows.count() == 1 and "Pelayanan kesehatan ibu hamil" in rows.first.inner_text()
    screenshot("verifikasi-antrean")

    rows.first.get_by_role("link", name="Verifikasi").click()
    assert page.get_by_test_id("perbandingan").get_by_text("TW I 2026").first.is_visible()
    assert page.get_by_test_id("perbandingan").get_by_text("Rp 150.000.000").first.is_visible()
    screenshot("verifikasi-laporan")

    form = page.get_by_test_id("return-form")
    form.locator("select[name='catatan-0-anchor']").select_option("served")
    form.locator("textarea[name='catatan-0-text']").fill("Angka tidak sesuai data puskesmas.")
    page.get_by_test_id("tambah-catatan").click()
    expect_rows = form.get_by_test_id("comment-row")
    expect_rows.nth(3).wait_for()
    assert expect_rows.count() == 4
    form.locator("select[name='catatan-3-anchor']").select_option("C")
    form.locator("textarea[name='catatan-3-text']").fill("Lampirkan DPA.")
    page.get_by_test_id("return-button").click()
    page.wait_for_url("**/laporan/verifikasi/")
    assert page.get_by_text("dikembalikan ke OPD dengan 2 catatan").is_visible()
    assert list(ReviewComment.objects.order_by("id").values_list("anchor", flat=True)) == ["served", "C"]

    report.refresh_from_db()
    report_save(
        report=report, user=operator_a, data=ReportInput(scalars={"served": 250}), expected_version=report.version
    )
    report.refresh_from_db()
    report_submit(report=report, user=operator_a, expected_version=report.version)

    page.goto(f"/laporan/verifikasi/{report.pk}/")
    changes = page.get_by_test_id("perubahan-sejak-verifikasi")
    assert changes.is_visible() and "Angka tidak sesuai data puskesmas." in changes.inner_text()
    row = changes.locator("[data-field='served']")
    assert "240" in row.inner_text() and "250" in row.inner_text()
    screenshot("verifikasi-perubahan")
    page.get_by_test_id("approve-button").click()
    page.wait_for_url("**/laporan/verifikasi/")
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED

    page.get_by_role("link", name="Matriks keterisian").click()
    page.goto(page.url.split("?")[0] + "?tahun=2026&triwulan=2")
    cell = page.get_by_test_id(f"cell-{report.agency_id}-1.02.K01")
    assert cell.get_attribute("data-status") == "approved"
    screenshot("matriks-keterisian")


def test_admin_closes_and_reopens_a_period_with_a_reason(page, screenshot, settings, admin_user, daerah):
    period = period_get_or_create(region=daerah, year=2026, quarter=3)
    login(page, "admin", TEST_PASSWORD)
    page.get_by_role("link", name="Periode", exact=True).click()
    page.get_by_label("Kode wilayah daerah").fill("18.12")
    page.get_by_role("button", name="Tampilkan").click()
    page.get_by_test_id(f"periode-{period.pk}").get_by_role("button", name="Kelola").click()
    page.get_by_test_id(f"form-tutup-{period.pk}").get_by_role("button", name="Tutup periode").click()
    assert page.get_by_test_id(f"periode-{period.pk}").get_attribute("data-status") == "closed"

    page.get_by_test_id(f"periode-{period.pk}").get_by_role("button", name="Kelola").click()
    page.get_by_test_id(f"form-buka-kembali-{period.pk}").get_by_role("button", name="Buka kembali").click()
    assert page.get_by_test_id("galat-alasan").inner_text() == "Alasan membuka kembali periode wajib diisi."
    page.get_by_test_id(f"form-buka-kembali-{period.pk}").locator("textarea").fill("Surat Sekda 12/2026")
    page.get_by_test_id(f"form-buka-kembali-{period.pk}").get_by_role("button", name="Buka kembali").click()
    assert page.get_by_test_id(f"periode-{period.pk}").get_attribute("data-status") == "open"
    assert page.get_by_test_id("riwayat-periode").get_by_text("Surat Sekda 12/2026").is_visible()
    screenshot("periode")
    period.refresh_from_db()
    assert period.status == PeriodStatus.OPEN
