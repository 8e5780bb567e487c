"""Validation core for importing recipient lists (data penerima layanan dasar) from Excel.

Operators OPD upload one row per named recipient of a jenis pelayanan dasar (PP 2/2018); the rows back the
``served`` count (jumlah yang terlayani) of a quarterly report. For plain values this module decides whether
each row can be accepted: required columns (``COLUMNS``); dates as Excel gives them; the NIK (16 digits
``PPKKCC DDMMYY SSSS``: province and kecamatan of issue, birth date with day + 40 for women, serial) against
the Tanggal Lahir and Jenis Kelamin columns; the service date inside the reporting year; the recipient's age
and sex against the service's ``eligibility`` in the SPM catalogue; duplicate NIKs within the file (a person
is counted once). It is pure (no Django, no ORM, no I/O): the import service gathers region codes and the
catalogue rule, streams the sheet through :func:`validate_rows`, then writes in one transaction.
Every message is in Bahasa Indonesia and names the column by its Indonesian header.

Personal data (UU 27/2022 Pelindungan Data Pribadi): a full NIK never appears in a message, log line or
exception text. Messages point to the row number instead; where a NIK must be shown use :func:`mask_nik`,
and cell values echoed back are hidden when they hold enough digits to be a NIK (:func:`_shown`).
"""

from __future__ import annotations

import random
import re
from array import array
from collections.abc import Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Literal, NamedTuple

Severity = Literal["error", "warning"]
ERROR: Severity = "error"
WARNING: Severity = "warning"
Codes = AbstractSet[str]  # dotted Kemendagri region codes: province "18", kecamatan "18.12.01"


class Column(NamedTuple):
    """A column of the recipient template: code name, header shown in Excel, whether it must be filled."""

    code: str
    header: str
    required: bool


COLUMNS: tuple[Column, ...] = (
    Column("nik", "NIK", True),
    Column("nama", "Nama Lengkap", True),
    Column("jenis_kelamin", "Jenis Kelamin (L/P)", True),
    Column("tanggal_lahir", "Tanggal Lahir", True),
    Column("alamat", "Alamat", True),
    Column("desa", "Desa/Kelurahan", False),
    Column("kode_kecamatan", "Kode Kecamatan", False),
    Column("tanggal_layanan", "Tanggal Layanan", True),
    Column("status_layanan", "Status Layanan", False),
    Column("keterangan", "Keterangan", False),
)
HEADERS: dict[str, str] = {column.code: column.header for column in COLUMNS}
DATE_FORMATS_HINT = "gunakan format dd/mm/yyyy, dd-mm-yyyy atau yyyy-mm-dd, atau format sel Tanggal"


@dataclass(frozen=True, slots=True)
class Issue:
    """A problem in one cell or row; ``column`` is the code name from ``COLUMNS``."""

    column: str
    message: str
    severity: Severity = ERROR


class FormulaRecord(dict):
    """A record in which some cells held formulas (rumus): ``formulas`` are their column codes. Their values
    are left out: a formula's cached result is not what the operator typed, and the row is refused."""

    __slots__ = ("formulas",)

    def __init__(self, values: Mapping[str, object], formulas: tuple[str, ...]) -> None:
        super().__init__(values)
        self.formulas = formulas


def formula_issue(row_number: int, column: str) -> Issue:
    return Issue(
        column,
        f"Baris {row_number} kolom {HEADERS[column]}: rumus tidak diperbolehkan; ketik nilainya (salin sel, "
        "lalu Tempel Khusus > Nilai)",
    )


class FieldError(ValueError):
    """A value or file that cannot be read. Its text never holds a full NIK."""


class RowResult(NamedTuple):
    """Outcome for one data row: its Excel row number, the record as read, and its issues."""

    row_number: int
    record: Mapping[str, object]
    issues: tuple[Issue, ...]

    @property
    def has_errors(self) -> bool:
        return any(issue.severity == ERROR for issue in self.issues)

    def __repr__(self) -> str:  # the record holds personal data: keep it out of logs and tracebacks
        return f"RowResult(row_number={self.row_number}, issues={self.issues!r})"


@dataclass(slots=True)
class ValidationCounts:
    """Totals of a run. ``rows_read == valid + with_errors``; ``with_warnings`` counts the valid rows that
    carry a warning (importable, but the operator should look at them)."""

    rows_read: int = 0
    valid: int = 0
    with_errors: int = 0
    with_warnings: int = 0
    duplicates_in_file: int = 0


# --- personal data -------------------------------------------------------------------------------------


def mask_nik(nik: str) -> str:
    """A NIK for messages and logs with only the first and last 4 characters kept: ``1812******0001``.
    The mask has a fixed width, so it hides the length too; short values are masked completely."""
    text = str(nik).strip()
    return f"{text[:4]}******{text[-4:]}" if len(text) >= 12 else "******"


def _shown(value: object) -> str:
    """A cell value quoted for a message, or a placeholder when it holds enough digits to be a NIK."""
    text = str(value).strip()
    if sum(char.isdigit() for char in text) > 8:
        return "(isi disembunyikan)"
    return f"'{text[:27]}...'" if len(text) > 30 else f"'{text}'"


def _fmt(value: date) -> str:
    return f"{value.day:02d}-{value.month:02d}-{value.year:04d}"


def _blank(value: object) -> bool:
    return value is None or (value.__class__ is str and not value.strip())  # type: ignore[attr-defined]


# --- dates ---------------------------------------------------------------------------------------------

_DMY = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})", re.ASCII)
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?", re.ASCII)
# Excel's 1900 date system: serial 1 = 01-01-1900; serial 60 is the non-existent 29-02-1900 kept for
# Lotus 1-2-3 compatibility, so from serial 61 on days count from 30-12-1899.
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_MAX_SERIAL = 2_958_465  # 31-12-9999


# Service dates repeat within a file and birth dates span a few tens of thousands of days: a cache this
# size catches most of both and stays a few MB.
@lru_cache(maxsize=1 << 15)
def _parse_date_text(text: str) -> date | str:
    """Stripped, non-empty text to a date, or the reason it is not one (a phrase following the header)."""
    match = _DMY.fullmatch(text)
    if match:
        day, month, year = int(match[1]), int(match[3]), int(match[4])
    elif match := _YMD.fullmatch(text):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    else:
        return f"tidak dapat dibaca sebagai tanggal {_shown(text)}; {DATE_FORMATS_HINT}"
    try:
        return date(year, month, day)
    except ValueError:
        return f"bukan tanggal yang ada di kalender {_shown(text)}"


def _from_excel_serial(value: float) -> date | str:
    if value != value or not 1 <= value < _EXCEL_MAX_SERIAL + 1:  # value != value: NaN
        return f"berisi angka yang bukan nomor seri tanggal Excel {_shown(value)}; {DATE_FORMATS_HINT}"
    serial = int(value)
    if serial == 60:
        return "berisi 29-02-1900, tanggal yang tidak ada (kesalahan lama Excel)"
    return _EXCEL_EPOCH + timedelta(days=serial if serial > 60 else serial + 1)


def _coerce_date(value: object) -> date | str | None:
    """The fast path behind :func:`parse_date`: a date, ``None`` when empty, or the reason it is not one."""
    cls = value.__class__
    if cls is date:
        return value  # type: ignore[return-value]
    if cls is datetime:
        return value.date()  # type: ignore[attr-defined]
    if value is None:
        return None
    if cls is str:
        text = value.strip()  # type: ignore[attr-defined]
        return _parse_date_text(text) if text else None
    if cls is float or cls is int:
        return _from_excel_serial(value)  # type: ignore[arg-type]
    if isinstance(value, date):  # subclasses, e.g. pandas.Timestamp
        return value.date() if isinstance(value, datetime) else value
    return f"tidak dapat dibaca sebagai tanggal; {DATE_FORMATS_HINT}"


def parse_date(value: object) -> date | None:
    """Read a date cell: date/datetime objects (python-calamine, openpyxl), Excel serial numbers (1900
    system), or text dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd. Empty cells give ``None``.

    Raises :class:`FieldError` with a message in Bahasa Indonesia when the value is not a date.
    """
    result = _coerce_date(value)
    if isinstance(result, str):
        raise FieldError(f"Tanggal {result}")
    return result


def age_in_years(birth_date: date, on: date) -> int:
    """Age in completed years on a date. Someone born on 29 February turns a year older on 1 March in
    common years (on 28 February the birthday has not yet come)."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


# --- eligibility ---------------------------------------------------------------------------------------


def _band(spec: Mapping[str, object], key: str) -> tuple[int | None, int | None]:
    value = spec.get(key)
    if value is None:
        return None, None
    bounds_ok = (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(bound is None or (type(bound) is int and bound >= 0) for bound in value)
    )
    if not bounds_ok or None not in value and value[0] > value[1]:  # type: ignore[index, operator]
        raise ValueError(f"Aturan eligibility '{key}' harus [min, maks]: bilangan bulat >= 0 atau null")
    return value[0], value[1]  # type: ignore[index]


@dataclass(frozen=True, slots=True)
class Eligibility:
    """Who a jenis pelayanan dasar is for, from the catalogue's ``eligibility`` mapping.

    Age bands are inclusive, in completed years at the service date (``min_age``/``max_age``) or in days
    for newborns (``min_age_days``/``max_age_days``); ``None`` leaves a side open. ``severity`` applies to
    the age band (``error``: set by the regulation; ``warning``: a conventional reading). A ``sex``
    requirement is always an error: where the catalogue names one it is certain (ibu hamil, ibu bersalin).
    """

    min_age: int | None = None
    max_age: int | None = None
    min_age_days: int | None = None
    max_age_days: int | None = None
    sex: Literal["L", "P"] | None = None
    severity: Severity = ERROR

    def __post_init__(self) -> None:
        if self.severity not in (ERROR, WARNING) or self.sex not in (None, "L", "P"):
            raise ValueError("Eligibility: severity harus 'error'/'warning' dan sex 'L'/'P'/kosong")
        if self.has_year_band and self.has_day_band:
            raise ValueError("Eligibility tidak boleh memakai umur tahun dan umur hari sekaligus")

    @classmethod
    def from_catalogue(cls, spec: Mapping[str, object] | None) -> Eligibility:
        """Build from a catalogue mapping such as ``{age: [60, null], severity: error}``, ``{age_days:
        [0, 28]}`` or ``{sex: P, age: [10, 55], severity: warning}``; severity defaults to error. ``note``
        is ignored; unknown keys are refused so that a typo in the data cannot switch a check off."""
        spec = {key: value for key, value in (spec or {}).items() if key != "note"}
        unknown = sorted(set(spec) - {"age", "age_days", "sex", "severity"})
        if unknown:
            raise ValueError(f"Kunci eligibility tidak dikenal: {', '.join(unknown)}")
        min_age, max_age = _band(spec, "age")
        min_days, max_days = _band(spec, "age_days")
        sex, severity = spec.get("sex"), spec.get("severity", ERROR)
        return cls(min_age, max_age, min_days, max_days, sex, severity)  # type: ignore[arg-type]

    @property
    def has_year_band(self) -> bool:
        return self.min_age is not None or self.max_age is not None

    @property
    def has_day_band(self) -> bool:
        return self.min_age_days is not None or self.max_age_days is not None

    def describe_age(self) -> str:
        """The band in words: ``10-55 tahun``, ``60 tahun ke atas``, ``sampai 17 tahun``, ``0-28 hari``."""
        if self.has_day_band:
            low, high, unit = self.min_age_days, self.max_age_days, "hari"
        else:
            low, high, unit = self.min_age, self.max_age, "tahun"
        if high is None:
            return f"{low} {unit} ke atas"
        if not low and unit == "tahun":
            return f"sampai {high} {unit}"
        return f"{low or 0}-{high} {unit}"


def _check_sex(rule: Eligibility, sex: str | None) -> list[Issue]:
    if rule.sex is not None and sex is not None and sex != rule.sex:
        wanted = "perempuan (P)" if rule.sex == "P" else "laki-laki (L)"
        message = f"Layanan ini hanya untuk penerima {wanted}; kolom {HEADERS['jenis_kelamin']} berisi {sex}"
        return [Issue("jenis_kelamin", message)]
    return []


def _check_eligibility(rule: Eligibility, sex: str | None, birth: date, served: date) -> list[Issue]:
    issues = _check_sex(rule, sex)
    if rule.has_day_band:
        age, unit, low, high = (served - birth).days, "hari", rule.min_age_days, rule.max_age_days
    elif rule.has_year_band:
        age, unit, low, high = age_in_years(birth, served), "tahun", rule.min_age, rule.max_age
    else:
        return issues
    if (low is not None and age < low) or (high is not None and age > high):
        message = f"Umur menurut Tanggal Lahir pada Tanggal Layanan {age} {unit}, di luar sasaran layanan "
        message += f"({rule.describe_age()})"
        issues.append(Issue("tanggal_lahir", message, rule.severity))
    return issues


# --- NIK -----------------------------------------------------------------------------------------------

_SEX = {"L": "L", "P": "P", "LAKI-LAKI": "L", "LAKI LAKI": "L", "PEREMPUAN": "P"}
_NUMBER_AS_TEXT = re.compile(r"\d(?:[.,]\d+)?[eE][+-]?\d+|\d{15,17}[.,]0+", re.ASCII)
_DAYS_IN_MONTH = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_NIK_TYPED_AS_NUMBER = Issue(
    "nik",
    "NIK harus diketik sebagai teks: sel NIK berformat angka sehingga Excel membulatkan digit terakhir "
    "(ubah format kolom menjadi Teks lalu ketik ulang NIK)",
)


def _nik_digits(value: object) -> str | Issue:
    """The NIK cell as 16 ASCII digits, or the issue saying why it is not."""
    cls = value.__class__
    if cls is str:
        text = value.strip().lstrip("'")  # type: ignore[attr-defined]
    elif cls is int:
        text = str(value)
    elif cls is float or _NUMBER_AS_TEXT.fullmatch(str(value).strip()):
        return _NIK_TYPED_AS_NUMBER
    else:
        return Issue("nik", "NIK harus 16 digit angka")
    if len(text) == 16 and text.isdigit() and text.isascii():
        return text
    if _NUMBER_AS_TEXT.fullmatch(text):
        return _NIK_TYPED_AS_NUMBER
    if text.isdigit():
        return Issue("nik", f"NIK harus 16 digit angka (terisi {len(text)} digit)")
    return Issue("nik", "NIK harus 16 digit angka, tanpa spasi, tanda baca atau huruf")


def _check_nik(
    value: object, sex: str | None, birth: date | None, provinces: Codes, kecamatans: Codes
) -> tuple[list[Issue], str | None]:
    """Issues of a NIK cell, and its 16 digits (``None`` when the cell is not a 16-digit NIK)."""
    nik = _nik_digits(value)
    if nik.__class__ is Issue:
        return [nik], None  # type: ignore[list-item]
    assert isinstance(nik, str)
    issues: list[Issue] = []
    if nik[:2] not in provinces:
        issues.append(Issue("nik", f"Kode provinsi pada NIK ({nik[:2]}) tidak dikenal"))
    kecamatan = f"{nik[:2]}.{nik[2:4]}.{nik[4:6]}"
    if kecamatan not in kecamatans:
        # Only a warning: a NIK keeps the kecamatan code of issue, which may predate a pemekaran.
        message = f"Kode kecamatan pada NIK ({kecamatan}) tidak ada dalam daftar; mungkin kode lama sebelum "
        issues.append(Issue("nik", message + "pemekaran wilayah, periksa kembali", WARNING))
    encoded_day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    day = encoded_day - 40 if encoded_day > 40 else encoded_day
    if birth is not None and birth.year % 100 == yy:
        leap = birth.year % 4 == 0 and (birth.year % 100 != 0 or birth.year % 400 == 0)
    else:
        leap = yy % 4 == 0  # 00 may be 2000 (leap) or 1900 (not): give the benefit of the doubt
    if (
        32 <= encoded_day <= 40
        or not (1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month])
        or (month == 2 and day == 29 and not leap)
    ):
        message = "Digit ke-7 s.d. 12 NIK (tanggal lahir; hari + 40 untuk perempuan) bukan tanggal yang valid"
        issues.append(Issue("nik", message))
    else:
        if birth is not None and (day != birth.day or month != birth.month or yy != birth.year % 100):
            year = birth.year - birth.year % 100 + yy
            year += 100 if year < birth.year - 50 else -100 if year > birth.year + 50 else 0
            message = f"Tanggal lahir pada NIK ({day:02d}-{month:02d}-{year}) tidak sama dengan kolom "
            issues.append(Issue("nik", message + f"{HEADERS['tanggal_lahir']} ({_fmt(birth)})"))
        nik_sex = "P" if encoded_day > 40 else "L"
        if sex is not None and sex != nik_sex:
            message = f"Jenis kelamin pada NIK ({nik_sex}; perempuan: hari lahir + 40) tidak sama dengan kolom "
            issues.append(Issue("nik", message + f"{HEADERS['jenis_kelamin']} ({sex})"))
    if nik[12:] == "0000":
        issues.append(Issue("nik", "Nomor urut NIK (4 digit terakhir) tidak boleh 0000"))
    return issues, nik


def check_nik(
    nik: object, *, sex: str | None, birth_date: date | None, province_codes: Codes, kecamatan_codes: Codes
) -> list[Issue]:
    """Check a NIK cell (text or int; a float means the column was not typed as text) against dotted
    region codes (``18``, ``18.12.01``) and the row's sex (L/P) and birth date, when known.

    Errors: not 16 digits, unknown province, digits 7-12 not a date, birth date or sex differing from the
    other columns, serial 0000. Warning only: unknown kecamatan (codes change after regional splits).
    """
    if _blank(nik):
        return [Issue("nik", "NIK wajib diisi")]
    normalised_sex = _SEX.get(sex.strip().upper()) if isinstance(sex, str) else None
    return _check_nik(nik, normalised_sex, birth_date, province_codes, kecamatan_codes)[0]


# --- rows ----------------------------------------------------------------------------------------------

_KECAMATAN_CODE = re.compile(r"\d{2}\.\d{2}\.\d{2}", re.ASCII)
_KECAMATAN_DIGITS = re.compile(r"\d{6}", re.ASCII)
_KECAMATAN_PREFIX = re.compile(r"^(?:kecamatan|kec\.?)\s+")
# Status Layanan words that mean "not served": with an empty Tanggal Layanan the citizen is on the list to
# be served ("belum terlayani"); with a date, served but not (yet) to standard.
UNSERVED_STATUS_WORDS = frozenset({"belum terlayani", "belum_terlayani", "tidak", "belum", "tidak terlayani"})


def status_key(value: object) -> str:
    """A Status Layanan cell compared case- and space-insensitively."""
    return " ".join(value.split()).casefold() if value.__class__ is str else ""  # type: ignore[attr-defined]


def kecamatan_key(text: str) -> str:
    """A kecamatan name as compared: case and spacing ignored, a leading "Kecamatan"/"Kec." dropped."""
    return _KECAMATAN_PREFIX.sub("", " ".join(text.split()).casefold())


def kecamatan_code(value: object, kecamatans: Codes, names: Mapping[str, str]) -> tuple[str | None, Issue | None]:
    """The dotted kecamatan code a Kode Kecamatan cell stands for (a code, with or without dots, or the name
    of a kecamatan of the daerah), with the issue to report: a warning naming the code chosen for a name, an
    error when it cannot be read."""
    text = value.strip() if isinstance(value, str) else str(value) if isinstance(value, int) else ""
    if _KECAMATAN_DIGITS.fullmatch(text):
        text = f"{text[:2]}.{text[2:4]}.{text[4:]}"
    if _KECAMATAN_CODE.fullmatch(text):
        if text in kecamatans:
            return text, None
        return None, Issue("kode_kecamatan", f"Kode Kecamatan {text} tidak terdaftar dalam kode wilayah Kemendagri")
    code = names.get(kecamatan_key(text)) if text else None
    if code is not None:
        message = f"Kecamatan {_shown(value)} dibaca sebagai kode {code}; periksa bila keliru"
        return code, Issue("kode_kecamatan", message, WARNING)
    message = (
        f"Kode Kecamatan harus berformat PP.KK.CC, misalnya 18.12.01, atau nama kecamatan di daerah ini "
        f"({_shown(value)})"
    )
    return None, Issue("kode_kecamatan", message)


def _read_date(row: Mapping[str, object], column: str, issues: list[Issue]) -> date | None:
    result = _coerce_date(row.get(column))
    if result is None or result.__class__ is str:
        issues.append(Issue(column, f"{HEADERS[column]} {result or 'wajib diisi'}"))
        return None
    return result  # type: ignore[return-value]


def _check_row(
    row: Mapping[str, object],
    rule: Eligibility,
    year: int,
    provinces: Codes,
    kecamatans: Codes,
    names: Mapping[str, str] | None = None,
) -> tuple[list[Issue], str | None]:
    """Issues of one record, in template column order then across columns (no duplicates), and its NIK."""
    get = row.get
    issues: list[Issue] = []
    raw_sex = get("jenis_kelamin")
    sex = _SEX.get(raw_sex.strip().upper()) if raw_sex.__class__ is str else None  # type: ignore[attr-defined]
    birth_issues: list[Issue] = []
    served_issues: list[Issue] = []
    birth = _read_date(row, "tanggal_lahir", birth_issues)
    if birth is not None and birth.year < 1900:
        birth_issues.append(Issue("tanggal_lahir", f"Tanggal Lahir tidak wajar ({_fmt(birth)})"))
        birth = None
    unserved = status_key(get("status_layanan")) in UNSERVED_STATUS_WORDS
    if unserved and _blank(get("tanggal_layanan")):
        served = None  # on the list, still to be served: no service date
    else:
        served = _read_date(row, "tanggal_layanan", served_issues)
    if served is not None and status_key(get("status_layanan")) in {"belum terlayani", "belum_terlayani"}:
        message = f"{HEADERS['tanggal_layanan']} harus kosong bila Status Layanan 'Belum terlayani'"
        served_issues.append(Issue("tanggal_layanan", message))
    if served is not None and served.year != year:
        message = f"Tanggal Layanan ({_fmt(served)}) di luar tahun pelaporan {year}"
        served_issues.append(Issue("tanggal_layanan", message))

    raw_nik, nik = get("nik"), None
    if _blank(raw_nik):
        issues.append(Issue("nik", "NIK wajib diisi"))
    else:
        nik_issues, nik = _check_nik(raw_nik, sex, birth, provinces, kecamatans)
        issues += nik_issues
    if _blank(get("nama")):
        issues.append(Issue("nama", "Nama Lengkap wajib diisi"))
    if sex is None:
        problem = "wajib diisi" if _blank(raw_sex) else f"harus L atau P, bukan {_shown(raw_sex)}"
        issues.append(Issue("jenis_kelamin", f"{HEADERS['jenis_kelamin']} {problem}"))
    issues += birth_issues
    if _blank(get("alamat")):
        issues.append(Issue("alamat", "Alamat wajib diisi"))
    raw_kecamatan = get("kode_kecamatan")
    if not _blank(raw_kecamatan):
        _code, issue = kecamatan_code(raw_kecamatan, kecamatans, names or {})
        if issue is not None:
            issues.append(issue)
    issues += served_issues
    if birth is not None and served is not None:
        if birth > served:
            message = f"Tanggal Lahir ({_fmt(birth)}) sesudah Tanggal Layanan ({_fmt(served)})"
            issues.append(Issue("tanggal_lahir", message))
        else:
            issues += _check_eligibility(rule, sex, birth, served)
    elif served is None and unserved:
        issues += _check_sex(rule, sex)  # the age at a service not yet given cannot be checked; the sex can
    return issues, nik


def check_row(
    row: Mapping[str, object],
    *,
    service_rule: Eligibility,
    year: int,
    province_codes: Codes,
    kecamatan_codes: Codes,
    kecamatan_names: Mapping[str, str] | None = None,
) -> list[Issue]:
    """All issues of one record keyed by ``COLUMNS`` code names, except duplicates across rows: required
    cells, L/P, dates, service date in the reporting ``year`` (empty only for a citizen "belum terlayani"),
    birth on or before the service, the NIK (:func:`check_nik`), Kode Kecamatan (a code, or a kecamatan name
    of the daerah from ``kecamatan_names``: {``kecamatan_key(name)``: code}), and eligibility."""
    return _check_row(row, service_rule, year, province_codes, kecamatan_codes, kecamatan_names)[0]


def find_duplicates_in_file(niks: Iterable[tuple[int, object]]) -> dict[int, int]:
    """Rows whose NIK appeared on an earlier row: ``{row_number: first_row_number}``. NIKs are compared
    as stripped text; empty cells are skipped."""
    first_seen: dict[str, int] = {}
    duplicates: dict[int, int] = {}
    for row_number, nik in niks:
        if not _blank(nik):
            first = first_seen.setdefault(nik.strip() if isinstance(nik, str) else str(nik), row_number)
            if first != row_number:
                duplicates[row_number] = first
    return duplicates


class NikIndex:
    """The NIKs seen so far in a file with the row each was first seen on, for the in-file duplicate check.

    An open-addressing hash table over two flat arrays (NIK + 1 as a 64-bit integer, row number as an
    unsigned 32-bit one), kept at most half full: 24 MB for a million NIKs, where a ``dict[int, int]``
    takes about 100 MB (an int object per key and value, plus the table). Slots come from multiply-shift
    hashing with a random odd multiplier per file, so NIKs differing only in a few digits spread out and
    an uploaded file cannot be crafted to pile its NIKs onto one run of slots; linear probing.
    """

    __slots__ = ("_keys", "_rows", "_shift", "_mask", "_count", "_multiplier")
    _INITIAL_BITS = 12

    def __init__(self) -> None:
        self._count = 0
        self._multiplier = random.getrandbits(64) | 1
        self._allocate(self._INITIAL_BITS)

    def _allocate(self, bits: int) -> None:
        self._shift, self._mask = 64 - bits, (1 << bits) - 1
        self._keys = array("q", bytes(8 << bits))  # 0: an empty slot (keys are stored plus one)
        self._rows = array("I", bytes(4 << bits))

    def __len__(self) -> int:
        return self._count

    def first_row(self, nik: int, row_number: int) -> int:
        """The row a NIK (its 16 digits as an int) was first seen on; records ``row_number`` when it is new."""
        key = nik + 1
        keys, mask = self._keys, self._mask
        slot = (key * self._multiplier >> self._shift) & mask  # bits 64-b .. 63 of the product
        found = keys[slot]
        while found:
            if found == key:
                return self._rows[slot]
            slot = (slot + 1) & mask
            found = keys[slot]
        keys[slot] = key
        self._rows[slot] = row_number
        self._count += 1
        if self._count * 2 > mask:
            self._grow()
        return row_number

    def _grow(self) -> None:
        keys, rows = self._keys, self._rows
        self._allocate(65 - self._shift)
        new_keys, new_rows, mask, shift, multiplier = self._keys, self._rows, self._mask, self._shift, self._multiplier
        for index, key in enumerate(keys):
            if key:
                slot = (key * multiplier >> shift) & mask
                while new_keys[slot]:
                    slot = (slot + 1) & mask
                new_keys[slot] = key
                new_rows[slot] = rows[index]


def validate_rows(
    rows: Iterable[tuple[int, Mapping[str, object]]],
    *,
    service_rule: Eligibility,
    year: int,
    province_codes: Codes,
    kecamatan_codes: Codes,
    counts: ValidationCounts | None = None,
    kecamatan_names: Mapping[str, str] | None = None,
) -> Iterator[RowResult]:
    """Stream ``(row_number, record)`` pairs, yielding a :class:`RowResult` per row; a NIK already seen on
    an earlier row adds an error naming that row. Pass a :class:`ValidationCounts` to read the totals
    once the iterator is exhausted. Memory stays flat apart from the NIKs seen (:class:`NikIndex`, 24
    bytes a NIK)."""
    if counts is None:
        counts = ValidationCounts()
    seen = NikIndex()
    for row_number, record in rows:
        issues, nik = _check_row(record, service_rule, year, province_codes, kecamatan_codes, kecamatan_names)
        if record.__class__ is FormulaRecord:
            formulas = record.formulas  # type: ignore[attr-defined]
            issues = [formula_issue(row_number, code) for code in formulas] + [
                issue for issue in issues if issue.column not in formulas
            ]
            if "nik" in formulas:
                nik = None
        if nik is not None:
            first = seen.first_row(int(nik), row_number)
            if first != row_number:
                issues.append(Issue("nik", f"NIK sama dengan baris {first} (data ganda dalam berkas)"))
                counts.duplicates_in_file += 1
        counts.rows_read += 1
        if not issues:
            counts.valid += 1
        elif any(issue.severity == ERROR for issue in issues):
            counts.with_errors += 1
        else:
            counts.valid += 1
            counts.with_warnings += 1
        yield RowResult(row_number, record, tuple(issues))


# --- headers -------------------------------------------------------------------------------------------


def _header_key(text: object) -> str:
    return " ".join(str(text).split()).casefold()


_HEADER_LOOKUP = {
    _header_key(alias): column.code
    for column in COLUMNS
    for alias in (column.header, column.header.split(" (")[0], column.code)
}


def column_for_header(text: object) -> str | None:
    """The ``COLUMNS`` code name for a sheet header, ignoring case, spacing and a trailing ``(L/P)``."""
    return None if _blank(text) else _HEADER_LOOKUP.get(_header_key(text))
