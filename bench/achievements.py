"""Benchmark: achievement recompute and dashboard queries on a province-sized data set (PostgreSQL).

Builds 20 daerah × 29 jenis pelayanan dasar × 4 triwulan of approved reports (plus named recipient rows when
the recipient model is present, 5 million by default), then times:
  (a) the full recompute of a year for all 20 daerah,
  (b) the incremental recompute of one daerah after one report is approved,
  (c) the dashboard and ranking queries.
Goals (2-core machine): (a) < 60 s, (b) < 200 ms, (c) < 100 ms each. The baseline printed beside them is a
naive recompute in the same run (one query per report for its mutu rows), to show what the bulk path buys.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/achievements.py [--recipients N]

It creates its own database (``<name>_bench_achievements``) and drops it at the end.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spm.settings")


def timed(fn, repeat: int = 1):
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return result, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--daerah", type=int, default=20)
    parser.add_argument("--recipients", type=int, default=5_000_000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--keep", action="store_true", help="do not drop the benchmark database")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (e.g. postgres://postgres@127.0.0.1:5432/test).")

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    connection.settings_dict["TEST"]["NAME"] = f"{connection.settings_dict['NAME']}_bench_achievements"
    print("Menyiapkan basis data benchmark …", flush=True)
    old = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        run(args, connection)
    finally:
        if not args.keep:
            teardown_databases(old, verbosity=0)


def run(args, connection) -> None:
    from django.test.utils import CaptureQueriesContext

    from reporting.achievements import dashboard
    from reporting.achievements.services import achievements_recompute
    from reporting.models import (
        Achievement,
        QualityEntry,
        QuarterlyReport,
    )
    from spm.models import BasicService, Region
    from spm.services import catalogue_load, regions_load

    rng = random.Random(20251)
    catalogue_load()
    regions_load()
    province = Region.objects.get(code="32")  # Jawa Barat: 27 kabupaten/kota
    regions = list(province.children.order_by("code")[: args.daerah])
    services = list(BasicService.objects.filter(level="kabupaten_kota").prefetch_related("quality_components"))
    year = args.year
    t0 = time.perf_counter()
    reports = build_reports(regions, services, year, rng)
    print(
        f"Laporan disetujui: {len(reports):,} ({len(regions)} daerah × {len(services)} layanan × 4 TW) "
        f"dibuat dalam {time.perf_counter() - t0:.1f} s"
    )

    recipients = load_recipients(args, connection, regions, services, rng)

    # (a) full recompute of the year
    _, full = timed(lambda: [achievements_recompute(region=r, year=year) for r in regions])
    rows = Achievement.objects.count()
    _, full_again = timed(lambda: [achievements_recompute(region=r, year=year) for r in regions])

    # baseline: naive recompute of the same data (a query per report for its mutu rows, row-by-row writes)
    def naive():
        from reporting.achievements import formula as achievement

        n = 0
        for r in regions:
            for report in QuarterlyReport.objects.filter(region=r, period__year=year).select_related("period"):
                quality = [(e.required, e.met) for e in QualityEntry.objects.filter(report=report)]
                achievement.service_index(report.served, report.must_serve, quality)
                n += 1
        return n

    _, naive_time = timed(naive)

    # (b) incremental: one report changes and is approved; recompute its daerah and year
    target = QuarterlyReport.objects.filter(region=regions[0], period__quarter=2).first()

    def incremental():
        QuarterlyReport.objects.filter(pk=target.pk).update(served=(target.served or 0) + 1)
        target.served = (target.served or 0) + 1
        return achievements_recompute(region=regions[0], year=year)

    stats, inc = timed(incremental, repeat=5)

    # (c) dashboard and ranking queries
    def dash():
        with CaptureQueriesContext(connection) as ctx:
            data = dashboard.region_dashboard(regions[0], year, 4)
        return len(ctx.captured_queries), len(data["service_rows"])

    (dash_queries, dash_rows), dash_time = timed(dash, repeat=7)

    def rank():
        with CaptureQueriesContext(connection) as ctx:
            rows = dashboard.ranking(year=year, quarter=4, province=province)
        return len(ctx.captured_queries), len(rows)

    (rank_queries, rank_rows), rank_time = timed(rank, repeat=7)

    print()
    print(f"{'Ukuran':<52}{'Waktu':>12}  Sasaran")
    print(
        f"{'(a) hitung ulang penuh 1 tahun, ' + str(len(regions)) + ' daerah (' + str(rows) + ' baris)':<52}"
        f"{full:>10.2f} s  < 60 s  {'OK' if full < 60 else 'GAGAL'}"
    )
    print(f"{'    dijalankan lagi (idempoten, tanpa perubahan)':<52}{full_again:>10.2f} s")
    print(
        f"{'    pembanding naif (kueri per laporan), hanya hitung':<52}{naive_time:>10.2f} s  "
        f"rasio {naive_time / full:.1f}×"
    )
    print(
        f"{'(b) hitung ulang inkremental 1 daerah (median 5)':<52}{inc * 1000:>9.1f} ms  < 200 ms  "
        f"{'OK' if inc < 0.2 else 'GAGAL'}  ({stats.updated} baris berubah)"
    )
    print(
        f"{'(c) dasbor daerah (' + str(dash_queries) + ' kueri, ' + str(dash_rows) + ' layanan)':<52}"
        f"{dash_time * 1000:>9.1f} ms  < 100 ms  {'OK' if dash_time < 0.1 else 'GAGAL'}"
    )
    print(
        f"{'    peringkat provinsi (' + str(rank_queries) + ' kueri, ' + str(rank_rows) + ' daerah)':<52}"
        f"{rank_time * 1000:>9.1f} ms  < 100 ms  {'OK' if rank_time < 0.1 else 'GAGAL'}"
    )
    print(f"Baris penerima di basis data: {recipients:,}")


def build_reports(regions, services, year: int, rng: random.Random) -> list:
    """Approved reports of every service for the four triwulan of ``year`` in each daerah, with their mutu rows
    and stages, written in bulk. A daerah whose services are already assigned (the demo daerah) keeps its OPD;
    the others get one OPD, "Dinas Uji", for all services. Also used by ``bench/http_load.py``.
    """
    from reporting.choices import ImplementationStage, ReportStatus
    from reporting.models import QualityEntry, QuarterlyReport, ReportingPeriod, StageProgress
    from reporting.services.periods import default_due_date, quarter_start
    from spm.models import Agency, ServiceAssignment

    reports = []
    for region in regions:
        agency_of = dict(ServiceAssignment.objects.filter(region=region).values_list("service_id", "agency_id"))
        missing = [s for s in services if s.pk not in agency_of]
        if missing:
            agency, _created = Agency.objects.get_or_create(region=region, name="Dinas Uji")
            ServiceAssignment.objects.bulk_create(
                ServiceAssignment(region=region, service=s, agency=agency) for s in missing
            )
            agency_of.update({s.pk: agency.pk for s in missing})
        for quarter in (1, 2, 3, 4):
            period = ReportingPeriod.objects.create(
                region=region,
                year=year,
                quarter=quarter,
                opens_on=quarter_start(year, quarter),
                due_date=default_due_date(year, quarter),
            )
            for service in services:
                must = rng.randint(200, 20_000)
                reports.append(
                    QuarterlyReport(
                        period=period,
                        region=region,
                        service=service,
                        agency_id=agency_of[service.pk],
                        status=ReportStatus.APPROVED,
                        must_serve=must,
                        served=rng.randint(0, must // 4),
                        budget_allocated=rng.randint(1, 9) * 10**8,
                        budget_realised=rng.randint(0, 9) * 10**7,
                        problems="-",
                        solutions="-",
                    )
                )
    QuarterlyReport.objects.bulk_create(reports, batch_size=2000)
    components = {s.pk: list(s.quality_components.all()) for s in services}
    entries, stages = [], []
    for report in reports:
        for c in components[report.service_id]:
            required = rng.randint(1, 50)
            entries.append(QualityEntry(report=report, component=c, required=required, met=rng.randint(0, required)))
        stages.extend(StageProgress(report=report, stage=s, status="selesai") for s in ImplementationStage.values)
    QualityEntry.objects.bulk_create(entries, batch_size=5000)
    StageProgress.objects.bulk_create(stages, batch_size=5000)
    return reports


def load_recipients(args, connection, regions, services, rng) -> int:
    """Fill the recipient table with COPY when the recipient model exists (issue 4); returns the row count."""
    try:
        from reporting.models import Recipient  # noqa: F401
    except ImportError:
        print("Model penerima belum ada: baris penerima dilewati.")
        return 0
    return copy_recipients(args, connection, regions, services, rng)


def copy_recipients(args, connection, regions, services, rng) -> int:
    from reporting.models import Recipient

    table = Recipient._meta.db_table
    fields = [f for f in Recipient._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    start = time.perf_counter()
    total, batch = args.recipients, 250_000
    per_region = max(1, total // len(regions))
    written = 0
    serial = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for region in regions:
            remaining = min(per_region, total - written)
            while remaining > 0:
                n = min(batch, remaining)
                buf = io.StringIO()
                for _ in range(n):
                    serial += 1
                    service = services[serial % len(services)]
                    birth = date(1950, 1, 1) + timedelta(days=rng.randint(0, 25_000))
                    served_on = date(args.year, 1, 1) + timedelta(days=rng.randint(0, 364))
                    values = fake_recipient(fields, region, service, args.year, serial, birth, served_on)
                    buf.write("\t".join(values) + "\n")
                buf.seek(0)
                raw.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buf)
                written += n
                remaining -= n
    print(f"Baris penerima (COPY): {written:,} dalam {time.perf_counter() - start:.1f} s")
    return written


def fake_recipient(fields, region, service, year, serial, birth, served_on) -> list[str]:
    """One tab-separated row for COPY, filling each column by its field's name (unknown nullable → NULL)."""
    from django.utils import timezone

    known = {
        "region": str(region.pk),
        "service": str(service.pk),
        "year": str(year),
        "nik": f"{region.code.replace('.', '')[:4]}{serial:012d}",  # unique per row
        "name": f"Warga {serial}",
        "sex": "L",
        "birth_date": birth.isoformat(),
        "address": "Jl. Uji",
        "village": "Desa Uji",
        "service_date": served_on.isoformat(),
        "quarter": str((served_on.month - 1) // 3 + 1),
        "status": "sesuai_standar",
        "note": "",
        "created_at": timezone.now().isoformat(),
    }
    out = []
    for f in fields:
        value = known.get(f.name)
        if value is None:
            value = "\\N" if f.null else (str(f.get_default()) if f.has_default() else "")
        out.append(value)
    return out


if __name__ == "__main__":
    main()
