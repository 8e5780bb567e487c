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

import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO

from django.http import HttpResponse
from import_export.formats import base_formats
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

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
