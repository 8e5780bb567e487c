"""The xlsx files of recipient data written with openpyxl: the per-service template, the error report and
the export. Writing only; reading is ``reporting.spreadsheet`` and the rules are ``recipient_validation``.

Column headers are always ``recipient_validation.COLUMNS``, so a template, an error report and an export
can each be filled in or corrected and uploaded again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from reporting.choices import RecipientStatus
from reporting.recipients.validation import COLUMNS, Eligibility, age_in_years
from spm.xlsx import StreamingSheet, Styled, safe_row, save

DATA_SHEET = "Data Penerima"
GUIDE_SHEET = "Petunjuk"
DISTRICT_SHEET = "Kode Kecamatan"
REPORT_COLUMN = "Keterangan galat/peringatan"
TEMPLATE_ROWS = 5000  # rows prepared with dropdowns and formats
DATE_FORMAT = "DD/MM/YYYY"
EXAMPLE_NAME = "CONTOH PENERIMA (hapus baris ini)"
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
REQUIRED_FILL = PatternFill("solid", fgColor="C00000")
ERROR_FILL = PatternFill("solid", fgColor="F8CBAD")
WARNING_FILL = PatternFill("solid", fgColor="FFE699")
WIDTHS = {
    "nik": 20,
    "nama": 30,
    "jenis_kelamin": 18,
    "tanggal_lahir": 14,
    "alamat": 40,
    "desa": 22,
    "kode_kecamatan": 16,
    "tanggal_layanan": 16,
    "status_layanan": 24,
    "keterangan": 30,
}
COLUMN_HELP = {
    "nik": gettext_lazy("16 digit angka, diketik sebagai teks (kolom ini sudah berformat Teks). Satu NIK satu baris."),
    "nama": gettext_lazy("Nama lengkap sesuai KTP/KK (maks. 200 karakter)."),
    "jenis_kelamin": gettext_lazy(
        "L (laki-laki) atau P (perempuan); harus sesuai digit ke-7 dan 8 NIK (perempuan: +40)."
    ),
    "tanggal_lahir": gettext_lazy("Tanggal lahir (dd/mm/yyyy); harus sama dengan tanggal lahir pada NIK."),
    "alamat": gettext_lazy("Alamat tempat tinggal (jalan, RT/RW, dusun)."),
    "desa": gettext_lazy("Nama desa/kelurahan tempat tinggal (maks. 100 karakter; boleh kosong)."),
    "kode_kecamatan": gettext_lazy(
        "Kode kecamatan Kemendagri berformat PP.KK.CC, misalnya 18.12.01, atau nama kecamatan di "
        "daerah ini (boleh kosong)."
    ),
    "tanggal_layanan": gettext_lazy(
        "Tanggal penerima dilayani (dd/mm/yyyy), di dalam tahun pelaporan; menentukan triwulan. "
        "Kosongkan untuk warga yang harus dilayani tetapi belum terlayani (Status Layanan: Belum terlayani)."
    ),
    "status_layanan": gettext_lazy(
        "Sesuai standar, Belum sesuai standar atau Belum terlayani (juga Ya/Sudah, Tidak/Belum); "
        "kosong dianggap Sesuai standar."
    ),
    "keterangan": gettext_lazy("Catatan bebas (boleh kosong)."),
}
STATUS_LABELS = {
    RecipientStatus.SERVED: "Sesuai standar",
    RecipientStatus.NOT_YET: "Belum sesuai standar",
    RecipientStatus.UNSERVED: "Belum terlayani",
}


def eligibility_of(service) -> Eligibility:
    """The catalogue's rule for a BasicService, as the validation core reads it."""
    spec: dict[str, object] = {"severity": service.eligibility_severity or "error"}
    if service.min_age_days is not None or service.max_age_days is not None:
        spec["age_days"] = [service.min_age_days, service.max_age_days]
    elif service.min_age is not None or service.max_age is not None:
        spec["age"] = [service.min_age, service.max_age]
    if service.sex:
        spec["sex"] = service.sex
    return Eligibility.from_catalogue(spec)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def example_row(service, *, year: int, kecamatan_code: str = "18.12.01") -> dict[str, object]:
    """A row that passes every check for ``service`` in ``year``: the template's example."""
    rule = eligibility_of(service)
    served = dt.date(year, 3, 15)
    if rule.has_day_band:
        low, high = rule.min_age_days or 0, rule.max_age_days if rule.max_age_days is not None else 28
        birth = served - dt.timedelta(days=(low + high) // 2)
    else:
        low = rule.min_age or 0
        high = rule.max_age if rule.max_age is not None else max(low, 70)
        birth = _years_before(served, (low + high) // 2) - dt.timedelta(days=30)
        if not (low <= age_in_years(birth, served) <= high):
            birth = _years_before(served, low) - dt.timedelta(days=1)
    sex = rule.sex or "P"
    day = birth.day + (40 if sex == "P" else 0)
    nik = f"{kecamatan_code.replace('.', '')}{day:02d}{birth.month:02d}{birth.year % 100:02d}0001"
    return {
        "nik": nik,
        "nama": EXAMPLE_NAME,
        "jenis_kelamin": sex,
        "tanggal_lahir": birth,
        "alamat": "Jl. Contoh No. 1, RT 001/RW 002",
        "desa": "Contoh",
        "kode_kecamatan": kecamatan_code,
        "tanggal_layanan": served,
        "status_layanan": STATUS_LABELS[RecipientStatus.SERVED],
        "keterangan": "Contoh pengisian; hapus baris ini sebelum mengunggah",
    }


def recipients_template(service, *, year: int, region=None, districts: Sequence[tuple[str, str]] = ()) -> bytes:
    """The xlsx template for one jenis pelayanan dasar: data sheet with headers, formats and dropdowns, an
    example row, and a sheet of instructions (with the service's eligibility); with a daerah, its
    kecamatan codes as a dropdown."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    sheet.freeze_panes = "A2"
    last = TEMPLATE_ROWS + 1
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = REQUIRED_FILL if column.required else HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        cell.comment = Comment(
            (_("Wajib.") if column.required else _("Boleh kosong.")) + " " + str(COLUMN_HELP[column.code]), "e-SPM"
        )
        sheet.column_dimensions[letter].width = WIDTHS[column.code]
    letters = {column.code: get_column_letter(i) for i, column in enumerate(COLUMNS, start=1)}
    # Column formats: NIK and kode kecamatan as text (else Excel rounds the 16th digit of a NIK), dates as
    # dates. Column styles apply to every cell typed or pasted into the column later.
    for code, number_format in (
        ("nik", "@"),
        ("kode_kecamatan", "@"),
        ("tanggal_lahir", DATE_FORMAT),
        ("tanggal_layanan", DATE_FORMAT),
    ):
        sheet.column_dimensions[letters[code]].number_format = number_format

    sex = DataValidation(type="list", formula1='"L,P"', allow_blank=True)
    sex.error, sex.errorTitle = "Isi L (laki-laki) atau P (perempuan).", "Jenis kelamin"
    status = DataValidation(type="list", formula1='"{}"'.format(",".join(STATUS_LABELS.values())), allow_blank=True)
    status.error, status.errorTitle = "Pilih status layanan dari daftar.", "Status layanan"
    dates = DataValidation(
        type="date", operator="between", formula1="DATE(1900,1,1)", formula2="DATE(2100,12,31)", allow_blank=True
    )
    dates.error, dates.errorTitle = "Isi tanggal dengan format dd/mm/yyyy.", "Tanggal"
    nik = DataValidation(type="textLength", operator="equal", formula1="16", allow_blank=True)
    nik.error, nik.errorTitle = "NIK harus 16 digit angka.", "NIK"
    for validation, codes in (
        (sex, ["jenis_kelamin"]),
        (status, ["status_layanan"]),
        (dates, ["tanggal_lahir", "tanggal_layanan"]),
        (nik, ["nik"]),
    ):
        validation.showErrorMessage = True
        for code in codes:
            validation.add(f"{letters[code]}2:{letters[code]}{last}")
        sheet.add_data_validation(validation)

    kecamatan_code = districts[0][0] if districts else "18.12.01"
    example = example_row(service, year=year, kecamatan_code=kecamatan_code)
    formats = {"nik": "@", "kode_kecamatan": "@", "tanggal_lahir": DATE_FORMAT, "tanggal_layanan": DATE_FORMAT}
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=2, column=index, value=example[column.code])
        cell.font = Font(italic=True, color="7F7F7F")
        if column.code in formats:
            cell.number_format = formats[column.code]

    guide = workbook.create_sheet(GUIDE_SHEET)
    guide.column_dimensions["A"].width = 26
    guide.column_dimensions["B"].width = 100
    for line in _guide_lines(service, year=year, region=region):
        guide.append(line)
        if len(line) == 1:
            guide.cell(row=guide.max_row, column=1).font = Font(bold=True)
    for row in guide.iter_rows(min_col=2, max_col=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")

    if districts:
        codes = workbook.create_sheet(DISTRICT_SHEET)
        codes.append(["Kode Kecamatan", "Nama Kecamatan"])
        for code, name in districts:
            codes.append([code, name])
        codes.column_dimensions["A"].width = 16
        codes.column_dimensions["B"].width = 30
        district = DataValidation(
            type="list", formula1=f"='{DISTRICT_SHEET}'!$A$2:$A${len(districts) + 1}", allow_blank=True
        )
        district.error = _("Pilih kode dari daftar, atau ketik nama kecamatan.")
        district.errorTitle = "Kode Kecamatan"
        district.showErrorMessage = True
        district.errorStyle = "warning"  # a kecamatan name is accepted too (the import reads it)
        district.add(f"{letters['kode_kecamatan']}2:{letters['kode_kecamatan']}{last}")
        sheet.add_data_validation(district)

    return save(workbook)  # type: ignore[return-value]


def _guide_lines(service, *, year: int, region) -> Iterator[list[str]]:
    """The Petunjuk sheet, in the language of whoever downloads the template (the column headers of the data
    sheet stay as the import reads them)."""
    rule = eligibility_of(service)
    yield [_("Petunjuk pengisian data penerima layanan dasar")]
    yield [_("Jenis pelayanan dasar"), f"{service.code} {service.name}"]
    yield [_("Penerima"), service.recipient]
    if region is not None:
        yield [_("Daerah"), f"{region.code} {region.name}"]
    yield [_("Tahun pelaporan"), _("%(year)s (Tanggal Layanan harus di dalam tahun ini)") % {"year": year}]
    conditions = []
    if rule.has_day_band or rule.has_year_band:
        conditions.append(_("umur pada Tanggal Layanan %(band)s") % {"band": rule.describe_age()})
    if rule.sex:
        conditions.append(_("perempuan (P)") if rule.sex == "P" else _("laki-laki (L)"))
    if conditions:
        kind = (
            _("baris di luar sasaran ditolak")
            if rule.severity == "error"
            else _("baris di luar rentang umur diberi peringatan, tetap dapat disimpan")
        )
        if rule.sex and rule.severity != "error":
            kind += _("; jenis kelamin yang tidak sesuai ditolak")
        yield [_("Sasaran layanan"), f"{'; '.join(conditions)} ({kind})"]
    else:
        yield [_("Sasaran layanan"), _("tidak ada batasan umur atau jenis kelamin dalam katalog SPM")]
    if service.eligibility_note:
        yield [_("Catatan sasaran"), service.eligibility_note]
    yield []
    yield [_("Kolom")]
    for column in COLUMNS:
        yield [
            column.header,
            (_("Wajib.") if column.required else _("Boleh kosong.")) + " " + str(COLUMN_HELP[column.code]),
        ]
    yield []
    yield [_("Aturan pemeriksaan")]
    yield [
        "NIK",
        _(
            "16 digit: 6 digit kode kecamatan penerbit, 6 digit tanggal lahir (tanggal + 40 untuk perempuan), "
            "4 digit nomor urut (bukan 0000). Kode provinsi harus ada; kode kecamatan yang tidak dikenal hanya "
            "peringatan (kode dapat berubah karena pemekaran)."
        ),
    ]
    yield [
        _("NIK ganda"),
        _(
            "Satu NIK hanya boleh muncul sekali dalam berkas. Pada cara impor Tambah, NIK yang sudah "
            "tersimpan untuk layanan dan tahun yang sama dilewati dan dihitung."
        ),
    ]
    yield [_("Tanggal"), _("Gunakan sel berformat tanggal, atau teks dd/mm/yyyy, dd-mm-yyyy atau yyyy-mm-dd.")]
    yield [
        _("Baris contoh"),
        _("Baris ke-2 adalah contoh dan akan ditolak bila ikut diunggah: hapus sebelum mengunggah."),
    ]
    yield []
    yield [_("Cara impor")]
    yield [_("Tambah"), _("Menambahkan baris ke daftar yang sudah tersimpan; NIK yang sudah ada dilewati.")]
    yield [_("Ganti"), _("Mengganti seluruh daftar layanan ini pada tahun tersebut dengan isi berkas.")]
    yield [
        _("Laporan galat"),
        _(
            "Setelah divalidasi, unduh laporan galat: berisi semua baris berkas dengan kolom '%(column)s'. "
            "Perbaiki baris yang bermasalah lalu unggah ulang berkas tersebut."
        )
        % {"column": REPORT_COLUMN},
    ]
    yield []
    yield [
        _("Data pribadi"),
        _(
            "NIK, nama, tanggal lahir dan alamat adalah data pribadi (UU 27/2022). Simpan berkas ini "
            "di tempat yang aman dan hapus setelah diunggah."
        ),
    ]


ORIGINAL_ROW_COLUMN = "Baris asal"


def write_error_report(
    destination: str | Path,
    rows: Iterable[tuple[int, Sequence[object]]],
    messages: Iterator[tuple[int, str, bool]],
    *,
    header_row: int,
    report_column: int | None,
    only_issues: bool = False,
    on_row=None,
) -> None:
    """The original rows of an uploaded sheet with a column of messages ("Baris 12: GALAT [NIK] ...").

    ``rows``: ``(row_number, values)`` as read; ``messages``: ``(row_number, text, has_error)`` in row
    order; ``report_column``: the index of an existing messages column (a report uploaded again), which is
    overwritten instead of adding a second one.

    By default every row is written at its own row number, so the report itself can be corrected and
    uploaded again. With ``only_issues`` (very large files, where a full copy would take minutes) only the
    header and the rows with a message are written, each with its original row number in a first column.
    """
    error, warning = StreamingSheet.FILL, StreamingSheet.FILL + 1
    next_message = next(messages, None)
    written = 0
    width = 0
    report_header = Styled(REPORT_COLUMN, StreamingSheet.BOLD)
    with StreamingSheet(
        destination, DATA_SHEET, fills=(ERROR_FILL.fgColor.rgb[-6:], WARNING_FILL.fgColor.rgb[-6:])
    ) as sheet:
        for number, values in rows:
            values = list(values)
            if number < header_row:
                if not only_issues:
                    sheet.append(number, values)
                continue
            if number == header_row:
                width = report_column if report_column is not None else len(values)
                header = values[:width] + [""] * (width - len(values))
                if only_issues:
                    written += 1
                    sheet.append(written, [Styled(ORIGINAL_ROW_COLUMN, StreamingSheet.BOLD), *header, report_header])
                else:
                    sheet.append(number, [*header, report_header])
                continue
            while next_message is not None and next_message[0] < number:
                next_message = next(messages, None)
            message = next_message if next_message is not None and next_message[0] == number else None
            if only_issues and message is None:
                if on_row is not None:
                    on_row(number)
                continue
            if report_column is not None:
                values = values[:report_column]
            values += [""] * (width - len(values))
            if message is not None:
                values.append(Styled(message[1], error if message[2] else warning))
            if only_issues:
                written += 1
                sheet.append(written, [number, *values])
            else:
                sheet.append(number, values)  # rows calamine gave no cells for stay empty, so numbers match
            if on_row is not None:
                on_row(number)


EXPORT_EXTRA = ("Nama Kecamatan", "Triwulan", "Dicatat pada")


def write_export(destination: str | Path, rows: Iterable[Sequence[object]]) -> int:
    """Recipients as an xlsx in the template's columns (so it can be corrected and imported again), plus
    the kecamatan name, triwulan and recording time. Returns the number of data rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(DATA_SHEET)
    header = []
    for text in [*(column.header for column in COLUMNS), *EXPORT_EXTRA]:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append(safe_row(sheet, row))
        count += 1
    save(workbook, Path(destination))
    return count
