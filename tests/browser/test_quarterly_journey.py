"""The whole quarterly journey in the browser (issue 3): the operator fills a report, uploads evidence and
submits; the verifikator returns it with an anchored comment; the operator fixes and resubmits; the verifikator
sees what changed and approves; the report is locked; the matrix shows it approved. Screenshots of each page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reporting.choices import ReportStatus
from reporting.models import QuarterlyReport
from reporting.services import period_get_or_create
from tests.browser.conftest import login, new_page, upload_stage_documents
from tests.factories import TEST_PASSWORD
from tests.reporting.conftest import PDF_BYTES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def period(live_server, operator_a, reviewer, daerah):
    period = period_get_or_create(region=daerah, year=2026, quarter=2)
    period.due_date = timezone.localdate() + dt.timedelta(days=30)
    period.opens_on = min(period.opens_on, period.due_date)
    period.save()
    return period


@pytest.fixture
def reviewer_page(browser, live_server):
    page = new_page(browser, live_server.url)
    yield page
    page.context.close()


def fill_report(page) -> None:
    page.get_by_label("Jumlah yang harus dilayani").fill("1.000")
    page.get_by_label("Jumlah terlayani triwulan ini").fill("240")
    page.get_by_label("Alokasi anggaran").fill("150.000.000")
    page.get_by_label("Realisasi anggaran").fill("30.000.000")
    for code, required, met in [("barang_jasa", "40", "38"), ("sdm", "12", "12"), ("tata_cara", "4", "3")]:
        row = page.get_by_test_id(f"mutu-{code}")
        row.locator("input").nth(0).fill(required)
        row.locator("input").nth(1).fill(met)
    page.get_by_label("Permasalahan", exact=True).fill("Tenaga bidan belum merata di desa terpencil.")
    page.get_by_label("Solusi", exact=True).fill("Penugasan bidan bergilir dan kunjungan rumah.")
    for stage in ["pengumpulan_data", "penghitungan_kebutuhan", "penyusunan_rencana", "pelaksanaan_pemenuhan"]:
        page.get_by_test_id(f"tahapan-{stage}").locator("select").select_option("selesai")
    page.get_by_test_id("tombol-simpan").click()
    expect(page.get_by_test_id("pesan-tersimpan")).to_be_visible()


def test_report_goes_from_operator_to_verifikator_and_back_until_approved(page, reviewer_page, screenshot, period):
    # 1. The operator fills the report, uploads evidence and submits.
    login(page, "operator_a", TEST_PASSWORD)
    page.goto(f"/laporan/?tahun={period.year}&triwulan={period.quarter}")
    screenshot("perjalanan-01-tugas-operator")
    page.get_by_test_id("tugas-1.02.K01").get_by_test_id("mulai-laporan").click()
    page.wait_for_url("**/laporan/*/")
    fill_report(page)
    page.get_by_test_id("isian-berkas").set_input_files(
        {"name": "rekap-ibu-hamil.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    page.get_by_test_id("tombol-unggah").click()
    expect(page.get_by_test_id("daftar-bukti")).to_contain_text("rekap-ibu-hamil.pdf")
    upload_stage_documents(page)
    expect(page.get_by_test_id("persen-keterisian")).to_have_text("100%")
    screenshot("perjalanan-02-laporan-lengkap")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("tombol-ajukan").click()
    expect(page.get_by_test_id("status-laporan")).to_have_text("Diajukan")
    report = QuarterlyReport.objects.get(period=period, service__code="1.02.K01")

    # 2. The verifikator returns it with a comment anchored to the served figure.
    login(reviewer_page, "verifikator", TEST_PASSWORD)
    reviewer_page.get_by_role("link", name="Verifikasi", exact=True).click()
    screenshot_of(reviewer_page, "perjalanan-03-antrean-verifikasi")
    reviewer_page.get_by_test_id("baris-antrean").first.get_by_role("link", name="Verifikasi").click()
    form = reviewer_page.get_by_test_id("return-form")
    form.locator("select[name='catatan-0-anchor']").select_option("served")
    form.locator("textarea[name='catatan-0-text']").fill("Angka terlayani tidak sesuai rekap puskesmas.")
    screenshot_of(reviewer_page, "perjalanan-04-verifikasi")
    reviewer_page.get_by_test_id("return-button").click()
    reviewer_page.wait_for_url("**/laporan/verifikasi/")
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED

    # 3. The operator sees the to-do list, fixes the figure and resubmits.
    page.goto(report.get_absolute_url())
    expect(page.get_by_test_id("daftar-catatan")).to_contain_text("rekap puskesmas")
    screenshot("perjalanan-05-dikembalikan")
    page.get_by_label("Jumlah terlayani triwulan ini").fill("250")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("tombol-ajukan").click()
    expect(page.get_by_test_id("status-laporan")).to_have_text("Diajukan")

    # 4. The verifikator sees what changed since the last review and approves.
    reviewer_page.goto(f"/laporan/verifikasi/{report.pk}/")
    changed = reviewer_page.get_by_test_id("perubahan-sejak-verifikasi").locator("[data-field='served']")
    assert "240" in changed.inner_text() and "250" in changed.inner_text()
    screenshot_of(reviewer_page, "perjalanan-06-perubahan")
    reviewer_page.get_by_test_id("approve-button").click()
    reviewer_page.wait_for_url("**/laporan/verifikasi/")
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED

    # 5. The report is locked for the operator; the matrix shows it approved.
    page.goto(report.get_absolute_url())
    expect(page.get_by_test_id("status-laporan")).to_have_text("Disetujui")
    expect(page.get_by_test_id("mode-baca")).to_be_visible()
    expect(page.get_by_test_id("tombol-simpan")).to_have_count(0)
    screenshot("perjalanan-07-terkunci")
    reviewer_page.goto(f"/laporan/matriks/?tahun={period.year}&triwulan={period.quarter}")
    cell = reviewer_page.get_by_test_id(f"cell-{report.agency_id}-1.02.K01")
    assert cell.get_attribute("data-status") == "approved"
    screenshot_of(reviewer_page, "perjalanan-08-matriks")


def screenshot_of(page, name: str) -> None:
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
