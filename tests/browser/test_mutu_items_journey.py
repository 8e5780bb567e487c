"""Browser journeys of issue 11 part 5: the admin maintains a mutu item list (edit in the admin, import from
xlsx, dry run then confirm); the operator fills section B item by item for ibu hamil (1.02.K01) and the
dashboard shows the same IP-SPM as the report page; a list with unserved citizens and kecamatan by name gives
%penerima from the list. Screenshots ``mutu-*``."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from openpyxl import Workbook
from playwright.sync_api import expect

from reporting.models import QuarterlyReport
from reporting.services import period_get_or_create, report_approve
from spm.models import QualityItem, QualityItemList
from spm.services import quality_items_load
from tests.browser.conftest import login, upload_stage_documents
from tests.browser.test_recipients_journey import upload as upload_recipients
from tests.factories import TEST_PASSWORD
from tests.reporting.conftest import PDF_BYTES
from tests.reporting.recipients_support import YEAR, person, xlsx_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def item_lists(live_server, reference_data):
    quality_items_load()


@pytest.fixture
def period(live_server, operator_a, reviewer, daerah):
    period = period_get_or_create(region=daerah, year=2026, quarter=1)
    period.due_date = timezone.localdate() + dt.timedelta(days=30)
    period.opens_on = min(period.opens_on, period.due_date)
    period.save()
    return period


def _items_xlsx() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["komponen", "nama_item", "satuan", "sumber", "keyakinan", "catatan"])
    ws.append(["barang_jasa", "Tensimeter digital", "unit", "Permenkes 6/2024 Lampiran", "high", ""])
    ws.append(["sdm", "Dokter", "orang", "Permenkes 6/2024 Lampiran", "high", ""])
    ws.append(["tata_cara", "Pedoman tata laksana hipertensi", "dokumen", "Permenkes 6/2024 Lampiran", "medium", ""])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_admin_edits_an_item_list_and_imports_one_from_xlsx(page, screenshot, item_lists, admin_user):
    login(page, "admin", TEST_PASSWORD)
    page.goto("/admin/spm/qualityitemlist/?q=1.02.K08")
    screenshot("mutu-01-admin-daftar")
    k08 = QualityItemList.objects.get(service__code="1.02.K08")
    page.goto(f"/admin/spm/qualityitemlist/{k08.pk}/change/")
    first = k08.items.order_by("component__order", "order").first()
    name_input = page.locator(f"input[name$='-name'][value='{first.name}']")
    name_input.fill("Pedoman pengendalian hipertensi dan media KIE (edisi 2024)")
    screenshot("mutu-02-admin-ubah")
    page.locator("input[name='_save']").click()
    expect(page.locator(".messagelist")).to_be_visible()
    first.refresh_from_db()
    k08.refresh_from_db()
    assert first.name == "Pedoman pengendalian hipertensi dan media KIE (edisi 2024)"
    assert k08.origin == "admin"  # the reference file no longer rewrites it

    # Import: check first (nothing stored), then confirm as a new version.
    page.goto("/admin/spm/qualityitemlist/")
    page.get_by_test_id("impor-item-mutu").click()
    page.get_by_label("Jenis pelayanan dasar").select_option(str(k08.service_id))
    page.get_by_label("Berlaku mulai tahun").fill("2026")
    page.get_by_label("Sumber (regulasi dan pasal/lampiran)").fill("Permenkes 6/2024 Lampiran")
    page.get_by_label("Keyakinan data").select_option("high")
    page.get_by_label("Berkas xlsx").set_input_files(
        {"name": "item-k08.xlsx", "mimeType": XLSX, "buffer": _items_xlsx()}
    )
    page.get_by_test_id("periksa-impor").click()
    expect(page.get_by_test_id("pratinjau-impor").locator("tbody tr")).to_have_count(3)
    assert not QualityItemList.objects.filter(service=k08.service, year=2026).exists()
    screenshot("mutu-03-admin-pratinjau-impor")
    page.get_by_test_id("konfirmasi-impor").click()
    expect(page.locator(".messagelist")).to_contain_text("3 item")
    new = QualityItemList.objects.get(service=k08.service, year=2026)
    assert new.origin == "impor" and new.items.count() == 3
    assert QualityItem.objects.filter(item_list=new, component__code="tata_cara").exists()
    screenshot("mutu-04-admin-hasil-impor")


def test_operator_fills_section_b_item_by_item_and_the_dashboard_agrees(
    page, screenshot, item_lists, period, reviewer, django_capture_on_commit_callbacks
):
    login(page, "operator_a", TEST_PASSWORD)
    page.goto(f"/laporan/?tahun={period.year}&triwulan={period.quarter}")
    page.get_by_test_id("tugas-1.02.K01").get_by_test_id("mulai-laporan").click()
    page.wait_for_url("**/laporan/*/")
    report = QuarterlyReport.objects.get(period=period, service__code="1.02.K01")
    assert report.quality_item_list is not None
    expect(page.get_by_test_id("daftar-item-mutu")).to_contain_text("versi 1")
    # The juknis stands beside the inputs (not a hover tooltip) and the inputs point at it.
    expect(page.get_by_test_id("juknis-served").first).to_contain_text("paling sedikit 4 kali")
    expect(page.get_by_label("Jumlah terlayani triwulan ini")).to_have_attribute("aria-describedby", "id_served_juknis")

    page.get_by_label("Jumlah yang harus dilayani").fill("100")
    page.get_by_label("Jumlah terlayani triwulan ini").fill("80")
    items = report.item_entries.select_related("item__component").order_by("item__component__order", "item__order")
    seen: set[str] = set()
    for entry in items:
        code = entry.item.component.code
        row = page.get_by_test_id(f"item-{entry.item_id}")
        needed, short = (10, 5) if code == "barang_jasa" else (2, 2)
        row.locator("input").nth(0).fill(str(needed))
        row.locator("input").nth(1).fill(str(needed - short if code not in seen else needed))
        seen.add(code)
    tata_cara = page.get_by_test_id("mutu-tata_cara")
    tata_cara.locator("input").nth(0).fill("4")
    tata_cara.locator("input").nth(1).fill("4")
    page.get_by_label("Alokasi anggaran").fill("150.000.000")
    page.get_by_label("Realisasi anggaran").fill("30.000.000")
    page.get_by_label("Permasalahan", exact=True).fill("Satu bidan belum ditempatkan.")
    page.get_by_label("Solusi", exact=True).fill("Penempatan bidan pada TW II.")
    for stage in ["pengumpulan_data", "penghitungan_kebutuhan", "penyusunan_rencana", "pelaksanaan_pemenuhan"]:
        page.get_by_test_id(f"tahapan-{stage}").locator("select").select_option("selesai")
    page.get_by_test_id("tombol-simpan").click()
    expect(page.get_by_test_id("pesan-tersimpan")).to_be_visible()
    # The component totals come from the items: 80 needed, 75 available; SDM 6 and 4.
    expect(page.get_by_test_id("jumlah-dibutuhkan-barang_jasa")).to_have_text("80")
    expect(page.get_by_test_id("jumlah-tersedia-barang_jasa")).to_have_text("75")
    expect(page.get_by_test_id("jumlah-tersedia-sdm")).to_have_text("4")
    index = page.get_by_test_id("nilai-sementara").locator(".fs-4")
    expect(index).to_have_text("82,44")
    page.get_by_test_id("isian-berkas").set_input_files(
        {"name": "rekap-ibu-hamil.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    page.get_by_test_id("tombol-unggah").click()
    expect(page.get_by_test_id("daftar-bukti")).to_contain_text("rekap-ibu-hamil.pdf")
    upload_stage_documents(page)  # the documents the finished tahapan need (section F)
    expect(page.get_by_test_id("persen-keterisian")).to_have_text("100%")
    screenshot("mutu-05-bagian-b-per-item")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("tombol-ajukan").click()
    expect(page.get_by_test_id("status-laporan")).to_have_text("Diajukan")
    report.refresh_from_db()
    assert report.status == "submitted"

    report_approve(report=report, user=reviewer)  # recompute runs after the commit (eager Celery)
    page.context.clear_cookies()
    login(page, "verifikator", TEST_PASSWORD)
    page.goto("/laporan/dasbor/?tahun=2026&triwulan=1")
    expect(page.get_by_test_id("nilai-1.02.K01")).to_have_text("82,44")
    screenshot("mutu-06-dasbor-sama")


def test_imported_list_with_unserved_and_kecamatan_names_gives_penerima_from_the_list(
    page, screenshot, period, operator_a, service_a, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"

    def row(i, *, served, status, kecamatan):
        values = person(i, served=dt.date(YEAR, 2, 10))
        values[6], values[7], values[8] = kecamatan, served, status
        return values

    rows = [
        row(1, served=dt.date(YEAR, 2, 10), status="Ya", kecamatan="  tulang   BAWANG tengah "),
        row(2, served=dt.date(YEAR, 3, 10), status="Sudah", kecamatan="Kec. Tumijajar"),
        row(3, served=dt.date(YEAR, 3, 11), status="Tidak", kecamatan="181201"),
        row(4, served=None, status="Belum terlayani", kecamatan="Tumijajar"),
        row(5, served=None, status="Belum", kecamatan="18.12.01"),
    ]
    login(page, "operator_a", TEST_PASSWORD)
    page.goto(f"/laporan/penerima/?tahun={YEAR}")
    service_row = page.get_by_test_id("tabel-layanan-penerima").locator("tbody tr").filter(has_text="1.02.K01")
    service_row.get_by_role("link", name="Impor").click()
    page.wait_for_url("**/laporan/penerima/impor/?*")
    upload_recipients(page, service_a, "penerima-belum-terlayani.xlsx", xlsx_bytes(rows))
    expect(page.get_by_test_id("jumlah-valid")).to_have_text("5")
    expect(page.get_by_test_id("jumlah-peringatan")).to_have_text("3")  # the kecamatan written by name
    screenshot("mutu-07-impor-belum-terlayani")
    page.get_by_test_id("tombol-simpan").click()
    expect(page.get_by_test_id("jumlah-disimpan")).to_have_text("5")

    # The report of TW I filled from the list: 5 listed (everyone who must be served), 2 served to standard.
    page.goto(f"/laporan/?tahun={period.year}&triwulan={period.quarter}")
    page.get_by_test_id("tugas-1.02.K01").get_by_test_id("mulai-laporan").click()
    page.wait_for_url("**/laporan/*/")
    button = page.get_by_test_id("tombol-isi-dari-penerima")
    expect(button).to_contain_text("Isi dari data penerima (5)")
    expect(button).to_have_attribute("data-confirm", re.compile("5 penerima tahun ini, 2 terlayani"))
    page.once("dialog", lambda dialog: dialog.accept())
    button.click()
    expect(page.get_by_test_id("daftar-penerima")).to_have_text("5")
    expect(page.get_by_test_id("kumulatif")).to_have_text("2")
    expect(page.get_by_test_id("belum-terlayani")).to_have_text("3")
    expect(page.get_by_test_id("persen-terlayani")).to_have_text("40,00 %")
    screenshot("mutu-08-persen-penerima-dari-daftar")
