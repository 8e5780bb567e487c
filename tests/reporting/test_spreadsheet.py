"""The streaming xlsx reader: a sheet read in slices gives exactly what python-calamine gives when it reads
the whole sheet, with Excel row numbers, whatever the writer (shared or inline strings, prefixes)."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from reporting import spreadsheet, spreadsheet_process
from reporting.spreadsheet import OLE_MAGIC, FormulaRow, SpreadsheetError, XlsxReader, inspect
from tests.reporting.xlsx_files import write_padded_xlsx, write_xlsx

ROOT = Path(__file__).resolve().parents[2]

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


def test_each_slice_carries_only_the_shared_strings_it_uses(tmp_path, monkeypatch):
    """A slice's own table holds the entries its cells refer to, renumbered; the file's table (here one
    string per row, most of them in other slices) is never handed to calamine whole."""
    path = tmp_path / "data.xlsx"
    write_xlsx(path, [["Nama", "Jenis"], *([f"Nama {i}", "L" if i % 2 else "P"] for i in range(400))])
    tables = []
    package = spreadsheet._package

    def recorded(sheet_xml, styles, date1904, strings=None):
        tables.append(strings)
        return package(sheet_xml, styles, date1904, strings)

    monkeypatch.setattr(spreadsheet, "_package", recorded)
    whole, sliced = both_ways(path)
    assert sliced == whole and len(whole) == 401 and whole[400][1] == ["Nama 399", "L"]
    assert len(tables) > 20
    assert all(table.count(b"<si>") <= 30 for table in tables)  # a few rows' names and "L"/"P", not 400
    assert b"uniqueCount" not in tables[-1]


SPELLINGS = {
    # the cell's type in single quotes and with spaces: the general pattern reads the slice
    "cell-quotes": ("xl/worksheets/sheet1.xml", lambda xml: xml.replace(b' t="s">', b" t = 's'>", 3)),
    # an entry with attributes, an empty entry, and the table's tags with a prefix
    "entry-attributes": (
        "xl/sharedStrings.xml",
        lambda xml: xml.replace(b"<si><t>Siti</t></si>", b'<si foo="1"><t>Siti</t></si>'),
    ),
    "empty-entry": ("xl/sharedStrings.xml", lambda xml: xml.replace(b"<si><t></t></si>", b"<si/>")),
    "prefixed-table": (
        "xl/sharedStrings.xml",
        lambda xml: (
            xml.replace(b"<sst xmlns=", b"<x:sst xmlns:x=")
            .replace(b"</sst>", b"</x:sst>")
            .replace(b"<si>", b"<x:si>")
            .replace(b"</si>", b"</x:si>")
            .replace(b"<t>", b"<x:t>")
            .replace(b"<t ", b"<x:t ")
            .replace(b"</t>", b"</x:t>")
        ),
    ),
}


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_shared_strings_are_read_the_same_however_they_are_spelled(tmp_path, spelling):
    member, change = SPELLINGS[spelling]
    content = io.BytesIO()
    rows = [["Nama", "Catatan"], *(["Siti", f"baris {i}"] for i in range(30)), ["", "kosong"], ["Budi & Sri <ok>", ""]]
    write_xlsx(content, rows)
    changed = content.getvalue()
    if spelling == "empty-entry":
        # the writer leaves out empty cells: give one row a shared empty string (made "<si/>" below)
        changed = rewrite(
            changed,
            "xl/sharedStrings.xml",
            lambda xml: xml.replace(b"</sst>", b"<si><t></t></si></sst>"),
        )
        strings = zipfile.ZipFile(io.BytesIO(changed)).read("xl/sharedStrings.xml").count(b"<si>") - 1
        changed = rewrite(
            changed,
            "xl/worksheets/sheet1.xml",
            lambda xml: xml.replace(b'<c r="B32"', f'<c r="A32" t="s"><v>{strings}</v></c><c r="B32"'.encode()),
        )
    changed = rewrite(changed, member, change)
    path = tmp_path / "variant.xlsx"
    path.write_bytes(changed)
    whole, sliced = both_ways(path)
    assert sliced == whole
    assert whole[1] == (2, ["Siti", "baris 0"]) and whole[-1][1][0] == "Budi & Sri <ok>"
    if spelling == "empty-entry":
        assert b"<si/>" in zipfile.ZipFile(path).read("xl/sharedStrings.xml")
        assert b'<c r="A32" t="s">' in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
        assert whole[-2] == (32, ["", "kosong"])


def test_the_shared_strings_are_indexed_across_block_boundaries(tmp_path, monkeypatch):
    path = tmp_path / "data.xlsx"
    write_xlsx(path, [["Nama"], *([f"Penerima nomor {i}"] for i in range(300))])
    monkeypatch.setattr(spreadsheet, "READ_BLOCK", 37)  # every "<si>" tag is cut somewhere
    whole, sliced = both_ways(path)
    assert sliced == whole and whole[300][1] == ["Penerima nomor 299"]


def test_a_slice_needing_too_much_of_the_string_table_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "long.xlsx"
    write_xlsx(path, [["Nama"], *([f"{i} " + "x" * 3000] for i in range(20))])
    monkeypatch.setattr(spreadsheet, "MAX_SLICE_STRINGS_BYTES", 10_000)
    with pytest.raises(SpreadsheetError, match="tabel teks"):
        list(XlsxReader(path, direct_max_bytes=0, slice_bytes=100_000).rows())


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


# --- formulas ------------------------------------------------------------------------------------------


def formula_workbook(path: Path) -> Path:
    """Thirty rows, with formulas at B5 (a hyperlink) and at A20 and C20."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["NIK", "Nama", "Catatan"])
    for i in range(30):
        sheet.append([f"18120101019000{i:02d}", f"Nama {i}", "biasa"])
    sheet["B5"] = '=HYPERLINK("http://x","klik")'
    sheet["C20"] = "=1+1"
    sheet["A20"] = '="1812"&"010101900019"'
    workbook.save(path)
    return path


def test_formula_cells_are_reported_both_ways_never_as_plain_values(tmp_path):
    path = formula_workbook(tmp_path / "rumus.xlsx")
    for reader in (XlsxReader(path), XlsxReader(path, direct_max_bytes=0, slice_bytes=300)):
        marked = {number: values.formula_columns for number, values in reader.rows() if isinstance(values, FormulaRow)}
        assert marked == {5: (1,), 20: (0, 2)}


def test_formula_cells_are_found_in_namespace_prefixed_sheets(tmp_path):
    content = io.BytesIO()
    write_xlsx(content, [["Nama"], ["Budi"], ["Sri"]], shared_strings=False)

    def prefixed(xml: bytes) -> bytes:
        xml = xml.replace(b"<worksheet xmlns=", b"<x:worksheet xmlns:x=").replace(b"</worksheet>", b"</x:worksheet>")
        for tag in (b"sheetData", b"row", b"c", b"is", b"t"):
            xml = xml.replace(b"<" + tag + b">", b"<x:" + tag + b">").replace(b"<" + tag + b" ", b"<x:" + tag + b" ")
            xml = xml.replace(b"</" + tag + b">", b"</x:" + tag + b">")
        return xml.replace(b'<x:c r="A3" t="inlineStr">', b'<x:c r="A3" t="str"><x:f>UPPER("sri")</x:f>')

    path = tmp_path / "prefixed.xlsx"
    path.write_bytes(rewrite(content.getvalue(), "xl/worksheets/sheet1.xml", prefixed))
    rows = list(XlsxReader(path, direct_max_bytes=0, slice_bytes=100).rows())
    assert [type(values) for _n, values in rows] == [list, list, FormulaRow]


# --- linear reading, bounded memory ----------------------------------------------------------------------


def test_whitespace_between_rows_is_skipped_as_it_streams(tmp_path):
    path = tmp_path / "padded.xlsx"
    rows = [["NIK", "Nama"], ["1812010101900001", "Budi"], ["1812010101900002", "Sri"]]
    write_padded_xlsx(path, rows, padding_mb=24, compressed=False)
    reader = XlsxReader(path, direct_max_bytes=0)
    assert [values for _n, values in reader.rows()] == rows
    assert [values for _n, values in reader.head_rows()] == rows
    assert reader.count_rows() == 3


def test_a_row_bigger_than_the_limit_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "wide.xlsx"
    write_xlsx(path, [["Nama"], ["x" * 5000]], shared_strings=False)
    monkeypatch.setattr("reporting.spreadsheet.READ_BLOCK", 1024)
    monkeypatch.setattr("reporting.spreadsheet.MAX_ROW_BYTES", 2048)
    with pytest.raises(SpreadsheetError, match="terlalu besar"):
        list(XlsxReader(path, direct_max_bytes=0).rows())


# --- the package: zip bombs, lying sizes, bad CRCs ---------------------------------------------------------


@pytest.fixture(scope="session")
def zip_bomb(tmp_path_factory) -> Path:
    """About 1 MB on disk whose sheet unpacks to 1 GB of whitespace inside <sheetData>."""
    path = tmp_path_factory.mktemp("bom") / "bom.xlsx"
    write_padded_xlsx(path, [["NIK", "Nama"], ["1812010101900001", "Budi"]], padding_mb=1024)
    return path


PROBE = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[2])
from reporting.spreadsheet import SpreadsheetError, XlsxReader
started, cpu_started = time.perf_counter(), time.process_time()
try:
    list(XlsxReader(sys.argv[1]).rows())
    message = None
except SpreadsheetError as exc:
    message = str(exc)
# VmHWM: this process's own peak (ru_maxrss would carry the forking pytest's peak across exec on Linux).
with open("/proc/self/status") as status:
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({"seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu_started,
                  "message": message,
                  "peak_mb": peak_kb / 1024}))
"""


def test_a_zip_bomb_is_refused_quickly_in_bounded_memory(zip_bomb):
    assert zip_bomb.stat().st_size < 2 * 1024 * 1024
    assert zipfile.ZipFile(zip_bomb).getinfo("xl/worksheets/sheet1.xml").file_size >= 1024**3
    output = subprocess.run(
        [sys.executable, "-c", PROBE, str(zip_bomb), str(ROOT)], capture_output=True, text=True, check=True, timeout=60
    )
    result = json.loads(output.stdout)
    assert result["message"] and "bom zip" in result["message"]
    # The work of refusing is measured as CPU time (the machine running the suite may be busy); the
    # wall-clock bound only catches a reader that waits or loops.
    assert result["cpu_seconds"] < 5
    assert result["seconds"] < 30
    assert result["peak_mb"] < 300


def test_upload_limits_come_from_the_settings(tmp_path, settings):
    path = tmp_path / "data.xlsx"
    write_xlsx(path, ROWS * 50)
    settings.SPREADSHEET_MAX_UNPACKED_BYTES = 2000
    with pytest.raises(SpreadsheetError, match="terlalu besar"):
        inspect(path)
    settings.SPREADSHEET_MAX_UNPACKED_BYTES = 10**9
    settings.SPREADSHEET_MAX_MEMBERS = 3
    with pytest.raises(SpreadsheetError, match="terlalu banyak bagian"):
        inspect(path)
    settings.SPREADSHEET_MAX_MEMBERS = 100
    settings.SPREADSHEET_MAX_SHARED_STRINGS_BYTES = 100
    with pytest.raises(SpreadsheetError, match="shared strings"):
        inspect(path)


def _patch_central_directory(content: bytes, member: bytes, *, crc: int | None = None, size: int | None = None):
    """A copy of a zip whose central directory entry of ``member`` claims another CRC or unpacked size."""
    data = bytearray(content)
    at = data.index(b"PK\x01\x02")
    while True:
        at = data.index(b"PK\x01\x02", at)
        name_length = int.from_bytes(data[at + 28 : at + 30], "little")
        if bytes(data[at + 46 : at + 46 + name_length]) == member:
            break
        at += 4
    if crc is not None:
        data[at + 16 : at + 20] = crc.to_bytes(4, "little")
    if size is not None:
        data[at + 24 : at + 28] = size.to_bytes(4, "little")
    return bytes(data)


@pytest.mark.parametrize("change", [{"crc": 12345}, {"size": 100}], ids=["bad-crc", "sheet-bigger-than-it-says"])
@pytest.mark.parametrize("direct", [True, False], ids=["direct", "sliced"])
def test_parts_whose_data_do_not_match_the_directory_are_refused_as_corrupt(tmp_path, change, direct):
    content = io.BytesIO()
    write_xlsx(content, ROWS * 40)
    path = tmp_path / "dusta.xlsx"
    path.write_bytes(_patch_central_directory(content.getvalue(), b"xl/worksheets/sheet1.xml", **change))
    reader = XlsxReader(path, direct_max_bytes=1 << 30 if direct else 0, slice_bytes=300)
    with pytest.raises(SpreadsheetError, match="rusak"):
        list(reader.rows())
    with pytest.raises(SpreadsheetError, match="rusak"):
        reader.count_rows()


# --- the reader process (large sheets) ------------------------------------------------------------------------


def _process_reader(path, **options) -> XlsxReader:
    reader = XlsxReader(path, process_min_bytes=0, slice_bytes=300, **options)
    assert reader.in_reader_process
    return reader


def test_a_large_sheet_read_by_the_reader_process_gives_the_same_rows_as_in_process(tmp_path):
    content = io.BytesIO()
    write_xlsx(content, ROWS * 500)
    path = tmp_path / "besar.xlsx"
    path.write_bytes(content.getvalue())
    in_process = list(XlsxReader(path, in_process=True, direct_max_bytes=0, slice_bytes=300).rows())
    assert list(_process_reader(path).rows()) == in_process
    assert len(in_process) > spreadsheet_process.ROWS_PER_FRAME  # more than one frame through the pipe
    assert not XlsxReader(path).in_reader_process  # small sheets stay in the importing process


def test_the_reader_process_keeps_formula_rows_marked(tmp_path):
    path = formula_workbook(tmp_path / "rumus.xlsx")
    marked = {n: v.formula_columns for n, v in _process_reader(path).rows() if isinstance(v, FormulaRow)}
    assert marked == {5: (1,), 20: (0, 2)}


def test_the_reader_process_reports_a_corrupt_sheet_with_the_same_message(tmp_path):
    content = io.BytesIO()
    write_xlsx(content, ROWS * 40)
    path = tmp_path / "dusta.xlsx"
    path.write_bytes(_patch_central_directory(content.getvalue(), b"xl/worksheets/sheet1.xml", crc=12345))
    with pytest.raises(SpreadsheetError, match="rusak"):
        list(_process_reader(path).rows())


def test_the_reader_process_is_stopped_when_the_import_stops_reading(tmp_path, monkeypatch):
    started = []
    real_popen = subprocess.Popen

    def recording_popen(*args, **kwargs):
        process = real_popen(*args, **kwargs)
        started.append(process)
        return process

    monkeypatch.setattr(spreadsheet.subprocess, "Popen", recording_popen)
    content = io.BytesIO()
    write_xlsx(content, ROWS * 400)
    path = tmp_path / "batal.xlsx"
    path.write_bytes(content.getvalue())
    rows = _process_reader(path).rows()
    assert next(rows)[0] == 1
    rows.close()  # a cancelled import: the generator is closed after its first row
    assert len(started) == 1 and started[0].returncode is not None
