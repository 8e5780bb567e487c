"""Browser journey of issue 6: the operator sets a target, the verifikator approves it, then generates the
annual Laporan Penerapan SPM and downloads the xlsx and the PDF (Debian chromium; screenshots saved)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from spm.demo import DEMO_PASSWORD
from spm.models import BasicService, Region, User
from targets.selectors import approved_must_serve
from tests.browser.conftest import SCREENSHOTS, login
from tests.conftest import ensure_reference_data
from tests.reporting.conftest import WORKED_SERVED, approved_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_with_2025_reports(live_server):
    ensure_reference_data()
    call_command("setup_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    region = Region.objects.get(code="18.12")
    service = BasicService.objects.get(code="1.02.K01")
    operator, reviewer = User.objects.get(username="operator.dinkes"), User.objects.get(username="verifikator")
    for quarter, served in WORKED_SERVED.items():
        approved_report(operator, reviewer, region, service, 2025, quarter, served)
    return region, service


def test_target_approval_and_official_report_journey(page, screenshot, demo_with_2025_reports):
    region, service = demo_with_2025_reports

    login(page, "operator.dinkes", DEMO_PASSWORD)
    page.get_by_role("link", name="Target & rencana aksi").click()
    page.get_by_test_id("target-1.02.K01").get_by_role("link", name="Buka").click()
    page.get_by_label("Jumlah yang harus dilayani (sasaran)").fill("1050")
    for field, value in (("barang dan/atau jasa", "40"), ("personel", "12"), ("tata cara", "4")):
        page.get_by_label(field, exact=False).fill(value)
    screenshot("target-isian-operator")
    page.get_by_test_id("ajukan-target").click()
    assert "Diajukan" in page.get_by_test_id("status-revisi").inner_text()
    assert page.get_by_test_id("realisasi-lalu").inner_text() == "980"
    page.context.clear_cookies()

    login(page, "verifikator", DEMO_PASSWORD)
    page.goto("/rencana/target/?tahun=2026")
    page.get_by_test_id("target-1.02.K01").get_by_role("link", name="Buka").click()
    screenshot("target-verifikasi")
    page.get_by_test_id("setujui-target").click()
    assert page.get_by_test_id("target-berlaku").inner_text() == "1.050"
    assert approved_must_serve(region=region, service=service, year=2026) == 1050

    page.get_by_role("link", name="Laporan resmi").first.click()
    page.goto("/rencana/laporan-resmi/?tahun=2025&periode=0")
    assert page.get_by_test_id("nilai-daerah").inner_text() == "97,33"
    page.get_by_label("Latar belakang (BAB I.A)").fill("Laporan tahunan penerapan SPM tahun 2025.")
    page.get_by_label("Penutup (BAB IV)").fill("Pelayanan kesehatan ibu hamil mencapai Tuntas Utama.")
    page.get_by_role("button", name="Simpan narasi").click()
    page.get_by_test_id("buat-laporan").click(timeout=180_000)  # the eager task renders the PDF
    page.get_by_test_id("unduh-pdf").wait_for(timeout=180_000)
    screenshot("laporan-resmi")
    with page.expect_download() as xlsx_info:
        page.get_by_test_id("unduh-xlsx").click()
    with page.expect_download() as pdf_info:
        page.get_by_test_id("unduh-pdf").click()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    xlsx_path, pdf_path = SCREENSHOTS / "laporan-resmi.xlsx", SCREENSHOTS / "laporan-resmi.pdf"
    xlsx_info.value.save_as(xlsx_path)
    pdf_info.value.save_as(pdf_path)
    assert xlsx_path.read_bytes().startswith(b"PK") and pdf_path.read_bytes().startswith(b"%PDF-")

    from pypdf import PdfReader

    text = "\n".join(p.extract_text() for p in PdfReader(str(pdf_path)).pages)
    assert "97,33" in text and "Tuntas Utama" in text
