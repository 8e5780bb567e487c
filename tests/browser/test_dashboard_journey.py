"""Browser: the verifikator's achievement dashboard shows hand-computed numbers for a seeded daerah."""

from __future__ import annotations

import pytest

from reporting.achievements.services import achievements_recompute
from tests.browser.conftest import login
from tests.factories import TEST_PASSWORD
from tests.reporting.conftest import WORKED_SERVED, approved_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(live_server, operator_a, reviewer, daerah, service_a):
    for quarter, served in WORKED_SERVED.items():
        approved_report(operator_a, reviewer, daerah, service_a, 2025, quarter, served)
    achievements_recompute(region=daerah, year=2025)
    return daerah


def test_dashboard_numbers_match_the_worked_example(page, screenshot, seeded, reviewer):
    login(page, reviewer.username, TEST_PASSWORD)
    page.goto("/laporan/dasbor/?tahun=2025&triwulan=4")
    # formula.md: %penerima 98,00; %mutu 53/56 = 94,64; nilai 0,8 × 98 + 0,2 × 94,642857 = 97,33 → Tuntas Utama
    assert page.get_by_test_id("nilai-daerah").inner_text() == "97,33"
    assert page.get_by_test_id("status-daerah").inner_text() == "Tuntas Utama"
    row = page.get_by_test_id("capaian-1.02.K01")
    assert "98,00" in row.inner_text() and "94,64" in row.inner_text()
    assert page.locator("#grafik-urusan").is_visible() and page.locator("#grafik-tren").is_visible()
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length === 2")
    screenshot("dasbor-capaian")
    page.get_by_test_id("nilai-1.02.K01").click()
    assert "240 + 260 + 250 + 230 = 980" in page.get_by_test_id("rincian-rumus").inner_text()
    screenshot("rincian-capaian")
    page.goto("/laporan/dasbor/?tahun=2025&triwulan=2")
    assert page.get_by_test_id("nilai-daerah").inner_text() == "58,93"
    assert page.get_by_test_id("status-daerah").inner_text() == "Belum Tuntas"
