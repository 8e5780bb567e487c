"""Browser journey of the provincial evaluation (issue 14): Lampung's Evaluator Provinsi opens the matrix of its
kab/kota, sends a request for correction about a report of Kabupaten Tulang Bawang Barat, the kabupaten's
verifikator answers it, and the evaluator reads the answer and closes it. Each step saves a screenshot; the
pages fit 1280 px without sideways scrolling and pass axe-core (WCAG 2.1 AA, serious and critical)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from evaluation.choices import RequestStatus
from evaluation.models import CorrectionRequest
from reporting.services import period_get_or_create, report_open, report_submit
from spm.demo import DEMO_PASSWORD
from spm.models import BasicService, Region, User
from tests.browser.conftest import SCREENSHOTS, login, new_page
from tests.browser.test_screens_journey import _axe_serious, _overflow
from tests.conftest import ensure_reference_data
from tests.reporting.conftest import fill_completely

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
YEAR, QUARTER = 2026, 2


@pytest.fixture
def submitted_report(live_server, settings, tmp_path):
    """The demo accounts and a submitted TW II 2026 report of 1.02.K01 in Kabupaten Tulang Bawang Barat."""
    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_reference_data()
    call_command("setup_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    operator = User.objects.get(username="operator.dinkes")
    period = period_get_or_create(region=Region.objects.get(code="18.12"), year=YEAR, quarter=QUARTER)
    period.due_date = timezone.localdate() + dt.timedelta(days=30)
    period.save()
    service = BasicService.objects.get(code="1.02.K01")
    report = fill_completely(report_open(user=operator, period=period, service=service), operator)
    return report_submit(report=report, user=operator, expected_version=report.version)


def _fits_and_is_accessible(page) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    assert _overflow(page) <= 0, f"{page.url} is wider than 1280 px"
    assert not _axe_serious(page)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_evaluator_requests_a_correction_the_verifikator_answers_and_the_evaluator_closes(
    page, screenshot, browser, live_server, submitted_report
):
    # 1. The evaluator opens the matrix of Lampung's kab/kota for TW II 2026.
    login(page, "evaluator.provinsi", DEMO_PASSWORD)
    page.locator("#nav-utama").get_by_role("link", name="Evaluasi provinsi").click()
    form = page.get_by_test_id("filter-evaluasi")
    form.locator("select[name='tahun']").select_option(str(YEAR))
    form.locator("select[name='triwulan']").select_option(str(QUARTER))
    form.get_by_role("button", name="Tampilkan").click()
    matrix = page.get_by_test_id("matriks-provinsi")
    assert matrix.locator("tbody tr").count() == 15
    health = BasicService.objects.filter(level="kabupaten_kota", affair__code="1.02").count()
    assert page.get_by_test_id("sel-18.12-1.02").inner_text().strip() == f"1/{health}"
    assert page.get_by_test_id("daerah-18").count() == 0, "the provinsi's own reports are not evaluated here"
    screenshot("evaluasi-provinsi-matriks")
    _fits_and_is_accessible(page)

    # 2. … and sends a request for correction about the kabupaten's report.
    page.get_by_test_id("minta-18.12").click()
    request_form = page.get_by_test_id("form-permintaan")
    request_form.get_by_label("Laporan triwulan").select_option(str(submitted_report.pk))
    request_form.get_by_label("Isi permintaan").fill("Capaian mutu SDM belum didukung SK penugasan; mohon dilengkapi.")
    screenshot("evaluasi-provinsi-kirim-permintaan")
    _fits_and_is_accessible(page)
    page.get_by_test_id("kirim-permintaan").click()
    page.get_by_test_id("isi-permintaan").wait_for()
    assert page.get_by_test_id("status-permintaan").first.get_attribute("data-status") == RequestStatus.OPEN
    request = CorrectionRequest.objects.get()

    # 3. The kabupaten's verifikator answers it (from the menu "Permintaan perbaikan").
    verifikator = new_page(browser, live_server.url)
    try:
        login(verifikator, "verifikator", DEMO_PASSWORD)
        verifikator.locator("#nav-utama").get_by_role("link", name="Permintaan perbaikan").click()
        verifikator.get_by_test_id(f"permintaan-{request.pk}").get_by_role("link").click()
        verifikator.get_by_test_id("form-jawab").get_by_label("Jawaban").fill(
            "SK penugasan bidan desa sudah diunggah sebagai dokumen pendukung."
        )
        verifikator.get_by_test_id("kirim-jawaban").click()
        verifikator.get_by_test_id("jawaban").wait_for()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        verifikator.screenshot(path=str(SCREENSHOTS / "evaluasi-provinsi-dijawab.png"), full_page=True)
        assert verifikator.get_by_test_id("form-tutup").count() == 0, "the verifikator cannot close it"
        _fits_and_is_accessible(verifikator)
        # the answer is in the report's own history too
        verifikator.goto(f"/laporan/verifikasi/{submitted_report.pk}/")
        assert "SK penugasan bidan desa" in verifikator.get_by_test_id("permintaan-provinsi").inner_text()
    finally:
        verifikator.context.close()

    # 4. The evaluator sees the answer and closes the request.
    page.reload()
    assert "SK penugasan bidan desa" in page.get_by_test_id("jawaban").inner_text()
    page.get_by_test_id("tutup-permintaan").click()
    page.get_by_test_id("riwayat-permintaan").wait_for()
    assert page.get_by_test_id("status-permintaan").first.get_attribute("data-status") == RequestStatus.CLOSED
    assert page.get_by_test_id("riwayat-permintaan").locator("li").count() == 3
    screenshot("evaluasi-provinsi-ditutup")
    request.refresh_from_db()
    assert request.status == RequestStatus.CLOSED
