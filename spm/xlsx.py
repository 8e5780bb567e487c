"""Small xlsx writer for tabular exports (openpyxl): a styled header row, frozen panes, sensible widths."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

HEADER_FILL = PatternFill("solid", fgColor="0B4F8A")
HEADER_FONT = Font(bold=True, color="FFFFFF")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def write_table(ws, headers: Sequence[str], rows: Iterable[Sequence], title: str | None = None) -> None:
    start = 1
    if title:
        ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=13)
        start = 3
    for col, header in enumerate(headers, start=1):
        cell = ws.cell(row=start, column=col, value=header)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    widths = [len(h) for h in headers]
    for r, row in enumerate(rows, start=start + 1):
        for c, value in enumerate(row, start=1):
            ws.cell(row=r, column=c, value=value)
            widths[c - 1] = max(widths[c - 1], min(len(str(value)) if value is not None else 0, 60))
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(row=start, column=c).column_letter].width = max(8, width + 2)
    ws.freeze_panes = ws.cell(row=start + 1, column=1)


def table_response(filename: str, sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence], str | None]]):
    """An xlsx download with one sheet per (sheet name, headers, rows, title)."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, headers, rows, title in sheets:
        write_table(wb.create_sheet(name[:31]), headers, rows, title)
    buffer = io.BytesIO()
    wb.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
