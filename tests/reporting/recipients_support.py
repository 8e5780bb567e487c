"""Helpers of the recipient import tests: valid people for a service, rows, xlsx uploads, and fixtures."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence

from django.core.files.uploadedfile import SimpleUploadedFile

from reporting.recipients.validation import COLUMNS
from tests.reporting.xlsx_files import write_xlsx

YEAR = 2026
HEADER = [column.header for column in COLUMNS]
SERVICE_A = "1.02.K01"  # Pelayanan kesehatan ibu hamil (OPD A): women, 10-55 years (age band: warning)


def make_nik(birth: dt.date, sex: str, serial: int, kecamatan: str = "181201") -> str:
    day = birth.day + (40 if sex == "P" else 0)
    return f"{kecamatan}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def person(i: int, *, sex: str = "P", served: dt.date | None = None, status: str = "Sesuai standar") -> list:
    """Row ``i`` of a valid list for an ibu hamil service: a woman of about 30, served in ``YEAR``."""
    birth = dt.date(1990, 1, 1) + dt.timedelta(days=(i * 37) % 4000)
    served = served or dt.date(YEAR, 1, 5) + dt.timedelta(days=(i * 11) % 350)
    return [
        make_nik(birth, sex, i % 9000 + 1),
        f"Penerima Uji {i}",
        sex,
        birth,
        f"Jl. Uji No. {i}, RT 001/RW 002",
        f"Desa {i % 3}",
        "18.12.01" if i % 2 else "18.12.02",
        served,
        status,
        "",
    ]


def people(count: int, start: int = 0) -> list[list]:
    return [person(i) for i in range(start, start + count)]


def xlsx_bytes(rows: Iterable[Sequence[object]], *, header: Sequence[object] | None = None, **options) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, [list(HEADER if header is None else header), *rows], **options)
    return buffer.getvalue()


def upload(content: bytes, name: str = "penerima.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def stored_files(root) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()) if root.exists() else []
