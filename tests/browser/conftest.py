"""Playwright in Debian's chromium (/usr/bin/chromium); never a downloaded browser.

Screenshots of each main page are saved under ``artifacts/screenshots`` as test artefacts.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session", autouse=True)
def _patient_expectations():
    """A loaded CI machine (2 cores) can take more than Playwright's default 5 s for an htmx round trip."""
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium Debian tidak terpasang di /usr/bin/chromium; jalankan `make test` (target chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# How chromium reports what the Content-Security-Policy blocked ("Refused to execute inline script …").
CSP_VIOLATION_MARKERS = ("Refused to", "Content Security Policy")


def new_page(browser, base_url: str):
    """A fresh browser context (its own cookies) in Indonesian, without animations (steady clicks under load).

    Console messages about the Content-Security-Policy are collected in ``page.csp_violations``.
    """
    context = browser.new_context(
        base_url=base_url, locale="id-ID", viewport={"width": 1366, "height": 900}, reduced_motion="reduce"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.csp_violations = []

    def _on_console(message) -> None:
        if any(marker in message.text for marker in CSP_VIOLATION_MARKERS):
            where = message.location or {}
            source = f"{where.get('url', '?')}:{where.get('lineNumber', '?')}"
            page.csp_violations.append(f"{page.url} (from {source}): {message.text}")

    page.on("console", _on_console)
    return page


@pytest.fixture
def page(browser, live_server):
    """A page for one test; the test fails if anything it showed broke the Content-Security-Policy."""
    page = new_page(browser, live_server.url)
    yield page
    violations = list(page.csp_violations)
    page.context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def screenshot(page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shot(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


def login(page, username: str, password: str) -> None:
    page.goto("/akun/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/")


def upload_stage_documents(page) -> None:
    """Upload, through the evidence form, one PDF of each jenis dokumen the report's tahapan need now (the
    checklist marks them ``data-needed="1"``), choosing its jenis in the form."""
    from playwright.sync_api import expect

    from tests.reporting.conftest import PDF_BYTES

    needed = page.locator('[data-testid^="dokumen-"][data-needed="1"][data-present="0"]')
    kinds = [needed.nth(i).get_attribute("data-testid").removeprefix("dokumen-") for i in range(needed.count())]
    for kind in kinds:
        page.get_by_test_id("isian-jenis-bukti").select_option(kind)
        page.get_by_test_id("isian-berkas").set_input_files(
            {"name": f"{kind}.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
        )
        page.get_by_test_id("tombol-unggah").click()
        expect(page.get_by_test_id("daftar-bukti")).to_contain_text(f"{kind}.pdf")
        expect(page.get_by_test_id(f"dokumen-{kind}")).to_have_attribute("data-present", "1")
