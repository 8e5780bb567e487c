"""Writing xlsx files the way Excel saves them (shared strings, date cells as styled serial numbers), for the
import tests and the benchmark. openpyxl writes inline strings only, so it cannot produce such files.

Streaming: rows are written as they come, so a million-row file needs memory only for its string table.
"""

from __future__ import annotations

import datetime as dt
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
EPOCH = dt.date(1899, 12, 30)

SHEETML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{SHEETML}.sheet.main+xml"/>'
    "{sheets}"
    f'<Override PartName="/xl/styles.xml" ContentType="{SHEETML}.styles+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHEETML}.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
Target="xl/workbook.xml"/></Relationships>"""
# cellXfs: 0 general, 1 date (numFmt 14), 2 date-time (numFmt 22), 3 text (numFmt 49)
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{MAIN_NS}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>\
<fills count="2"><fill><patternFill patternType="none"/></fill>\
<fill><patternFill patternType="gray125"/></fill></fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


class _Strings:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.count = 0

    def ref(self, text: str) -> int:
        self.count += 1
        return self.index.setdefault(text, len(self.index))

    def xml(self) -> Iterable[str]:
        yield f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN_NS}" '
        yield f'count="{self.count}" uniqueCount="{len(self.index)}">'
        for text in self.index:
            space = ' xml:space="preserve"' if text != text.strip() else ""
            yield f"<si><t{space}>{escape(text)}</t></si>"
        yield "</sst>"


def _cell(reference: str, value: object, strings: _Strings | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{reference}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, dt.datetime):
        delta = value - dt.datetime(1899, 12, 30)
        return f'<c r="{reference}" s="2"><v>{delta.days + delta.seconds / 86400:.10g}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{reference}" s="1"><v>{(value - EPOCH).days}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{reference}"><v>{value!r}</v></c>'
    text = str(value)
    if strings is None:
        space = ' xml:space="preserve"' if text != text.strip() else ""
        return f'<c r="{reference}" t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'
    return f'<c r="{reference}" t="s"><v>{strings.ref(text)}</v></c>'


def _sheet_rows(rows: Iterable[Sequence[object]], strings: _Strings | None, first_row: int) -> Iterable[str]:
    letters = [column_letter(i) for i in range(64)]
    for number, row in enumerate(rows, start=first_row):
        cells = "".join(_cell(f"{letters[i]}{number}", value, strings) for i, value in enumerate(row))
        yield f'<row r="{number}">{cells}</row>' if cells else ""


def write_xlsx(
    target: str | Path | BinaryIO,
    rows: Iterable[Sequence[object]],
    *,
    shared_strings: bool = True,
    sheet_names: Sequence[str] = ("Data",),
    other_sheets: Sequence[Iterable[Sequence[object]]] = (),
    first_row: int = 1,
    date1904: bool = False,
    compresslevel: int = 6,
) -> None:
    """Write ``rows`` on the first sheet (then ``other_sheets``), strings shared as Excel does by default."""
    strings = _Strings() if shared_strings else None
    sheets = [rows, *other_sheets]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as archive:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="' + SHEETML + '.worksheet+xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(sheets=overrides))
        archive.writestr("_rels/.rels", ROOT_RELS)
        names = list(sheet_names) + [f"Sheet{i}" for i in range(len(sheet_names) + 1, len(sheets) + 1)]
        sheet_tags = "".join(
            f'<sheet name="{escape(names[i])}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i in range(len(sheets))
        )
        workbook_pr = '<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>"
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN_NS}" '
            f'xmlns:r="{REL_NS}">{workbook_pr}<sheets>{sheet_tags}</sheets></workbook>',
        )
        relations = "".join(
            f'<Relationship Id="rId{i + 1}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
            for i in range(len(sheets))
        )
        relations += f'<Relationship Id="rId{len(sheets) + 1}" Type="{REL_NS}/styles" Target="styles.xml"/>'
        if strings is not None:
            relations += (
                f'<Relationship Id="rId{len(sheets) + 2}" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
            )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{relations}'
            "</Relationships>",
        )
        archive.writestr("xl/styles.xml", STYLES)
        for i, sheet_rows in enumerate(sheets, start=1):
            with archive.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as stream:
                stream.write(
                    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN_NS}" '
                    f'xmlns:r="{REL_NS}"><sheetViews><sheetView workbookViewId="0"/></sheetViews>'
                    '<sheetFormatPr defaultRowHeight="15"/><sheetData>'.encode()
                )
                buffer: list[str] = []
                for row_xml in _sheet_rows(sheet_rows, strings, first_row if i == 1 else 1):
                    buffer.append(row_xml)
                    if len(buffer) >= 2000:
                        stream.write("".join(buffer).encode())
                        buffer.clear()
                stream.write("".join(buffer).encode())
                stream.write(
                    b'</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
                    b'header="0.3" footer="0.3"/></worksheet>'
                )
        if strings is not None:
            with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as stream:
                buffer = []
                for piece in strings.xml():
                    buffer.append(piece)
                    if len(buffer) >= 5000:
                        stream.write("".join(buffer).encode())
                        buffer.clear()
                stream.write("".join(buffer).encode())


class _RepeatingDeflate:
    """A raw-deflate compressor for ``zipfile`` that compresses each distinct block once: every call ends
    with a full flush (no back-references across calls), so the compressed bytes of a repeated block can be
    written again as they are. A gigabyte of repeated whitespace is packed in about a second."""

    def __init__(self) -> None:
        self._real = zlib.compressobj(6, zlib.DEFLATED, -15)
        self._known: dict[bytes, bytes] = {}

    def compress(self, data: bytes) -> bytes:
        packed = self._known.get(data)
        if packed is None:
            packed = self._real.compress(data) + self._real.flush(zlib.Z_FULL_FLUSH)
            if len(data) >= 65536:
                self._known[data] = packed
        return packed

    def flush(self) -> bytes:
        return self._real.flush()


def write_padded_xlsx(
    target: str | Path, rows: Sequence[Sequence[object]], *, padding_mb: int, compressed: bool = True
) -> None:
    """An xlsx whose sheet holds ``rows`` with ``padding_mb`` MB of whitespace inside ``<sheetData>`` after
    the first row, written in 1 MB blocks (never held in memory). Compressed, it is a zip bomb (about
    1000:1); stored, a large but honest file for timing the reader."""
    block = b" " * (1024 * 1024)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(sheets=""))
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN_NS}" '
            f'xmlns:r="{REL_NS}"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{REL_NS}/styles" Target="styles.xml"/></Relationships>',
        )
        archive.writestr("xl/styles.xml", STYLES)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as stream:
            if compressed:
                stream._compressor = _RepeatingDeflate()  # type: ignore[attr-defined]
            stream.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN_NS}"><sheetData>'.encode())
            rows_xml = list(_sheet_rows(rows, None, 1))
            stream.write(rows_xml[0].encode())
            for _ in range(padding_mb):
                stream.write(block)
            stream.write("".join(rows_xml[1:]).encode())
            stream.write(b"</sheetData></worksheet>")
