"""Tests for the pure validation core of recipient imports (data penerima layanan)."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reporting.recipients.validation import (
    COLUMNS,
    ERROR,
    HEADERS,
    WARNING,
    Eligibility,
    FieldError,
    Issue,
    NikIndex,
    RowResult,
    ValidationCounts,
    age_in_years,
    check_nik,
    check_row,
    column_for_header,
    find_duplicates_in_file,
    kecamatan_code,
    mask_nik,
    parse_date,
    validate_rows,
)

PROVINCES = frozenset({"11", "18", "33"})
KECAMATANS = frozenset({"11.01.01", "18.12.01", "18.12.02", "33.74.01"})
YEAR = 2024
ANY_AGE = Eligibility()
# Catalogue entries, as written in catalogue.yaml.
LANSIA = {"age": [60, None], "severity": "error"}
BAYI_BARU_LAHIR = {"age_days": [0, 28], "severity": "error"}
IBU_HAMIL = {
    "sex": "P",
    "age": [10, 55],
    "severity": "warning",
    "note": (
        "Jenis kelamin P (perempuan) pasti; rentang usia 10–55 tahun hanya kelaziman, di luar rentang itu diberi "
        "peringatan, tidak ditolak."
    ),
}
PENDIDIKAN_DASAR = {"age": [7, 15], "severity": "error"}


def make_nik(birth: date, sex: str = "L", *, kecamatan: str = "181201", serial: str = "0001") -> str:
    day = birth.day + (40 if sex == "P" else 0)
    return f"{kecamatan}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial}"


def make_row(**overrides: object) -> dict[str, object]:
    birth = overrides.pop("birth", date(1990, 3, 12))
    sex = overrides.get("jenis_kelamin", "L")
    row: dict[str, object] = {
        "nik": make_nik(birth, sex if sex in ("L", "P") else "L"),  # type: ignore[arg-type]
        "nama": "Budi Santoso",
        "jenis_kelamin": "L",
        "tanggal_lahir": birth,
        "alamat": "Jl. Jenderal Sudirman No. 1",
        "desa": "Panaragan",
        "kode_kecamatan": "18.12.01",
        "tanggal_layanan": date(2024, 5, 20),
        "status_layanan": "",
        "keterangan": "",
    }
    row.update(overrides)
    return row


def nik_issues(nik: object, *, sex: str | None = "L", birth_date: date | None = None) -> list[Issue]:
    return check_nik(nik, sex=sex, birth_date=birth_date, province_codes=PROVINCES, kecamatan_codes=KECAMATANS)


def row_issues(row: dict[str, object], rule: Eligibility = ANY_AGE, *, year: int = YEAR) -> list[Issue]:
    return check_row(row, service_rule=rule, year=year, province_codes=PROVINCES, kecamatan_codes=KECAMATANS)


def errors(issues: list[Issue]) -> list[Issue]:
    return [issue for issue in issues if issue.severity == ERROR]


# --- masking -------------------------------------------------------------------------------------------


def test_mask_nik_keeps_first_and_last_four_digits() -> None:
    assert mask_nik("1812010101900001") == "1812******0001"
    assert mask_nik(" 1812010101900001 ") == "1812******0001"


def test_mask_nik_masks_short_values_completely() -> None:
    assert mask_nik("12345") == "******"


# --- dates ---------------------------------------------------------------------------------------------


def test_parse_date_accepts_date_and_datetime_cells() -> None:
    assert parse_date(date(2024, 5, 20)) == date(2024, 5, 20)
    assert parse_date(datetime(2024, 5, 20, 13, 45)) == date(2024, 5, 20)


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (1, date(1900, 1, 1)),
        (59, date(1900, 2, 28)),
        (61, date(1900, 3, 1)),
        (45000, date(2023, 3, 15)),
        (45000.0, date(2023, 3, 15)),
        (45000.75, date(2023, 3, 15)),  # a time of day is ignored
        (45432, date(2024, 5, 20)),
    ],
)
def test_parse_date_reads_excel_serial_numbers(serial: float, expected: date) -> None:
    assert parse_date(serial) == expected


@pytest.mark.parametrize("serial", [60, 0, -3, 0.5, 3_000_000, math.nan, math.inf])
def test_parse_date_rejects_excel_serials_that_are_not_dates(serial: float) -> None:
    with pytest.raises(FieldError, match="Tanggal"):
        parse_date(serial)


@pytest.mark.parametrize(
    "text",
    ["20/05/2024", "20-05-2024", "2024-05-20", " 20/05/2024 ", "20.05.2024", "2024-05-20 00:00:00"],
)
def test_parse_date_reads_text_forms(text: str) -> None:
    assert parse_date(text) == date(2024, 5, 20)


def test_parse_date_reads_day_and_month_without_leading_zero() -> None:
    assert parse_date("5/3/2024") == date(2024, 3, 5)
    assert parse_date("2024-3-5") == date(2024, 3, 5)


@pytest.mark.parametrize("text", ["20 Mei 2024", "05/2024", "20/05/24", "2024/05/20", "20/05-2024", "besok"])
def test_parse_date_rejects_unparseable_text(text: str) -> None:
    with pytest.raises(FieldError, match="tidak dapat dibaca sebagai tanggal"):
        parse_date(text)


@pytest.mark.parametrize("text", ["31/02/2024", "29/02/2023", "00/01/2024", "12/13/2024"])
def test_parse_date_rejects_dates_not_in_the_calendar(text: str) -> None:
    with pytest.raises(FieldError, match="bukan tanggal yang ada di kalender"):
        parse_date(text)


def test_parse_date_accepts_29_february_in_leap_years() -> None:
    assert parse_date("29/02/2024") == date(2024, 2, 29)
    assert parse_date("29/02/2000") == date(2000, 2, 29)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_parse_date_empty_cells_are_none(value: object) -> None:
    assert parse_date(value) is None


def test_parse_date_rejects_booleans() -> None:
    with pytest.raises(FieldError):
        parse_date(True)


def test_age_is_counted_in_completed_years() -> None:
    assert age_in_years(date(2008, 5, 20), date(2024, 5, 19)) == 15
    assert age_in_years(date(2008, 5, 20), date(2024, 5, 20)) == 16


def test_29_february_birthday_counts_from_1_march_in_common_years() -> None:
    born = date(2016, 2, 29)
    assert age_in_years(born, date(2023, 2, 28)) == 6
    assert age_in_years(born, date(2023, 3, 1)) == 7
    assert age_in_years(born, date(2024, 2, 29)) == 8


# --- NIK -----------------------------------------------------------------------------------------------


def test_valid_nik_has_no_issues() -> None:
    assert nik_issues("1812011203900001", birth_date=date(1990, 3, 12)) == []


def test_nik_given_as_int_is_accepted() -> None:
    assert nik_issues(1812011203900001, birth_date=date(1990, 3, 12)) == []


@pytest.mark.parametrize(
    "nik",
    ["181201120390001", "18120112039000012", "1812 0112 0390 0001", "18120112O3900001", "1812-01-1203900001"],
)
def test_nik_must_be_16_digits(nik: str) -> None:
    (issue,) = nik_issues(nik)
    assert issue == Issue("nik", issue.message, ERROR)
    assert issue.message.startswith("NIK harus 16 digit angka")


@pytest.mark.parametrize("nik", [1812011203900001.0, 1.81201120390000e15, "1.81201E+15", "1812011203900001.0"])
def test_nik_typed_as_number_must_be_typed_as_text(nik: object) -> None:
    (issue,) = nik_issues(nik)
    assert issue.severity == ERROR
    assert "NIK harus diketik sebagai teks" in issue.message


def test_nik_with_unknown_province_code_is_rejected() -> None:
    issues = nik_issues("9912011203900001", birth_date=date(1990, 3, 12))
    assert Issue("nik", "Kode provinsi pada NIK (99) tidak dikenal", ERROR) in issues


def test_unknown_kecamatan_code_is_only_a_warning() -> None:
    issues = nik_issues("1812991203900001", birth_date=date(1990, 3, 12))
    assert [issue.severity for issue in issues] == [WARNING]
    assert "Kode kecamatan pada NIK (18.12.99)" in issues[0].message


def test_known_kecamatan_code_has_no_warning() -> None:
    assert nik_issues("1812021203900001") == []


@pytest.mark.parametrize("date_digits", ["000190", "320190", "400190", "121390", "300290", "720190", "290201"])
def test_nik_birth_date_digits_must_be_a_real_date(date_digits: str) -> None:
    issues = nik_issues(f"181201{date_digits}0001", sex=None)
    assert [issue.message for issue in issues] == [
        "Digit ke-7 s.d. 12 NIK (tanggal lahir; hari + 40 untuk perempuan) bukan tanggal yang valid"
    ]


def test_nik_birth_date_29_february_is_real_in_leap_years() -> None:
    assert nik_issues("1812012902000001", birth_date=date(2000, 2, 29)) == []
    assert nik_issues("1812012902000001", sex=None) == []  # 00 may be 2000
    assert nik_issues("1812016902040001", sex="P", birth_date=date(2004, 2, 29)) == []
    assert errors(nik_issues("1812012902000001", birth_date=date(1900, 2, 28)))


def test_nik_birth_date_must_match_birth_date_column() -> None:
    issues = nik_issues("1812011203900001", birth_date=date(1990, 3, 13))
    assert issues == [
        Issue(
            "nik",
            "Tanggal lahir pada NIK (12-03-1990) tidak sama dengan kolom Tanggal Lahir (13-03-1990)",
            ERROR,
        )
    ]


def test_nik_birth_year_is_compared_modulo_100() -> None:
    assert nik_issues("1812011203900001", birth_date=date(1990, 3, 12)) == []
    (issue,) = nik_issues("1812011203900001", birth_date=date(1991, 3, 12))
    assert "(12-03-1990)" in issue.message and "(12-03-1991)" in issue.message


def test_women_have_day_plus_40_in_nik() -> None:
    born = date(1990, 3, 12)
    assert nik_issues("1812015203900001", sex="P", birth_date=born) == []
    (issue,) = nik_issues("1812011203900001", sex="P", birth_date=born)
    assert issue.message.startswith("Jenis kelamin pada NIK (L;")


def test_nik_sex_must_match_sex_column() -> None:
    (issue,) = nik_issues("1812015203900001", sex="L", birth_date=date(1990, 3, 12))
    assert issue.severity == ERROR
    assert "Jenis kelamin pada NIK (P;" in issue.message and "Jenis Kelamin (L/P) (L)" in issue.message


def test_nik_accepts_long_sex_names_in_sex_column() -> None:
    assert nik_issues("1812015203900001", sex="Perempuan") == []


def test_nik_with_serial_0000_is_rejected() -> None:
    issues = nik_issues("1812011203900000")
    assert issues == [Issue("nik", "Nomor urut NIK (4 digit terakhir) tidak boleh 0000", ERROR)]


def test_nik_with_serial_0001_is_accepted() -> None:
    assert nik_issues("1812011203900001") == []


def test_empty_nik_is_required() -> None:
    assert nik_issues("  ") == [Issue("nik", "NIK wajib diisi", ERROR)]


# --- rows ----------------------------------------------------------------------------------------------


def test_columns_have_indonesian_headers_and_required_flags() -> None:
    assert [column.header for column in COLUMNS][:4] == [
        "NIK",
        "Nama Lengkap",
        "Jenis Kelamin (L/P)",
        "Tanggal Lahir",
    ]
    assert {column.code for column in COLUMNS if column.required} == {
        "nik",
        "nama",
        "jenis_kelamin",
        "tanggal_lahir",
        "alamat",
        "tanggal_layanan",
    }


def test_valid_row_has_no_issues() -> None:
    assert row_issues(make_row()) == []


@pytest.mark.parametrize("code", [column.code for column in COLUMNS if column.required])
@pytest.mark.parametrize("blank", [None, "", "  "])
def test_required_columns_must_be_filled(code: str, blank: object) -> None:
    issues = row_issues(make_row(**{code: blank}))
    assert Issue(code, f"{HEADERS[code]} wajib diisi", ERROR) in issues


@pytest.mark.parametrize("code", [column.code for column in COLUMNS if not column.required])
def test_optional_columns_may_be_empty(code: str) -> None:
    assert row_issues(make_row(**{code: None})) == []


@pytest.mark.parametrize("value", ["L", "l", " L ", "Laki-laki"])
def test_sex_column_accepts_l_and_p(value: str) -> None:
    assert row_issues(make_row(jenis_kelamin=value)) == []


@pytest.mark.parametrize("value", ["X", "Pria", 1])
def test_sex_column_must_be_l_or_p(value: object) -> None:
    issues = row_issues(make_row(jenis_kelamin=value))
    assert [issue.message for issue in issues if issue.column == "jenis_kelamin"] == [
        f"Jenis Kelamin (L/P) harus L atau P, bukan '{value}'"
    ]


def test_row_dates_as_text_and_excel_serials_are_read() -> None:
    assert row_issues(make_row(tanggal_lahir="12/03/1990", tanggal_layanan=45432)) == []
    assert row_issues(make_row(tanggal_lahir="1990-03-12", tanggal_layanan="20-05-2024")) == []


def test_unreadable_date_names_the_column() -> None:
    (issue,) = row_issues(make_row(tanggal_layanan="20 Mei 2024"))
    assert issue.column == "tanggal_layanan"
    assert issue.message.startswith("Tanggal Layanan tidak dapat dibaca sebagai tanggal '20 Mei 2024'")


def test_service_date_must_be_in_reporting_year() -> None:
    (issue,) = row_issues(make_row(tanggal_layanan=date(2023, 12, 31)))
    assert issue == Issue("tanggal_layanan", "Tanggal Layanan (31-12-2023) di luar tahun pelaporan 2024", ERROR)
    assert row_issues(make_row(tanggal_layanan=date(2024, 1, 1))) == []
    assert row_issues(make_row(tanggal_layanan=date(2024, 12, 31))) == []


def test_birth_date_must_not_be_after_service_date() -> None:
    born = date(2024, 6, 1)
    issues = row_issues(make_row(birth=born, tanggal_layanan=date(2024, 5, 31)))
    assert Issue("tanggal_lahir", "Tanggal Lahir (01-06-2024) sesudah Tanggal Layanan (31-05-2024)", ERROR) in issues
    assert row_issues(make_row(birth=born, tanggal_layanan=born)) == []


def test_birth_date_before_1900_is_rejected() -> None:
    issues = row_issues(make_row(tanggal_lahir=date(1890, 3, 12)))
    assert Issue("tanggal_lahir", "Tanggal Lahir tidak wajar (12-03-1890)", ERROR) in issues


def test_kode_kecamatan_must_be_a_known_dotted_code() -> None:
    (issue,) = row_issues(make_row(kode_kecamatan="18.12.99"))
    assert issue.message == "Kode Kecamatan 18.12.99 tidak terdaftar dalam kode wilayah Kemendagri"
    (issue,) = row_issues(make_row(kode_kecamatan="18-12-01"))
    assert issue.message.startswith("Kode Kecamatan harus berformat PP.KK.CC")
    assert row_issues(make_row(kode_kecamatan="181201")) == []  # the code without dots


# --- the list holds everyone who must be served; names and plain words (issue 11) ----------------------

NAMES = {"tulang bawang tengah": "18.12.01", "tumijajar": "18.12.02"}


def named_issues(row: dict[str, object]) -> list[Issue]:
    return check_row(
        row,
        service_rule=ANY_AGE,
        year=YEAR,
        province_codes=PROVINCES,
        kecamatan_codes=KECAMATANS,
        kecamatan_names=NAMES,
    )


@pytest.mark.parametrize("status", ["Belum terlayani", "belum  TERLAYANI", "Tidak", "belum"])
def test_citizen_not_yet_served_is_listed_without_a_service_date(status: str) -> None:
    assert row_issues(make_row(tanggal_layanan=None, status_layanan=status)) == []
    assert row_issues(make_row(tanggal_layanan="", status_layanan=status)) == []


def test_empty_service_date_is_still_required_for_a_served_citizen() -> None:
    for status in ("", "Sesuai standar", "Ya"):
        issues = row_issues(make_row(tanggal_layanan=None, status_layanan=status))
        assert Issue("tanggal_layanan", "Tanggal Layanan wajib diisi", ERROR) in issues


def test_belum_terlayani_with_a_service_date_is_refused() -> None:
    (issue,) = row_issues(make_row(status_layanan="Belum terlayani"))
    assert issue == Issue("tanggal_layanan", "Tanggal Layanan harus kosong bila Status Layanan 'Belum terlayani'")


def test_unserved_citizen_still_checked_for_the_services_sex() -> None:
    rule = Eligibility.from_catalogue(IBU_HAMIL)
    row = make_row(tanggal_layanan=None, status_layanan="Belum terlayani")
    issues = check_row(row, service_rule=rule, year=YEAR, province_codes=PROVINCES, kecamatan_codes=KECAMATANS)
    assert [issue.column for issue in issues] == ["jenis_kelamin"]


@pytest.mark.parametrize(
    ("written", "code"),
    [("Tulang Bawang Tengah", "18.12.01"), ("  TULANG   bawang tengah ", "18.12.01"), ("Kec. Tumijajar", "18.12.02")],
)
def test_kecamatan_by_name_is_accepted_with_a_warning_naming_the_code(written: str, code: str) -> None:
    (issue,) = named_issues(make_row(kode_kecamatan=written))
    assert issue.severity == WARNING and issue.column == "kode_kecamatan"
    assert f"dibaca sebagai kode {code}" in issue.message
    assert kecamatan_code(written, KECAMATANS, NAMES)[0] == code


def test_unknown_kecamatan_name_is_an_error() -> None:
    (issue,) = named_issues(make_row(kode_kecamatan="Bandar Lampung"))
    assert issue.severity == ERROR and "atau nama kecamatan di daerah ini" in issue.message


# --- eligibility ---------------------------------------------------------------------------------------


def test_eligibility_from_catalogue_reads_catalogue_entries() -> None:
    assert Eligibility.from_catalogue({}) == Eligibility()
    assert Eligibility.from_catalogue(LANSIA) == Eligibility(min_age=60)
    assert Eligibility.from_catalogue(BAYI_BARU_LAHIR) == Eligibility(min_age_days=0, max_age_days=28)
    assert Eligibility.from_catalogue(IBU_HAMIL) == Eligibility(min_age=10, max_age=55, sex="P", severity=WARNING)
    assert Eligibility.from_catalogue({"age_days": [0, 28]}).severity == ERROR


@pytest.mark.parametrize(
    "spec",
    [
        {"umur": [1, 2]},
        {"age": [60]},
        {"age": [55, 10]},
        {"age": ["10", 55]},
        {"age": [1, 2], "age_days": [0, 28]},
        {"sex": "W"},
        {"age": [1, 2], "severity": "fatal"},
    ],
)
def test_eligibility_from_catalogue_rejects_malformed_rules(spec: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="ligibility"):
        Eligibility.from_catalogue(spec)


def test_empty_eligibility_checks_nothing() -> None:
    assert row_issues(make_row(birth=date(1930, 1, 1)), Eligibility.from_catalogue({})) == []


def test_age_band_is_checked_in_completed_years_at_service_date() -> None:
    rule = Eligibility.from_catalogue(PENDIDIKAN_DASAR)
    served = date(2024, 5, 20)
    assert row_issues(make_row(birth=date(2008, 5, 21), tanggal_layanan=served), rule) == []  # 15 years
    (issue,) = row_issues(make_row(birth=date(2008, 5, 20), tanggal_layanan=served), rule)  # 16 today
    assert issue == Issue(
        "tanggal_lahir",
        "Umur menurut Tanggal Lahir pada Tanggal Layanan 16 tahun, di luar sasaran layanan (7-15 tahun)",
        ERROR,
    )
    assert errors(row_issues(make_row(birth=date(2017, 5, 21), tanggal_layanan=served), rule))  # 6 years


def test_29_february_birthday_reaches_age_band_on_1_march() -> None:
    rule = Eligibility.from_catalogue(PENDIDIKAN_DASAR)
    born = date(2016, 2, 29)
    (issue,) = row_issues(make_row(birth=born, tanggal_layanan=date(2023, 2, 28)), rule, year=2023)
    assert issue.message.endswith("6 tahun, di luar sasaran layanan (7-15 tahun)")
    assert row_issues(make_row(birth=born, tanggal_layanan=date(2023, 3, 1)), rule, year=2023) == []


def test_newborn_eligibility_counts_days() -> None:
    rule = Eligibility.from_catalogue(BAYI_BARU_LAHIR)
    born = date(2024, 5, 1)
    assert row_issues(make_row(birth=born, tanggal_layanan=born), rule) == []
    assert row_issues(make_row(birth=born, tanggal_layanan=born + timedelta(days=28)), rule) == []
    (issue,) = row_issues(make_row(birth=born, tanggal_layanan=born + timedelta(days=29)), rule)
    assert issue.severity == ERROR
    assert issue.message.endswith("29 hari, di luar sasaran layanan (0-28 hari)")


def test_age_upper_bound_null_has_no_maximum() -> None:
    rule = Eligibility.from_catalogue(LANSIA)
    served = date(2024, 5, 20)
    assert row_issues(make_row(birth=date(1920, 1, 1), tanggal_layanan=served), rule) == []  # 104 years
    assert row_issues(make_row(birth=date(1964, 5, 20), tanggal_layanan=served), rule) == []  # 60 today
    (issue,) = row_issues(make_row(birth=date(1964, 5, 21), tanggal_layanan=served), rule)
    assert issue.severity == ERROR
    assert issue.message.endswith("59 tahun, di luar sasaran layanan (60 tahun ke atas)")


def test_ibu_hamil_must_be_female_as_an_error_even_when_age_band_is_a_warning() -> None:
    rule = Eligibility.from_catalogue(IBU_HAMIL)
    assert row_issues(make_row(jenis_kelamin="P"), rule) == []
    issues = row_issues(make_row(jenis_kelamin="L"), rule)
    assert issues == [
        Issue(
            "jenis_kelamin",
            "Layanan ini hanya untuk penerima perempuan (P); kolom Jenis Kelamin (L/P) berisi L",
            ERROR,
        )
    ]


def test_age_band_with_warning_severity_gives_only_a_warning() -> None:
    rule = Eligibility.from_catalogue(IBU_HAMIL)
    (issue,) = row_issues(make_row(jenis_kelamin="P", birth=date(1960, 1, 5)), rule)
    assert issue.severity == WARNING
    assert issue.message.endswith("64 tahun, di luar sasaran layanan (10-55 tahun)")


# --- duplicates and streaming --------------------------------------------------------------------------


def test_find_duplicates_in_file_maps_repeats_to_first_row() -> None:
    niks = [
        (2, "1812011203900001"),
        (3, "1812011203900002"),
        (4, " 1812011203900001"),
        (5, ""),
        (6, None),
        (7, "1812011203900001"),
        (8, ""),
    ]
    assert find_duplicates_in_file(niks) == {4: 2, 7: 2}


def test_find_duplicates_in_file_without_repeats_is_empty() -> None:
    assert find_duplicates_in_file([(2, "1812011203900001"), (3, "1812011203900002")]) == {}


def test_nik_index_gives_the_first_row_of_every_nik_as_a_dict_would() -> None:
    rng = random.Random(15)
    niks = [rng.randrange(10**15, 10**16) for _ in range(30_000)]
    niks += [niks[rng.randrange(len(niks))] for _ in range(3_000)]  # repeats, some more than once
    niks += [0, 9_999_999_999_999_999, 0]  # the extremes of 16 digits
    rng.shuffle(niks)
    index, expected = NikIndex(), {}
    for row_number, nik in enumerate(niks, start=2):
        assert index.first_row(nik, row_number) == expected.setdefault(nik, row_number)
    assert len(index) == len(expected)


def test_nik_index_stays_compact() -> None:
    index = NikIndex()
    for row_number, nik in enumerate(range(1812010101900001, 1812010101900001 + 100_000), start=2):
        index.first_row(nik, row_number)
    table_bytes = sum(part.itemsize * len(part) for part in (index._keys, index._rows))
    assert table_bytes <= 100_000 * 32  # at most half full, 12 bytes a slot; a dict takes ~100 bytes a NIK


def validate(
    rows: list[tuple[int, dict[str, object]]], rule: Eligibility = ANY_AGE
) -> tuple[list[RowResult], ValidationCounts]:
    counts = ValidationCounts()
    results = list(
        validate_rows(
            rows,
            service_rule=rule,
            year=YEAR,
            province_codes=PROVINCES,
            kecamatan_codes=KECAMATANS,
            counts=counts,
        )
    )
    return results, counts


def test_duplicate_nik_in_file_is_an_error_naming_the_first_row() -> None:
    row = make_row()
    results, counts = validate([(2, row), (3, make_row(birth=date(1991, 1, 1))), (4, dict(row))])
    assert [result.issues for result in results[:2]] == [(), ()]
    assert results[2].issues == (Issue("nik", "NIK sama dengan baris 2 (data ganda dalam berkas)", ERROR),)
    assert counts.duplicates_in_file == 1


def test_validate_rows_counts_valid_error_and_warning_rows() -> None:
    rows = [
        (2, make_row()),
        (3, make_row(nama="", birth=date(1991, 1, 1))),
        (4, make_row(nik="1812991203900001")),  # unknown kecamatan: warning only
        (5, make_row()),  # duplicate of row 2
    ]
    results, counts = validate(rows)
    assert [result.has_errors for result in results] == [False, True, False, True]
    assert counts == ValidationCounts(rows_read=4, valid=2, with_errors=2, with_warnings=1, duplicates_in_file=1)


def test_validate_rows_streams_lazily() -> None:
    def endless() -> Iterator[tuple[int, dict[str, object]]]:
        number = 2
        while True:
            yield number, make_row(nik=make_nik(date(1990, 3, 12), serial=f"{number:04d}"))
            number += 1

    stream = validate_rows(
        endless(), service_rule=ANY_AGE, year=YEAR, province_codes=PROVINCES, kecamatan_codes=KECAMATANS
    )
    assert next(stream).row_number == 2
    assert next(stream).issues == ()


def test_validate_rows_handles_20k_generated_rows() -> None:
    rule = Eligibility.from_catalogue(LANSIA)
    kecamatans = sorted(KECAMATANS)
    rows = []
    for number in range(2, 20_002):
        born = date(1930, 1, 1) + timedelta(days=number % 12_000)  # ages 60-94 in 2024
        sex = "P" if number % 2 else "L"
        nik = make_nik(born, sex, kecamatan=kecamatans[number % 4].replace(".", ""), serial=f"{number % 9999 + 1:04d}")
        rows.append((number, make_row(nik=nik, jenis_kelamin=sex, birth=born, tanggal_layanan="20/05/2024")))
    rows.append((20_002, dict(rows[0][1])))  # one duplicate
    rows.append((20_003, make_row(nik=float(rows[1][1]["nik"]))))  # one NIK typed as a number
    results, counts = validate(rows, rule)
    assert counts == ValidationCounts(rows_read=20_002, valid=20_000, with_errors=2, duplicates_in_file=1)
    assert [result.row_number for result in results if result.has_errors] == [20_002, 20_003]


def test_row_result_repr_keeps_personal_data_out() -> None:
    (result,), _ = validate([(2, make_row())])
    assert "1812" not in repr(result) and "Budi" not in repr(result)


def test_column_for_header_matches_indonesian_headers() -> None:
    assert column_for_header("NIK") == "nik"
    assert column_for_header("  jenis   kelamin (l/p) ") == "jenis_kelamin"
    assert column_for_header("Jenis Kelamin") == "jenis_kelamin"
    assert column_for_header("Tanggal Layanan") == "tanggal_layanan"
    assert column_for_header("No.") is None
    assert column_for_header(None) is None


# --- personal data never leaks -------------------------------------------------------------------------

RULES = [Eligibility.from_catalogue(spec) for spec in ({}, LANSIA, BAYI_BARU_LAHIR, IBU_HAMIL, PENDIDIKAN_DASAR)]
digits16 = st.text(alphabet="0123456789", min_size=16, max_size=16)


@given(
    nik=digits16,
    column=st.sampled_from([column.code for column in COLUMNS]),
    form=st.sampled_from(["text", "int", "float", "spaced", "dotted", "extra_digit"]),
    sex=st.sampled_from(["L", "P", "X"]),
    birth=st.dates(date(1900, 1, 1), date(2024, 12, 31)),
    rule=st.sampled_from(RULES),
)
def test_no_message_ever_contains_a_full_nik(
    nik: str, column: str, form: str, sex: str, birth: date, rule: Eligibility
) -> None:
    cell: object = {
        "text": nik,
        "int": int(nik),
        "float": float(nik),
        "spaced": f"{nik[:4]} {nik[4:8]} {nik[8:12]} {nik[12:]}",
        "dotted": f"{nik[:2]}.{nik[2:4]}.{nik[4:6]}.{nik[6:]}",
        "extra_digit": nik + "7",
    }[form]
    row = make_row(nik=nik, jenis_kelamin=sex, tanggal_lahir=birth)
    row[column] = cell
    messages = [issue.message for issue in row_issues(row, rule)]
    messages += [issue.message for issue in nik_issues(cell, sex=sex, birth_date=birth)]
    results, _ = validate([(2, row), (3, dict(row))], rule)
    messages += [issue.message for result in results for issue in result.issues]
    try:
        parse_date(cell)
    except FieldError as error:
        messages.append(str(error))
    messages.append(mask_nik(nik))
    for message in messages:
        assert nik not in message
        assert nik not in message.replace(" ", "").replace(".", "")


@given(nik=digits16, birth=st.dates(date(1900, 1, 1), date(2024, 12, 31)), rule=st.sampled_from(RULES))
def test_every_message_names_its_column_header(nik: str, birth: date, rule: Eligibility) -> None:
    row = make_row(nik=nik, tanggal_lahir=birth, jenis_kelamin="L", kode_kecamatan="99.99.99")
    for issue in row_issues(row, rule):
        assert HEADERS[issue.column] in issue.message
