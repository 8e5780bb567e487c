"""Browser: Kemendagri opens the TW I window for every daerah at once and reads the national dashboard."""

from __future__ import annotations

import datetime as dt

import pytest

from reporting.models import ReportingPeriod
from spm.models import Region
from tests.browser.conftest import login
from tests.browser.test_screens_journey import _axe_serious, _overflow
from tests.factories import TEST_PASSWORD
from tests.reporting.national_support import daerah_of, stored_figures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def figures(live_server, national_user):
    stored_figures(daerah_of(["18"]), year=2025, quarter=3, late_codes={"18.12"}, skip={"18.71"})
    return national_user


def test_kemendagri_opens_tw_i_for_every_daerah_and_reads_the_national_dashboard(page, screenshot, figures):
    year = dt.date.today().year + 1
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, figures.username, TEST_PASSWORD)
    nav = page.locator("#nav-utama")
    assert nav.get_by_role("link", name="Jadwal nasional").is_visible()
    assert nav.get_by_role("link", name="Verifikasi").count() == 0  # nothing it may not open
    nav.get_by_role("link", name="Jadwal nasional").click()
    form = page.get_by_test_id("form-jadwal-nasional")
    form.get_by_label("Tahun").fill(str(year))
    form.get_by_label("Triwulan").select_option("1")
    form.get_by_label("Mulai pengisian").fill(f"{year}-01-01")
    form.get_by_label("Batas waktu").fill(f"{year}-04-20")
    form.get_by_label("Penutupan pengisian").fill(f"{year}-04-30")
    form.get_by_label("Keterangan (opsional)").fill("Pembukaan pengisian TW I")
    form.get_by_role("button", name="Terapkan untuk semua daerah").click()
    daerah = Region.objects.daerah().count()
    assert f"{daerah} periode dibuat" in page.locator(".alert-success").inner_text()
    assert page.get_by_test_id(f"jadwal-{year}-1").is_visible()
    assert ReportingPeriod.objects.filter(year=year, quarter=1).count() == daerah == 552
    assert _overflow(page) <= 0
    assert not _axe_serious(page)
    screenshot("jadwal-nasional")
    page.set_viewport_size({"width": 390, "height": 844})  # a data-entry page: also on a phone
    assert _overflow(page) <= 0
    screenshot("jadwal-nasional-390")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.locator("#nav-utama").get_by_role("link", name="Dasbor nasional").click()
    page.goto("/laporan/nasional/?tahun=2025&triwulan=3")
    assert "15 dari 552 daerah" in page.get_by_test_id("tingkat-pelaporan").inner_text()
    assert page.get_by_test_id("tabel-provinsi").locator("tbody tr").count() == 38
    lampung = page.get_by_test_id("provinsi-18").inner_text()
    assert "15 dari 16 daerah" in lampung
    assert "Kabupaten Tulang Bawang Barat" in page.get_by_test_id("daftar-terlambat").inner_text()
    assert "Kota Bandar Lampung" in page.get_by_test_id("daftar-belum").inner_text()
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length === 4")
    assert _overflow(page) <= 0
    assert not _axe_serious(page)
    screenshot("dasbor-nasional")

    page.context.add_cookies([{"name": "django_language", "value": "en", "url": page.url}])
    page.reload()
    assert page.get_by_role("heading", level=1).inner_text() == "National dashboard of SPM application"
    screenshot("dasbor-nasional-en")
