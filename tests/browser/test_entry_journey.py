"""Browser journeys of the OPD operator: the task list, filling a report with htmx saves, a field error,
evidence upload, the completeness meter reaching 100 %, the submission; then a returned report's to-do list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reporting.choices import ReportStatus
from reporting.models import QuarterlyReport
from reporting.services import CommentInput, period_get_or_create, report_open, report_return, report_submit
from spm.models import BasicService, User
from tests.browser.conftest import login, upload_stage_documents
from tests.factories import TEST_PASSWORD
from tests.reporting.conftest import PDF_BYTES, fill_completely

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def period(live_server, operator_a, reviewer, daerah):
    period = period_get_or_create(region=daerah, year=2026, quarter=2)
    period.due_date = timezone.localdate() + dt.timedelta(days=30)
    period.opens_on = min(period.opens_on, period.due_date)
    period.save()
    return period


def test_operator_fills_uploads_and_submits_a_report(page, screenshot, period, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    login(page, "operator_a", TEST_PASSWORD)
    page.get_by_role("link", name="Laporan triwulan").click()
    page.goto(f"/laporan/?tahun={period.year}&triwulan={period.quarter}")
    expect(page.get_by_test_id("tabel-tugas").locator("tbody tr")).to_have_count(3)
    screenshot("laporan-tugas")

    page.get_by_test_id("tugas-1.02.K01").get_by_test_id("mulai-laporan").click()
    page.wait_for_url("**/laporan/*/")
    expect(page.get_by_test_id("persen-keterisian")).to_have_text("0%")

    # A. recipients, saved with htmx: the derived figures and the meter refresh without a reload
    page.get_by_label("Jumlah yang harus dilayani").fill("1.000")
    page.get_by_label("Jumlah terlayani triwulan ini").fill("240")
    page.get_by_test_id("tombol-simpan").click()
    expect(page.get_by_test_id("pesan-tersimpan")).to_be_visible()
    expect(page.get_by_test_id("kumulatif")).to_have_text("240")
    expect(page.get_by_test_id("belum-terlayani")).to_have_text("760")
    expect(page.get_by_test_id("persen-keterisian")).to_have_text("17%")

    # C. a decimal Rupiah figure is refused next to the field, naming it
    page.get_by_label("Alokasi anggaran").fill("150.000,50")
    page.get_by_test_id("tombol-simpan").click()
    expect(page.get_by_test_id("galat-budget_allocated")).to_contain_text("Alokasi anggaran harus berupa")
    screenshot("laporan-galat-isian")

    # fill the rest: B, C, D, E
    page.get_by_label("Alokasi anggaran").fill("150.000.000")
    page.get_by_label("Realisasi anggaran").fill("30.000.000")
    for code, required, met in [("barang_jasa", "40", "38"), ("sdm", "12", "12"), ("tata_cara", "4", "3")]:
        row = page.get_by_test_id(f"mutu-{code}")
        row.locator("input").nth(0).fill(required)
        row.locator("input").nth(1).fill(met)
    page.get_by_label("Permasalahan", exact=True).fill("Tenaga bidan belum merata di desa terpencil.")
    page.get_by_label("Solusi", exact=True).fill("Penugasan bidan bergilir dan kunjungan rumah.")
    for stage in ["pengumpulan_data", "penghitungan_kebutuhan", "penyusunan_rencana", "pelaksanaan_pemenuhan"]:
        page.get_by_test_id(f"tahapan-{stage}").locator("select").select_option("selesai")
    page.get_by_test_id("tombol-simpan").click()
    expect(page.get_by_test_id("persen-realisasi")).to_have_text("20,00 %")
    expect(page.get_by_test_id("galat-budget_allocated")).to_have_count(0)
    expect(page.get_by_test_id("galat-isian")).to_have_count(0)
    expect(page.get_by_test_id("persen-keterisian")).to_have_text("83%")

    # F. evidence: a general file, then the document each finished tahapan needs (the checklist names them)
    page.get_by_test_id("isian-berkas").set_input_files(
        {"name": "rekap-ibu-hamil.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    page.get_by_test_id("tombol-unggah").click()
    expect(page.get_by_test_id("daftar-bukti")).to_contain_text("rekap-ibu-hamil.pdf")
    expect(page.get_by_test_id("persen-keterisian")).to_have_text("83%")
    upload_stage_documents(page)
    expect(page.get_by_test_id("persen-keterisian")).to_have_text("100%")
    screenshot("laporan-isian-lengkap")

    # submit (the browser asks first)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("tombol-ajukan").click()
    expect(page.get_by_test_id("status-laporan")).to_have_text("Diajukan")
    expect(page.get_by_test_id("mode-baca")).to_be_visible()
    screenshot("laporan-diajukan")
    report = QuarterlyReport.objects.get(period=period, service__code="1.02.K01")
    assert report.status == ReportStatus.SUBMITTED and report.budget_allocated == 150_000_000

    page.get_by_test_id("tab-riwayat").click()
    expect(page.get_by_test_id("riwayat-status")).to_contain_text("Diajukan")
    screenshot("laporan-riwayat")


def test_operator_works_through_the_returned_reports_to_do_list(page, screenshot, period, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    operator = User.objects.get(username="operator_a")
    reviewer = User.objects.get(username="verifikator")
    service = BasicService.objects.get(code="1.02.K01")
    report = fill_completely(report_open(user=operator, period=period, service=service), operator)
    report_submit(report=report, user=operator, expected_version=report.version)
    report_return(
        report=report,
        user=reviewer,
        comments=[
            CommentInput("served", "Angka terlayani tidak sesuai rekap puskesmas."),
            CommentInput("F", "Lampirkan rekap kunjungan per puskesmas."),
        ],
        summary="Mohon diperbaiki.",
    )

    login(page, "operator_a", TEST_PASSWORD)
    expect(page.get_by_test_id("lencana-notifikasi")).to_have_text("1 belum dibaca")
    page.get_by_test_id("tautan-notifikasi").click()
    expect(page.get_by_test_id("notifikasi")).to_contain_text("dikembalikan dengan 2 catatan")
    screenshot("notifikasi")
    page.get_by_test_id("tautan-laporan").click()

    todo = page.get_by_test_id("daftar-catatan")
    expect(todo).to_contain_text("2 catatan verifikator perlu ditindaklanjuti")
    expect(page.get_by_test_id("isian-served").get_by_test_id("catatan-isian")).to_contain_text("rekap puskesmas")
    screenshot("laporan-dikembalikan")
    todo.get_by_test_id("catatan-served").click()
    page.get_by_label("Jumlah terlayani triwulan ini").fill("230")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("tombol-ajukan").click()
    expect(page.get_by_test_id("status-laporan")).to_have_text("Diajukan")
    report.refresh_from_db()
    assert report.served == 230 and report.status == ReportStatus.SUBMITTED
