"""The recipient import journey in the browser (issue 4): the operator downloads the template of a service,
uploads a list with bad rows, watches the progress bar (htmx polling) turn into the summary, downloads the
error report, fixes the rows in that report, uploads it again, confirms, and finds the list with masked NIKs.
Screenshots of each main step (``penerima-*``)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import expect

from reporting.choices import ImportStatus
from reporting.models import Recipient, RecipientImport
from reporting.recipients import services as recipient_services
from reporting.recipients.validation import mask_nik
from reporting.recipients.xlsx import DATA_SHEET, REPORT_COLUMN
from tests.browser.conftest import login
from tests.factories import TEST_PASSWORD
from tests.reporting.recipients_support import HEADER, SERVICE_A, YEAR, make_nik, people, person, xlsx_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class HeldValidation:
    """Keeps the validation task of the next upload from running, so the page shows the progress bar; the
    test releases it and the polling page must turn into the summary by itself. Other steps run eagerly."""

    def __init__(self, original) -> None:
        self.original = original
        self.held: list[int] = []
        self.holding = True

    def __call__(self, step: str, import_id: int) -> None:
        if step == "validate" and self.holding:
            self.held.append(import_id)
            return
        self.original(step, import_id)

    def release(self) -> None:
        self.holding = False
        for import_id in self.held:
            self.original("validate", import_id)
        self.held.clear()


@pytest.fixture
def held_validation(monkeypatch):
    holder = HeldValidation(recipient_services._enqueue)
    monkeypatch.setattr(recipient_services, "_enqueue", holder)
    return holder


def bad_rows() -> list[list]:
    """Seven rows (Excel rows 2-8) of which three have errors: rows 2, 5, 6 and 7 are valid."""
    rows = people(6)
    rows[1][0] = rows[1][0][:15]  # row 3: a NIK of 15 digits
    rows[2][0] = make_nik(rows[2][3], "L", 3)  # row 4: the NIK encodes a man, the sex column says P
    twin = person(6)
    twin[0], twin[3] = rows[0][0], rows[0][3]  # row 8: the person of row 2 again, under another name
    return [*rows, twin]


def report_messages(content: bytes) -> dict[int, str]:
    sheet = load_workbook(io.BytesIO(content))[DATA_SHEET]
    header = [cell.value for cell in sheet[1]]
    column = header.index(REPORT_COLUMN) + 1
    return {
        row: str(sheet.cell(row=row, column=column).value or "")
        for row in range(2, sheet.max_row + 1)
        if sheet.cell(row=row, column=column).value
    }


def fixed_report(content: bytes) -> bytes:
    """The downloaded error report fixed as a user would in Excel: the two wrong NIKs corrected, the
    duplicate row deleted (the messages column stays; the import ignores it)."""
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook[DATA_SHEET]
    nik_column = [cell.value for cell in sheet[1]].index("NIK") + 1
    for row, index in ((3, 1), (4, 2)):
        sheet.cell(row=row, column=nik_column).value = person(index)[0]
    sheet.delete_rows(8)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def summary_of(page) -> dict[str, str]:
    names = ["dibaca", "valid", "galat", "peringatan", "ganda-berkas", "ganda-tersimpan"]
    return {name: page.get_by_test_id(f"jumlah-{name}").inner_text().strip() for name in names}


def upload(page, service, name: str, content: bytes) -> None:
    """On the import page opened for the service and year: append mode, the file, submit."""
    expect(page.get_by_label("Jenis pelayanan dasar")).to_have_value(str(service.pk))
    expect(page.get_by_label("Tahun", exact=True)).to_have_value(str(YEAR))
    page.get_by_label("Tambah (NIK yang sudah tersimpan dilewati)").check()
    page.get_by_label("Berkas xlsx").set_input_files({"name": name, "mimeType": XLSX, "buffer": content})
    page.get_by_test_id("tombol-unggah").click()
    page.wait_for_url("**/laporan/penerima/impor/*/")


def test_operator_imports_a_list_fixes_the_errors_and_confirms(
    page, screenshot, operator_a, daerah, service_a, held_validation
):
    login(page, "operator_a", TEST_PASSWORD)
    page.get_by_role("link", name="Data penerima").click()
    page.wait_for_url("**/laporan/penerima/")
    page.goto(f"/laporan/penerima/?tahun={YEAR}")
    service_row = page.get_by_test_id("tabel-layanan-penerima").locator("tbody tr").filter(has_text=SERVICE_A)
    expect(service_row).to_have_count(1)
    screenshot("penerima-01-beranda")

    # 1. The template of the service downloads and opens: Indonesian headers, an instructions sheet.
    with page.expect_download() as download_info:
        service_row.get_by_test_id("unduh-templat").click()
    download = download_info.value
    assert download.suggested_filename == f"templat-penerima-{SERVICE_A}-{YEAR}.xlsx"
    with open(download.path(), "rb") as handle:
        template = load_workbook(handle)
    assert template.sheetnames[0] == DATA_SHEET and len(template.sheetnames) >= 2
    assert [cell.value for cell in template[DATA_SHEET][1]] == HEADER

    # 2. A file with bad rows: the validation is held, so the page shows the progress bar and polls.
    service_row.get_by_role("link", name="Impor").click()
    page.wait_for_url("**/laporan/penerima/impor/?*")
    screenshot("penerima-02-form-impor")
    upload(page, service_a, "penerima-ibu-hamil.xlsx", xlsx_bytes(bad_rows()))
    batch = RecipientImport.objects.get()
    assert held_validation.held == [batch.pk]
    panel = page.get_by_test_id("status-impor-panel")
    expect(panel).to_have_attribute("data-status", ImportStatus.UPLOADED)
    expect(panel).to_have_attribute("hx-trigger", "every 1s")
    expect(page.get_by_test_id("progres-impor")).to_be_visible()
    screenshot("penerima-03-progres")

    # The bar follows the worker's progress without a reload...
    page.evaluate("window.__belumDimuatUlang = true")
    # (a run with no heartbeat: the task released below takes it over, as after a worker's death)
    RecipientImport.objects.filter(pk=batch.pk).update(
        status=ImportStatus.VALIDATING, rows_processed=3, rows_total=6, heartbeat_at=None
    )
    expect(page.get_by_test_id("progres-impor")).to_have_attribute("data-percent", "50")
    expect(page.get_by_test_id("label-progres")).to_contain_text("3 dari sekitar 6 baris")
    screenshot("penerima-04-progres-berjalan")
    # ...and turns into the summary once the validation has run.
    held_validation.release()
    expect(panel).to_have_attribute("data-status", ImportStatus.VALIDATED)
    expect(page.get_by_test_id("ringkasan-impor")).to_be_visible()
    assert page.evaluate("window.__belumDimuatUlang === true"), "the summary must arrive by polling, not a reload"
    expect(panel).not_to_have_attribute("hx-trigger", "every 1s")

    # 3. The summary matches the file; errors name the row; nothing may be stored.
    assert summary_of(page) == {
        "dibaca": "7",
        "valid": "4",
        "galat": "3",
        "peringatan": "0",
        "ganda-berkas": "1",
        "ganda-tersimpan": "0",
    }
    expect(page.get_by_test_id("pesan-ada-galat")).to_contain_text("3 baris memiliki galat")
    issues = page.get_by_test_id("galat-baris")
    expect(issues).to_have_count(3)
    assert [issues.nth(i).locator("td").first.inner_text().strip() for i in range(3)] == ["3", "4", "8"]
    expect(page.get_by_test_id("tombol-simpan")).to_have_count(0)
    screenshot("penerima-05-ringkasan-galat")
    # Even a forged confirmation of this file is refused on the server.
    token = next(cookie["value"] for cookie in page.context.cookies() if cookie["name"] == "csrftoken")
    commit_url = reverse("reporting:recipients-import-commit", kwargs={"pk": batch.pk})
    response = page.request.post(commit_url, headers={"X-CSRFToken": token})
    assert response.ok and "baris dengan galat" in response.text()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.VALIDATED and not batch.can_commit
    assert not Recipient.objects.exists()

    # 4. The error report: every row at its own number, the bad ones with messages in Bahasa Indonesia.
    with page.expect_download() as download_info:
        page.get_by_test_id("unduh-laporan-galat").click()
    with open(download_info.value.path(), "rb") as handle:
        report = handle.read()
    messages = report_messages(report)
    assert sorted(messages) == [3, 4, 8]
    assert messages[3] == "Baris 3: GALAT [NIK] NIK harus 16 digit angka (terisi 15 digit)"
    assert messages[4].startswith("Baris 4: GALAT [NIK] Jenis kelamin pada NIK (L; perempuan: hari lahir + 40)")
    assert "tidak sama dengan kolom Jenis Kelamin (L/P) (P)" in messages[4]
    assert messages[8] == "Baris 8: GALAT [NIK] NIK sama dengan baris 2 (data ganda dalam berkas)"

    # 5. The report, fixed, uploaded again: no errors, confirmed, stored.
    page.get_by_test_id("unggah-ulang").click()
    page.wait_for_url("**/laporan/penerima/impor/?*")
    upload(page, service_a, "laporan-galat-diperbaiki.xlsx", fixed_report(report))
    expect(panel).to_have_attribute("data-status", ImportStatus.VALIDATED)
    assert summary_of(page) == {
        "dibaca": "6",
        "valid": "6",
        "galat": "0",
        "peringatan": "0",
        "ganda-berkas": "0",
        "ganda-tersimpan": "0",
    }
    expect(page.get_by_test_id("pesan-ada-galat")).to_have_count(0)
    expect(page.get_by_test_id("tombol-simpan")).to_contain_text("Simpan 6 penerima")
    assert not Recipient.objects.exists()
    screenshot("penerima-06-siap-disimpan")
    page.get_by_test_id("tombol-simpan").click()
    expect(panel).to_have_attribute("data-status", ImportStatus.COMMITTED)
    expect(page.get_by_test_id("pesan-disimpan")).to_contain_text("6 penerima disimpan.")
    expect(page.get_by_test_id("jumlah-disimpan")).to_have_text("6")
    screenshot("penerima-07-disimpan")

    fixed = RecipientImport.objects.latest("id")
    assert fixed.pk != batch.pk and fixed.status == ImportStatus.COMMITTED
    assert Recipient.objects.count() == fixed.rows_valid == fixed.rows_stored == 6
    assert set(Recipient.objects.values_list("source_import", flat=True)) == {fixed.pk}
    batch.refresh_from_db()
    assert batch.status == ImportStatus.VALIDATED  # the file with errors was never stored

    # 6. The list shows the recipients with masked NIKs, never a full NIK.
    page.get_by_role("link", name="Lihat daftar penerima").click()
    page.wait_for_url(f"**/laporan/penerima/{daerah.code}/{SERVICE_A}/{YEAR}/")
    expect(page.get_by_test_id("tabel-penerima").locator("tbody tr")).to_have_count(6)
    niks = list(Recipient.objects.values_list("nik", flat=True))
    shown = sorted(text.strip() for text in page.get_by_test_id("nik-tersamar").all_inner_texts())
    assert shown == sorted(mask_nik(nik) for nik in niks)
    html = page.content()
    assert not [nik for nik in niks if nik in html]
    screenshot("penerima-08-daftar")
