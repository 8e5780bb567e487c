"""Browser journeys of the report page's habits (issue 12): typed work is saved after a pause (autosave), leaving
with unsaved input asks first, and the report can be filled and submitted on a 390 px phone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reporting.choices import ReportStatus
from reporting.models import QuarterlyReport
from reporting.services import period_get_or_create, report_open
from spm.models import BasicService, User
from tests.browser.conftest import login, upload_stage_documents
from tests.factories import TEST_PASSWORD
from tests.reporting.conftest import PDF_BYTES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def report(live_server, operator_a, reviewer, daerah, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    period = period_get_or_create(region=daerah, year=2026, quarter=2)
    period.due_date = timezone.localdate() + dt.timedelta(days=30)
    period.opens_on = min(period.opens_on, period.due_date)
    period.save()
    operator = User.objects.get(username="operator_a")
    return report_open(user=operator, period=period, service=BasicService.objects.get(code="1.02.K01"))


def test_typed_figures_are_saved_after_a_pause_and_survive_a_reload(page, screenshot, report):
    login(page, "operator_a", TEST_PASSWORD)
    page.goto(f"/laporan/{report.pk}/")
    page.get_by_label("Jumlah yang harus dilayani").fill("1.000")
    page.get_by_label("Jumlah terlayani triwulan ini").press_sequentially("240")
    # No click on "Simpan draf": the pause is enough.
    expect(page.get_by_test_id("pesan-tersimpan")).to_contain_text("tersimpan pukul")
    expect(page.get_by_test_id("persen-keterisian")).to_have_text("17%")
    screenshot("laporan-simpan-otomatis")
    page.reload()
    expect(page.get_by_label("Jumlah terlayani triwulan ini")).to_have_value("240")
    report.refresh_from_db()
    assert report.served == 240 and report.version > 1


def test_leaving_with_unsaved_input_asks_first(page, report):
    login(page, "operator_a", TEST_PASSWORD)
    page.goto(f"/laporan/{report.pk}/")
    # The autosave timer is set far off, so that the input is still unsaved when the user leaves.
    page.locator("#report-form").evaluate("form => { form.dataset.autosave = '600000'; }")
    field = page.get_by_label("Jumlah terlayani triwulan ini")
    field.click()
    field.press_sequentially("75")
    dialogs = []

    def _answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", _answer)
    page.locator("#nav-utama").get_by_role("link", name="Beranda").click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert page.url.endswith(f"/laporan/{report.pk}/")
    expect(field).to_have_value("75")


def test_report_is_filled_and_submitted_on_a_phone(page, screenshot, report):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "operator_a", TEST_PASSWORD)
    page.goto(f"/laporan/{report.pk}/")
    save = page.get_by_test_id("tombol-simpan")
    # The save and submit buttons stay on screen while the user is anywhere in the form.
    expect(save).to_be_in_viewport()
    expect(page.get_by_test_id("tombol-ajukan")).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

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
    expect(save).to_be_in_viewport()
    save.click()
    expect(page.get_by_test_id("persen-keterisian")).to_have_text("83%")
    page.get_by_test_id("isian-berkas").set_input_files(
        {"name": "rekap-ibu-hamil.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    page.get_by_test_id("tombol-unggah").click()
    expect(page.get_by_test_id("daftar-bukti")).to_contain_text("rekap-ibu-hamil.pdf")
    upload_stage_documents(page)
    expect(page.get_by_test_id("persen-keterisian")).to_have_text("100%")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot("laporan-ponsel-lengkap")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("tombol-ajukan").click()
    expect(page.get_by_test_id("status-laporan")).to_have_text("Diajukan")
    assert QuarterlyReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_meter_follows_typing_and_outlines_the_blocking_mutu_input(page, screenshot, report):
    login(page, "operator_a", TEST_PASSWORD)
    page.goto(f"/laporan/{report.pk}/")
    # No autosave here: what the meter shows must come from the unsaved form.
    page.locator("#report-form").evaluate("form => { form.dataset.autosave = '600000'; }")
    meter = page.get_by_test_id("persen-keterisian")
    expect(meter).to_have_text("0%")
    page.get_by_label("Jumlah yang harus dilayani").press_sequentially("1000")
    page.get_by_label("Jumlah terlayani triwulan ini").press_sequentially("240")
    expect(meter).to_have_text("17%")  # section A, before any save
    expect(page.get_by_test_id("keadaan-bagian-A")).to_have_attribute("data-filled", "1")

    for code, required, met in [("barang_jasa", "40", "38"), ("sdm", "0", "0"), ("tata_cara", "4", "3")]:
        row = page.get_by_test_id(f"mutu-{code}")
        row.locator("input").nth(0).fill(required)
        row.locator("input").nth(1).fill(met)
    blocked = page.locator("#id_quality-sdm-required")
    expect(blocked).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(blocked).to_have_attribute("aria-invalid", "true")
    # the message beside the input is among its descriptions (with the juknis of the field)
    expect(blocked).to_have_attribute("aria-describedby", re.compile(r"(^| )id_quality-sdm-required_hambatan( |$)"))
    expect(page.locator("#id_quality-sdm-required_hambatan")).to_contain_text("harus lebih dari 0")
    expect(page.get_by_test_id("meter-bagian-B")).to_have_attribute("data-filled", "0")
    link = page.get_by_test_id("penghalang-quality-sdm-required").get_by_role("link")
    expect(link).to_have_attribute("href", "#field-quality-sdm")
    expect(meter).to_have_text("17%")
    screenshot("laporan-meter-mutu-menghalangi")

    blocked.fill("12")
    page.get_by_test_id("mutu-sdm").locator("input").nth(1).fill("12")
    expect(page.get_by_test_id("meter-bagian-B")).to_have_attribute("data-filled", "1")
    expect(blocked).not_to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#id_quality-sdm-required_hambatan")).to_have_count(0)
    expect(meter).to_have_text("33%")
    report.refresh_from_db()
    assert report.version == 1 and report.must_serve is None  # the meter saved nothing
