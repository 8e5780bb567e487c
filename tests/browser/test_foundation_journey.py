"""Browser journey of the foundation: the public catalogue, then each demo role logs in and sees its scope."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from spm.demo import DEMO_PASSWORD
from spm.models import Agency
from tests.browser.conftest import login
from tests.conftest import ensure_reference_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(live_server):
    ensure_reference_data()
    call_command("setup_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_public_catalogue_in_the_browser(page, screenshot, demo):
    page.goto("/katalog/")
    assert page.get_by_role("heading", name="Katalog Standar Pelayanan Minimal").is_visible()
    assert page.get_by_text("43 jenis pelayanan dasar").is_visible()
    page.get_by_role("link", name="Provinsi", exact=True).click()
    assert page.get_by_text("14 jenis pelayanan dasar").is_visible()
    screenshot("katalog")
    page.goto("/katalog/")
    page.get_by_role("link", name="Pelayanan kesehatan ibu hamil").click()
    assert page.get_by_test_id("daftar-mutu").locator("li").count() == 3
    screenshot("katalog-layanan")


def test_each_role_sees_only_its_scope(page, screenshot, demo):
    dinkes = Agency.objects.get(region__code="18.12", name="Dinas Kesehatan")
    disdik = Agency.objects.get(region__code="18.12", name="Dinas Pendidikan")

    login(page, "operator.dinkes", DEMO_PASSWORD)
    rows = page.get_by_test_id("tabel-layanan-opd").locator("tbody tr")
    assert rows.count() == 12
    assert rows.get_by_text("Pelayanan kesehatan ibu hamil").is_visible()
    screenshot("beranda-operator")
    response = page.goto(f"/opd/{disdik.pk}/")
    assert response.status == 404
    page.goto("/")
    page.get_by_test_id("menu-pengguna").click()
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_url("**/akun/masuk/")

    login(page, "verifikator", DEMO_PASSWORD)
    assert page.get_by_test_id("tabel-opd").locator("tbody tr").count() == 8
    screenshot("beranda-verifikator")
    assert page.goto(f"/opd/{dinkes.pk}/").status == 200
    page.context.clear_cookies()

    login(page, "provinsi", DEMO_PASSWORD)
    assert page.get_by_test_id("tabel-daerah").locator("tbody tr").count() == 15
    screenshot("beranda-provinsi")
    page.context.clear_cookies()

    login(page, "pimpinan", DEMO_PASSWORD)
    assert page.get_by_text("Kabupaten Tulang Bawang Barat").first.is_visible()
    page.context.clear_cookies()

    login(page, "admin", DEMO_PASSWORD)
    assert page.get_by_text("552").is_visible()
    screenshot("beranda-admin")


def test_wrong_password_message_is_in_indonesian(page, demo):
    page.goto("/akun/masuk/")
    page.get_by_label("Nama pengguna").fill("verifikator")
    page.get_by_label("Kata sandi").fill("bukan-ini")
    page.get_by_role("button", name="Masuk").click()
    assert page.get_by_role("alert").inner_text().startswith("Nama pengguna atau kata sandi salah")
