"""xlsx exports of the reporting app (openpyxl). No personal data: statuses and counts only."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from reporting.choices import ReportStatus
from reporting.models import ReportingPeriod
from reporting.review.selectors import matrix_totals
from reporting.selectors import MATRIX_STATUSES, MatrixRow
from spm.xlsx import HEADER_FILL, HEADER_FONT, XLSX_TYPE, save

XLSX_CONTENT_TYPE = XLSX_TYPE


def status_labels() -> dict[str, str]:
    """The report statuses as shown, in the active language."""
    return {"not_started": _("Belum dimulai"), **{s.value: str(s.label) for s in ReportStatus}}


_TOTAL_FONT = Font(bold=True)
_TOTAL_FILL = PatternFill("solid", fgColor="E9EEF5")
_THIN = Side(style="thin", color="BFC8D6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _header(sheet, titles: Sequence[str], widths: Sequence[int]) -> None:
    sheet.append(list(titles))
    for index, width in enumerate(widths, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, _BORDER
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def matrix_filename(period: ReportingPeriod) -> str:
    return f"matriks-keterisian-{period.region.code}-{period.year}-tw{period.quarter}.xlsx"


def matrix_workbook(period: ReportingPeriod, rows: Sequence[MatrixRow]) -> bytes:
    """The completeness and timeliness matrix: one row per OPD × jenis pelayanan dasar, and a totals sheet.
    Headings in the language of the user who downloads it; numbers and periods written one way (TW IV 2026)."""
    labels = status_labels()
    book = Workbook()
    detail = book.active
    detail.title = _("Matriks")
    _header(
        detail,
        [
            _("Kode wilayah"),
            pgettext("xlsx column", "Daerah"),
            pgettext("xlsx column", "Periode"),
            _("OPD"),
            _("Kode layanan"),
            _("Jenis pelayanan dasar"),
            _("Status"),
            _("Terlambat"),
            _("Dokumen tahapan kurang"),
        ],
        [13, 28, 12, 36, 13, 60, 15, 11, 14],
    )
    for row in rows:
        for cell in row.cells:
            detail.append(
                [
                    period.region.code,
                    period.region.name,
                    period.label,
                    row.agency.name,
                    cell.service_code,
                    cell.service_name,
                    labels[cell.status],
                    _("Ya") if cell.is_late else _("Tidak"),
                    cell.documents_missing,
                ]
            )
    if detail.max_row > 1:
        detail.auto_filter.ref = f"A1:I{detail.max_row}"

    totals = book.create_sheet(_("Rekap"))
    titles = [_("OPD"), *(labels[s] for s in MATRIX_STATUSES), _("Terlambat"), _("Jumlah layanan")]
    _header(totals, titles, [36, *([14] * len(MATRIX_STATUSES)), 12, 15])
    for row in rows:
        totals.append([row.agency.name, *(row.count(s) for s in MATRIX_STATUSES), row.late, len(row.cells)])
    overall = matrix_totals(rows)
    totals.append([_("Jumlah"), *(overall.counts[s] for s in MATRIX_STATUSES), overall.late, overall.total])
    for cell in totals[totals.max_row]:
        cell.font, cell.fill, cell.border = _TOTAL_FONT, _TOTAL_FILL, _BORDER
    totals.append([])
    region = period.region
    totals.append(
        [
            _("Periode %(period)s, %(region)s (%(code)s); batas waktu %(due)s.")
            % {"period": period.label, "region": region.name, "code": region.code, "due": f"{period.due_date:%d-%m-%Y}"}
        ]
    )

    return save(book)  # type: ignore[return-value]
