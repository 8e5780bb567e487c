"""Reading uploaded xlsx workbooks for imports: file checks, then a streaming row reader on python-calamine.

python-calamine reads a worksheet into memory whole (about 900 MB for a million rows of ten columns), so a
large sheet is read in slices: the sheet's XML is streamed out of the zip, cut at ``</row>`` boundaries,
and each slice is wrapped in a minimal workbook that calamine reads on its own. Shared strings of such a
slice are written inline (``t="inlineStr"``) from an index of ``xl/sharedStrings.xml`` kept on disk, so no
slice carries the whole string table. Small sheets are read by calamine directly. Either way a row comes
out as calamine gives it (str, float, date, datetime, bool; ``""`` for an empty cell), with its Excel row
number, so the two paths are interchangeable (``tests/reporting/test_spreadsheet.py`` holds them equal).

Messages of :class:`SpreadsheetError` are in Bahasa Indonesia and safe to show: they never quote cells.
"""

from __future__ import annotations

import io
import mmap
import re
import tempfile
import zipfile
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO

from python_calamine import CalamineError, CalamineWorkbook

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: Excel 97-2003 or an encrypted OOXML package
ZIP_MAGIC = b"PK\x03\x04"
READ_BLOCK = 1024 * 1024
# Sheets whose XML is at most this big are read by calamine in one go (well under 300 MB of memory).
DIRECT_MAX_BYTES = 64 * 1024 * 1024
SLICE_BYTES = 1024 * 1024
# A sheet whose XML unpacks to more than this is refused before reading (a zip bomb, or far beyond any row
# limit: a million rows of the template take about 600 MB).
MAX_SHEET_XML_BYTES = 2 * 1024 * 1024 * 1024

Row = list  # cell values as python-calamine returns them, from column A


class SpreadsheetError(Exception):
    """A file that cannot be read as an xlsx workbook; the message says why, in Bahasa Indonesia."""


NOT_XLSX = "Berkas bukan berkas Excel .xlsx. Simpan data dengan Excel (File > Simpan Sebagai > Buku Kerja Excel .xlsx)."
PROTECTED = (
    "Berkas dilindungi kata sandi (terenkripsi) atau berformat Excel 97-2003 (.xls), sehingga tidak dapat dibaca. "
    "Buka berkas di Excel, hapus kata sandinya (File > Info > Lindungi Buku Kerja > Enkripsi dengan Kata Sandi, "
    "kosongkan), lalu simpan sebagai Buku Kerja Excel (.xlsx)."
)
CORRUPT = "Berkas xlsx rusak atau tidak lengkap dan tidak dapat dibuka. Unduh ulang atau simpan ulang dari Excel."


# --- the package ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class XlsxLayout:
    """Where the parts of a workbook are: the first worksheet, shared strings and styles."""

    sheet_path: str
    sheet_size: int  # uncompressed bytes of the sheet XML
    shared_strings_path: str | None
    shared_strings_size: int
    styles_path: str | None
    date1904: bool


_ATTR = rb"""\s+(?:[\w.-]+:)?%s\s*=\s*["']([^"']*)["']"""
_SHEET_TAG = re.compile(rb"<(?:[\w.-]+:)?sheet\b[^>]*>", re.S)
_REL_TAG = re.compile(rb"<(?:[\w.-]+:)?Relationship\b[^>]*>", re.S)


def _attr(tag: bytes, name: bytes) -> str | None:
    match = re.search(_ATTR % re.escape(name), tag)
    return match[1].decode("utf-8", "replace") if match else None


def _member(names: dict[str, str], path: str) -> str | None:
    """The zip member for a part path, compared case-insensitively as calamine does."""
    return names.get(path.lower())


def check_signature(head: bytes) -> None:
    """Refuse what is plainly not an xlsx from its first bytes."""
    if head.startswith(OLE_MAGIC):
        raise SpreadsheetError(PROTECTED)
    if not head.startswith(ZIP_MAGIC):
        raise SpreadsheetError(NOT_XLSX)


def inspect(file: str | Path | BinaryIO) -> XlsxLayout:
    """Check an uploaded file is a readable xlsx workbook and find its first worksheet.

    Raises :class:`SpreadsheetError` for an encrypted or Excel 97-2003 file, a file that is not a zip
    package, a corrupt package, or a package without a worksheet.
    """
    if isinstance(file, str | Path):
        with open(file, "rb") as handle:
            return inspect(handle)
    file.seek(0)
    check_signature(file.read(8))
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            return _layout(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, KeyError, ValueError) as exc:
        raise SpreadsheetError(CORRUPT) from exc
    finally:
        file.seek(0)


def _layout(archive: zipfile.ZipFile) -> XlsxLayout:
    names = {info.filename.lower(): info.filename for info in archive.infolist()}
    workbook_name = _member(names, "xl/workbook.xml")
    rels_name = _member(names, "xl/_rels/workbook.xml.rels")
    if workbook_name is None or rels_name is None:
        if _member(names, "[content_types].xml") and any(n.startswith("encryptedpackage") for n in names):
            raise SpreadsheetError(PROTECTED)
        raise SpreadsheetError(NOT_XLSX)
    workbook = archive.read(workbook_name)
    relations = {}
    for tag in _REL_TAG.findall(archive.read(rels_name)):
        rel_id, target = _attr(tag, b"Id"), _attr(tag, b"Target")
        if rel_id and target:
            relations[rel_id] = target
    sheet_path = None
    for tag in _SHEET_TAG.findall(workbook.split(b"<sheets", 1)[-1]):
        target = relations.get(_attr(tag, b"id") or "")
        if target is not None:
            target = target.lstrip("/")
            sheet_path = target if target.startswith("xl/") else str(PurePosixPath("xl") / target)
            break
    if sheet_path is None:
        raise SpreadsheetError("Buku kerja tidak memiliki lembar kerja (sheet).")
    if "/worksheets/" not in sheet_path:
        raise SpreadsheetError("Lembar pertama buku kerja bukan lembar data; letakkan data pada lembar pertama.")
    sheet_name = _member(names, sheet_path)
    if sheet_name is None:
        raise SpreadsheetError(CORRUPT)
    if archive.getinfo(sheet_name).file_size > MAX_SHEET_XML_BYTES:
        raise SpreadsheetError(
            "Isi lembar kerja terlalu besar untuk diimpor. Pecah data menjadi beberapa berkas dan impor dengan "
            "cara Tambah."
        )
    workbook_pr = re.search(rb"<(?:[\w.-]+:)?workbookPr\b[^>]*>", workbook)
    date1904 = bool(workbook_pr and (_attr(workbook_pr[0], b"date1904") or "").lower() in ("1", "true"))
    strings_name = _member(names, "xl/sharedStrings.xml")
    return XlsxLayout(
        sheet_path=sheet_name,
        sheet_size=archive.getinfo(sheet_name).file_size,
        shared_strings_path=strings_name,
        shared_strings_size=archive.getinfo(strings_name).file_size if strings_name else 0,
        styles_path=_member(names, "xl/styles.xml"),
        date1904=date1904,
    )


# --- rows ----------------------------------------------------------------------------------------------


def _calamine_rows(workbook: CalamineWorkbook, *, whole: bool) -> Iterator[tuple[int, Row]]:
    """Rows of the first sheet with their Excel row numbers.

    python-calamine 0.9's ``iter_rows`` starts at row 1 (padding empty rows above the data) but at the
    first used column; ``to_python`` starts at the first used cell. A whole sheet usually starts at row 1,
    so it is iterated lazily; a slice starting at row 500,001 is materialised with ``to_python`` (it is
    small) so that half a million empty rows are not produced first.
    """
    sheet = workbook.get_sheet_by_index(0)
    start = sheet.start
    if start is None:
        return
    first_row, first_column = start
    padding = [""] * first_column
    if whole:
        rows, number = sheet.iter_rows(), 1
    else:
        rows, number = iter(sheet.to_python()), first_row + 1
    for values in rows:
        yield number, padding + values if first_column else values
        number += 1


def _load_malloc_trim():
    try:
        import ctypes

        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


_MALLOC_TRIM = _load_malloc_trim()


def _release_heap() -> None:
    """Give the memory freed by a slice back to the system (glibc keeps freed heap pages otherwise, and the
    slices' buffers would add up in a worker's resident memory)."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def _calamine_error(exc: Exception) -> SpreadsheetError:
    if "password" in str(exc).lower():
        return SpreadsheetError(PROTECTED)
    return SpreadsheetError(CORRUPT)


class XlsxReader:
    """Rows of the first worksheet of an xlsx file, as ``(excel_row_number, values)``.

    ``direct_max_bytes``: sheets with at most this much XML are read by calamine in one go; bigger ones in
    slices of about ``slice_bytes`` of XML.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        direct_max_bytes: int = DIRECT_MAX_BYTES,
        slice_bytes: int = SLICE_BYTES,
    ) -> None:
        self.path = Path(path)
        self.layout = inspect(self.path)
        self.direct_max_bytes = direct_max_bytes
        self.slice_bytes = slice_bytes

    @property
    def sliced(self) -> bool:
        return self.layout.sheet_size + 2 * self.layout.shared_strings_size > self.direct_max_bytes

    def rows(self) -> Iterator[tuple[int, Row]]:
        """Every row calamine finds, from the first non-empty one (the header) on."""
        if not self.sliced:
            try:
                with CalamineWorkbook.from_path(str(self.path)) as workbook:
                    yield from _calamine_rows(workbook, whole=True)
            except CalamineError as exc:
                raise _calamine_error(exc) from exc
            return
        yield from self._sliced_rows()

    def head_rows(self) -> Iterator[tuple[int, Row]]:
        """The rows from the top, reading the sheet in small slices: stop iterating once the header and a
        first data row are found, and only the start of the file has been read."""
        return self._sliced_rows(slice_bytes=256 * 1024)

    def count_rows(self) -> int:
        """Rows that hold at least one cell, counted in the XML without parsing it (an upper bound of the
        data rows: a row of empty formatted cells counts too)."""
        total = 0
        with zipfile.ZipFile(self.path) as archive, archive.open(self.layout.sheet_path) as stream:
            data = b""
            closing = None
            while closing is None:
                block = stream.read(READ_BLOCK)
                data += block
                match = _SHEET_DATA_START.search(data)
                if match is not None:
                    closing = b"</" + (match[1] or b"") + b"row>"
                    data = data[match.end() :]
                elif not block:
                    return 0
            while True:
                total += data.count(closing)
                # keep fewer bytes than the tag, so a tag cut by the block boundary is counted once
                carry = data[-(len(closing) - 1) :]
                block = stream.read(READ_BLOCK)
                if not block:
                    return total
                data = carry + block

    def _sliced_rows(self, slice_bytes: int | None = None) -> Iterator[tuple[int, Row]]:
        slice_bytes = slice_bytes or self.slice_bytes
        with zipfile.ZipFile(self.path) as archive:
            styles = archive.read(self.layout.styles_path) if self.layout.styles_path else None
            strings: _SharedStrings | None = None
            try:
                with archive.open(self.layout.sheet_path) as stream:
                    for head, body, tail in _sheet_slices(stream, slice_bytes):
                        if _SHARED_CELL.search(body):
                            if strings is None:
                                if not self.layout.shared_strings_path:
                                    raise SpreadsheetError(CORRUPT)
                                strings = _SharedStrings(archive, self.layout.shared_strings_path)
                            body = _inline_shared_strings(body, strings)
                            strings.release()
                        package = _package(head + body + tail, styles, self.layout.date1904)
                        try:
                            with CalamineWorkbook.from_filelike(package) as workbook:
                                yield from _calamine_rows(workbook, whole=False)
                        except CalamineError as exc:
                            raise _calamine_error(exc) from exc
                        del package, body
                        _release_heap()
            finally:
                if strings is not None:
                    strings.close()


_SHEET_DATA_START = re.compile(rb"<([\w.-]+:)?sheetData\b[^>]*?(/?)>")
# a cell holding a shared string: <c r="A2" s="3" t="s"><v>17</v></c> (attributes in any order)
_SHARED_CELL = re.compile(
    rb"""(<(?:[\w.-]+:)?c\b[^>]*?)\bt\s*=\s*["']s["']([^>]*>)\s*<(?:[\w.-]+:)?v>\s*(\d+)\s*</(?:[\w.-]+:)?v>"""
)


def _inline_shared_strings(body: bytes, strings: _SharedStrings) -> bytes:
    """Write every shared-string cell of a slice as an inline string holding the same runs."""

    def inline(match: re.Match) -> bytes:
        return match[1] + b't="inlineStr"' + match[2] + b"<is>" + strings.inner(int(match[3])) + b"</is>"

    return _SHARED_CELL.sub(inline, body)


def _sheet_slices(stream: IO[bytes], slice_bytes: int) -> Iterator[tuple[bytes, bytes, bytes]]:
    """Cut a worksheet's XML into ``(head, rows, tail)`` slices, each a well-formed worksheet when joined:
    the original start of the sheet up to ``<sheetData>``, whole ``<row>`` elements, then the closing tags."""
    buffer = b""
    head = closing = end_tag = tail = b""
    while True:
        block = stream.read(READ_BLOCK)
        buffer += block
        if not head:
            match = _SHEET_DATA_START.search(buffer)
            if match is None:
                if not block:
                    return
                if len(buffer) > 64 * READ_BLOCK:
                    raise SpreadsheetError(CORRUPT)
                continue
            if match[2]:  # <sheetData/>: the sheet has no rows
                return
            prefix = match[1] or b""
            head, buffer = buffer[: match.end()], buffer[match.end() :]
            closing = b"</" + prefix + b"row>"
            end_tag = b"</" + prefix + b"sheetData>"
            tail = end_tag + b"</" + prefix + b"worksheet>"
        end = buffer.find(end_tag)
        if end >= 0:
            buffer = buffer[:end]
        elif not block:
            raise SpreadsheetError(CORRUPT)  # the XML stops inside <sheetData>
        while len(buffer) >= slice_bytes:
            cut = buffer.rfind(closing, 0, slice_bytes)
            if cut < 0:
                cut = buffer.find(closing, slice_bytes)  # a single row bigger than a slice
                if cut < 0:
                    break
            cut += len(closing)
            yield head, _numbered(buffer[:cut]), tail
            buffer = buffer[cut:]
        if end >= 0:
            if buffer.strip():
                yield head, _numbered(buffer), tail
            return


_ROW_TAG = re.compile(rb"<(?:[\w.-]+:)?row\b[^>]*>")
_R_ATTRIBUTE = re.compile(rb"""\sr\s*=\s*["']\d+["']""")


def _numbered(body: bytes) -> bytes:
    """A slice keeps its row numbers only if rows carry them (every common writer does)."""
    first = _ROW_TAG.search(body)
    if first is not None and _R_ATTRIBUTE.search(first[0]) is None:
        raise SpreadsheetError("Baris pada lembar kerja tidak bernomor; buka berkas di Excel lalu simpan ulang.")
    return body


_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b"</Types>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<workbookPr{date1904}/><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    b'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    b'Target="worksheets/sheet1.xml"/></Relationships>'
)


def _package(sheet_xml: bytes, styles: bytes | None, date1904: bool) -> io.BytesIO:
    """A minimal in-memory workbook around one slice of the sheet (stored, not compressed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as package:
        package.writestr("[Content_Types].xml", _CONTENT_TYPES)
        package.writestr("_rels/.rels", _ROOT_RELS)
        package.writestr("xl/workbook.xml", _WORKBOOK.format(date1904=' date1904="1"' if date1904 else ""))
        package.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        if styles is not None:
            package.writestr("xl/styles.xml", styles)
        package.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    buffer.seek(0)
    return buffer


_SI_START = re.compile(rb"<(?:[\w.-]+:)?si\b[^>]*?(/?)>")
_SST_END = re.compile(rb"</(?:[\w.-]+:)?sst>")


class _SharedStrings:
    """``xl/sharedStrings.xml`` copied to a temporary file as it is needed, with the offset of every ``<si>``
    entry, so an entry's inner XML is a slice of a memory map: 8 bytes of index per string instead of a
    Python str. Entries are indexed only as far as the sheet refers to them."""

    def __init__(self, archive: zipfile.ZipFile, member: str) -> None:
        self._stream = archive.open(member)
        self._file = tempfile.TemporaryFile(prefix="espm-sst-")  # noqa: SIM115 - closed by close()
        self._starts = array("Q")
        self._empty: set[int] = set()
        self._position = 0  # file offset of self._carry
        self._carry = b""
        self._complete = False
        self._map: mmap.mmap | None = None

    def _read_more(self) -> None:
        block = self._stream.read(READ_BLOCK)
        if not block:
            self._complete = True
            self._file.flush()
            self._remap()
            end = _SST_END.search(self._map, self._starts[-1] if self._starts else 0) if self._map else None
            self._starts.append(end.start() if end else self._file.tell())
            return
        self._file.write(block)
        data = self._carry + block
        last = 0
        for match in _SI_START.finditer(data):
            if match[1]:
                self._empty.add(len(self._starts))
            self._starts.append(self._position + match.start())
            last = match.end()
        keep = max(last, len(data) - 256)  # a start tag cut by the block boundary is matched next round
        self._position += keep
        self._carry = data[keep:]

    def _remap(self) -> None:
        self._file.flush()
        size = self._file.tell()
        if size and (self._map is None or len(self._map) < size):
            if self._map is not None:
                self._map.close()
            self._map = mmap.mmap(self._file.fileno(), size, access=mmap.ACCESS_READ)

    def inner(self, index: int) -> bytes:
        """The content of entry ``index`` (its ``<t>`` or ``<r>`` runs), to be written as an inline string."""
        while len(self._starts) < index + 2 and not self._complete:
            self._read_more()
        if not 0 <= index < len(self._starts) - 1:
            raise SpreadsheetError(CORRUPT)
        if index in self._empty:
            return b"<t></t>"
        start, end = self._starts[index], self._starts[index + 1]
        if self._map is None or len(self._map) < end:
            self._remap()
        entry = self._map[start:end]  # type: ignore[index]
        return entry[entry.index(b">") + 1 : entry.rindex(b"</")]

    def release(self) -> None:
        """Drop the mapped pages from this process (they stay in the page cache): a mapped file counts in
        the resident memory of the worker as it is touched."""
        if self._map is not None:
            self._map.madvise(mmap.MADV_DONTNEED)

    def close(self) -> None:
        if self._map is not None:
            self._map.close()
        self._stream.close()
        self._file.close()
