"""Benchmark of the recipient import (data penerima): the project's fast path against django-import-export.

    DATABASE_URL=postgres://root@127.0.0.1:5432/espm_bench \
        .venv/bin/python bench/import_recipients.py [--rows 100000] [--million]

What it does, on the PostgreSQL database of DATABASE_URL (migrated if needed):

1. Generates seeded, realistic xlsx files the way Excel saves them (shared strings, date cells): people of
   Kabupaten Tulang Bawang Barat (18.12) with NIKs consistent with their birth date, sex and a kecamatan
   of issue (mostly the daerah's own, some elsewhere in Lampung), for 1.02.K06 (usia produktif, 15-59).
   A first file has about 3 % rows with errors and 1 % NIKs repeated; the second is the corrected file.
2. Runs the project's import end to end, each in a subprocess so its peak memory is its own:
   upload checks (``recipient_import_start``), validation (``recipient_import_validate``: parse, checks,
   duplicate check against the stored list, error report) and storing (``recipient_import_commit``, COPY).
   The file with errors is validated (it cannot be stored); the corrected one is validated and stored.
3. Imports a slice of the same rows with django-import-export's ``RecipientResource`` (a ModelResource,
   default options) as the baseline.
4. Prints rows/s, the ratio to the baseline and peak RSS (VmHWM), and checks them against the goals:
   >= 25,000 rows/s end to end at 100k rows (and at 1M), >= 50x the baseline, peak RSS < 250 MB at 1M
   rows; with ``--million``, the 1M/100k time ratio (<= 11: the import grows linearly) and the time of the
   file with errors against the clean file at 1M (<= 1.5).
5. A padding probe: a sheet of two data rows with 64, 128 and 256 MB of whitespace inside ``<sheetData>``
   (stored, not compressed, so the package check lets it through) read by the upload checks and the
   streaming reader; the time per size and the 256/64 ratio (about 4 when reading is linear).

The benchmark writes only its own data: recipients of 18.12 / 1.02.K06 for the year 2001 (before SPM
existed, so no real list can be touched) and imports by the user ``bench-impor``; it removes them at the
end. Generated files are cached in ``bench/.data`` (seeded, so they are the same every run).
It is not part of ``make test``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA_DIR = ROOT / "bench" / ".data"
REGION_CODE = "18.12"
SERVICE_CODE = "1.02.K06"  # Pelayanan kesehatan pada usia produktif: 15-59 years (severity: error)
YEAR = 2001
BENCH_USER = "bench-impor"
GOAL_ROWS_PER_SECOND = 25_000
GOAL_RATIO = 50
GOAL_PEAK_MB = 250
GOAL_SCALE_RATIO = 11  # 1M rows against 100k rows
GOAL_ERROR_FILE_RATIO = 1.5  # the file with errors against the clean file
PADDING_MB = (64, 128, 256)

FIRST_NAMES = [
    "Agus",
    "Ahmad",
    "Andi",
    "Anisa",
    "Ayu",
    "Bambang",
    "Budi",
    "Cahya",
    "Citra",
    "Dedi",
    "Dewi",
    "Dian",
    "Eka",
    "Endang",
    "Fajar",
    "Fitri",
    "Gita",
    "Hadi",
    "Hendra",
    "Ika",
    "Indah",
    "Joko",
    "Kartika",
    "Komang",
    "Lestari",
    "Made",
    "Maya",
    "Mega",
    "Muhammad",
    "Nur",
    "Nyoman",
    "Putri",
    "Putu",
    "Rahmat",
    "Ratna",
    "Rina",
    "Rizki",
    "Sari",
    "Siti",
    "Slamet",
    "Sri",
    "Suryani",
    "Teguh",
    "Tri",
    "Wahyu",
    "Wati",
    "Wayan",
    "Yanti",
    "Yogi",
    "Yuliana",
    "Yusuf",
    "Zainal",
]
LAST_NAMES = [
    "Saputra",
    "Wijaya",
    "Santoso",
    "Pratama",
    "Lestari",
    "Susanto",
    "Hidayat",
    "Kurniawan",
    "Setiawan",
    "Nugroho",
    "Rahayu",
    "Siregar",
    "Nasution",
    "Harahap",
    "Simanjuntak",
    "Purba",
    "Lubis",
    "Hasibuan",
    "Utami",
    "Wulandari",
    "Permata",
    "Maharani",
    "Gunawan",
    "Suharto",
    "Firmansyah",
    "Ramadhan",
    "Syahputra",
    "Anggraini",
    "Puspita",
    "Kusuma",
    "Handayani",
    "Irawan",
    "Sembiring",
    "Tarigan",
    "Ginting",
    "Sitompul",
    "Panjaitan",
]
STREETS = [
    "Merdeka",
    "Sudirman",
    "Ahmad",
    "Yani",
    "Diponegoro",
    "Gatot",
    "Subroto",
    "Pahlawan",
    "Kartini",
    "Imam",
    "Bonjol",
    "Veteran",
    "Pemuda",
    "Cendana",
    "Melati",
    "Mawar",
    "Kenanga",
    "Flamboyan",
    "Raya",
    "Lintas",
    "Sumatera",
    "Poros",
    "Pasar",
    "Baru",
    "Masjid",
    "Sekolah",
]
VILLAGES = (
    "Panaragan",
    "Panaragan Jaya",
    "Mulya Asri",
    "Candra Kencana",
    "Tirta Kencana",
    "Penumangan",
    "Menggala Mas",
    "Bangun Jaya",
    "Daya Murni",
    "Daya Asri",
    "Mercu Buana",
    "Karta",
    "Karta Raharja",
    "Gunung Katun",
    "Gunung Agung",
    "Tunas Asri",
    "Margo Mulyo",
    "Toto Mulyo",
    "Toto Katon",
    "Wono Kerto",
    "Indraloka",
    "Lesung Bhakti Jaya",
    "Balam Jaya",
    "Pagar Dewa",
    "Way Kenanga",
    "Kagungan Ratu",
)


# --- Django ------------------------------------------------------------------------------------------------


def setup_django(media_root: str | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spm.settings")
    os.environ["CELERY_BROKER_URL"] = ""  # the benchmark calls the services itself, in this process
    os.environ.pop("CELERY_RESULT_BACKEND", None)
    if media_root:
        os.environ["MEDIA_ROOT"] = media_root
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("Benchmark ini berjalan pada PostgreSQL: setel DATABASE_URL=postgres://…")


def prepare_database() -> None:
    """Migrate, load reference data if missing, create the benchmark user, remove earlier benchmark data."""
    from django.core.management import call_command

    from spm.choices import Role
    from spm.models import Region, User
    from spm.services import catalogue_load, regions_load

    call_command("migrate", verbosity=0, interactive=False)
    if not Region.objects.filter(code=REGION_CODE).exists():
        catalogue_load()
        regions_load()
    user, _created = User.objects.get_or_create(username=BENCH_USER, defaults={"role": Role.ADMIN})
    if not user.is_superuser:
        user.is_superuser = True
        user.role = Role.ADMIN
        user.save()
    clean()


def clean() -> None:
    from reporting.models import Recipient, RecipientImport
    from spm.models import BasicService, Region

    region = Region.objects.get(code=REGION_CODE)
    service = BasicService.objects.get(code=SERVICE_CODE)
    deleted, _by_model = Recipient.objects.filter(region=region, service=service, year=YEAR).delete()
    if deleted:
        from django.db import connection

        with connection.cursor() as cursor:  # a fair start: no dead rows left by the previous run
            cursor.execute(f"VACUUM (ANALYZE) {Recipient._meta.db_table}")
    for batch in RecipientImport.objects.filter(created_by__username=BENCH_USER):
        for field in (batch.file, batch.staged_file, batch.error_report):
            if field.name:
                field.storage.delete(field.name)
        batch.delete()


# --- generated files ----------------------------------------------------------------------------------------


def kecamatan_codes() -> tuple[list[str], list[str]]:
    """Kecamatan of the daerah, and of the rest of its province, from the project's regions.csv."""
    own, province = [], []
    for line in (ROOT / "spm" / "data" / "regions.csv").read_text(encoding="utf-8").splitlines()[1:]:
        code, _name, level, _parent = line.split(",", 3)
        if level == "kecamatan" and code.startswith(REGION_CODE + "."):
            own.append(code)
        elif level == "kecamatan" and code.startswith(REGION_CODE.split(".")[0] + "."):
            province.append(code)
    return own, province


def make_nik(kecamatan: str, birth: dt.date, sex: str, serial: int) -> str:
    day = birth.day + (40 if sex == "P" else 0)
    return f"{kecamatan.replace('.', '')}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def people(count: int, seed: int):
    """``count`` valid rows (lists in template column order), reproducible from ``seed``."""
    rng = random.Random(seed)
    own, province = kecamatan_codes()
    used: set[str] = set()
    start = dt.date(YEAR, 1, 1)
    for _ in range(count):
        served = start + dt.timedelta(days=rng.randrange(365))
        age_days = rng.randrange(15 * 366, 59 * 365)
        birth = served - dt.timedelta(days=age_days)
        sex = rng.choice("LP")
        home = rng.choice(own)
        issued = home if rng.random() < 0.93 else rng.choice(province)
        while True:
            nik = make_nik(issued, birth, sex, rng.randrange(1, 10_000))
            if nik not in used:
                used.add(nik)
                break
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if rng.random() < 0.3:
            name = f"{rng.choice(FIRST_NAMES)} {name}"
        address = (
            f"Jl. {rng.choice(STREETS)} No. {rng.randrange(1, 250)}, RT {rng.randrange(1, 30):03d}/"
            f"RW {rng.randrange(1, 12):03d}"
        )
        status = "Sesuai standar" if rng.random() < 0.9 else "Belum sesuai standar"
        note = "Kunjungan rumah" if rng.random() < 0.05 else ""
        yield [nik, name, sex, birth, address, rng.choice(VILLAGES), home, served, status, note]


def with_errors(rows, seed: int, error_rate: float = 0.03, duplicate_rate: float = 0.01):
    """The same rows with typical mistakes in about ``error_rate`` of them and repeated NIKs."""
    rng = random.Random(seed + 1)
    earlier: list[str] = []
    for row in rows:
        row = list(row)
        draw = rng.random()
        if draw < error_rate:
            kind = rng.randrange(8)
            if kind == 0:
                row[0] = row[0][:15]  # a digit lost
            elif kind == 1:
                row[3] = row[3] - dt.timedelta(days=400)  # birth date differs from the NIK
            elif kind == 2:
                row[2] = "P" if row[2] == "L" else "L"  # sex differs from the NIK
            elif kind == 3:
                row[7] = row[7].replace(year=YEAR - 1)  # served in another year
            elif kind == 4:
                row[1] = ""  # name missing
            elif kind == 5:
                row[7] = f"31/02/{YEAR}"  # not a date
            elif kind == 6:
                row[8] = "Selesai"  # unknown status
            else:
                row[0] = f"{row[0][:12]}0000"  # serial 0000
        elif draw < error_rate + duplicate_rate and earlier:
            row[0] = rng.choice(earlier)
        if len(earlier) < 5000:
            earlier.append(row[0])
        yield row


def generated(rows: int, seed: int, errors: bool) -> Path:
    from reporting.recipients.validation import COLUMNS
    from tests.reporting.xlsx_files import write_xlsx

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / f"penerima-{rows}-{seed}-{'galat' if errors else 'bersih'}.xlsx"
    if not path.exists():
        started = time.perf_counter()
        body = people(rows, seed)
        if errors:
            body = with_errors(body, seed)
        header = [column.header for column in COLUMNS]
        partial = path.with_suffix(".tmp")
        write_xlsx(partial, _chain([header], body), compresslevel=1)
        partial.rename(path)
        print(f"  berkas {path.name} dibuat dalam {time.perf_counter() - started:.1f} s")
    return path


def _chain(*iterables):
    for iterable in iterables:
        yield from iterable


# --- one measured import (run in a child process) ---------------------------------------------------------------


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reader_peak_rss_mb() -> float:
    """The peak resident memory of the sheet's reader process (``reporting.spreadsheet_process``, started for a
    large sheet), 0 when the sheet was read in the importing process. As the reader reports it: the kernel's
    figure for a child (ru_maxrss) would be the importing process's own, from the fork before the exec."""
    from reporting import spreadsheet

    return spreadsheet.last_reader_peak_rss_mb


def measure(path: Path, mode: str, commit: bool) -> dict:
    """Upload, validate and (if asked and possible) store one file; timings per step."""
    from django.core.files.uploadedfile import UploadedFile

    from reporting.models import Recipient
    from reporting.recipients import services as service_layer
    from reporting.recipients import store as recipient_store
    from spm.models import BasicService, Region, User

    user = User.objects.get(username=BENCH_USER)
    region = Region.objects.get(code=REGION_CODE)
    service = BasicService.objects.get(code=SERVICE_CODE)
    service_layer._enqueue = lambda step, import_id: None  # each step is timed here instead of queued

    # What Django's upload handler leaves for a large upload: a temporary file (moved into storage on save).
    received = Path(tempfile.mkdtemp(prefix="espm-bench-upload-")) / path.name
    shutil.copyfile(path, received)

    class TemporaryUpload(UploadedFile):
        def temporary_file_path(self) -> str:
            return str(received)

    timings: dict[str, float] = {}
    cpu_started = time.process_time()
    started = time.perf_counter()
    with open(received, "rb") as handle:
        upload = TemporaryUpload(handle, name=path.name, size=received.stat().st_size)
        batch = service_layer.recipient_import_start(
            user=user, region=region, service=service, year=YEAR, mode=mode, upload=upload
        )
    timings["upload"] = time.perf_counter() - started
    step = time.perf_counter()
    batch = service_layer.recipient_import_validate(batch.pk)
    timings["validate"] = time.perf_counter() - step
    result = {
        "rows_read": batch.rows_read,
        "valid": batch.rows_valid,
        "errors": batch.rows_with_errors,
        "warnings": batch.rows_with_warnings,
        "duplicates_in_file": batch.duplicates_in_file,
        "duplicates_stored": batch.duplicates_stored,
        "error_report": bool(batch.error_report),
        "stored": 0,
    }
    if commit and batch.can_commit:
        step = time.perf_counter()
        batch = recipient_store.recipient_import_commit(user=user, batch=batch)
        timings["commit"] = time.perf_counter() - step
        result["stored"] = batch.rows_stored
        result["in_database"] = Recipient.objects.filter(region=region, service=service, year=YEAR).count()
    timings["total"] = time.perf_counter() - started
    result["timings"] = timings
    result["rows_per_second"] = batch.rows_read / timings["total"]
    # The import's CPU time, its reader process included (os.times: children that have ended), not PostgreSQL's:
    # on a shared machine the wall time depends on the other load, this much less.
    children = os.times()
    result["cpu_seconds"] = time.process_time() - cpu_started + children.children_user + children.children_system
    # The import's memory is its own process's plus, for a large sheet, its reader process's: counted as the
    # sum of both peaks (an upper bound: the two do not peak at the same moment).
    result["import_peak_rss_mb"] = peak_rss_mb()
    result["reader_peak_rss_mb"] = reader_peak_rss_mb()
    result["peak_rss_mb"] = result["import_peak_rss_mb"] + result["reader_peak_rss_mb"]
    result["load"] = os.getloadavg()[0]
    return result


def run_child(path: Path, mode: str, commit: bool, media_root: str) -> dict:
    command = [sys.executable, __file__, "--child", str(path), "--mode", mode, "--media-root", media_root]
    if commit:
        command.append("--commit")
    output = subprocess.run(command, check=True, capture_output=True, text=True, env=os.environ.copy())
    return json.loads(output.stdout.strip().splitlines()[-1])


# --- the baseline: django-import-export --------------------------------------------------------------------------


def baseline(path: Path, rows: int) -> dict:
    """django-import-export's ModelResource (``RecipientResource``, default options) on ``rows`` rows."""
    import tablib

    from reporting.models import Recipient
    from reporting.resources import RecipientResource
    from reporting.spreadsheet import XlsxReader
    from spm.models import BasicService, Region

    region = Region.objects.get(code=REGION_CODE)
    service = BasicService.objects.get(code=SERVICE_CODE)
    Recipient.objects.filter(region=region, service=service, year=YEAR).delete()
    resource = RecipientResource()
    headers = [field.column_name for field in resource.get_import_fields()]
    dataset = tablib.Dataset(headers=headers)
    statuses = {"Sesuai standar": "sesuai_standar", "Belum sesuai standar": "belum_sesuai"}
    for number, values in XlsxReader(path).rows():
        if number == 1:
            continue
        nik, name, sex, birth, address, village, kecamatan, served, status, note = values[:10]
        dataset.append(
            [
                REGION_CODE,
                SERVICE_CODE,
                YEAR,
                nik,
                name,
                sex,
                birth.isoformat(),
                address,
                village,
                kecamatan,
                served.isoformat(),
                (served.month - 1) // 3 + 1,
                statuses[status],
                note,
            ]
        )
        if len(dataset) >= rows:
            break
    started = time.perf_counter()
    result = resource.import_data(dataset, dry_run=False, raise_errors=True)
    elapsed = time.perf_counter() - started
    stored = Recipient.objects.filter(region=region, service=service, year=YEAR).count()
    Recipient.objects.filter(region=region, service=service, year=YEAR).delete()
    assert not result.has_errors() and stored == len(dataset), "baseline import failed"
    return {"rows": len(dataset), "seconds": elapsed, "rows_per_second": len(dataset) / elapsed}


# --- report -------------------------------------------------------------------------------------------------------


def padding_probe() -> list[tuple[int, float, float]]:
    """Seconds (wall, CPU of this process) to check and read a two-row sheet padded with whitespace, per
    padding size."""
    from reporting.recipients import rows as recipient_rows
    from reporting.spreadsheet import XlsxReader
    from tests.reporting.xlsx_files import write_padded_xlsx

    header = ["NIK", "Nama Lengkap", "Jenis Kelamin (L/P)", "Tanggal Lahir", "Alamat", "Tanggal Layanan"]
    rows = [
        header,
        ["1812014101900001", "Siti", "P", "01/01/1990", "Jl. Uji", "05/01/2001"],
        ["1812014101900002", "Sri", "P", "01/01/1990", "Jl. Uji", "05/01/2001"],
    ]
    folder = Path(tempfile.mkdtemp(prefix="espm-bench-padding-"))
    results = []
    try:
        for size in PADDING_MB:
            path = folder / f"padding-{size}.xlsx"
            write_padded_xlsx(path, rows, padding_mb=size, compressed=False)
            started, cpu_started = time.perf_counter(), time.process_time()
            recipient_rows.check_file(path)
            read = [values for _number, values in XlsxReader(path).rows()]
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            assert len(read) == 3, "padding probe: rows lost"
            results.append((size, seconds, cpu))
            path.unlink()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return results


def describe(label: str, outcome: dict) -> None:
    timings = outcome["timings"]
    steps = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in timings.items() if name != "total")
    print(
        f"  {label}: {outcome['rows_read']:,} baris dalam {timings['total']:.2f} s = "
        f"{outcome['rows_per_second']:,.0f} baris/s ({steps}); puncak RSS {outcome['peak_rss_mb']:.0f} MB"
        + (
            f" (impor {outcome['import_peak_rss_mb']:.0f} + proses pembaca {outcome['reader_peak_rss_mb']:.0f})"
            if outcome.get("reader_peak_rss_mb")
            else ""
        )
    )
    if outcome.get("cpu_seconds"):
        cpu = outcome["cpu_seconds"]
        print(
            f"    CPU impor (dengan proses pembaca) {cpu:.2f} s = {outcome['rows_read'] / cpu:,.0f} baris per detik "
            f"CPU; beban mesin {outcome.get('load', 0):.1f}"
        )
    print(
        f"    valid {outcome['valid']:,}, galat {outcome['errors']:,}, peringatan {outcome['warnings']:,}, "
        f"ganda dalam berkas {outcome['duplicates_in_file']:,}, sudah tersimpan {outcome['duplicates_stored']:,}, "
        f"disimpan {outcome['stored']:,}, laporan galat {'ya' if outcome['error_report'] else 'tidak'}"
    )


def _load_text() -> str:
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the main run (default 100000)")
    parser.add_argument("--million", action="store_true", help="also run 1,000,000 rows (peak memory goal)")
    parser.add_argument("--baseline-rows", type=int, default=2_000, help="rows of the import-export baseline")
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--repeat", type=int, default=3, help="end-to-end runs at --rows; the median counts")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="ganti", help=argparse.SUPPRESS)
    parser.add_argument("--commit", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--media-root", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        setup_django(args.media_root)
        print(json.dumps(measure(args.child, args.mode, args.commit)))
        return 0

    media_root = tempfile.mkdtemp(prefix="espm-bench-media-")
    setup_django(media_root)
    from django.db import connection

    print(f"Basis data: PostgreSQL {connection.settings_dict['NAME']} @ {connection.settings_dict.get('HOST')}")
    print(f"Beban mesin (load average 1/5/15 menit): {_load_text()} pada {os.cpu_count()} inti")
    prepare_database()
    failures: list[str] = []
    try:
        print("\nProbe padding: dua baris data + spasi di dalam <sheetData> (cek unggah + baca)")
        probe = padding_probe()
        for size, seconds, cpu in probe:
            print(f"  {size:>4} MB spasi: {seconds:.2f} s ({size / seconds:,.0f} MB/s), CPU {cpu:.2f} s")
        linear = probe[-1][0] / probe[0][0]
        print(f"  rasio waktu {probe[-1][0]}/{probe[0][0]} MB: {probe[-1][1] / probe[0][1]:.2f} (linear: {linear:.0f})")
        # Judged on this process's CPU time: on a shared machine a second of waiting for a core in one of the
        # three reads would pass for quadratic growth.
        padding_ratio = probe[-1][2] / probe[0][2]
        print(f"  rasio waktu CPU {probe[-1][0]}/{probe[0][0]} MB: {padding_ratio:.2f} (linear: {linear:.0f})")
        if padding_ratio > 1.5 * linear:
            failures.append(f"probe padding tumbuh lebih cepat dari linear (rasio {padding_ratio:.2f})")
        sizes = [args.rows] + ([1_000_000] if args.million and args.rows != 1_000_000 else [])
        main_outcome = None
        totals: dict[int, float] = {}
        cpu_totals: dict[int, float] = {}
        for rows in sizes:
            print(f"\n{rows:,} baris")
            dirty = generated(rows, args.seed, errors=True)
            clean_file = generated(rows, args.seed, errors=False)
            clean()
            outcome = run_child(dirty, "ganti", commit=False, media_root=media_root)
            describe("berkas dengan galat (validasi + laporan galat)", outcome)
            dirty_seconds = outcome["timings"]["total"]
            if rows == 1_000_000 and outcome["peak_rss_mb"] >= GOAL_PEAK_MB:
                failures.append(f"puncak RSS berkas galat {outcome['peak_rss_mb']:.0f} MB pada 1 juta baris")
            # The end-to-end run is repeated (each time on a freshly emptied list) and the median reported:
            # the machine is shared, and a single run can be slowed by whatever else runs at the time.
            runs = []
            for _attempt in range(args.repeat if rows == args.rows else 1):
                clean()
                runs.append(run_child(clean_file, "ganti", commit=True, media_root=media_root))
            runs.sort(key=lambda run: run["timings"]["total"])
            outcome = runs[len(runs) // 2]
            if len(runs) > 1:
                each = ", ".join(f"{run['rows_per_second']:,.0f}" for run in runs)
                print(f"  ujung ke ujung, {len(runs)} kali: {each} baris/s; median:")
            describe("berkas perbaikan, ujung ke ujung (unggah + validasi + simpan COPY)", outcome)
            totals[rows] = outcome["timings"]["total"]
            cpu_totals[rows] = outcome.get("cpu_seconds", 0.0)
            error_ratio = dirty_seconds / outcome["timings"]["total"]
            print(f"  rasio waktu berkas galat / berkas bersih: {error_ratio:.2f} (target <= {GOAL_ERROR_FILE_RATIO})")
            if rows == 1_000_000 and error_ratio > GOAL_ERROR_FILE_RATIO:
                failures.append(f"berkas galat {error_ratio:.2f}x berkas bersih pada 1 juta baris")
            if outcome["rows_per_second"] < GOAL_ROWS_PER_SECOND:
                failures.append(f"{rows:,} baris: {outcome['rows_per_second']:,.0f} baris/s (target >= 25.000)")
            if outcome["stored"] != rows or outcome.get("in_database") != rows:
                failures.append(f"{rows:,} baris: {outcome['stored']:,} disimpan, bukan {rows:,}")
            again = run_child(clean_file, "tambah", commit=True, media_root=media_root)
            describe("berkas yang sama sekali lagi dengan cara Tambah (semua NIK dilewati)", again)
            if rows == args.rows:
                main_outcome = outcome
            if rows == 1_000_000 and outcome["peak_rss_mb"] >= GOAL_PEAK_MB:
                failures.append(f"puncak RSS {outcome['peak_rss_mb']:.0f} MB pada 1 juta baris (target < 250 MB)")
            if rows == 1_000_000 and again["peak_rss_mb"] >= GOAL_PEAK_MB:
                failures.append(f"puncak RSS Tambah {again['peak_rss_mb']:.0f} MB pada 1 juta baris")
        if 1_000_000 in totals and args.rows in totals and args.rows != 1_000_000:
            scale = totals[1_000_000] / totals[args.rows]
            linear = 1_000_000 / args.rows
            print(f"\nRasio waktu 1.000.000 / {args.rows:,} baris: {scale:.2f} (linear: {linear:.0f}; target <= 11)")
            if cpu_totals.get(args.rows):
                # The import process's CPU time alone (PostgreSQL's COPY aside): far less dependent on what
                # else the machine runs than the wall time, so the one to compare between runs.
                cpu_scale = cpu_totals[1_000_000] / cpu_totals[args.rows]
                print(f"Rasio waktu CPU proses impor 1.000.000 / {args.rows:,} baris: {cpu_scale:.2f}")
            if args.rows == 100_000 and scale > GOAL_SCALE_RATIO:
                failures.append(f"rasio waktu 1 juta / 100 ribu baris {scale:.2f} (target <= {GOAL_SCALE_RATIO})")
        clean()
        print(
            f"\nPembanding: django-import-export RecipientResource (ModelResource bawaan), {args.baseline_rows:,} baris"
        )
        base = baseline(generated(args.rows, args.seed, errors=False), args.baseline_rows)
        print(f"  {base['rows']:,} baris dalam {base['seconds']:.2f} s = {base['rows_per_second']:,.0f} baris/s")
        assert main_outcome is not None
        ratio = main_outcome["rows_per_second"] / base["rows_per_second"]
        print(
            f"\nHasil: {main_outcome['rows_per_second']:,.0f} baris/s ujung ke ujung pada {args.rows:,} baris, "
            f"{ratio:,.0f}x pembanding"
        )
        if ratio < GOAL_RATIO:
            failures.append(f"{ratio:.0f}x pembanding (target >= {GOAL_RATIO}x)")
    finally:
        clean()
    print(f"Beban mesin di akhir (load average 1/5/15 menit): {_load_text()}")
    if failures:
        print("TARGET TIDAK TERCAPAI: " + "; ".join(failures))
        return 1
    print("Semua target tercapai.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
