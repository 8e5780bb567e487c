"""Browser journey of issue 6: the operator sets a target, the verifikator approves it, then generates the
annual Laporan Penerapan SPM and downloads the xlsx and the PDF (Debian chromium; screenshots saved)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

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


def test_a_rencana_aksi_block_saves_in_place_without_a_reload(page, screenshot, live_server):
    """Issue 12: 29 blocks on one page; saving one swaps only that block, where it is, with the time saved."""
    from targets.models import ActionPlanYear
    from targets.services import plan_create

    ensure_reference_data()
    call_command("setup_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    reviewer = User.objects.get(username="verifikator")
    plan = plan_create(user=reviewer, region=reviewer.region, start_year=2026, end_year=2030)
    last = plan.items.order_by("-service__level", "-service__code").select_related("service").first()
    login(page, "verifikator", DEMO_PASSWORD)
    page.goto(f"/rencana/rencana-aksi/{plan.pk}/")
    page.evaluate("window.__sameDocument = true")  # gone if the page were loaded again
    block = page.get_by_test_id(f"rencana-{last.service.code}")
    block.scroll_into_view_if_needed()
    block.get_by_label("Target warga 2026").fill("1.250")
    block.get_by_label("Target capaian 2026").fill("95,5")
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 1000  # far down a long page
    block.get_by_role("button", name="Simpan").click()
    status = page.get_by_test_id(f"status-simpan-rencana-{last.service.code}")
    status.get_by_text("Tersimpan pukul").wait_for()
    assert page.evaluate("window.__sameDocument === true")
    assert abs(page.evaluate("window.scrollY") - scrolled) < 200
    assert block.get_by_label("Target warga 2026").input_value() == "1.250"
    screenshot("rencana-aksi-blok-tersimpan")
    row = ActionPlanYear.objects.get(item=last, year=2026)
    assert (row.target_citizens, str(row.target_pct)) == (1250, "95.50")

    block.get_by_label("Target warga 2027").fill("seribu")
    block.get_by_role("button", name="Simpan").click()
    page.locator(f"#citizens_2027-{last.pk}[aria-invalid='true']").wait_for()
    expect(block).to_contain_text("harus bilangan bulat")  # retried: the message lands with the swapped block
    assert ActionPlanYear.objects.get(item=last, year=2027).target_citizens is None
