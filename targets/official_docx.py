"""The Laporan Penerapan SPM as a Word document (python-docx), with the same headings as the PDF.

Bagian Pemerintahan often finishes a signed document in a word processor; this file carries the same content
and the same outline (``OfficialReport.outline``, the structure of the Permendagri 100/2018 lampiran) so that
nothing has to be retyped. Headings use Word's built-in Heading 1–3 styles, so the navigation pane and a
generated table of contents work.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from spm.templatetags.spm_format import desimal, ribuan, rupiah
from targets.choices import PAPER_MM, PaperSize
from targets.official_report import AFFAIR_PARTS, CHAPTERS, INTRO_PARTS, NO_DATA, TEAM_HEADING, OfficialReport


def _table(doc, headers: list[str], rows: list[list[str]], widths_mm: list[float] | None = None):
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    # Word repeats a row marked as header on every page the table spans.
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)
    for values in rows:
        cells = table.add_row().cells
        if len(values) < len(headers):  # "belum ada data" spans the remaining columns
            merged = cells[len(values) - 1].merge(cells[-1])
            for cell, text in zip(cells[: len(values) - 1], values[:-1], strict=True):
                cell.text = text
            merged.text = values[-1]
        else:
            for cell, text in zip(cells, values, strict=True):
                cell.text = text
    if widths_mm:
        for row in table.rows:
            for cell, width in zip(row.cells, widths_mm, strict=False):
                cell.width = Mm(width)
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(8)
    return table


def _paragraphs(doc, text: str) -> None:
    for para in text.splitlines():
        if para.strip():
            doc.add_paragraph(para.strip()).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY


def _kop(doc, report: OfficialReport) -> None:
    kop = report.letterhead
    table = doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.width, right.width = Mm(25), Mm(140)
    if kop.emblem_bytes and kop.emblem_ext == "png":
        left.paragraphs[0].add_run().add_picture(io.BytesIO(kop.emblem_bytes), width=Mm(20))
    title = right.paragraphs[0]
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(kop.government_name)
    run.bold, run.font.size = True, Pt(14)
    for line in (kop.address, kop.contact):
        if line:
            p = right.add_paragraph(line)
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.runs[0].font.size = Pt(9)
    doc.add_paragraph("═" * 60).alignment = WD_ALIGN_PARAGRAPH.CENTER


def _signature(doc, report: OfficialReport) -> None:
    kop = report.letterhead
    lines = [f"{kop.signing_place}, {report.signed_on}", f"{kop.signer_title},", "", "", ""]
    lines.append(kop.head_name or "……………………………………")
    if kop.head_nip:
        lines.append(f"NIP {kop.head_nip}")
    for line in lines:
        p = doc.add_paragraph(line)
        p.paragraph_format.left_indent = Mm(85)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(0)


def render_docx(report: OfficialReport) -> bytes:
    """The document as .docx: kop, the chapters and parts of the format, the signature, the lampiran."""
    doc = Document()
    width, height = PAPER_MM[PaperSize(report.letterhead.paper)]
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(width), Mm(height)
    section.left_margin, section.right_margin = Mm(25), Mm(20)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    doc.styles["Normal"].font.name = "Arial"
    doc.styles["Normal"].font.size = Pt(10)

    _kop(doc, report)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(f"{report.title}\n{report.region.name.upper()}\n{report.period.upper()}")
    run.bold = True

    narrative = report.narrative
    doc.add_heading(CHAPTERS["foreword"], level=1)
    _paragraphs(doc, narrative["foreword"])

    doc.add_heading(CHAPTERS["intro"], level=1)
    for key, heading in INTRO_PARTS:
        doc.add_heading(heading, level=2)
        if key == "legal_basis":
            for i, item in enumerate(report.legal_basis_items, start=1):
                doc.add_paragraph(f"{i}. {item};")
        else:
            _paragraphs(doc, narrative[key])
    doc.add_heading(TEAM_HEADING, level=2)
    doc.add_paragraph(report.team_text)
    if report.team_members:
        _table(
            doc,
            ["No", "Kedudukan", "Nama", "Jabatan", "OPD"],
            [
                [str(i), str(m.get_role_display()), m.name, m.position, m.agency.name if m.agency else "–"]
                for i, m in enumerate(report.team_members, start=1)
            ],
        )

    doc.add_heading(CHAPTERS["affairs"], level=1)
    doc.add_paragraph(
        f"Indeks Pencapaian SPM (IP-SPM) {report.region.name} {report.period_in_sentence}: {desimal(report.index)}, "
        f"status {report.status_label}. Alokasi anggaran SPM {rupiah(report.budget_allocated)}, "
        f"realisasi {rupiah(report.budget_realised)}."
    )
    for s in report.affairs:
        doc.add_heading(s.heading, level=2)
        if not s.has_data:
            doc.add_paragraph(f"{NO_DATA}: belum ada capaian yang disetujui untuk urusan ini pada periode laporan.")
        lines = s.services
        doc.add_heading(AFFAIR_PARTS[0], level=3)
        _table(
            doc,
            ["No", "Kode", "Jenis pelayanan dasar"],
            [[str(i), ln.service.code, ln.service.name] for i, ln in enumerate(lines, 1)],
        )
        doc.add_heading(AFFAIR_PARTS[1], level=3)
        _table(
            doc,
            ["No", "Jenis pelayanan dasar", "Jumlah yang harus dilayani", "Mutu yang harus dipenuhi"],
            [
                [str(i), ln.service.name, NO_DATA]
                if ln.must_serve is None and ln.quality_required is None
                else [str(i), ln.service.name, ribuan(ln.must_serve), ribuan(ln.quality_required)]
                for i, ln in enumerate(lines, 1)
            ],
        )
        doc.add_heading(AFFAIR_PARTS[2], level=3)
        _table(
            doc,
            [
                "No",
                "Jenis pelayanan dasar",
                "Terlayani",
                "% penerima",
                "Mutu terpenuhi",
                "% mutu",
                "Nilai",
                "Status capaian",
            ],
            [
                [
                    str(i),
                    ln.service.name,
                    ribuan(ln.served),
                    desimal(ln.recipient_pct),
                    ribuan(ln.quality_met),
                    desimal(ln.quality_pct),
                    desimal(ln.index),
                    ln.status_label,
                ]
                if ln.has_data
                else [str(i), ln.service.name, NO_DATA]
                for i, ln in enumerate(lines, 1)
            ],
        )
        doc.add_heading(AFFAIR_PARTS[3], level=3)
        _table(
            doc,
            ["No", "Jenis pelayanan dasar", "Alokasi (Rp)", "Realisasi (Rp)", "% realisasi"],
            [
                [
                    str(i),
                    ln.service.name,
                    ribuan(ln.budget_allocated),
                    ribuan(ln.budget_realised),
                    desimal(ln.budget_pct),
                ]
                if ln.has_data
                else [str(i), ln.service.name, NO_DATA]
                for i, ln in enumerate(lines, 1)
            ],
        )
        doc.add_heading(AFFAIR_PARTS[4], level=3)
        _table(
            doc,
            ["No", "Jenis pelayanan dasar", "Personel yang harus dipenuhi", "Personel terpenuhi"],
            [
                [str(i), ln.service.name, ribuan(ln.personnel_required), ribuan(ln.personnel_met)]
                if ln.personnel_required is not None
                else [str(i), ln.service.name, NO_DATA]
                for i, ln in enumerate(lines, 1)
            ],
        )
        doc.add_heading(AFFAIR_PARTS[5], level=3)
        _table(
            doc,
            ["No", "Jenis pelayanan dasar", "Permasalahan", "Solusi"],
            [
                [str(i), ln.service.name, ln.problems or "—", ln.solutions or "—"]
                if ln.problems or ln.solutions
                else [str(i), ln.service.name, NO_DATA]
                for i, ln in enumerate(lines, 1)
            ],
        )
    doc.add_heading(report.stages_heading, level=2)
    _table(doc, ["Tahapan", "Keadaan (jumlah jenis pelayanan dasar)"], [[st.label, st.text()] for st in report.stages])

    doc.add_heading(CHAPTERS["programs"], level=1)
    if report.plan:
        rows = []
        for group in report.programs:
            for item, y in group.items:
                program = "\n".join(
                    f"{code} {name}".strip()
                    for code, name in (
                        (item.program_code, item.program_name),
                        (item.activity_code, item.activity_name),
                        (item.sub_activity_code, item.sub_activity_name),
                    )
                    if code or name
                )
                rows.append(
                    [
                        group.affair.name,
                        item.service.name,
                        item.agency.name,
                        program or "—",
                        ribuan(y.target_citizens if y else None),
                        ribuan(y.cost if y else None),
                    ]
                )
        _table(
            doc,
            [
                "Urusan",
                "Jenis pelayanan dasar",
                "OPD",
                "Program / kegiatan / sub kegiatan",
                "Target warga",
                "Kebutuhan biaya (Rp)",
            ],
            rows,
        )
    else:
        doc.add_paragraph(f"{NO_DATA}: belum ada rencana aksi penerapan SPM yang mencakup tahun {report.edition.year}.")

    doc.add_heading(CHAPTERS["closing"], level=1)
    _paragraphs(doc, narrative["conclusion"])
    _signature(doc, report)

    annex = doc.add_section()
    annex.orientation = WD_ORIENT.LANDSCAPE
    annex.page_width, annex.page_height = Mm(height), Mm(width)
    doc.add_heading(f"{CHAPTERS['annex']}: REKAPITULASI CAPAIAN PER JENIS PELAYANAN DASAR", level=1)
    _table(
        doc,
        [
            "Kode",
            "Jenis pelayanan dasar",
            "Harus dilayani",
            "Terlayani",
            "% penerima",
            "% mutu",
            "Nilai",
            "Status",
            "Alokasi (Rp)",
            "Realisasi (Rp)",
        ],
        [
            [
                ln.service.code,
                ln.service.name,
                ribuan(ln.must_serve),
                ribuan(ln.served),
                desimal(ln.recipient_pct),
                desimal(ln.quality_pct),
                desimal(ln.index),
                ln.status_label,
                ribuan(ln.budget_allocated),
                ribuan(ln.budget_realised),
            ]
            if ln.has_data
            else [ln.service.code, ln.service.name, NO_DATA]
            for ln in report.lines
        ],
    )
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
