"""Browser checks of the screens (issue 12): every page of the navigation fits an office laptop (1366×768 and
1280×720) for each demo role without sideways scrolling, and the main pages of each role pass axe-core's
WCAG 2.1 AA rules with no serious or critical violation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from reporting.models import QuarterlyReport
from reporting.services import period_get_or_create, report_open, report_submit
from spm.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from spm.models import BasicService, Region, User
from tests.browser.conftest import login
from tests.conftest import ensure_reference_data
from tests.reporting.conftest import WORKED_SERVED, approved_report, fill_completely

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOPS = [(1280, 720), (1366, 768)]
# Pages every signed-in user reaches from the top bar rather than the side menu.
USER_MENU_PAGES = ["/laporan/notifikasi/", "/akun/kata-sandi/"]


@pytest.fixture
def demo(live_server, settings, tmp_path):
    """The demo daerah with a year of approved reports and one report of this year waiting for verification."""
    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_reference_data()
    call_command("setup_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    region = Region.objects.get(code="18.12")
    service = BasicService.objects.get(code="1.02.K01")
    operator, reviewer = User.objects.get(username="operator.dinkes"), User.objects.get(username="verifikator")
    for quarter, served in WORKED_SERVED.items():
        approved_report(operator, reviewer, region, service, 2025, quarter, served)
    period = period_get_or_create(region=region, year=2026, quarter=2)
    period.due_date = timezone.localdate() + dt.timedelta(days=30)
    period.opens_on = min(period.opens_on, period.due_date)
    period.save()
    report = fill_completely(report_open(user=operator, period=period, service=service), operator)
    report_submit(report=report, user=operator, expected_version=report.version)
    return QuarterlyReport.objects.get(pk=report.pk)


def _overflow(page) -> int:
    """How many pixels the document is wider than the window (0 or less: no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def _nav_paths(page) -> list[str]:
    hrefs = page.locator("#nav-utama a.nav-link").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return [href for href in hrefs if href and not href.startswith("/admin/")]


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=lambda account: account.username)
def test_every_navigation_page_fits_a_laptop_without_sideways_scrolling(page, screenshot, demo, account):
    page.set_viewport_size({"width": 1280, "height": 720})
    login(page, account.username, DEMO_PASSWORD)
    paths = _nav_paths(page)
    assert len(paths) >= 3, paths
    # The pages where the work is done, one click below the navigation.
    if account.username == "operator.dinkes":
        paths.append(f"/laporan/{demo.pk}/")
    if account.username == "verifikator":
        paths.append(f"/laporan/verifikasi/{demo.pk}/")
    too_wide = []
    for path in [*paths, *USER_MENU_PAGES]:
        page.set_viewport_size({"width": 1280, "height": 720})
        page.goto(path)
        page.wait_for_load_state("load")
        for width, height in LAPTOPS:
            page.set_viewport_size({"width": width, "height": height})
            if (extra := _overflow(page)) > 0:
                too_wide.append(f"{path} at {width}×{height}: {extra} px too wide")
        # The user menu (logout, change password) and the language switch are reachable on every page.
        assert page.get_by_test_id("menu-pengguna").is_visible() and page.get_by_test_id("menu-bahasa").is_visible()
        assert page.get_by_test_id("menu-pengguna").bounding_box()["x"] + 10 < page.viewport_size["width"]
    screenshot(f"tata-letak-{account.username}")
    assert not too_wide, "\n".join(too_wide)


def _axe_serious(page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations of the current page that are serious or critical."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    results = Axe().run(page, options=options)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:5]]
            found.append(f"{page.url}: {violation['id']} ({violation['impact']}) {targets}")
    return found


# The main pages of each role (issue 12): login, tasks, report entry, review, matrix, dashboard, recipients import,
# targets, rencana aksi.
AXE_PAGES = {
    None: ["/akun/masuk/"],
    "operator.dinkes": [
        "/",
        "/laporan/",
        "/laporan/{report}/",
        "/laporan/penerima/",
        "/laporan/penerima/impor/",
        "/rencana/target/",
    ],
    "verifikator": [
        "/",
        "/laporan/verifikasi/",
        "/laporan/verifikasi/{report}/",
        "/laporan/matriks/",
        "/laporan/dasbor/",
        "/rencana/target/",
        "/rencana/rencana-aksi/",
        "/rencana/tim-penerapan/",
        "/rencana/laporan-resmi/",
        "/daerah/18.12/",
    ],
    "pimpinan": ["/", "/laporan/dasbor/", "/kamus/"],
    "kemendagri": ["/", "/laporan/nasional/", "/laporan/nasional/jadwal/", "/laporan/nasional/spm-awards/"],
}


def test_main_pages_have_no_serious_accessibility_violation(page, demo):
    found = []
    for username, paths in AXE_PAGES.items():
        if username:
            page.context.clear_cookies()
            login(page, username, DEMO_PASSWORD)
        for path in paths:
            page.goto(path.format(report=demo.pk))
            page.wait_for_load_state("load")
            found += _axe_serious(page)
    assert not found, "\n".join(found)


# Pages added after the first pass (issue 12): the personal-data access log, the report's harus-dilayani part,
# the provinsi and admin homes, a rencana aksi with its blocks. Each fits 1280 px, a data-entry page also 390 px,
# and passes axe.
LATE_PAGES = {
    "operator.dinkes": [("/laporan/data-pribadi-saya/", False), ("/laporan/{report}/", True)],
    "verifikator": [("/laporan/verifikasi/{report}/", False), ("/rencana/rencana-aksi/{plan}/", True)],
    "provinsi": [("/", False), ("/laporan/data-pribadi-saya/", False)],
    "admin": [("/", False), ("/laporan/data-pribadi-saya/", False)],
}


def test_late_pages_fit_the_screen_and_pass_axe(page, screenshot, demo):
    from targets.services import plan_create

    reviewer = User.objects.get(username="verifikator")
    plan = plan_create(user=reviewer, region=reviewer.region, start_year=2026, end_year=2030)
    found, too_wide = [], []
    for username, paths in LATE_PAGES.items():
        page.context.clear_cookies()
        page.set_viewport_size({"width": 1280, "height": 720})
        login(page, username, DEMO_PASSWORD)
        for template, data_entry in paths:
            path = template.format(report=demo.pk, plan=plan.pk)
            widths = [1280, 390] if data_entry else [1280]
            for width in widths:
                page.set_viewport_size({"width": width, "height": 844 if width == 390 else 720})
                page.goto(path)
                page.wait_for_load_state("load")
                if (extra := _overflow(page)) > 0:
                    too_wide.append(f"{username} {path} at {width} px: {extra} px too wide")
            page.set_viewport_size({"width": 1280, "height": 720})
            found += _axe_serious(page)
            if "{report}" in template:
                assert page.get_by_test_id("sumber-harus-dilayani").is_visible()
    screenshot("halaman-akhir-rencana-aksi")
    assert not too_wide, "\n".join(too_wide)
    assert not found, "\n".join(found)
