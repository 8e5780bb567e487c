"""Browser journey of the hand-off part of issue 14: the verifikator records the Tim Penerapan SPM (SK with its
signed file, a ketua and a member from an OPD), the pimpinan reads it on the daerah page, and the verifikator
downloads the e-SPM workbook of TW II from the official report page; screenshots under artifacts/screenshots/."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from playwright.sync_api import expect

from spm.demo import DEMO_PASSWORD
from spm.models import BasicService, Region, User
from targets.models import ImplementationTeam
from tests.browser.conftest import SCREENSHOTS, login
from tests.conftest import ensure_reference_data
from tests.reporting.conftest import PDF_BYTES, WORKED_SERVED, approved_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_reference_data()
    call_command("setup_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    region = Region.objects.get(code="18.12")
    service = BasicService.objects.get(code="1.02.K01")
    operator, reviewer = User.objects.get(username="operator.dinkes"), User.objects.get(username="verifikator")
    for quarter, served in WORKED_SERVED.items():
        approved_report(operator, reviewer, region, service, 2025, quarter, served)
    return region


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_verifikator_records_the_team_and_hands_off_to_espm(page, screenshot, demo):
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, "verifikator", DEMO_PASSWORD)
    page.get_by_role("link", name="Tim Penerapan SPM").click()
    expect(page.get_by_test_id("tim-belum-ada")).to_be_visible()
    page.get_by_test_id("isian-decree_number").fill("100.3.3/45/IV.01/2025")
    page.get_by_test_id("isian-decree_date").fill("2025-02-03")
    page.get_by_test_id("isian-decree_file").set_input_files(
        {"name": "sk-tim-spm.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    page.get_by_test_id("simpan-sk-tim").click()
    expect(page.get_by_test_id("sk-tim")).to_contain_text("100.3.3/45/IV.01/2025")
    page.get_by_test_id("isian-name").fill("Drs. Budi Santoso, M.Si.")
    page.get_by_test_id("isian-position").fill("Sekretaris Daerah")
    page.get_by_test_id("isian-role").select_option("ketua")
    page.get_by_test_id("tambah-anggota").click()
    page.get_by_test_id("isian-name").fill("dr. Sari Dewi")
    page.get_by_test_id("isian-position").fill("Kepala Dinas Kesehatan")
    page.get_by_test_id("isian-role").select_option("anggota")
    page.get_by_test_id("isian-agency").select_option(label="Dinas Kesehatan")
    page.get_by_test_id("tambah-anggota").click()
    expect(page.get_by_test_id("anggota-tim")).to_contain_text("dr. Sari Dewi")
    expect(page.get_by_test_id("status-tim")).to_contain_text("Tim terbentuk")
    assert _fits(page)
    screenshot("tim-penerapan-spm")
    team = ImplementationTeam.objects.get(region=demo)
    assert team.members.count() == 2 and team.decree_content_type == "application/pdf"

    # The e-SPM workbook of TW II 2025 from the official report page.
    page.goto("/rencana/laporan-resmi/?tahun=2025&periode=2")
    page.get_by_test_id("form-ekspor-espm").locator("select").select_option("2")
    with page.expect_download() as info:
        page.get_by_test_id("unduh-espm").click()
    path = SCREENSHOTS / "e-spm-18.12-2025-tw2.xlsx"
    info.value.save_as(path)
    book = load_workbook(io.BytesIO(path.read_bytes()))
    capaian = {row[2]: row for row in book["A-B Capaian"].iter_rows(min_row=2, values_only=True)}
    assert capaian["1.02.K01"][4] == 1000 and capaian["1.02.K01"][5] == 500  # TW I 240 + TW II 260
    assert _fits(page)
    screenshot("laporan-resmi-ekspor-espm")

    # The pimpinan reads the team on the daerah page, without the link to keep it.
    page.context.clear_cookies()
    login(page, "pimpinan", DEMO_PASSWORD)
    page.goto("/daerah/18.12/")
    expect(page.get_by_test_id("kartu-tim-penerapan")).to_contain_text("Drs. Budi Santoso, M.Si.")
    expect(page.get_by_test_id("tautan-tim")).to_have_count(0)
    assert _fits(page)
    screenshot("daerah-tim-penerapan")
