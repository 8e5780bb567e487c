"""Browser: every role's main pages work under the Content-Security-Policy (no inline script or style).

Chromium reports each thing the policy blocks on the console ("Refused to execute inline script …",
"Refused to apply inline style …"); the ``page`` fixture fails the test if any such message appears. Beyond the
absence of messages, the tour checks that what used to be inline still works: bar widths set by
static/js/espm.js, Chart.js charts, the htmx save with its indicator, and the Swagger UI from our static files.
"""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reporting.achievements.services import achievements_recompute
from reporting.services import period_get_or_create, report_open
from tests.browser.conftest import login
from tests.factories import TEST_PASSWORD
from tests.reporting.conftest import WORKED_SERVED, approved_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(live_server, operator_a, reviewer, leader, provincial_viewer, admin_user, daerah, service_a):
    """A year of approved reports (dashboard, ranking, matrix have numbers) and an open report to edit."""
    reports = [
        approved_report(operator_a, reviewer, daerah, service_a, 2025, quarter, served)
        for quarter, served in WORKED_SERVED.items()
    ]
    achievements_recompute(region=daerah, year=2025)
    today = timezone.localdate()
    period = period_get_or_create(region=daerah, year=today.year, quarter=(today.month - 1) // 3 + 1)
    draft = report_open(user=operator_a, period=period, service=service_a)
    return {"approved": reports[-1], "draft": draft}


def _visit(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"
    policy = [part.strip() for part in response.headers.get("content-security-policy", "").split(";")]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy, url
    page.wait_for_load_state("networkidle")


def _logout(page) -> None:
    page.context.clear_cookies()


def test_each_role_tours_its_main_pages_without_csp_violations(page, seeded, operator_a, reviewer):
    draft = seeded["draft"]
    approved = seeded["approved"]

    login(page, "operator_a", TEST_PASSWORD)
    for url in (
        "/",
        "/laporan/?tahun=2025&triwulan=4",
        "/laporan/penerima/",
        "/laporan/capaian-saya/?tahun=2025",
        "/laporan/notifikasi/",
        "/rencana/target/",
        "/rencana/rencana-aksi/",
        "/rencana/kebutuhan/",
        "/katalog/",
    ):
        _visit(page, url)
    # Progress bars get their width from data-width (a style attribute would be refused).
    _visit(page, "/laporan/?tahun=2025&triwulan=4")
    bar = page.locator(".progress-bar[data-width='100']").first
    expect(bar).to_be_visible()
    assert bar.evaluate("el => el.style.width") == "100%"

    # The report form saves through htmx; the indicator's rules come from our stylesheet, not from htmx.
    _visit(page, f"/laporan/{draft.pk}/")
    assert page.locator("#save-indicator").evaluate("el => getComputedStyle(el).opacity") == "0"
    page.get_by_label("Jumlah yang harus dilayani").fill("1.000")
    page.get_by_label("Jumlah terlayani triwulan ini").fill("240")
    page.get_by_test_id("tombol-simpan").click()
    expect(page.get_by_test_id("pesan-tersimpan")).to_be_visible()
    meter = page.get_by_test_id("persen-keterisian")
    expect(meter).not_to_have_text("0%")
    width = page.locator(".meter .progress-bar[data-width]").first.evaluate("el => el.style.width")
    assert width.endswith("%") and width != "0%", width  # set again after the htmx swap
    assert page.evaluate("() => document.querySelectorAll('style').length") == 0
    _logout(page)

    login(page, "verifikator", TEST_PASSWORD)
    for url in (
        "/laporan/verifikasi/",
        f"/laporan/verifikasi/{approved.pk}/",
        "/laporan/matriks/?tahun=2025&triwulan=4",
        "/rencana/target/",
        "/rencana/laporan-resmi/",
    ):
        _visit(page, url)
    _visit(page, "/laporan/dasbor/?tahun=2025&triwulan=4")
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length === 2")
    _visit(page, "/api/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    _logout(page)

    login(page, "pimpinan", TEST_PASSWORD)
    for url in ("/", "/laporan/dasbor/?tahun=2025&triwulan=4", "/laporan/matriks/", "/rencana/laporan-resmi/"):
        _visit(page, url)
    _logout(page)

    login(page, "provinsi", TEST_PASSWORD)
    _visit(page, "/")
    _visit(page, "/laporan/peringkat/?tahun=2025")
    ranking_bar = page.locator(".bar-cell .bar").first
    assert ranking_bar.evaluate("el => el.getBoundingClientRect().width") > 0
    _logout(page)

    login(page, "admin", TEST_PASSWORD)
    for url in (
        "/",
        "/laporan/periode/",
        "/opd/",
        "/daerah/",
        "/admin/",
        "/admin/axes/accessattempt/",
        "/admin/spm/user/",
        "/admin/spm/user/add/",
        "/api/docs/",
    ):
        _visit(page, url)
    assert not page.csp_violations, page.csp_violations


def test_anonymous_pages_and_the_lockout_page_have_no_csp_violations(page, seeded):
    for url in ("/akun/masuk/", "/katalog/", "/katalog/1.02.K01/"):
        _visit(page, url)
    for attempt in range(10):
        page.goto("/akun/masuk/")
        page.get_by_label("Nama pengguna").fill("operator_a")
        page.get_by_label("Kata sandi").fill(f"salah-{attempt}")
        page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_test_id("akun-dikunci")).to_be_visible()
    expect(page.get_by_role("heading", name="Akun dikunci sementara")).to_be_visible()
