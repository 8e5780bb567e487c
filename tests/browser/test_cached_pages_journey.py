"""Pages with cached parts in the browser (issue 15): the recipients list (cached head, rows drawn in Python) and
the operator's task page fit 1366 px and 390 px, in Indonesian and, once the user picks it, in English — the part
kept in the cache follows the language, and no Indonesian head is served to an English page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.factories import TEST_PASSWORD
from tests.reporting.test_recipient_pages import add_recipients, list_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [(1366, 768), (390, 844)]


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def _check_widths(page, path: str) -> None:
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(path)
        assert _overflow(page) <= 0, f"{path} at {width} px scrolls sideways by {_overflow(page)} px"


def test_recipients_list_and_tasks_fit_both_widths_in_both_languages(page, operator_a, daerah, service_a):
    add_recipients(daerah, service_a, 60)
    path = list_url(daerah, service_a)
    login(page, operator_a.username, TEST_PASSWORD)

    _check_widths(page, path)
    assert page.locator("html").get_attribute("lang") == "id"
    expect(page.get_by_test_id("tabel-penerima").locator("tbody tr")).to_have_count(50)
    expect(page.get_by_test_id("jumlah-penerima")).to_contain_text("Harus dilayani")
    expect(page.get_by_role("button", name="Terapkan")).to_be_visible()
    _check_widths(page, "/laporan/")
    expect(page.locator("h1")).to_contain_text("Tugas saya triwulan ini")

    page.get_by_test_id("menu-bahasa").click()
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state("load")
    _check_widths(page, path)
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_test_id("jumlah-penerima")).to_contain_text("To be served")
    expect(page.get_by_test_id("jumlah-penerima")).not_to_contain_text("Harus dilayani")
    expect(page.get_by_role("button", name="Apply")).to_be_visible()
    expect(page.get_by_role("link", name="Next")).to_be_visible()
    expect(page.get_by_test_id("tabel-penerima").locator("tbody tr")).to_have_count(50)
    _check_widths(page, "/laporan/")
    expect(page.locator("h1")).to_contain_text("My tasks this quarter")
