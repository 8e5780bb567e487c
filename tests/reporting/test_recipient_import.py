"""Recipient list imports: file checks, validation with its error report, all-or-nothing commit, append and
replace, the counts offered to the quarterly report, and who may do what."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from openpyxl import Workbook, load_workbook

from reporting import checks
from reporting.choices import ImportMode, ImportStatus, RecipientStatus
from reporting.models import Recipient, RecipientImport
from reporting.recipients import services as service_layer
from reporting.recipients.selectors import recipient_counts
from reporting.recipients.services import (
    recipient_import_cancel,
    recipient_import_start,
    recipient_import_validate,
    recipients_template,
    report_prefill_from_recipients,
)
from reporting.recipients.store import recipient_import_commit
from reporting.recipients.validation import COLUMNS, check_row
from reporting.recipients.xlsx import DATA_SHEET, GUIDE_SHEET, REPORT_COLUMN, eligibility_of
from spm.models import BasicService, Region
from tests.reporting.recipients_support import (
    HEADER,
    YEAR,
    make_nik,
    people,
    person,
    stored_files,
    upload,
    xlsx_bytes,
)
from tests.reporting.xlsx_files import write_xlsx

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded files go to a temporary MEDIA_ROOT, so a test sees whether anything was left behind."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def start(user, daerah, service, content: bytes, *, mode=ImportMode.APPEND, name="penerima.xlsx"):
    return recipient_import_start(
        user=user, region=daerah, service=service, year=YEAR, mode=mode, upload=upload(content, name)
    )


def imported(user, daerah, service, rows, *, mode=ImportMode.APPEND) -> RecipientImport:
    """Upload and validate (as the task would) a list of rows."""
    batch = start(user, daerah, service, xlsx_bytes(rows), mode=mode)
    recipient_import_validate(batch.pk)
    batch.refresh_from_db()
    return batch


def file_error(exc_info) -> str:
    return " ".join(exc_info.value.message_dict["file"])


# --- bad files: a clear message, nothing stored ------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"%PDF-1.4\n1 0 obj<<>>endobj\n", "penerima.xlsx", "bukan berkas Excel .xlsx"),
        (b"NIK;Nama\n1812010101900001;Budi\n", "penerima.csv", "bukan berkas Excel .xlsx"),
        (b"PK\x03\x04" + b"\x00" * 200, "penerima.xlsx", "rusak"),
        (OLE_MAGIC + b"\x00" * 504, "penerima.xlsx", "dilindungi kata sandi"),
    ],
    ids=["pdf", "csv", "corrupt-zip", "password-protected"],
)
def test_unreadable_files_are_refused_with_a_reason(operator_a, daerah, service_a, media, content, name, expected):
    with pytest.raises(ValidationError) as exc_info:
        start(operator_a, daerah, service_a, content, name=name)
    assert expected in file_error(exc_info)
    assert not RecipientImport.objects.exists()
    assert stored_files(media) == []


def test_truncated_xlsx_is_refused_as_corrupt(operator_a, daerah, service_a, media):
    content = xlsx_bytes(people(3))
    with pytest.raises(ValidationError) as exc_info:
        start(operator_a, daerah, service_a, content[: len(content) // 2])
    assert "rusak" in file_error(exc_info)


def test_a_zip_that_is_not_a_workbook_is_refused(operator_a, daerah, service_a, media):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("catatan.txt", "bukan excel")
    with pytest.raises(ValidationError) as exc_info:
        start(operator_a, daerah, service_a, buffer.getvalue())
    assert "bukan berkas Excel .xlsx" in file_error(exc_info)


def test_real_password_protected_workbook_is_refused(operator_a, daerah, service_a, media):
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO(xlsx_bytes(people(2)))
    encrypted = io.BytesIO()
    OOXMLFile(plain).encrypt("rahasia", encrypted)
    with pytest.raises(ValidationError) as exc_info:
        start(operator_a, daerah, service_a, encrypted.getvalue())
    assert "dilindungi kata sandi" in file_error(exc_info)


def test_empty_sheet_is_refused(operator_a, daerah, service_a, media):
    workbook = Workbook()
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ValidationError) as exc_info:
        start(operator_a, daerah, service_a, buffer.getvalue())
    assert "kosong" in file_error(exc_info)
    assert stored_files(media) == []


def test_sheet_with_only_headers_is_refused(operator_a, daerah, service_a, media):
    with pytest.raises(ValidationError) as exc_info:
        start(operator_a, daerah, service_a, xlsx_bytes([]))
    assert "hanya berisi judul kolom" in file_error(exc_info)


def test_missing_or_renamed_columns_say_which_are_expected_and_found(operator_a, daerah, service_a, media):
    header = ["NIK", "Nama", "JK", "Tgl Lahir", "Alamat", "Tanggal Layanan"]
    with pytest.raises(ValidationError) as exc_info:
        start(operator_a, daerah, service_a, xlsx_bytes([["1"] * 6], header=header))
    message = file_error(exc_info)
    assert "Kolom wajib tidak ditemukan" in message
    assert "Jenis Kelamin (L/P), Tanggal Lahir" in message
    assert "Judul kolom yang diharapkan: NIK | Nama Lengkap | Jenis Kelamin (L/P)" in message
    assert "Judul kolom yang ditemukan: NIK | Nama | JK | Tgl Lahir" in message
    assert not RecipientImport.objects.exists()


def test_data_in_the_header_row_is_never_echoed(operator_a, daerah, service_a, media):
    row = person(1)
    with pytest.raises(ValidationError) as exc_info:
        start(operator_a, daerah, service_a, xlsx_bytes([person(2)], header=row))
    message = file_error(exc_info)
    assert row[0] not in message
    assert "(isi disembunyikan)" in message


def test_file_above_the_size_limit_is_refused(operator_a, daerah, service_a, media, settings):
    content = xlsx_bytes(people(5))
    settings.RECIPIENT_IMPORT_MAX_BYTES = len(content) - 1
    with pytest.raises(ValidationError) as exc_info:
        start(operator_a, daerah, service_a, content)
    assert "melebihi batas" in file_error(exc_info)
    assert stored_files(media) == []


def test_file_above_the_row_limit_is_refused(operator_a, daerah, service_a, media, settings):
    settings.RECIPIENT_IMPORT_MAX_ROWS = 4
    with pytest.raises(ValidationError) as exc_info:
        start(operator_a, daerah, service_a, xlsx_bytes(people(5)))
    assert "sekitar 5 baris data, melebihi batas 4 baris" in file_error(exc_info)
    assert not RecipientImport.objects.exists()


def test_row_limit_is_enforced_again_while_reading(operator_a, daerah, service_a, media, settings):
    batch = start(operator_a, daerah, service_a, xlsx_bytes(people(5)))
    settings.RECIPIENT_IMPORT_MAX_ROWS = 3  # e.g. a row count the file's XML understated
    recipient_import_validate(batch.pk)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert "lebih dari 3 baris data" in batch.failure_message
    assert not Recipient.objects.exists()


# --- the template -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["1.02.K01", "1.02.K03", "1.02.K07", "1.01.K2", "1.02.K10", "1.02.P1"])
def test_template_opens_and_its_example_row_validates(reference_data, code):
    service = BasicService.objects.get(code=code)
    workbook = load_workbook(io.BytesIO(recipients_template(service, year=YEAR)))
    assert workbook.sheetnames[:2] == [DATA_SHEET, GUIDE_SHEET]
    sheet = workbook[DATA_SHEET]
    assert [cell.value for cell in sheet[1]] == HEADER
    example = dict(zip([c.code for c in COLUMNS], [cell.value for cell in sheet[2]], strict=True))
    example = {key: value.date() if isinstance(value, dt.datetime) else value for key, value in example.items()}
    provinces = set(Region.objects.provinces().values_list("code", flat=True))
    kecamatans = set(Region.objects.filter(level="kecamatan").values_list("code", flat=True))
    issues = check_row(
        example, service_rule=eligibility_of(service), year=YEAR, province_codes=provinces, kecamatan_codes=kecamatans
    )
    assert issues == []
    assert sheet["A2"].number_format == "@"  # NIK typed as text
    assert sheet["D2"].number_format == "DD/MM/YYYY"


def test_template_has_dropdowns_for_sex_and_status_and_the_eligibility_in_its_instructions(daerah, service_a):
    workbook = load_workbook(io.BytesIO(recipients_template(service_a, region=daerah, year=YEAR)))
    validations = workbook[DATA_SHEET].data_validations.dataValidation
    formulas = {validation.formula1 for validation in validations}
    assert '"L,P"' in formulas
    assert '"Sesuai standar,Belum sesuai standar,Belum terlayani"' in formulas
    assert any("Kode Kecamatan" in (formula or "") for formula in formulas)  # the daerah's kecamatan
    guide = " ".join(str(cell.value) for row in workbook[GUIDE_SHEET].iter_rows() for cell in row if cell.value)
    assert "perempuan (P)" in guide and "10-55 tahun" in guide
    assert workbook["Kode Kecamatan"]["A2"].value == "18.12.01"


def test_template_example_row_left_in_the_file_is_refused(operator_a, daerah, service_a, media):
    template = load_workbook(io.BytesIO(recipients_template(service_a, year=YEAR)))
    example = [cell.value for cell in template[DATA_SHEET][2]]
    batch = imported(operator_a, daerah, service_a, [example, person(1)])
    assert batch.rows_with_errors == 1
    assert any("Baris contoh dari templat" in issue["message"] for issue in batch.issues)


# --- validation and the error report ---------------------------------------------------------------------


def test_validation_counts_rows_and_names_row_column_and_reason(operator_a, daerah, service_a, media):
    rows = people(6)
    rows[1][2] = "L"  # sex does not match the NIK (women: day + 40), nor the service (ibu hamil)
    rows[2][7] = dt.date(YEAR - 1, 12, 31)  # service date outside the year
    rows[3][0] = rows[0][0]  # same NIK as row 2
    rows[4][3] = dt.date(1950, 1, 1)  # birth date differs from the NIK; 76 years old (warning band too)
    rows[5][8] = "Selesai"  # unknown status
    batch = imported(operator_a, daerah, service_a, rows)
    assert batch.status == ImportStatus.VALIDATED
    assert (batch.rows_read, batch.rows_valid, batch.rows_with_errors) == (6, 1, 5)
    assert batch.duplicates_in_file == 1
    assert not batch.can_commit
    by_row = {}
    for issue in batch.issues:
        by_row.setdefault(issue["row"], []).append(issue)
    assert {issue["column"] for issue in by_row[3]} >= {"NIK", "Jenis Kelamin (L/P)"}
    assert any("di luar tahun pelaporan 2026" in issue["message"] for issue in by_row[4])
    assert any("NIK sama dengan baris 2" in issue["message"] for issue in by_row[5])
    assert any("Status Layanan harus" in issue["message"] for issue in by_row[7])
    assert not Recipient.objects.exists()  # validation stores nothing


def test_error_report_returns_every_row_with_row_numbered_messages(operator_a, daerah, service_a, media):
    rows = people(4)
    rows[2][0] = "12345"
    batch = imported(operator_a, daerah, service_a, rows)
    sheet = load_workbook(batch.error_report.path).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == [*HEADER, REPORT_COLUMN]
    assert len(values) == 5  # header + every original row
    assert values[3][0] == "12345"
    assert values[3][-1].startswith("Baris 4: GALAT [NIK] NIK harus 16 digit angka (terisi 5 digit)")
    assert values[1][-1] is None and values[2][-1] is None
    assert values[1][0] == rows[0][0]  # original values kept, NIK as text


def test_title_rows_above_the_header_are_allowed_and_row_numbers_kept(operator_a, daerah, service_a, media):
    rows = people(3)
    rows[1][0] = "123"
    buffer = io.BytesIO()
    write_xlsx(buffer, [["Data ibu hamil 2026"], [], HEADER, *rows])  # header on row 3
    batch = start(operator_a, daerah, service_a, buffer.getvalue())
    recipient_import_validate(batch.pk)
    batch.refresh_from_db()
    assert (batch.rows_read, batch.rows_with_errors) == (3, 1)
    assert batch.issues[0]["row"] == 5
    report = load_workbook(batch.error_report.path).active
    assert report["A1"].value == "Data ibu hamil 2026"
    assert report["K3"].value == REPORT_COLUMN
    assert report["A5"].value == "123" and report["K5"].value.startswith("Baris 5: GALAT [NIK]")


def test_error_report_of_a_large_file_lists_only_rows_with_issues(operator_a, daerah, service_a, media, settings):
    settings.RECIPIENT_IMPORT_FULL_REPORT_ROWS = 3
    rows = people(5)
    rows[3][0] = "12345"
    batch = imported(operator_a, daerah, service_a, rows)
    values = [[cell.value for cell in row] for row in load_workbook(batch.error_report.path).active.iter_rows()]
    assert values[0] == ["Baris asal", *HEADER, REPORT_COLUMN]
    assert len(values) == 2
    assert values[1][0] == 5 and values[1][1] == "12345"
    assert values[1][-1].startswith("Baris 5: GALAT [NIK]")


def test_error_report_uploaded_again_after_fixing_is_accepted(operator_a, daerah, service_a, media):
    rows = people(3)
    rows[1][1] = ""
    batch = imported(operator_a, daerah, service_a, rows)
    report = load_workbook(batch.error_report.path)
    report.active["B3"] = "Nama Perbaikan"
    buffer = io.BytesIO()
    report.save(buffer)
    fixed = start(operator_a, daerah, service_a, buffer.getvalue())
    recipient_import_validate(fixed.pk)
    fixed.refresh_from_db()
    assert (fixed.rows_read, fixed.rows_with_errors) == (3, 0)
    assert fixed.can_commit


def test_warnings_do_not_block_and_are_reported(operator_a, daerah, service_a, media):
    rows = people(2)
    birth = dt.date(1960, 5, 5)  # 65 at the service date: outside 10-55, a warning for ibu hamil
    rows[0][0], rows[0][3] = make_nik(birth, "P", 11), birth
    batch = imported(operator_a, daerah, service_a, rows)
    assert (batch.rows_with_errors, batch.rows_with_warnings, batch.rows_valid) == (0, 1, 2)
    assert batch.can_commit
    assert batch.error_report  # warnings are in the report too


def test_clean_file_has_no_error_report(operator_a, daerah, service_a, media):
    batch = imported(operator_a, daerah, service_a, people(3))
    assert not batch.error_report
    assert batch.issues == []


def test_messages_never_contain_a_full_nik(operator_a, daerah, service_a, media):
    rows = people(4)
    rows[1][2] = "L"  # sex differs from the NIK
    rows[2][0] = rows[0][0]  # a duplicate
    rows[3][3] = dt.date(1980, 1, 1)  # birth date differs from the NIK
    batch = imported(operator_a, daerah, service_a, rows)
    messages = [issue["message"] for issue in batch.issues]
    messages += [row[-1] or "" for row in load_workbook(batch.error_report.path).active.iter_rows(values_only=True)]
    assert "NIK sama dengan baris 2" in " ".join(messages)
    for row in rows:
        assert all(row[0] not in message for message in messages)


def test_files_of_old_imports_are_purged(operator_a, daerah, service_a, media):
    from django.utils import timezone

    rows = people(2)
    rows[0][0] = ""
    batch = imported(operator_a, daerah, service_a, rows)
    assert stored_files(media)
    assert service_layer.recipient_import_purge(older_than_days=7) == 0
    RecipientImport.objects.filter(pk=batch.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    assert service_layer.recipient_import_purge(older_than_days=7) == 1
    assert stored_files(media) == []
    batch.refresh_from_db()
    assert not batch.file and not batch.error_report


def test_validation_is_idempotent(operator_a, daerah, service_a, media):
    batch = imported(operator_a, daerah, service_a, people(2))
    assert recipient_import_validate(batch.pk) is None  # already validated: left alone
    batch.refresh_from_db()
    assert batch.rows_read == 2


# --- commit: all or nothing ------------------------------------------------------------------------------


def test_commit_stores_every_valid_row(operator_a, daerah, service_a, media, django_capture_on_commit_callbacks):
    rows = people(5)
    rows[4][8] = "Belum sesuai standar"
    batch = imported(operator_a, daerah, service_a, rows)
    with django_capture_on_commit_callbacks(execute=True):
        batch = recipient_import_commit(user=operator_a, batch=batch)
    assert batch.status == ImportStatus.COMMITTED
    assert batch.rows_stored == 5
    stored = Recipient.objects.get(nik=rows[0][0])
    assert (stored.name, stored.sex, stored.birth_date, stored.quarter) == (
        rows[0][1],
        "P",
        rows[0][3],
        (rows[0][7].month - 1) // 3 + 1,
    )
    assert stored.district.code == rows[0][6]
    assert stored.source_import == batch
    assert Recipient.objects.get(nik=rows[4][0]).status == RecipientStatus.NOT_YET
    batch.refresh_from_db()
    assert not batch.file and not batch.staged_file  # the upload (personal data) is deleted once stored
    assert stored_files(media) == []


def test_file_with_errors_cannot_be_committed(operator_a, daerah, service_a, media):
    rows = people(3)
    rows[0][0] = "abc"
    batch = imported(operator_a, daerah, service_a, rows)
    with pytest.raises(ValidationError, match="1 baris dengan galat"):
        recipient_import_commit(user=operator_a, batch=batch)
    assert not Recipient.objects.exists()


def test_a_failure_midway_stores_nothing(operator_a, daerah, service_a, media):
    first = imported(operator_a, daerah, service_a, people(3), mode=ImportMode.REPLACE)
    recipient_import_commit(user=operator_a, batch=first)
    batch = imported(operator_a, daerah, service_a, people(4500, start=100), mode=ImportMode.REPLACE)
    # The database refuses the last staged row (its NIK repeats the first one): by then the earlier list has
    # been deleted and thousands of rows written, by COPY on PostgreSQL, in batches on SQLite.
    with batch.staged_file.open("rb") as handle:
        first_line = handle.readline()
    with open(batch.staged_file.path, "ab") as handle:
        handle.write(first_line)
    with pytest.raises(service_layer.RecipientImportError, match="tidak ada data yang disimpan"):
        recipient_import_commit(user=operator_a, batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.VALIDATED and "Penyimpanan gagal" in batch.failure_message
    assert set(Recipient.objects.values_list("nik", flat=True)) == {row[0] for row in people(3)}


def test_append_skips_niks_already_stored_and_counts_them(operator_a, daerah, service_a, media):
    recipient_import_commit(user=operator_a, batch=imported(operator_a, daerah, service_a, people(3)))
    batch = imported(operator_a, daerah, service_a, people(5, start=1))  # rows 1, 2 already stored
    assert batch.duplicates_stored == 2 and batch.rows_with_warnings == 0  # counted, not reported per row
    batch = recipient_import_commit(user=operator_a, batch=batch)
    assert (batch.rows_stored, batch.duplicates_stored) == (3, 2)
    assert Recipient.objects.count() == 6


def test_append_rechecks_stored_niks_at_commit(operator_a, daerah, service_a, media):
    waiting = imported(operator_a, daerah, service_a, people(3))
    recipient_import_commit(user=operator_a, batch=imported(operator_a, daerah, service_a, people(2)))
    waiting = recipient_import_commit(user=operator_a, batch=waiting)
    assert (waiting.rows_stored, waiting.duplicates_stored) == (1, 2)
    assert Recipient.objects.count() == 3


def test_replace_replaces_the_years_list(operator_a, daerah, service_a, media):
    recipient_import_commit(user=operator_a, batch=imported(operator_a, daerah, service_a, people(4)))
    other_year = Recipient.objects.first()
    Recipient.objects.filter(pk=other_year.pk).update(year=YEAR - 1)
    batch = imported(operator_a, daerah, service_a, people(2, start=10), mode=ImportMode.REPLACE)
    assert batch.duplicates_stored == 0
    recipient_import_commit(user=operator_a, batch=batch)
    this_year = Recipient.objects.filter(year=YEAR)
    assert set(this_year.values_list("nik", flat=True)) == {row[0] for row in people(2, start=10)}
    assert Recipient.objects.filter(pk=other_year.pk).exists()  # another year is not touched


def test_commit_twice_is_refused(operator_a, daerah, service_a, media):
    batch = recipient_import_commit(user=operator_a, batch=imported(operator_a, daerah, service_a, people(2)))
    with pytest.raises(ValidationError, match="Disimpan"):
        recipient_import_commit(user=operator_a, batch=batch)
    assert Recipient.objects.count() == 2


def test_cancel_deletes_the_files_and_stores_nothing(
    operator_a, daerah, service_a, media, django_capture_on_commit_callbacks
):
    rows = people(2)
    rows[0][0] = ""
    batch = imported(operator_a, daerah, service_a, rows)
    assert stored_files(media)
    with django_capture_on_commit_callbacks(execute=True):
        recipient_import_cancel(user=operator_a, batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CANCELLED
    assert stored_files(media) == []
    with pytest.raises(ValidationError):
        recipient_import_commit(user=operator_a, batch=batch)


# --- who may import ---------------------------------------------------------------------------------------


def test_operator_of_another_opd_cannot_import_for_opd_a_services(operator_b, daerah, service_a, media):
    with pytest.raises(PermissionDenied):
        start(operator_b, daerah, service_a, xlsx_bytes(people(1)))
    assert stored_files(media) == []


@pytest.mark.parametrize("persona", ["leader", "reviewer", "provincial_viewer", "outsider"])
def test_only_the_opd_pengampu_and_admins_import(request, persona, daerah, service_a, media):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        start(user, daerah, service_a, xlsx_bytes(people(1)))


def test_admin_imports_for_any_daerah(admin_user, other_daerah, service_a, media):
    batch = start(admin_user, other_daerah, service_a, xlsx_bytes(people(1)))
    assert batch.region == other_daerah


def test_operator_b_cannot_commit_opd_a_import(operator_a, operator_b, daerah, service_a, media):
    batch = imported(operator_a, daerah, service_a, people(1))
    with pytest.raises(PermissionDenied):
        recipient_import_commit(user=operator_b, batch=batch)


def test_provincial_service_cannot_be_imported_for_a_kabupaten(admin_user, daerah, reference_data, media):
    provincial = BasicService.objects.get(code="1.02.P1")
    with pytest.raises(ValidationError, match="bukan urusan daerah"):
        start(admin_user, daerah, provincial, xlsx_bytes(people(1)))


# --- counts for the quarterly report ----------------------------------------------------------------------


def test_recipient_counts_give_must_serve_and_served_per_quarter(operator_a, daerah, service_a, media):
    rows = [
        person(1, served=dt.date(YEAR, 1, 10)),
        person(2, served=dt.date(YEAR, 2, 10)),
        person(3, served=dt.date(YEAR, 5, 10)),
        person(4, served=dt.date(YEAR, 11, 10), status="Belum sesuai standar"),
    ]
    recipient_import_commit(user=operator_a, batch=imported(operator_a, daerah, service_a, rows))
    assert recipient_counts(daerah, service_a, YEAR) == {"must_serve": 4, "served": {1: 2, 2: 1, 3: 0, 4: 0}}
    assert recipient_counts(daerah, service_a, YEAR - 1) == {"must_serve": 0, "served": {1: 0, 2: 0, 3: 0, 4: 0}}


def test_recipient_counts_is_one_query(daerah, service_a, django_assert_num_queries):
    with django_assert_num_queries(1):
        recipient_counts(daerah, service_a, YEAR)


def test_report_section_a_is_prefilled_from_the_recipient_list(operator_a, report, media):
    rows = [person(1, served=dt.date(YEAR, 4, 2)), person(2, served=dt.date(YEAR, 1, 3)), person(3)]
    recipient_import_commit(user=operator_a, batch=imported(operator_a, report.region, report.service, rows))
    report = report_prefill_from_recipients(report=report, user=operator_a, expected_version=report.version)
    report.refresh_from_db()
    expected = recipient_counts(report.region, report.service, YEAR)
    assert report.must_serve == 3
    assert report.served == expected["served"][2]  # the report's period is TW II
    assert report.changes.filter(field="must_serve", new_value="3").exists()


def test_prefill_without_recipients_says_so(operator_a, report):
    with pytest.raises(ValidationError, match="Belum ada data penerima"):
        report_prefill_from_recipients(report=report, user=operator_a, expected_version=report.version)


def test_commit_enqueues_the_achievement_recompute(
    operator_a, daerah, service_a, media, django_capture_on_commit_callbacks, monkeypatch
):
    calls = []
    monkeypatch.setattr("reporting.tasks.recompute_achievements.delay", lambda *args: calls.append(args))
    batch = imported(operator_a, daerah, service_a, people(2))
    with django_capture_on_commit_callbacks(execute=True):
        recipient_import_commit(user=operator_a, batch=batch)
    assert calls == [(daerah.pk, batch.year, None, "Data penerima diperbarui")]


def test_a_commit_whose_task_was_lost_may_be_asked_again(
    operator_a, daerah, service_a, media, monkeypatch, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from reporting.recipients.store import commit_is_stuck, recipient_import_confirm

    batch = imported(operator_a, daerah, service_a, people(2))
    monkeypatch.setattr(service_layer, "_enqueue", lambda *args: None)  # the broker loses the message
    with django_capture_on_commit_callbacks(execute=True):
        batch = recipient_import_confirm(user=operator_a, batch=batch)
    assert batch.status == ImportStatus.COMMITTING and not commit_is_stuck(batch)
    with pytest.raises(ValidationError):  # a fresh commit is not retried
        recipient_import_confirm(user=operator_a, batch=batch)
    silent = timezone.now() - dt.timedelta(seconds=settings.RECIPIENT_IMPORT_HEARTBEAT_TIMEOUT + 1)
    RecipientImport.objects.filter(pk=batch.pk).update(heartbeat_at=silent)
    batch.refresh_from_db()
    assert commit_is_stuck(batch)
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        recipient_import_confirm(user=operator_a, batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED and Recipient.objects.count() == 2


# --- formulas and hostile packages ---------------------------------------------------------------------------


def test_a_formula_in_a_template_column_is_a_row_error_never_its_cached_value(operator_a, daerah, service_a, media):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in people(3):
        sheet.append(row)
    sheet["B3"] = '=HYPERLINK("http://x","Penerima Uji 1")'  # Nama Lengkap of the second person
    buffer = io.BytesIO()
    workbook.save(buffer)
    batch = start(operator_a, daerah, service_a, buffer.getvalue())
    recipient_import_validate(batch.pk)
    batch.refresh_from_db()
    assert (batch.rows_read, batch.rows_with_errors) == (3, 1)
    assert batch.issues == [
        {
            "row": 3,
            "column": "Nama Lengkap",
            "severity": "error",
            "message": "Baris 3 kolom Nama Lengkap: rumus tidak diperbolehkan; ketik nilainya (salin sel, lalu "
            "Tempel Khusus > Nilai)",
        }
    ]
    report = load_workbook(batch.error_report.open("rb"))[DATA_SHEET]
    assert all(cell.data_type != "f" for row in report.iter_rows() for cell in row)
    assert not Recipient.objects.exists()


def test_a_zip_bomb_is_refused_at_upload_with_a_reason(operator_a, daerah, service_a, media, tmp_path):
    from tests.reporting.xlsx_files import write_padded_xlsx

    path = tmp_path / "bom.xlsx"
    write_padded_xlsx(path, [HEADER, people(1)[0]], padding_mb=64)
    with pytest.raises(ValidationError) as exc_info:
        start(operator_a, daerah, service_a, path.read_bytes())
    assert "bom zip" in file_error(exc_info)
    assert not RecipientImport.objects.exists() and stored_files(media) == []


def test_a_sheet_with_a_bad_crc_is_refused_at_upload_as_corrupt(operator_a, daerah, service_a, media):
    from tests.reporting.test_spreadsheet import _patch_central_directory

    content = _patch_central_directory(xlsx_bytes(people(5)), b"xl/worksheets/sheet1.xml", crc=12345)
    with pytest.raises(ValidationError) as exc_info:
        start(operator_a, daerah, service_a, content)
    assert "rusak" in file_error(exc_info)


def test_error_report_of_a_large_file_reads_the_sheet_once_and_keeps_every_column(
    operator_a, daerah, service_a, media, settings, monkeypatch
):
    settings.RECIPIENT_IMPORT_FULL_REPORT_ROWS = 3
    rows = [[*row, f"catatan {index}"] for index, row in enumerate(people(6))]
    rows[4][0] = "12345"
    batch = start(operator_a, daerah, service_a, xlsx_bytes(rows, header=[*HEADER, "Kolom Tambahan"]))
    reads = []
    original_rows = service_layer.spreadsheet.XlsxReader.rows
    monkeypatch.setattr(
        service_layer.spreadsheet.XlsxReader, "rows", lambda reader: reads.append(1) or original_rows(reader)
    )
    recipient_import_validate(batch.pk)
    batch.refresh_from_db()
    assert len(reads) == 1
    values = [[cell.value for cell in row] for row in load_workbook(batch.error_report.path).active.iter_rows()]
    assert values[0] == ["Baris asal", *HEADER, "Kolom Tambahan", REPORT_COLUMN]
    assert values[1][:2] == [6, "12345"] and values[1][-2] == "catatan 4"
    assert values[1][-1].startswith("Baris 6: GALAT [NIK]")


# --- the list holds everyone who must be served (issue 11) --------------------------------------------------


def test_list_with_unserved_citizens_and_kecamatan_names_gives_penerima_from_the_list(
    operator_a, daerah, service_a, media
):
    def row(i, *, served, status, kecamatan):
        values = person(i, served=dt.date(YEAR, 2, 10))
        values[6], values[7], values[8] = kecamatan, served, status
        return values

    rows = [
        row(1, served=dt.date(YEAR, 2, 10), status="Ya", kecamatan="  tulang   BAWANG tengah "),
        row(2, served=dt.date(YEAR, 5, 10), status="Sudah", kecamatan="Kec. Tumijajar"),
        row(3, served=dt.date(YEAR, 5, 11), status="Tidak", kecamatan="181201"),  # served, not to standard
        row(4, served=None, status="Belum terlayani", kecamatan="Tumijajar"),
        row(5, served=None, status="Belum", kecamatan="18.12.01"),
    ]
    batch = imported(operator_a, daerah, service_a, rows)
    warnings = [issue for issue in batch.issues if issue["severity"] == "warning"]
    assert {w["row"] for w in warnings} == {2, 3, 5}  # the three rows written by name (header on row 1)
    assert any("dibaca sebagai kode 18.12.01" in w["message"] for w in warnings)
    recipient_import_commit(user=operator_a, batch=batch)
    stored = {r.name: r for r in Recipient.objects.filter(region=daerah, service=service_a, year=YEAR)}
    assert stored["Penerima Uji 1"].district.code == "18.12.01"
    assert stored["Penerima Uji 2"].district.code == "18.12.02"
    assert stored["Penerima Uji 3"].status == RecipientStatus.NOT_YET
    unserved = stored["Penerima Uji 4"]
    assert (unserved.status, unserved.service_date, unserved.quarter) == (RecipientStatus.UNSERVED, None, None)
    assert stored["Penerima Uji 5"].status == RecipientStatus.UNSERVED
    counts = recipient_counts(daerah, service_a, YEAR)
    assert counts == {"must_serve": 5, "served": {1: 1, 2: 1, 3: 0, 4: 0}}
    # %penerima from the list = served / listed
    assert checks.percent(sum(counts["served"].values()), counts["must_serve"]) == Decimal("40.00")


def test_staged_lines_are_put_in_nik_order_across_runs_with_nothing_lost():
    from reporting.recipients.rows import nik_ordered

    lines = [f"7\t3\t2026\t{nik:016d}\tNama {nik}\n".encode() for nik in (5, 1, 9, 3, 3, 8, 2, 7, 6, 4, 0)]
    for run_lines in (3, 4, 100):  # several runs merged from temporary files, or one run in memory
        assert list(nik_ordered(lines, run_lines=run_lines)) == sorted(lines)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY dan urutan NIK hanya pada PostgreSQL")
def test_postgresql_stores_a_list_in_nik_order_whatever_the_file_order(
    operator_a, daerah, service_a, media, monkeypatch
):
    monkeypatch.setattr("reporting.recipients.rows.SORT_RUN_LINES", 7)
    rows = list(reversed(people(40)))
    batch = imported(operator_a, daerah, service_a, rows, mode=ImportMode.REPLACE)
    recipient_import_commit(user=operator_a, batch=batch)
    in_id_order = list(Recipient.objects.order_by("id").values_list("nik", flat=True))
    assert in_id_order == sorted(row[0] for row in rows)


def test_a_large_sheet_read_by_the_reader_process_validates_and_stores_the_same(
    operator_a, daerah, service_a, media, monkeypatch
):
    """Above PROCESS_MIN_BYTES of sheet XML the rows come from a reader process: the same counts, messages,
    error report and stored rows as in process (here every sheet counts as large)."""
    from reporting import spreadsheet

    rows = people(8)
    rows[3][0] = rows[0][0]  # same NIK as row 2
    rows[5][8] = "Selesai"  # unknown status
    in_process = imported(operator_a, daerah, service_a, rows)
    monkeypatch.setattr(spreadsheet, "PROCESS_MIN_BYTES", 0)
    started = []
    real_popen = spreadsheet.subprocess.Popen
    monkeypatch.setattr(spreadsheet.subprocess, "Popen", lambda *a, **k: started.append(a) or real_popen(*a, **k))
    by_reader = imported(operator_a, daerah, service_a, rows)
    assert started  # the reader process did read the sheet
    assert (
        (by_reader.rows_read, by_reader.rows_valid, by_reader.rows_with_errors, by_reader.duplicates_in_file)
        == (
            in_process.rows_read,
            in_process.rows_valid,
            in_process.rows_with_errors,
            in_process.duplicates_in_file,
        )
        == (8, 6, 2, 1)
    )
    assert by_reader.issues == in_process.issues
    clean = imported(operator_a, daerah, service_a, people(8, start=20), mode=ImportMode.REPLACE)
    assert recipient_import_commit(user=operator_a, batch=clean).rows_stored == 8
    assert Recipient.objects.count() == 8
