"""The provincial recap (rekapitulasi) as xlsx, written through ``spm.xlsx`` (no live formula leaves the system)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from evaluation.models import quarter_label
from evaluation.selectors import RecapRow
from reporting.achievements.dashboard import status_label
from reporting.choices import ReportStatus
from spm.xlsx import table_response


def recap_filename(province, year: int, quarter: int) -> str:
    return f"rekap-provinsi-{province.code}-{year}-tw{quarter}.xlsx"


def recap_sheets(province, year: int, quarter: int, affairs: Sequence, rows: Sequence[RecapRow]) -> list:
    """Three sheets: per kab/kota (completeness, timeliness, IP-SPM, requests), per kab/kota × urusan (sent of
    expected, late), and the year's annual evaluation records."""
    period = quarter_label(year, quarter)
    summary_headers = [
        _("Kode"),
        _("Daerah"),
        _("Jenis seharusnya"),
        _("Belum dimulai"),
        str(ReportStatus.DRAFT.label),
        str(ReportStatus.SUBMITTED.label),
        str(ReportStatus.RETURNED.label),
        str(ReportStatus.APPROVED.label),
        _("Terlambat"),
        _("Keterisian (%)"),
        _("Batas waktu"),
        _("IP-SPM"),
        _("Status IP-SPM"),
        _("Permintaan terbuka"),
        _("Permintaan dijawab"),
    ]
    summary = []
    for r in rows:
        m = r.matrix
        index = r.index.index if r.index is not None and r.index.index is not None else None
        summary.append(
            [
                m.region.code,
                m.region.name,
                m.expected,
                m.count("not_started"),
                m.count(ReportStatus.DRAFT),
                m.count(ReportStatus.SUBMITTED),
                m.count(ReportStatus.RETURNED),
                m.count(ReportStatus.APPROVED),
                m.late,
                m.completeness_pct,
                m.due_date,
                round(index, 2) if index is not None else _("belum ada data"),
                status_label(r.index.status) if r.index is not None and r.index.status else "",
                r.open_requests,
                r.answered_requests,
            ]
        )
    affair_headers = [_("Kode"), _("Daerah"), _("Urusan"), _("Terkirim"), _("Seharusnya"), _("Terlambat")]
    per_affair = [
        [r.region.code, r.region.name, c.affair.name, c.sent, c.expected, c.late]
        for r in rows
        for c in r.matrix.cells
        if c.expected
    ]
    annual_headers = [_("Kode"), _("Daerah"), _("Capaian"), _("Kendala"), _("Tindak lanjut")]
    annual = [
        [r.region.code, r.region.name, r.annual.achievements, r.annual.obstacles, r.annual.follow_up]
        for r in rows
        if r.annual is not None
    ]
    title = _("Rekapitulasi penerapan SPM kabupaten/kota %(province)s — %(period)s") % {
        "province": province.name,
        "period": period,
    }
    return [
        (_("Rekap daerah"), summary_headers, summary, title),
        (_("Per urusan"), affair_headers, per_affair, title),
        (_("Evaluasi tahunan %(year)s") % {"year": year}, annual_headers, annual, title),
    ]


def recap_response(province, year: int, quarter: int, affairs: Sequence, rows: Sequence[RecapRow]):
    return table_response(recap_filename(province, year, quarter), recap_sheets(province, year, quarter, affairs, rows))
