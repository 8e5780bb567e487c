"""Checks of an uploaded zip package (an xlsx workbook) before anything parses it.

An xlsx is a zip archive, and a zip's directory says how big each part is once unpacked. A "zip bomb" packs
gigabytes of repeated bytes into a few hundred kilobytes (deflate reaches about 1000:1), so a reader that
trusts it fills the worker's memory or disk. Before parsing, :func:`check_package` reads only the
directory and refuses a package with too many parts, too many unpacked bytes in total, a part packed
implausibly well (a ratio far beyond what spreadsheet XML reaches), or an oversized shared-string table.
Sizes in the directory can lie: :func:`verify_parts` unpacks the parts a reader will hand to a parser
that trusts them (python-calamine), never beyond their declared size, so a part that is bigger than it
says, or whose CRC does not match, is refused as corrupt. Python's own ``zipfile`` stops at the declared
size and checks the CRC at the end, so readers built on it are bounded by the same limits.

Limits come from the settings (``SPREADSHEET_MAX_*``) when Django is configured, else from
:data:`DEFAULT_LIMITS`. Messages of :class:`PackageError` are in Bahasa Indonesia and safe to show.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

MB = 1024 * 1024
# Small parts (a styles or workbook XML of a few kilobytes) compress very well and can do no harm.
RATIO_FLOOR_BYTES = 4 * MB


@dataclass(frozen=True)
class Limits:
    """How big an uploaded package may be once unpacked."""

    max_unpacked_bytes: int = 2 * 1024 * MB
    max_members: int = 2_000
    max_ratio: int = 200
    max_shared_strings_bytes: int = 1024 * MB

    def tighter(self, **changes: int) -> Limits:
        """These limits with some lowered (never raised), e.g. for a small import."""
        return replace(self, **{name: min(getattr(self, name), value) for name, value in changes.items()})


DEFAULT_LIMITS = Limits()


def configured_limits() -> Limits:
    """The limits of the settings (``SPREADSHEET_MAX_*``), or the defaults outside Django."""
    try:
        from django.conf import settings

        if not settings.configured:
            return DEFAULT_LIMITS
        return Limits(
            max_unpacked_bytes=getattr(settings, "SPREADSHEET_MAX_UNPACKED_BYTES", DEFAULT_LIMITS.max_unpacked_bytes),
            max_members=getattr(settings, "SPREADSHEET_MAX_MEMBERS", DEFAULT_LIMITS.max_members),
            max_ratio=getattr(settings, "SPREADSHEET_MAX_RATIO", DEFAULT_LIMITS.max_ratio),
            max_shared_strings_bytes=getattr(
                settings, "SPREADSHEET_MAX_SHARED_STRINGS_BYTES", DEFAULT_LIMITS.max_shared_strings_bytes
            ),
        )
    except ImportError:  # pragma: no cover - Django is always installed in the project
        return DEFAULT_LIMITS


class PackageError(ValueError):
    """A package refused before parsing; the message says why, in Bahasa Indonesia."""


CORRUPT = "Berkas xlsx rusak atau tidak lengkap dan tidak dapat dibuka. Unduh ulang atau simpan ulang dari Excel."
TOO_MANY_PARTS = "Berkas xlsx berisi terlalu banyak bagian ({count}; maks. {limit}) sehingga tidak diproses."
TOO_BIG = (
    "Isi berkas xlsx setelah dibuka terlalu besar ({size}; maks. {limit}). Pecah data menjadi beberapa berkas "
    "dan impor dengan cara Tambah."
)
BOMB = (
    "Berkas xlsx ditolak: isinya dimampatkan secara tidak wajar ({ratio}:1, maks. {limit}:1), ciri berkas "
    "'bom zip'. Buka berkas di Excel lalu simpan ulang sebagai Buku Kerja Excel (.xlsx)."
)
STRINGS_TOO_BIG = "Tabel teks (shared strings) berkas xlsx terlalu besar ({size}; maks. {limit})."
# What zipfile raises for a damaged archive or part (bad CRC, truncated data, unsupported or encrypted parts).
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError)


def size_text(size: int) -> str:
    """Bytes as Indonesians write them: 1,5 GB, 300,0 MB."""
    if size >= 1024 * MB:
        return f"{size / (1024 * MB):.1f}".replace(".", ",") + " GB"
    return f"{size / MB:.1f}".replace(".", ",") + " MB"


def check_package(file: str | Path | BinaryIO, limits: Limits | None = None) -> list[zipfile.ZipInfo]:
    """Refuse a package whose directory promises too much; return its parts. Reads the directory only."""
    limits = limits or configured_limits()
    try:
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
    except ZIP_ERRORS as exc:
        raise PackageError(CORRUPT) from exc
    finally:
        if hasattr(file, "seek"):
            file.seek(0)  # type: ignore[union-attr]
    if len(infos) > limits.max_members:
        raise PackageError(TOO_MANY_PARTS.format(count=len(infos), limit=limits.max_members))
    total = sum(info.file_size for info in infos)
    if total > limits.max_unpacked_bytes:
        raise PackageError(TOO_BIG.format(size=size_text(total), limit=size_text(limits.max_unpacked_bytes)))
    for info in infos:
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise PackageError(BOMB.format(ratio=f"{ratio:,}".replace(",", "."), limit=limits.max_ratio))
        if info.filename.lower().endswith("sharedstrings.xml") and info.file_size > limits.max_shared_strings_bytes:
            raise PackageError(
                STRINGS_TOO_BIG.format(size=size_text(info.file_size), limit=size_text(limits.max_shared_strings_bytes))
            )
    return infos


def verify_parts(archive: zipfile.ZipFile, names: Iterable[str | None], block: int = MB) -> None:
    """Unpack the named parts once (bounded by their declared sizes, a block at a time) so that a part
    bigger than its directory entry says, or with a bad CRC, is refused before a parser reads it."""
    try:
        for name in names:
            if name is None:
                continue
            info = archive.getinfo(name)
            unpacked = 0
            with archive.open(info) as stream:
                while chunk := stream.read(block):
                    unpacked += len(chunk)
            if unpacked != info.file_size:
                raise PackageError(CORRUPT)
    except ZIP_ERRORS as exc:
        raise PackageError(CORRUPT) from exc
