"""Writing xlsx and CSV files for download (openpyxl, tablib): every writer of the project goes through here,
so no live formula ever leaves the system (CSV/formula injection, OWASP "CSV Injection").

A value typed by a user (a recipient's name, a rencana aksi programme, a target's note …) that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return would run as a formula when a spreadsheet program opens
the file (``=HYPERLINK("http://…","klik")`` sends a click elsewhere, DDE payloads start programs). Two
escapes, one per file type:

- **xlsx**: the cell is written as a string cell (``t="inlineStr"``), never as a formula. openpyxl turns any
  ``str`` starting with ``=`` into a formula on assignment, so the data type is set back to ``'s'`` after
  it (:func:`as_text`), or the value is wrapped in a string cell for write-only sheets (:func:`safe_row`).
  The text is kept exactly as typed (Excel shows it, and an exported list imported again reads the same
  value); a string cell is never evaluated when the file is opened.
- **CSV** has no cell types, so OWASP's rule applies: such a field is prefixed with a single quote
  (:func:`csv_text`); spreadsheet programs show the rest as text.

:func:`save` neutralises every cell of a workbook before writing it, whatever put the value there; the
django-import-export formats (:class:`SafeXLSX`, :class:`SafeCSV`) do the same for the admin's exports and
for tablib datasets (``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT`` switches their escaping on).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, NamedTuple

from django.http import HttpResponse
from import_export.formats import base_formats
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from spm import zipcheck

HEADER_FILL = PatternFill("solid", fgColor="0B4F8A")
HEADER_FONT = Font(bold=True, color="FFFFFF")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What makes a spreadsheet program read a cell as a formula (OWASP CSV Injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Tables imported through django-import-export (targets, OPD) are small and read whole by openpyxl.
TABLE_MAX_UNPACKED_BYTES = 64 * 1024 * 1024


def is_formula_like(value: object) -> bool:
    """A text that a spreadsheet program would evaluate if written as it is."""
    return value.__class__ is str and value[:1] in FORMULA_TRIGGERS and value != "-"  # type: ignore[index]


def as_text(cell):
    """Make an openpyxl cell hold its value as text when it would otherwise be (or be read as) a formula."""
    if cell.data_type == "f" or is_formula_like(cell._value):
        if not isinstance(cell._value, str):  # an ArrayFormula or DataTableFormula object: never written
            cell._value = str(cell._value.text if hasattr(cell._value, "text") else "")
        cell.data_type = "s"
    return cell


def safe_value(sheet, value: object):
    """A value for a write-only sheet's ``append``: a formula-like text becomes a string cell."""
    if value.__class__ is str:
        if is_formula_like(value):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            return cell
        return value
    if hasattr(value, "data_type"):  # a cell made by the caller (styled)
        return as_text(value)
    return value


def safe_row(sheet, values: Iterable[object]) -> list:
    """A row for a write-only sheet's ``append`` with no live formula in it."""
    return [safe_value(sheet, value) for value in values]


def csv_text(value: object) -> object:
    """A CSV field: a formula-like text gets OWASP's leading single quote; anything else is unchanged."""
    return "'" + value if is_formula_like(value) else value  # type: ignore[operator]


def neutralise(workbook: Workbook) -> None:
    """Turn every formula cell of a (normal, not write-only) workbook into a string cell."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    as_text(cell)


def save(workbook: Workbook, destination: str | Path | IO[bytes] | None = None) -> bytes | None:
    """Write a workbook with no live formula in it; without ``destination``, return its bytes."""
    if not getattr(workbook, "write_only", False):
        neutralise(workbook)
    if destination is None:
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    workbook.save(str(destination) if isinstance(destination, Path) else destination)
    return None


def number_format_of(value: object) -> str:
    """The cell format of a figure: thousands grouped, two decimals for a fraction, so a spreadsheet opened with
    Indonesian regional settings shows 1.250 and 40,65 (Excel swaps the separators per locale)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return "General"
    return "#,##0" if isinstance(value, int) else "#,##0.00"


def write_table(ws, headers: Sequence[str], rows: Iterable[Sequence], title: str | None = None) -> None:
    """A styled header row, the rows (user text kept as text), frozen panes and sensible widths."""
    start = 1
    if title:
        as_text(ws.cell(row=1, column=1, value=title)).font = Font(bold=True, size=13)
        start = 3
    for col, header in enumerate(headers, start=1):
        cell = as_text(ws.cell(row=start, column=col, value=header))
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    widths = [len(h) for h in headers]
    for r, row in enumerate(rows, start=start + 1):
        for c, value in enumerate(row, start=1):
            cell = as_text(ws.cell(row=r, column=c, value=value))
            cell.number_format = number_format_of(value)
            widths[c - 1] = max(widths[c - 1], min(len(str(value)) if value is not None else 0, 60))
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(row=start, column=c).column_letter].width = max(8, width + 2)
    ws.freeze_panes = ws.cell(row=start + 1, column=1)


def download(content: bytes, filename: str, content_type: str = XLSX_TYPE) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def table_response(filename: str, sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence], str | None]]):
    """An xlsx download with one sheet per (sheet name, headers, rows, title)."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, headers, rows, title in sheets:
        write_table(wb.create_sheet(name[:31]), headers, rows, title)
    return download(save(wb), filename)  # type: ignore[arg-type]


def dataset_xlsx(dataset) -> bytes:
    """A tablib dataset as xlsx: a bold header row, frozen below it, values with their types, no formula."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = (dataset.title or "Data")[:31]
    if dataset.headers:
        sheet.append(list(dataset.headers))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    for row in dataset:
        sheet.append(list(row))
    return save(workbook)  # type: ignore[return-value]


# --- django-import-export formats ----------------------------------------------------------------------


class SafeXLSX(base_formats.XLSX):
    """xlsx for django-import-export: exported through :func:`dataset_xlsx` (typed values, formulas as text)."""

    def export_data(self, dataset, **kwargs):
        return dataset_xlsx(dataset)

    def create_dataset(self, in_stream, **kwargs):
        """Check the package first (zip bomb, corrupt): openpyxl would unpack whatever the directory promises.
        Raises ``spm.zipcheck.PackageError`` with the reason."""
        limits = zipcheck.configured_limits().tighter(max_unpacked_bytes=TABLE_MAX_UNPACKED_BYTES)
        zipcheck.check_package(io.BytesIO(in_stream) if isinstance(in_stream, bytes) else in_stream, limits)
        return super().create_dataset(in_stream, **kwargs)


def formula_cells(content: bytes, *, limit: int = 50) -> list[tuple[int, str]]:
    """(row number, column) of the formula cells of a workbook's first sheet (at most ``limit``).

    An import reads values, never formulas: openpyxl and django-import-export would hand over a formula's
    cached value (or its text), which the user never typed. The package must have passed
    :func:`spm.zipcheck.check_package` first."""
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    try:
        found: list[tuple[int, str]] = []
        headers: list[str] = []
        for number, row in enumerate(workbook.worksheets[0].iter_rows(), start=1):
            if number == 1:
                headers = [str(getattr(cell, "value", "") or "").strip() for cell in row]
            for index, cell in enumerate(row):
                if getattr(cell, "data_type", None) == "f":
                    column = headers[index] if index < len(headers) and headers[index] else get_column_letter(index + 1)
                    found.append((number, column))
                    if len(found) >= limit:
                        return found
        return found
    finally:
        workbook.close()


class SafeCSV(base_formats.CSV):
    """CSV for django-import-export with OWASP's escape of formula-like fields (import-export's own escape,
    switched on by ``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT``, only drops a leading ``=``)."""

    def _escape_formulae(self, dataset):
        rows = [[csv_text(value) for value in row] for row in dataset]
        del dataset[:]
        for row in rows:
            dataset.append(row)

    def export_data(self, dataset, **kwargs):
        self._escape_formulae(dataset)  # whatever the setting: personal data must never carry a live formula
        return dataset.export(self.get_title(), **kwargs)


SAFE_FORMATS = [SafeCSV, SafeXLSX]


# --- large sheets -------------------------------------------------------------------------------------------


class Styled(NamedTuple):
    """A cell value with one of :class:`StreamingSheet`'s styles (``BOLD`` or a fill given at creation)."""

    value: object
    style: int


_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_STATIC_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="xl/workbook.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
        "</Relationships>"
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
        '<Relationship Id="rId2" Target="styles.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"/>'
        "</Relationships>"
    ),
}


class StreamingSheet:
    """A one-sheet xlsx written row by row straight into the zip, for sheets of hundreds of thousands of rows
    (the error report of a recipient import): openpyxl's write-only mode builds a cell object and its style
    per value, about 250 µs a row; this writes a row as one string, about 100 times faster, in flat memory.

    Every text is written as an inline string cell (``t="inlineStr"``), so no value, whatever it starts with,
    can become a formula; there is no way to write one. Numbers and booleans keep their type; dates and
    times are Excel serial numbers with a date format. Rows carry their own row numbers, so rows may be
    skipped. Styles: 0 plain, ``BOLD``, and one fill per colour passed as ``fills`` (style ``FILL + i``).
    """

    BOLD = 1
    FILL = 5  # styles 2-4 are the date formats
    _DATE, _DATETIME, _TIME = 2, 3, 4

    def __init__(self, destination: str | Path, sheet_name: str, *, fills: Sequence[str] = ()) -> None:
        self._zip = zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self._zip.writestr("xl/styles.xml", _styles_xml(fills))
        for name, text in _STATIC_PARTS.items():
            self._zip.writestr(name, text)
        self._zip.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            f'<sheet name="{_xml_text(sheet_name[:31])}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        raw = self._zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self._sheet = io.TextIOWrapper(raw, encoding="utf-8", newline="", write_through=False)
        self._sheet.write(_SHEET_HEAD)
        self._letters: list[str] = []
        self._last_row = 0

    def append(self, row_number: int, values: Sequence[object]) -> None:
        """Write a row at ``row_number`` (after the previous row's number); ``None`` leaves a cell empty."""
        if row_number <= self._last_row:
            raise ValueError("StreamingSheet: baris harus ditulis berurutan")
        self._last_row = row_number
        letters = self._letters
        while len(letters) < len(values):
            letters.append(get_column_letter(len(letters) + 1))
        parts = [f'<row r="{row_number}">']
        for index, value in enumerate(values):
            style = 0
            if value.__class__ is Styled:
                value, style = value  # type: ignore[misc]
            if value is None or value == "":
                if style:
                    parts.append(f'<c r="{letters[index]}{row_number}" s="{style}"/>')
                continue
            parts.append(self._cell(f"{letters[index]}{row_number}", value, style))
        parts.append("</row>")
        self._sheet.write("".join(parts))

    def _cell(self, ref: str, value: object, style: int) -> str:
        cls = value.__class__
        if cls is str:
            return (
                f'<c r="{ref}"{_style(style)} t="inlineStr"><is><t xml:space="preserve">{_xml_text(value)}</t></is></c>'
            )
        if cls is bool:
            return f'<c r="{ref}"{_style(style)} t="b"><v>{int(value)}</v></c>'  # type: ignore[call-overload]
        if cls is int or (cls is float and math.isfinite(value)):  # type: ignore[arg-type]
            return f'<c r="{ref}"{_style(style)}><v>{value!r}</v></c>'
        if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta):
            if isinstance(value, dt.datetime):
                value, date_style = value.replace(tzinfo=None), self._DATETIME
            elif isinstance(value, dt.date):
                date_style = self._DATE
            else:
                date_style = self._TIME
            serial = to_excel(value)
            return f'<c r="{ref}"{_style(style or date_style)}><v>{serial!r}</v></c>'
        return self._cell(ref, str(value), style)

    def close(self) -> None:
        self._sheet.write("</sheetData></worksheet>")
        self._sheet.close()
        self._zip.close()

    def __enter__(self) -> StreamingSheet:
        return self

    def __exit__(self, *exc_info) -> None:
        if exc_info[0] is None:
            self.close()
        else:
            self._sheet.close()
            self._zip.close()


def _style(style: int) -> str:
    return f' s="{style}"' if style else ""


def _xml_text(value: str) -> str:
    """Text for an XML element: markup escaped, characters XML cannot hold dropped, Excel's length limit."""
    text = value
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if ILLEGAL_CHARACTERS_RE.search(text):
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return text[:32767] if len(text) > 32767 else text


def _styles_xml(fills: Sequence[str]) -> str:
    fill_xml = "".join(
        f'<fill><patternFill patternType="solid"><fgColor rgb="FF{colour}"/></patternFill></fill>' for colour in fills
    )
    date_formats = (14, 22, 21)  # built-in: d/m/yyyy, d/m/yyyy h:mm, h:mm:ss (shown in the user's locale)
    xfs = [
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>',
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" applyFont="1"/>',
    ]
    xfs += [
        f'<xf numFmtId="{number}" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/>' for number in date_formats
    ]
    xfs += [
        f'<xf numFmtId="0" fontId="0" fillId="{index + 2}" borderId="0" applyFill="1"/>' for index in range(len(fills))
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        f'<fills count="{2 + len(fills)}"><fill><patternFill patternType="none"/></fill>'
        f'<fill><patternFill patternType="gray125"/></fill>{fill_xml}</fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
    )
