"""Browser journey of the interface language (issue 12): Bahasa Indonesia whatever the browser asks for, and a
complete English interface once the user picks English."""

from __future__ import annotations

import pytest
from django.utils import translation

from spm.context_processors import NAV_GROUPS, NAV_ITEMS
from tests.browser.conftest import CSP_VIOLATION_MARKERS
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOOTER_ID = "e-SPM — aplikasi penerapan Standar Pelayanan Minimal"


@pytest.fixture
def english_page(browser, live_server):
    """A browser set up in English (navigator.language and Accept-Language: en-US)."""
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 1366, "height": 768}, reduced_motion="reduce"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations = []
    page.on("console", lambda m: violations.append(m.text) if any(x in m.text for x in CSP_VIOLATION_MARKERS) else None)
    yield page
    context.close()
    assert not violations, violations


def _indonesian_labels() -> set[str]:
    with translation.override("id"):
        labels = {str(item.label) for item in NAV_ITEMS} | {str(label) for label in NAV_GROUPS.values()}
    with translation.override("en"):
        english = {str(item.label) for item in NAV_ITEMS} | {str(label) for label in NAV_GROUPS.values()}
    return labels - english  # a label spelt the same in both languages (none today) says nothing


def test_an_english_browser_gets_indonesian_until_the_user_picks_english(english_page, operator_a, reviewer):
    page = english_page
    page.goto("/akun/masuk/")
    assert page.locator("html").get_attribute("lang") == "id"
    page.get_by_label("Nama pengguna").fill("verifikator")
    page.get_by_label("Kata sandi").fill("salah")
    page.get_by_role("button", name="Masuk").click()
    assert "Nama pengguna atau kata sandi salah" in page.get_by_role("alert").inner_text()
    page.get_by_label("Kata sandi").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/")
    nav = page.locator("#nav-utama")
    assert "Verifikasi" in nav.inner_text() and FOOTER_ID in page.locator("footer").inner_text()

    page.get_by_test_id("menu-bahasa").click()
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == "en"
    nav_text = nav.inner_text()
    leftovers = sorted(label for label in _indonesian_labels() if label in nav_text)
    assert not leftovers, f"Indonesian in the English navigation: {leftovers}"
    assert "Review" in nav_text and "Quarterly reports" not in nav_text  # the reviewer has no report tasks
    assert "application for the Minimum Service Standards" in page.locator("footer").inner_text()
    page.get_by_test_id("menu-pengguna").click()
    assert page.get_by_role("button", name="Sign out").is_visible()
