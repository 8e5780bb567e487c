"""The streaming xlsx writer of large sheets (spm.xlsx.StreamingSheet): what it writes reads back the same in
openpyxl and in the project's own reader, and no text becomes a formula."""

from __future__ import annotations

import datetime as dt
import zipfile

from openpyxl import load_workbook

from reporting.spreadsheet import XlsxReader
from spm.xlsx import StreamingSheet, Styled


def test_values_keep_their_types_and_rows_their_numbers(tmp_path):
    path = tmp_path / "besar.xlsx"
    with StreamingSheet(path, "Data Penerima", fills=("F8CBAD",)) as sheet:
        sheet.append(1, [Styled("NIK", StreamingSheet.BOLD), "Nama <&> \x01", None, ""])
        sheet.append(4, ["1812014101900001", 42, 2.5, True, dt.date(2001, 2, 3), dt.datetime(2001, 2, 3, 4, 5, 6)])
        sheet.append(5, [Styled("Baris 5: GALAT", StreamingSheet.FILL)])
    workbook = load_workbook(path)
    rows = workbook["Data Penerima"]
    assert rows["A1"].value == "NIK" and rows["A1"].font.b
    assert rows["B1"].value == "Nama <&> "  # a character XML cannot hold is dropped
    assert rows["C1"].value is None and rows["A2"].value is None and rows["A3"].value is None
    assert [cell.value for cell in rows[4]] == [
        "1812014101900001",
        42,
        2.5,
        True,
        dt.datetime(2001, 2, 3),
        dt.datetime(2001, 2, 3, 4, 5, 6),
    ]
    assert rows["A5"].fill.fgColor.rgb == "FFF8CBAD"
    read = dict(XlsxReader(path).rows())
    assert read[4][:5] == ["1812014101900001", 42, 2.5, True, dt.date(2001, 2, 3)]


def test_formula_like_text_is_written_as_a_string_cell(tmp_path):
    path = tmp_path / "rumus.xlsx"
    with StreamingSheet(path, "Data") as sheet:
        sheet.append(1, ['=HYPERLINK("http://x","klik")', "+62", "@SUM(1)"])
    sheet_xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and sheet_xml.count('t="inlineStr"') == 3
    assert load_workbook(path).active["A1"].value == '=HYPERLINK("http://x","klik")'
    assert load_workbook(path).active["A1"].data_type == "s"
