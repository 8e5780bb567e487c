"""Reading uploaded xlsx workbooks for imports: file checks, then a streaming row reader on python-calamine.

python-calamine reads a worksheet into memory whole (about 900 MB for a million rows of ten columns), so a
large sheet is read in slices: the sheet's XML is streamed out of the zip, cut at ``</row>`` boundaries,
and each slice is wrapped in a minimal workbook that calamine reads on its own. Such a slice carries its own
small shared-string table: the entries of ``xl/sharedStrings.xml`` it refers to, copied as they are from an
index of the table kept on disk, with the slice's cells renumbered to them. The whole table is never held in
memory, and no slice carries more of it than it uses. Small sheets are read by calamine directly; large ones
(``PROCESS_MIN_BYTES``) slice by slice in a reader process (:mod:`reporting.spreadsheet_process`), so an import
reads and checks its rows on two cores. Either way
a row comes out as calamine gives it (str, float, date, datetime, bool; ``""`` for an empty cell), with its
Excel row number, so the two paths are interchangeable (``tests/reporting/test_spreadsheet.py`` holds them
equal).

Before anything is parsed, the package is checked (``spm.zipcheck``: parts, unpacked size, compression
ratio, shared strings; on the direct path the parts calamine reads are unpacked once to catch lying sizes
and bad CRCs). Reading is linear in the size of the XML with bounded memory: the sheet is searched only
where new bytes arrived, whitespace between rows is dropped as it streams by, and a row bigger than
``MAX_ROW_BYTES`` is refused rather than buffered.

calamine gives a formula cell's cached result, never the formula. The reader finds formula cells itself
(the ``<f>`` child of a ``<c>`` element in the sheet XML) and yields their rows as :class:`FormulaRow`, with
the column indexes of the formulas, so an import can refuse them instead of trusting a cached value.

Messages of :class:`SpreadsheetError` are in Bahasa Indonesia and safe to show: they never quote cells.
"""

from __future__ import annotations

import io
import mmap
import operator
import os
import pickle
import re
import subprocess
import sys
import tempfile
import zipfile
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO

from python_calamine import CalamineError, CalamineWorkbook

from spm import zipcheck

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: Excel 97-2003 or an encrypted OOXML package
ZIP_MAGIC = b"PK\x03\x04"
READ_BLOCK = 1024 * 1024
# Sheets whose XML is at most this big are read by calamine in one go (well under 300 MB of memory).
DIRECT_MAX_BYTES = 64 * 1024 * 1024
SLICE_BYTES = 1024 * 1024
# Sheets whose XML is bigger than this (about 25,000 rows of the template) are read by a reader process while
# the import checks the rows (reporting.spreadsheet_process): two cores instead of one. Below it, starting the
# process costs more than it saves.
PROCESS_MIN_BYTES = 8 * 1024 * 1024
# A sheet whose XML unpacks to more than this is refused before reading (a zip bomb, or far beyond any row
# limit: a million rows of the template take about 600 MB).
MAX_SHEET_XML_BYTES = 2 * 1024 * 1024 * 1024
# One row of the template is a few hundred bytes; a row this big is a broken or hostile file, and it would
# have to be held in memory whole.
MAX_ROW_BYTES = 32 * 1024 * 1024
# The start of a sheet (up to <sheetData>) is repeated in every slice.
MAX_HEAD_BYTES = 4 * 1024 * 1024

Row = list  # cell values as python-calamine returns them, from column A


class FormulaRow(list):
    """A row in which some cells hold formulas: ``formula_columns`` are their indexes (from column A). The
    values at those indexes are calamine's cached results, which an import must not take as typed data."""

    __slots__ = ("formula_columns",)

    def __init__(self, values, formula_columns: tuple[int, ...]) -> None:
        super().__init__(values)
        self.formula_columns = formula_columns


class SpreadsheetError(Exception):
    """A file that cannot be read as an xlsx workbook; the message says why, in Bahasa Indonesia."""


NOT_XLSX = "Berkas bukan berkas Excel .xlsx. Simpan data dengan Excel (File > Simpan Sebagai > Buku Kerja Excel .xlsx)."
PROTECTED = (
    "Berkas dilindungi kata sandi (terenkripsi) atau berformat Excel 97-2003 (.xls), sehingga tidak dapat dibaca. "
    "Buka berkas di Excel, hapus kata sandinya (File > Info > Lindungi Buku Kerja > Enkripsi dengan Kata Sandi, "
    "kosongkan), lalu simpan sebagai Buku Kerja Excel (.xlsx)."
)
CORRUPT = zipcheck.CORRUPT
ROW_TOO_BIG = (
    "Satu baris pada lembar kerja terlalu besar untuk dibaca (lebih dari 32 MB). Buka berkas di Excel, "
    "periksa isinya, lalu simpan ulang."
)
FORMULA_WITHOUT_ADDRESS = (
    "Lembar kerja berisi rumus (formula) pada sel tanpa alamat. Salin data lalu Tempel Khusus > Nilai, "
    "kemudian simpan ulang."
)


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
    parts: tuple[str, ...] = ()  # the parts calamine reads on the direct path (workbook, relations)


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
        zipcheck.check_package(file)
        with zipfile.ZipFile(file) as archive:
            return _layout(archive)
    except zipcheck.PackageError as exc:
        raise SpreadsheetError(str(exc)) from exc
    except (*zipcheck.ZIP_ERRORS, KeyError) as exc:
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
        parts=(workbook_name, rels_name),
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


# Slices between two returns of freed heap to the system. Returning it after every slice kept the peak 6 MB
# lower on a 1M-row file but cost a quarter of the reading time (the next slice faults the pages back in).
RELEASE_EVERY_SLICES = 8


def _release_heap() -> None:
    """Give the memory freed by the slices back to the system (glibc keeps freed heap pages otherwise, and
    the slices' buffers would add up in a worker's resident memory)."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def _calamine_error(exc: Exception) -> SpreadsheetError:
    if "password" in str(exc).lower():
        return SpreadsheetError(PROTECTED)
    return SpreadsheetError(CORRUPT)


class XlsxReader:
    """Rows of the first worksheet of an xlsx file, as ``(excel_row_number, values)``; a row holding a
    formula comes as a :class:`FormulaRow`.

    ``direct_max_bytes``: sheets with at most this much XML are read by calamine in one go; bigger ones in
    slices of about ``slice_bytes`` of XML. A sheet of more than ``process_min_bytes`` of XML is read in
    slices by a reader process (:mod:`reporting.spreadsheet_process`) unless ``in_process``; the rows are the
    same either way.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        direct_max_bytes: int = DIRECT_MAX_BYTES,
        slice_bytes: int = SLICE_BYTES,
        process_min_bytes: int | None = None,
        in_process: bool = False,
    ) -> None:
        self.path = Path(path)
        self.layout = inspect(self.path)
        self.direct_max_bytes = direct_max_bytes
        self.slice_bytes = slice_bytes
        self.process_min_bytes = PROCESS_MIN_BYTES if process_min_bytes is None else process_min_bytes
        self.in_process = in_process

    @property
    def in_reader_process(self) -> bool:
        return not self.in_process and self.layout.sheet_size > self.process_min_bytes

    @property
    def sliced(self) -> bool:
        return self.layout.sheet_size + 2 * self.layout.shared_strings_size > self.direct_max_bytes

    def rows(self) -> Iterator[tuple[int, Row]]:
        """Every row calamine finds, from the first non-empty one (the header) on."""
        try:
            if self.in_reader_process:
                yield from _rows_from_process(self.path, self.slice_bytes)
            elif self.sliced:
                yield from self._sliced_rows()
            else:
                yield from self._direct_rows()
        except zipcheck.ZIP_ERRORS as exc:  # a part's data does not match its directory entry (CRC, size)
            raise SpreadsheetError(CORRUPT) from exc

    def _direct_rows(self) -> Iterator[tuple[int, Row]]:
        layout = self.layout
        with zipfile.ZipFile(self.path) as archive:
            # calamine trusts the sizes in the directory: unpack what it will read once, bounded, first.
            try:
                zipcheck.verify_parts(archive, (*layout.parts, layout.shared_strings_path, layout.styles_path))
            except zipcheck.PackageError as exc:
                raise SpreadsheetError(str(exc)) from exc
            formulas = _formula_positions(archive, layout.sheet_path)
        try:
            with CalamineWorkbook.from_path(str(self.path)) as workbook:
                yield from _marked(_calamine_rows(workbook, whole=True), formulas)
        except CalamineError as exc:
            raise _calamine_error(exc) from exc

    def head_rows(self) -> Iterator[tuple[int, Row]]:
        """The rows from the top, reading the sheet in small slices: stop iterating once the header and a
        first data row are found, and only the start of the file has been read."""
        try:
            yield from self._sliced_rows(slice_bytes=256 * 1024)
        except zipcheck.ZIP_ERRORS as exc:
            raise SpreadsheetError(CORRUPT) from exc

    def count_rows(self) -> int:
        """Rows that hold at least one cell, counted in the XML without parsing it (an upper bound of the
        data rows: a row of empty formatted cells counts too). Reads the whole sheet, so a part whose data
        does not match its directory entry is found here, at upload."""
        total = 0
        try:
            with zipfile.ZipFile(self.path) as archive, archive.open(self.layout.sheet_path) as stream:
                data, read = b"", 0
                while True:
                    block = stream.read(READ_BLOCK)
                    read += len(block)
                    data = data[-1024:] + block  # a tag cut by the block boundary is found next time
                    match = _SHEET_DATA_START.search(data)
                    if match is not None:
                        break
                    if not block:
                        return 0
                    if read > HEAD_SEARCH_BYTES:
                        raise SpreadsheetError(CORRUPT)
                closing = b"</" + (match[1] or b"") + b"row>"
                data = data[match.end() :]
                while True:
                    total += data.count(closing)
                    # keep fewer bytes than the tag, so a tag cut by the block boundary is counted once
                    carry = data[-(len(closing) - 1) :]
                    block = stream.read(READ_BLOCK)
                    if not block:
                        return total
                    data = carry + block
        except zipcheck.ZIP_ERRORS as exc:
            raise SpreadsheetError(CORRUPT) from exc

    def sliced_rows(self) -> Iterator[tuple[int, Row]]:
        """The rows read slice by slice in this process (what the reader process runs)."""
        return self._sliced_rows()

    def _sliced_rows(self, slice_bytes: int | None = None) -> Iterator[tuple[int, Row]]:
        slice_bytes = slice_bytes or self.slice_bytes
        with zipfile.ZipFile(self.path) as archive:
            styles = archive.read(self.layout.styles_path) if self.layout.styles_path else None
            strings: _SharedStrings | None = None
            try:
                with archive.open(self.layout.sheet_path) as stream:
                    for number, (head, body, tail) in enumerate(_sheet_slices(stream, slice_bytes), 1):
                        formulas = _formula_cells(body, _prefix_of(tail))
                        table = None
                        parts = _split_shared_cells(body)
                        if len(parts) > 1:
                            if strings is None:
                                if not self.layout.shared_strings_path:
                                    raise SpreadsheetError(CORRUPT)
                                strings = _SharedStrings(archive, self.layout.shared_strings_path)
                            body, table = _local_shared_strings(parts, strings)
                            strings.release()
                        package = _package(head + body + tail, styles, self.layout.date1904, table)
                        try:
                            with CalamineWorkbook.from_filelike(package) as workbook:
                                yield from _marked(_calamine_rows(workbook, whole=False), formulas)
                        except CalamineError as exc:
                            raise _calamine_error(exc) from exc
                        del package, body, parts, table
                        if number % RELEASE_EVERY_SLICES == 0:
                            _release_heap()
            finally:
                if strings is not None:
                    strings.close()


_PROJECT_ROOT = str(Path(__file__).resolve().parents[1])
# The peak resident memory (MB) of the last reader process that finished in this process: for the benchmark,
# which counts the import's memory as both processes' (a child's ru_maxrss would report the parent's, as the
# child was forked from it before it started the reader).
last_reader_peak_rss_mb = 0.0


def _rows_from_process(path: Path, slice_bytes: int) -> Iterator[tuple[int, Row]]:
    """The rows of a large sheet as a reader process sends them (see :mod:`reporting.spreadsheet_process`).

    The process is stopped when the caller stops iterating (a cancelled import, an error) and whenever this
    generator ends; its standard error is discarded, as nothing it says may reach a log."""
    from reporting.spreadsheet_process import FRAME_HEADER

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [_PROJECT_ROOT, os.environ.get("PYTHONPATH")]))}
    process = subprocess.Popen(  # noqa: S603 - our own module, arguments not from the user
        [sys.executable, "-m", "reporting.spreadsheet_process", str(path), str(slice_bytes)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=_PROJECT_ROOT,
        env=env,
    )
    stream = process.stdout
    assert stream is not None
    try:
        while True:
            header = stream.read(FRAME_HEADER.size)
            if len(header) < FRAME_HEADER.size:
                raise RuntimeError(f"the sheet reader process stopped without finishing (exit {process.wait()})")
            (size,) = FRAME_HEADER.unpack(header)
            payload = stream.read(size)
            if len(payload) < size:
                raise RuntimeError(f"the sheet reader process stopped mid-frame (exit {process.wait()})")
            kind, content = pickle.loads(payload)  # noqa: S301 - our own child process, over its own pipe
            del payload
            if kind == "rows":
                yield from content
            elif kind == "end":
                global last_reader_peak_rss_mb  # noqa: PLW0603 - a diagnostic figure, see above
                last_reader_peak_rss_mb = content / 1024
                return
            elif kind == "error":
                raise SpreadsheetError(content)
            else:
                raise RuntimeError(f"the sheet reader process failed ({content})")
    finally:
        if process.poll() is None:
            process.kill()
        stream.close()
        process.wait()


def _marked(rows: Iterator[tuple[int, Row]], formulas) -> Iterator[tuple[int, Row]]:
    """Rows with those holding a formula as :class:`FormulaRow`; ``formulas`` holds ``row << 16 | column``
    of every formula cell, in sheet order."""
    if not len(formulas):
        yield from rows
        return
    index, count = 0, len(formulas)
    for number, values in rows:
        if index < count and formulas[index] >> 16 <= number:
            index = bisect_left(formulas, number << 16, index)
            end = bisect_left(formulas, (number + 1) << 16, index)
            if end > index:
                columns = tuple(sorted({position & 0xFFFF for position in formulas[index:end]}))
                values = FormulaRow(values, columns)
                index = end
        yield number, values


_SHEET_DATA_START = re.compile(rb"<([\w.-]+:)?sheetData\b[^>]*?(/?)>")
# a cell holding a shared string: <c r="A2" s="3" t="s"><v>17</v></c> (attributes in any order, any spelling)
# split by it, a slice is [text, cell start up to <v>, index, text, …]
_SHARED_CELL = re.compile(
    rb"""(<(?:[\w.-]+:)?c\b[^>]*?\bt\s*=\s*["']s["'][^>]*>\s*<(?:[\w.-]+:)?v>)\s*(\d+)\s*(?=</(?:[\w.-]+:)?v>)"""
)


# A shared-string cell as Excel, openpyxl and most writers spell it: … t="s"><v>17</v>, split the same way
# (its literal start makes the search about three times faster). A start tag directly followed by <v> is a
# cell's (<v> is a cell's value).
_PLAIN_SHARED_CELL = re.compile(rb'( t="s"><v>)([0-9]+)(?=</v>)')
_OTHER_SHARED_TYPE = re.compile(rb"""=(?:\s+["']s["']|'s["']|"s')""")


def _split_shared_cells(body: bytes) -> list[bytes]:
    """A slice split by its shared-string cells: ``[text, cell start up to <v>, index, text, …]``, so the
    indexes are every third item from 2 and joining the items gives the slice back.

    The plain spelling is used when it provably finds every cell the general pattern finds: each of those
    holds one ``="s"`` (or a spelling with other quotes or spaces), so with no other spelling in the slice
    and as many ``="s"`` as plain cells, there is no other cell."""
    parts = _PLAIN_SHARED_CELL.split(body)
    if len(parts) // 3 != body.count(b'="s"') or _OTHER_SHARED_TYPE.search(body):
        parts = _SHARED_CELL.split(body)
    return parts


_NUMBERS: list[bytes] = []  # b"0", b"1", …: the local indexes, made once


def _local_numbers(count: int) -> list[bytes]:
    if len(_NUMBERS) < count:
        _NUMBERS.extend(b"%d" % number for number in range(len(_NUMBERS), count))
    return _NUMBERS


def _local_shared_strings(parts: list[bytes], strings: _SharedStrings) -> tuple[bytes, bytes]:
    """A slice (split by :func:`_split_shared_cells`) renumbered to a shared-string table of only the entries
    it uses, and that table. The entries are copied from the file's table as they are (rich text, phonetic
    runs, spacing), so calamine reads each cell exactly as it reads it in the whole sheet.

    Linear in the slice, and done by C code but for a step per run of consecutive entries: the local table
    keeps the file's order, and since Excel numbers strings by first use, the strings a slice brings in are
    one run. ("017" and "17" are two keys of one entry, each with its own copy: harmless.)"""
    indexes = parts[2::3]
    ordered = sorted(dict.fromkeys(indexes), key=int)
    local = dict(zip(ordered, _local_numbers(len(ordered))))  # noqa: B905 - the numbers list is longer
    parts[2::3] = map(local.__getitem__, indexes)
    return b"".join(parts), strings.table(list(map(int, ordered)))


def _sheet_slices(
    stream: IO[bytes], slice_bytes: int, max_row_bytes: int | None = None
) -> Iterator[tuple[bytes, bytes, bytes]]:
    """Cut a worksheet's XML into ``(head, rows, tail)`` slices, each a well-formed worksheet when joined:
    the start of the sheet up to ``<sheetData>``, whole ``<row>`` elements, then the closing tags.

    Linear in the size of the XML: each search starts where the previous one stopped, whitespace between
    rows is dropped as it streams by, and the buffer never holds more than a block, a slice and one row
    (a row bigger than ``max_row_bytes`` is refused)."""
    max_row_bytes = max_row_bytes or MAX_ROW_BYTES
    start = bytearray()
    while True:
        block = stream.read(READ_BLOCK)
        searched = max(0, len(start) - 1024)  # a tag cut by the block boundary is found next time
        start += block
        match = _SHEET_DATA_START.search(start, searched)
        if match is not None:
            break
        if not block:
            return
        if len(start) > HEAD_SEARCH_BYTES:
            raise SpreadsheetError(CORRUPT)
    if match[2]:  # <sheetData/>: the sheet has no rows
        return
    prefix = match[1] or b""
    head = _BETWEEN_TAGS.sub(b"><", bytes(start[: match.end()]))
    if len(head) > MAX_HEAD_BYTES:
        raise SpreadsheetError(CORRUPT)
    buffer = start[match.end() :]
    del start
    closing = b"</" + prefix + b"row>"
    end_tag = b"</" + prefix + b"sheetData>"
    tail = end_tag + b"</" + prefix + b"worksheet>"
    pending = bytearray()  # whole rows not yet given out
    searched = 0  # where in buffer the next search starts; 0: buffer starts between two rows
    eof = False
    while True:
        if searched == 0 and buffer and buffer[0] in _XML_SPACE:
            rest = buffer.translate(None, _XML_SPACE)  # C speed, unlike lstrip
            # the first non-space byte's value cannot occur before it (everything before it is space)
            del buffer[: buffer.find(rest[:1]) if rest else len(buffer)]  # bytearray drops its front in O(1)
        cut = buffer.rfind(closing, searched)
        if cut >= 0:
            cut += len(closing)
            pending += buffer[:cut]
            del buffer[:cut]
            searched = 0
            while len(pending) >= slice_bytes:
                size = pending.rfind(closing, 0, slice_bytes)
                if size < 0:
                    size = pending.find(closing, slice_bytes)  # a single row bigger than a slice
                size += len(closing)
                yield head, _numbered(bytes(pending[:size])), tail
                del pending[:size]
            continue
        end = buffer.find(end_tag, searched)
        if end >= 0:
            pending += buffer[:end]
            if pending.strip():
                yield head, _numbered(bytes(pending)), tail
            return
        if eof:
            raise SpreadsheetError(CORRUPT)  # the XML stops inside <sheetData>
        if len(buffer) > max_row_bytes:
            raise SpreadsheetError(ROW_TOO_BIG)
        searched = max(0, len(buffer) - len(end_tag))
        block = stream.read(READ_BLOCK)
        eof = not block
        buffer += block


_BETWEEN_TAGS = re.compile(rb">\s+<")
_XML_SPACE = b" \t\r\n"
# The start of a sheet before <sheetData> is a few kilobytes; a sheet that has not reached it by then is not
# a worksheet we can read.
HEAD_SEARCH_BYTES = 64 * READ_BLOCK


def _prefix_of(tail: bytes) -> bytes:
    """The namespace prefix of the sheet's elements (``b""`` or ``b"x:"``), from a slice's closing tags."""
    return tail[2 : tail.index(b"sheetData>")]


_NAME_ENDS = (b">", b"/", b" ", b"\t", b"\n", b"\r")  # what may follow a tag name
_CELL_REFERENCE = re.compile(rb"""\sr\s*=\s*["']\$?([A-Za-z]{1,3})\$?(\d+)["']""")


def _formula_cells(body: bytes, prefix: bytes = b"") -> array:
    """``row << 16 | column`` (column 0 = A) of every cell of a slice whose first child is a formula
    (``<c r="B7"><f>...</f><v>cached</v></c>``), in sheet order."""
    found = array("q")
    tag = b"<" + prefix + b"f"
    position = body.find(tag)
    if position < 0:
        return found
    cell_tag = b"<" + prefix + b"c"
    while position >= 0:
        if body[position + len(tag) : position + len(tag) + 1] in _NAME_ENDS:
            start = body.rfind(cell_tag, 0, position)
            while start >= 0 and body[start + len(cell_tag) : start + len(cell_tag) + 1] not in _NAME_ENDS:
                start = body.rfind(cell_tag, 0, start)  # <cols>, not a cell
            if start < 0:
                raise SpreadsheetError(CORRUPT)
            reference = _CELL_REFERENCE.search(body, start, body.index(b">", start))
            if reference is None:
                raise SpreadsheetError(FORMULA_WITHOUT_ADDRESS)
            found.append(int(reference[2]) << 16 | _column_index(reference[1]))
        position = body.find(tag, position + len(tag))
    return found


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters.upper():
        index = index * 26 + letter - 64
    return index - 1


def _formula_positions(archive: zipfile.ZipFile, sheet_path: str) -> array:
    """Formula cells of a whole sheet (see :func:`_formula_cells`), reading the part to its end, so that a
    sheet whose data does not match its directory entry (size, CRC) is refused before calamine reads it."""
    found = array("q")
    with archive.open(sheet_path) as stream:
        for _head, body, tail in _sheet_slices(stream, READ_BLOCK):
            found.extend(_formula_cells(body, _prefix_of(tail)))
        while stream.read(READ_BLOCK):
            pass
    return found


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


def _package(sheet_xml: bytes, styles: bytes | None, date1904: bool, strings: bytes | None = None) -> io.BytesIO:
    """A minimal in-memory workbook around one slice of the sheet (stored, not compressed), with the slice's
    own shared-string table if it has one."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as package:
        package.writestr("[Content_Types].xml", _CONTENT_TYPES)
        package.writestr("_rels/.rels", _ROOT_RELS)
        package.writestr("xl/workbook.xml", _WORKBOOK.format(date1904=' date1904="1"' if date1904 else ""))
        package.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        if styles is not None:
            package.writestr("xl/styles.xml", styles)
        if strings is not None:
            package.writestr("xl/sharedStrings.xml", strings)
        package.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    buffer.seek(0)
    return buffer


_SI_START = re.compile(rb"<(?:[\w.-]+:)?si\b[^>]*?/?>")
_PLAIN_SI_START = re.compile(rb"<si>")
_SST_END = re.compile(rb"</(?:[\w.-]+:)?sst>")
_match_start = operator.methodcaller("start")
_SST_START = re.compile(rb"<(?:[\w.-]+:)?sst\b[^>]*>")
_SST_COUNTS = re.compile(rb"""\s(?:count|uniqueCount)\s*=\s*["'][^"']*["']""")
# The shared strings one slice uses: a slice of 1 MB holds at most some tens of thousands of cells, and an
# entry Excel writes is at most 32,767 characters; beyond this the table is not one Excel made.
MAX_SLICE_STRINGS_BYTES = 64 * 1024 * 1024
SLICE_STRINGS_TOO_BIG = (
    "Teks pada lembar kerja terlalu besar untuk dibaca (tabel teks lebih dari 64 MB untuk sebagian kecil baris). "
    "Buka berkas di Excel, periksa isinya, lalu simpan ulang."
)


class _SharedStrings:
    """``xl/sharedStrings.xml`` copied to a temporary file as it is needed, with the offset of every ``<si>``
    entry, so an entry is a slice of a memory map: 8 bytes of index per string instead of a Python str.
    Entries are indexed only as far as the sheet refers to them (Excel numbers them in order of first use,
    so a sheet read from the top needs the table read from the top)."""

    def __init__(self, archive: zipfile.ZipFile, member: str) -> None:
        self._stream = archive.open(member)
        self._file = tempfile.TemporaryFile(prefix="espm-sst-")  # noqa: SIM115 - closed by close()
        self._starts = array("Q")
        self._searched = 0  # where the next search for entries starts
        self._complete = False
        self._map: mmap.mmap | None = None
        self._head: bytes | None = None
        self._closing = b"</sst>"

    def _read_more(self) -> None:
        block = self._stream.read(READ_BLOCK)
        if not block:
            self._complete = True
            self._remap()
            end = _SST_END.search(self._map, self._starts[-1] if self._starts else 0) if self._map else None
            self._starts.append(end.start() if end else self._file.tell())
            return
        self._file.write(block)
        self._remap()
        view = self._map
        # Searched in the map, so the offsets come out as they are, without a Python step per entry.
        # Entries are "<si>" in nearly every file, found by a plain search; any other spelling of the tag
        # (attributes, a prefix, "<si/>") in the new bytes, and the general pattern searches them instead.
        fresh = view[self._searched :]  # type: ignore[index]
        plain = fresh.count(b"<si") == fresh.count(b"<si>") and b":si" not in fresh
        del fresh
        pattern = _PLAIN_SI_START if plain else _SI_START
        found = list(pattern.finditer(view, self._searched))  # type: ignore[arg-type]
        self._starts.extend(map(_match_start, found))
        # A start tag ends at the first ">" after it: one that starts after the last ">" so far may be cut by
        # the block boundary, so the next search starts there; before it, everything is decided.
        closed = view.rfind(b">", self._searched) + 1  # type: ignore[union-attr]
        self._searched = max(found[-1].end() if found else 0, closed, self._searched)

    def _remap(self) -> None:
        self._file.flush()
        size = self._file.tell()
        if size and (self._map is None or len(self._map) < size):
            if self._map is not None:
                self._map.close()
            self._map = mmap.mmap(self._file.fileno(), size, access=mmap.ACCESS_READ)

    def _table_head(self) -> bytes:
        """The table's start (XML declaration and ``<sst>`` tag with its namespaces), without the counts
        (which describe the whole table, not a slice's)."""
        if self._head is None:
            head_end = self._starts[0]
            if head_end > MAX_HEAD_BYTES:
                raise SpreadsheetError(CORRUPT)
            head = self._map[:head_end]  # type: ignore[index]
            tag = _SST_START.search(head)
            if tag is None:
                raise SpreadsheetError(CORRUPT)
            self._head = head[: tag.start()] + _SST_COUNTS.sub(b"", tag[0])
            self._closing = b"</" + tag[0][1 : tag[0].index(b"sst")] + b"sst>"
        return self._head

    def table(self, indexes: list[int]) -> bytes:
        """A shared-string table of entries ``indexes`` (ascending) of this one, each copied as it is."""
        if not indexes:
            return b""
        highest = indexes[-1]
        while len(self._starts) < highest + 2 and not self._complete:
            self._read_more()
        if indexes[0] < 0 or highest >= len(self._starts) - 1:
            raise SpreadsheetError(CORRUPT)
        if self._map is None or len(self._map) < self._starts[highest + 1]:
            self._remap()
        # runs of consecutive entries: one copy each
        breaks = [i for i, step in enumerate(map(operator.sub, indexes[1:], indexes[:-1]), 1) if step != 1]
        entries, starts, descriptor = [self._table_head()], self._starts, self._file.fileno()
        size = 0
        for first, last in zip([0, *breaks], [*breaks, len(indexes)], strict=True):
            start, end = starts[indexes[first]], starts[indexes[last - 1] + 1]
            size += end - start
            if size > MAX_SLICE_STRINGS_BYTES:  # checked before the copy: memory stays bounded
                raise SpreadsheetError(SLICE_STRINGS_TOO_BIG)
            # Read, not sliced from the map: a slice's entries are scattered over the whole table (names repeat),
            # and each page touched through the map brings its neighbours into this process's resident memory
            # (the kernel's fault-around): 70 MB at the peak of a million-row file, against a few MB read.
            entries.append(os.pread(descriptor, end - start, start))
        entries.append(self._closing)
        return b"".join(entries)

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
