"""Benchmark: national scale (PostgreSQL) — 552 daerah, a year of approved reports and 50 million recipients.

Builds the real region list (38 provinsi + 514 kabupaten/kota from spm/data/regions.csv), each with its own
jenis (14 provincial, 29 kabupaten/kota services) × 4 triwulan of approved reports with their mutu rows and
tahapan, and fills the recipient table with COPY (50 million rows by default; ``--recipients`` or ``--small``).
Then it times, each with its query count and beside a naive baseline measured in the same run:

  (1) the national dashboard page (Kemendagri),
  (2) the provincial matrix page (the provinsi's matriks keterisian),
  (3) the national ranking page,
  (4) the SPM Awards page,
  (5) a full national recompute of the year (every daerah, every triwulan).

Goals: each page < 300 ms (median of 7), the full national recompute < 5 min, and every page's query count the
same with one provinsi's daerah as with all 552 (measured at both sizes).

    DATABASE_URL=postgres://root@127.0.0.1:5432/h_nat .venv/bin/python bench/national.py [--small]
        [--recipients N] [--keep]

It creates its own database (``<name>_bench_national``) and drops it at the end (unless ``--keep``).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spm.settings")

FULL_RECIPIENTS = 50_000_000
SMALL_RECIPIENTS = 200_000
PAGE_GOAL_S = 0.3
RECOMPUTE_GOAL_S = 300.0
FIRST_SIZE_PROVINCE = "18"  # Lampung: the provinsi and its 15 kabupaten/kota


def timed(fn, repeat: int = 1):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return result, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=None, help=f"recipient rows (default {FULL_RECIPIENTS:,})")
    parser.add_argument("--small", action="store_true", help=f"a quick run: {SMALL_RECIPIENTS:,} recipient rows")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--keep", action="store_true", help="do not drop the benchmark database")
    args = parser.parse_args()
    if args.recipients is None:
        args.recipients = SMALL_RECIPIENTS if args.small else FULL_RECIPIENTS
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (e.g. postgres://root@127.0.0.1:5432/h_nat).")

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    setup_test_environment()  # the test client's host and the in-memory mail outbox
    connection.settings_dict["TEST"]["NAME"] = f"{connection.settings_dict['NAME']}_bench_national"
    print("Menyiapkan basis data benchmark …", flush=True)
    old = setup_databases(verbosity=0, interactive=False, keepdb=False)
    started = time.perf_counter()
    try:
        run(args, connection)
    finally:
        print(f"Waktu total benchmark: {(time.perf_counter() - started) / 60:.1f} menit")
        if not args.keep:
            teardown_databases(old, verbosity=0)


def build(regions, year: int, rng: random.Random) -> int:
    """Approved reports for every jenis of its level in each daerah, four triwulan (bench/achievements.py)."""
    from achievements import build_reports

    from spm.models import BasicService

    count = 0
    for level in ("provinsi", "kabupaten_kota"):
        members = [r for r in regions if r.level == level]
        services = list(BasicService.objects.filter(level=level).prefetch_related("quality_components"))
        for start in range(0, len(members), 50):  # in slices: the report objects of 50 daerah in memory at once
            count += len(build_reports(members[start : start + 50], services, year, rng))
    return count


class RecipientRows:
    """The recipient rows as a file COPY reads (``read(size)``), generated lazily in chunks: 50 million rows never sit
    in memory, and each line is one f-string over precomputed pieces (the generic helper of bench/achievements.py
    builds a dict per row, ten times slower). Every daerah gets its share, over the jenis of its level; NIKs are
    unique per (daerah, jenis, tahun) as the unique constraint requires."""

    COLUMNS = (
        "region_id, service_id, year, nik, name, sex, birth_date, address, village, service_date, quarter, status, note"
    )

    def __init__(self, regions, services_by_level, year: int, total: int, rng: random.Random):
        from datetime import date, timedelta

        self.year, self.total, self.written = year, total, 0
        per, extra = divmod(total, len(regions))
        self.plan = [(r, services_by_level[r.level], per + (1 if i < extra else 0)) for i, r in enumerate(regions)]
        births = [date(1950, 1, 1) + timedelta(days=d) for d in range(0, 25_000, 7)]
        self.births = [b.isoformat() for b in births]
        served = [date(year, 1, 1) + timedelta(days=d) for d in range(365)]
        self.served = [(d.isoformat(), str((d.month - 1) // 3 + 1)) for d in served]
        self.rng = rng
        self.rows = self._rows()
        self.buffer = ""

    def _rows(self):
        births, served, year = self.births, self.served, self.year
        nb, ns = len(births), len(served)
        for region, services, count in self.plan:
            prefix = region.code.replace(".", "")[:4].ljust(4, "0")
            ids = [str(s.pk) for s in services]
            k = len(ids)
            chunk = []
            for n in range(count):
                day, q = served[n % ns]
                chunk.append(
                    f"{region.pk}\t{ids[n % k]}\t{year}\t{prefix}{n:012d}\tWarga {n}\t{'LP'[n & 1]}\t"
                    f"{births[n % nb]}\tJl. Uji {n % 97}\tDesa Uji\t{day}\t{q}\tsesuai_standar\t\n"
                )
                if len(chunk) == 20_000:
                    yield "".join(chunk)
                    chunk = []
            if chunk:
                yield "".join(chunk)
            self.written += count

    def read(self, size: int = -1) -> str:
        while size < 0 or len(self.buffer) < size:
            try:
                self.buffer += next(self.rows)
            except StopIteration:
                break
        if size < 0:
            out, self.buffer = self.buffer, ""
        else:
            out, self.buffer = self.buffer[:size], self.buffer[size:]
        return out

    def readline(self) -> str:  # psycopg2 may ask for lines
        return self.read(8192)


def copy_recipients(connection, regions, year: int, total: int, rng: random.Random) -> int:
    """Fill the (year-partitioned) recipient table with one COPY FROM STDIN, streamed."""
    from reporting.models import Recipient
    from spm.models import BasicService

    services_by_level = {
        level: list(BasicService.objects.filter(level=level).order_by("pk")) for level in ("provinsi", "kabupaten_kota")
    }
    table = Recipient._meta.db_table
    source = RecipientRows(regions, services_by_level, year, total, rng)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({RecipientRows.COLUMNS}) FROM STDIN", source, size=1 << 20)
    elapsed = time.perf_counter() - started
    print(f"Baris penerima (COPY): {source.written:,} dalam {elapsed:.0f} s ({source.written / elapsed:,.0f}/s)")
    return source.written


class Pages:
    """The pages under test, asked through Django's test client as the users who open them."""

    def __init__(self, year: int):
        from django.test import Client
        from django.urls import reverse

        from spm.choices import Role
        from spm.models import Region, User

        self.year = year
        self.national_user, _ = User.objects.get_or_create(
            username="bench-kemendagri", defaults={"role": Role.NATIONAL}
        )
        self.admin_user, _ = User.objects.get_or_create(
            username="bench-admin", defaults={"role": Role.ADMIN, "is_superuser": True}
        )
        self.national, self.admin = Client(), Client()
        province = Region.objects.get(code=FIRST_SIZE_PROVINCE)
        self.urls = {
            "dasbor nasional": (self.national, f"{reverse('reporting:national-dashboard')}?tahun={year}&triwulan=4"),
            "matriks provinsi": (
                self.admin,
                f"{reverse('reporting:matrix')}?daerah={province.code}&tahun={year}&triwulan=4",
            ),
            "peringkat nasional": (self.national, f"{reverse('reporting:ranking')}?tahun={year}&triwulan=4"),
            "SPM Awards": (self.national, f"{reverse('reporting:awards')}?tahun={year}"),
        }

    def measure(self, connection, repeat: int = 7) -> dict[str, tuple[float, int]]:
        from django.test.utils import CaptureQueriesContext

        # A fresh login each time: the sessions end after 30 idle minutes (SESSION_IDLE_MINUTES), and loading 50
        # million rows takes longer than that.
        self.national.force_login(self.national_user)
        self.admin.force_login(self.admin_user)
        out = {}
        for name, (client, url) in self.urls.items():
            client.get(url)  # warm caches (rule-set labels, templates)

            def ask(client=client, url=url):
                with CaptureQueriesContext(connection) as ctx:
                    response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                return len(ctx.captured_queries)

            queries, seconds = timed(ask, repeat=repeat)
            out[name] = (seconds, queries)
        return out


def naive_pages(year: int) -> dict[str, float]:
    """Baselines: the same figures read one daerah at a time (what a page without bulk reads would do)."""
    from reporting.models import Achievement, QuarterlyReport
    from spm.models import Region

    regions = list(Region.objects.daerah())

    def dashboard():
        out = []
        for r in regions:
            row = Achievement.objects.filter(region=r, year=year, quarter=4, level="daerah", is_current=True).first()
            reported = QuarterlyReport.objects.filter(region=r, period__year=year, period__quarter=4).count()
            out.append((row.index if row else None, reported))
        return out

    def ranking():
        rows = [
            Achievement.objects.filter(region=r, year=year, quarter=4, level="daerah", is_current=True).first()
            for r in regions
        ]
        return sorted((a for a in rows if a and a.index is not None), key=lambda a: -a.index)

    return {"dasbor nasional": timed(dashboard)[1], "peringkat nasional": timed(ranking)[1]}


def run(args, connection) -> None:
    from reporting.achievements.services import achievements_recompute
    from reporting.models import Achievement, Recipient
    from spm.models import Region
    from spm.services import catalogue_load, regions_load

    rng = random.Random(20260)
    year = args.year
    catalogue_load()
    regions_load()
    all_daerah = list(Region.objects.daerah().order_by("code"))
    first = [r for r in all_daerah if r.code == FIRST_SIZE_PROVINCE or r.code.startswith(FIRST_SIZE_PROVINCE + ".")]
    rest = [r for r in all_daerah if r not in first]
    print(f"Daerah: {len(all_daerah)} ({sum(r.level == 'provinsi' for r in all_daerah)} provinsi)", flush=True)

    # Size 1: one provinsi's daerah, its figures computed, page query counts noted.
    t0 = time.perf_counter()
    reports = build(first, year, rng)
    for region in first:
        achievements_recompute(region=region, year=year)
    pages = Pages(year)
    small = pages.measure(connection, repeat=3)
    print(f"Ukuran 1: {len(first)} daerah, {reports:,} laporan ({time.perf_counter() - t0:.0f} s)", flush=True)

    # Size 2: every daerah.
    t0 = time.perf_counter()
    reports += build(rest, year, rng)
    print(
        f"Laporan disetujui: {reports:,} untuk {len(all_daerah)} daerah × jenisnya × 4 TW "
        f"({time.perf_counter() - t0:.0f} s)",
        flush=True,
    )

    t0 = time.perf_counter()
    written = copy_recipients(connection, all_daerah, year, args.recipients, rng)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Recipient._meta.db_table}")
    copy_time = time.perf_counter() - t0

    # (5) full national recompute, then the baseline: the naive computation (a query per report's mutu rows).
    _, recompute = timed(lambda: [achievements_recompute(region=r, year=year) for r in all_daerah])
    stored = Achievement.objects.filter(year=year, is_current=True).count()
    print(f"Hitung ulang nasional: {recompute:.1f} s ({stored:,} capaian)", flush=True)

    def naive_recompute():
        from reporting.achievements import formula
        from reporting.models import QualityEntry, QuarterlyReport

        n = 0
        for r in all_daerah[:50]:  # a sample, scaled up: the whole run would take hours
            for report in QuarterlyReport.objects.filter(region=r, period__year=year):
                quality = [(e.required, e.met) for e in QualityEntry.objects.filter(report=report)]
                formula.service_index(report.served, report.must_serve, quality)
                n += 1
        return n

    _, naive_sample = timed(naive_recompute)
    naive_full = naive_sample * len(all_daerah) / 50

    full = pages.measure(connection)
    naive = naive_pages(year)

    print()
    print(f"Baris penerima (COPY): {written:,} dalam {copy_time:.0f} s; capaian tersimpan: {stored:,}")
    print(f"{'Ukuran':<44}{'Waktu':>11}{'Kueri':>7}{'Kueri@16':>10}  Sasaran / pembanding")
    failures = []
    for name, (seconds, queries) in full.items():
        small_queries = small[name][1]
        ok_time = seconds < PAGE_GOAL_S
        ok_queries = queries == small_queries
        if not (ok_time and ok_queries):
            failures.append(name)
        baseline = naive.get(name)
        ratio = f"naif {baseline * 1000:.0f} ms, rasio {baseline / seconds:.1f}×" if baseline else ""
        print(
            f"{name + ' (552 daerah)':<44}{seconds * 1000:>8.1f} ms{queries:>7}{small_queries:>10}  "
            f"< 300 ms {'OK' if ok_time else 'GAGAL'}; kueri tetap {'OK' if ok_queries else 'GAGAL'}  {ratio}"
        )
    ok_recompute = recompute < RECOMPUTE_GOAL_S
    if not ok_recompute:
        failures.append("hitung ulang nasional")
    print(
        f"{'hitung ulang nasional 1 tahun':<44}{recompute:>9.1f} s{'':>17}  < 300 s {'OK' if ok_recompute else 'GAGAL'}"
        f"  naif (ekstrapolasi 50→{len(all_daerah)}) {naive_full:.0f} s, rasio {naive_full / recompute:.1f}×"
    )
    print("Semua sasaran tercapai." if not failures else f"Sasaran tidak tercapai: {', '.join(failures)}")


if __name__ == "__main__":
    main()
