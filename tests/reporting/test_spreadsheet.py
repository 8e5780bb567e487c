"""The streaming xlsx reader: a sheet read in slices gives exactly what python-calamine gives when it reads
the whole sheet, with Excel row numbers, whatever the writer (shared or inline strings, prefixes)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook

from reporting.spreadsheet import OLE_MAGIC, SpreadsheetError, XlsxReader, inspect
from tests.reporting.xlsx_files import write_xlsx

ROWS = [
    ["NIK", "Nama Lengkap", "Tanggal", "Angka", "Catatan"],
    ["1812010101900001", "Budi & Sri <ok>", dt.date(2026, 1, 31), 3, "  spasi  "],
    ["1812014101900002", "Siti", dt.datetime(2026, 2, 1, 13, 30), 2.5, True],
    ["1812010101900003", "", None, 1812010101900003, "baris tanpa tanggal"],
    [None, None, None, None, None],
    ["1812010101900004", "Budi & Sri <ok>", dt.date(1999, 12, 31), 0, "nilai berulang"],
]


def rewrite(content: bytes, member: str, change) -> bytes:
    """A copy of a zip with one member's text changed."""
    source = zipfile.ZipFile(io.BytesIO(content))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            archive.writestr(info.filename, change(data) if info.filename == member else data)
    return target.getvalue()


def both_ways(path) -> tuple[list, list]:
    """Rows read whole and read in slices of a few hundred bytes. Blank rows and trailing empty cells aside
    (a slice starts at its first cell; consumers skip blank rows), both must be equal."""

    def trimmed(rows):
        result = []
        for number, values in rows:
            values = list(values)
            while values and values[-1] == "":
                values.pop()
            if values:
                result.append((number, values))
        return result

    whole = trimmed(XlsxReader(path, direct_max_bytes=1 << 40).rows())
    sliced_reader = XlsxReader(path, direct_max_bytes=0, slice_bytes=300)
    assert sliced_reader.sliced
    return whole, trimmed(sliced_reader.rows())


@pytest.mark.parametrize("shared_strings", [True, False], ids=["shared-strings", "inline-strings"])
def test_slices_read_exactly_what_calamine_reads_whole(tmp_path, shared_strings):
    path = tmp_path / "data.xlsx"
    write_xlsx(path, ROWS * 40, shared_strings=shared_strings)
    whole, sliced = both_ways(path)
    assert sliced == whole
    assert whole[0] == (1, ROWS[0])
    assert whole[1][1][:4] == ["1812010101900001", "Budi & Sri <ok>", dt.date(2026, 1, 31), 3.0]
    assert whole[1][1][4] == "  spasi  "


def test_row_numbers_are_excel_row_numbers_when_data_starts_lower_and_to_the_right(tmp_path):
    path = tmp_path / "data.xlsx"
    write_xlsx(path, [[None, *row] for row in ROWS], first_row=3)
    whole, sliced = both_ways(path)
    assert sliced == whole
    assert whole[0] == (3, ["", *ROWS[0]])
    assert [number for number, _values in whole][:3] == [3, 4, 5]


def test_openpyxl_files_are_read_the_same_both_ways(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    for row in ROWS * 20:
        sheet.append(row)
    path = tmp_path / "openpyxl.xlsx"
    workbook.save(path)
    whole, sliced = both_ways(path)
    assert sliced == whole and len(whole) == len(ROWS) * 20 - 20  # blank rows are not stored at all


def test_rich_text_shared_strings_are_joined(tmp_path):
    content = io.BytesIO()
    write_xlsx(content, [["Nama"], ["Budi"]])
    rich = rewrite(
        content.getvalue(),
        "xl/sharedStrings.xml",
        lambda xml: xml.replace(b"<si><t>Budi</t></si>", b"<si><r><t>Bu</t></r><r><rPr><b/></rPr><t>di</t></r></si>"),
    )
    path = tmp_path / "rich.xlsx"
    path.write_bytes(rich)
    whole, sliced = both_ways(path)
    assert sliced == whole == [(1, ["Nama"]), (2, ["Budi"])]


def test_namespace_prefixed_sheets_are_read(tmp_path):
    content = io.BytesIO()
    write_xlsx(content, ROWS)

    def prefixed(xml: bytes) -> bytes:
        xml = xml.replace(b"<worksheet xmlns=", b"<x:worksheet xmlns:x=").replace(b"</worksheet>", b"</x:worksheet>")
        for tag in (b"sheetViews", b"sheetView", b"sheetFormatPr", b"sheetData", b"row", b"c", b"v", b"pageMargins"):
            xml = xml.replace(b"<" + tag + b">", b"<x:" + tag + b">").replace(b"<" + tag + b" ", b"<x:" + tag + b" ")
            xml = xml.replace(b"</" + tag + b">", b"</x:" + tag + b">")
        return xml

    path = tmp_path / "prefixed.xlsx"
    path.write_bytes(rewrite(content.getvalue(), "xl/worksheets/sheet1.xml", prefixed))
    whole, sliced = both_ways(path)
    assert sliced == whole and whole[1][1][0] == "1812010101900001"


def test_1904_date_system_is_kept_in_slices(tmp_path):
    path = tmp_path / "mac.xlsx"
    write_xlsx(path, [["Tanggal"], [dt.date(2026, 1, 31)]], date1904=True)
    whole, sliced = both_ways(path)
    assert sliced == whole


def test_count_rows_counts_rows_with_cells(tmp_path):
    path = tmp_path / "data.xlsx"
    write_xlsx(path, ROWS * 3)
    assert XlsxReader(path).count_rows() == 15  # the three blank rows hold no cell


def test_head_rows_reads_only_the_start(tmp_path):
    path = tmp_path / "data.xlsx"
    write_xlsx(path, ROWS * 500)
    rows = XlsxReader(path).head_rows()
    assert next(rows) == (1, ROWS[0])
    assert next(rows)[0] == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (OLE_MAGIC + b"\x00" * 600, "dilindungi kata sandi"),
        (b"hello", "bukan berkas Excel"),
        (b"PK\x03\x04broken", "rusak"),
    ],
)
def test_inspect_refuses_what_is_not_an_xlsx(content, message):
    with pytest.raises(SpreadsheetError, match=message):
        inspect(io.BytesIO(content))


def test_first_sheet_is_the_data_sheet(tmp_path):
    path = tmp_path / "two.xlsx"
    write_xlsx(path, [["Pertama"]], sheet_names=("Data", "Lain"), other_sheets=[[["Kedua"]]])
    assert [values for _n, values in XlsxReader(path).rows()] == [["Pertama"]]
    assert [values for _n, values in XlsxReader(path, direct_max_bytes=0).rows()] == [["Pertama"]]


def test_a_sheet_that_unpacks_to_gigabytes_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "data.xlsx"
    write_xlsx(path, ROWS)
    monkeypatch.setattr("reporting.spreadsheet.MAX_SHEET_XML_BYTES", 1000)
    with pytest.raises(SpreadsheetError, match="terlalu besar"):
        inspect(path)
