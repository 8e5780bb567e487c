"""Browser journey of issue 13: the verifikator finishes the narrative of the Laporan Penerapan SPM, generates
the annual and a quarterly edition and downloads their PDF and docx, then downloads the rencana aksi lampiran;
every page of every PDF is saved as an image (pdftoppm) under artifacts/screenshots/ to be looked at."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.core.management import call_command

from spm.demo import DEMO_PASSWORD
from spm.models import BasicService, Region, User
from targets.models import RegionProfile
from targets.services import plan_create
from tests.browser.conftest import SCREENSHOTS, login
from tests.conftest import ensure_reference_data
from tests.reporting.conftest import WORKED_SERVED, approved_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def page_images(pdf_path, stem: str) -> list:
    """Every page of a PDF as PNG next to the screenshots (pdftoppm from poppler-utils, `make pdf-deps`)."""
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm tidak terpasang; jalankan `make pdf-deps` (poppler-utils).")
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf_path), str(SCREENSHOTS / stem)], check=True, timeout=120)
    return sorted(SCREENSHOTS.glob(f"{stem}-*.png"))


@pytest.fixture
def demo(live_server):
    ensure_reference_data()
    call_command("setup_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    region = Region.objects.get(code="18.12")
    service = BasicService.objects.get(code="1.02.K01")
    operator, reviewer = User.objects.get(username="operator.dinkes"), User.objects.get(username="verifikator")
    for quarter, served in WORKED_SERVED.items():
        approved_report(operator, reviewer, region, service, 2025, quarter, served)
    RegionProfile.objects.update_or_create(
        region=region, defaults={"address": "Jalan Cemara Nomor 1, Panaragan Jaya", "head_name": "Novriwan Jaya"}
    )
    plan = plan_create(user=reviewer, region=region, start_year=2025, end_year=2029)
    return region, plan


def generate_and_download(page, periode: int, stem: str) -> None:
    page.goto(f"/rencana/laporan-resmi/?tahun=2025&periode={periode}")
    page.get_by_label("Penutup (BAB IV)").fill("Penerapan SPM dilanjutkan melalui rencana aksi.")
    page.get_by_role("button", name="Simpan narasi").click()
    page.get_by_test_id("buat-laporan").click(timeout=180_000)  # the eager task renders the PDF
    page.get_by_test_id("unduh-docx").first.wait_for(timeout=180_000)
    for fmt in ("pdf", "docx"):
        with page.expect_download() as info:
            page.get_by_test_id(f"unduh-{fmt}").first.click()
        info.value.save_as(SCREENSHOTS / f"{stem}.{fmt}")
    assert (SCREENSHOTS / f"{stem}.pdf").read_bytes().startswith(b"%PDF-")
    assert len(page_images(SCREENSHOTS / f"{stem}.pdf", stem)) >= 5


def test_official_documents_through_the_ui(page, screenshot, demo):
    _region, plan = demo
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    login(page, "verifikator", DEMO_PASSWORD)
    generate_and_download(page, 0, "laporan-penerapan-spm-tahunan")
    screenshot("laporan-penerapan-spm-edisi")
    assert "Batas waktu penyampaian" in page.get_by_test_id("batas-waktu").inner_text()
    generate_and_download(page, 2, "laporan-penerapan-spm-tw2")

    page.goto(f"/rencana/rencana-aksi/{plan.pk}/")
    with page.expect_download() as info:
        page.get_by_test_id("unduh-rencana-pdf").click(timeout=120_000)
    info.value.save_as(SCREENSHOTS / "rencana-aksi-lampiran.pdf")
    assert page_images(SCREENSHOTS / "rencana-aksi-lampiran.pdf", "rencana-aksi-lampiran")
