"""Benchmark: page load under concurrent logged-in users, on the production stack (gunicorn + PostgreSQL).

    DATABASE_URL=postgres://root@127.0.0.1:5432/espm .venv/bin/python bench/http_load.py \
        [--clients 4] [--duration 5] [--workers 3] [--recipients 100000]

What it does:

1. Creates its own database (``<name>_bench_http``, dropped at the end), migrates it, loads the demo
   (``setup_demo``: Kabupaten Tulang Bawang Barat 18.12, its OPD and one user per role) and a province of data
   built by ``bench/achievements.py``: 20 daerah (the 15 of Lampung, the demo's provinsi, and 5 of Jawa Barat)
   × 29 jenis pelayanan dasar × 4 triwulan of approved reports with mutu rows and stages, recipient rows, and
   the achievements computed from them. In the demo daerah the last triwulan is open work: Dinas Kesehatan's
   reports are drafts (the operator's entry form), Dinas Pendidikan's are submitted (the review page).
2. Starts gunicorn as docker-compose does (``-c python:spm.gunicorn_conf``, WEB_CONCURRENCY workers, JSON
   logs, multiprocess metrics, DEBUG off) on a free loopback port. The API throttle is raised for the run:
   twenty clients of one user would otherwise hit the per-user rate within seconds.
3. Logs in ``--clients`` clients of each role once over HTTP (each its own session cookie).
4. For the floor and then each page in turn, keeps ``--clients`` × 5 clients (20 by default) requesting it
   for ``--duration`` seconds after a short warm-up: asyncio + httpx in two processes, loopback only, no
   redirects followed (a redirect counts as an error). Each page is requested by the roles that use it, on
   their own URL. The floor is a trivial view behind the same middleware (``bench/support/http_urls.py``),
   measured in the same run.
5. Prints req/s, p50/p95/p99 and errors per page, and checks the goals: p95 < 150 ms for every HTML page,
   no errors, every page >= 8 % of the floor's req/s. Exits 1 when a goal is missed.

The figures depend on the machine's load: the clients run on the same cores as the server.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import os
import re
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spm.settings")

GOAL_P95_MS = 150
GOAL_FLOOR_SHARE = 0.08
ROLES = ("operator", "verifikator", "pimpinan", "provinsi", "admin")
USERNAMES = {
    "operator": "operator.dinkes",
    "verifikator": "verifikator",
    "pimpinan": "pimpinan",
    "provinsi": "provinsi",
    "admin": "admin",
}
EXTRA_DAERAH = 5  # of Jawa Barat, next to the 15 of Lampung: 20 daerah in all


@dataclass
class Page:
    """One measured page: its name, whether it is HTML (the p95 goal) and the URL each visiting role requests."""

    name: str
    urls: dict[str, str]
    html: bool = True


@dataclass
class Result:
    name: str
    html: bool
    roles: str
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def quantile(self, q: float) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] * 1000 if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[q - 1] * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4, help="logged-in clients per role (5 roles)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of load per page")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--procs", type=int, default=2, help="client processes")
    parser.add_argument("--only", default="", help="comma-separated page names to measure (and the floor)")
    parser.add_argument("--keep", action="store_true", help="do not drop the benchmark database")
    parser.add_argument("--reuse", action="store_true", help="reuse the database a --keep run left (implies --keep)")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Benchmark ini berjalan pada PostgreSQL: setel DATABASE_URL=postgres://…")

    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request would drown the figures
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    connection.settings_dict["TEST"]["NAME"] = f"{connection.settings_dict['NAME']}_bench_http"
    print("Menyiapkan basis data benchmark …", flush=True)
    args.keep = args.keep or args.reuse
    old = setup_databases(verbosity=0, interactive=False, keepdb=args.reuse)
    try:
        if not (args.reuse and data_present()):
            build_data(args, connection)
        pages = pages_to_measure()
        connection.close()
        return serve_and_measure(args, pages, connection.settings_dict["NAME"])
    finally:
        if not args.keep:
            connection.close()
            teardown_databases(old, verbosity=0)


# --- Data -----------------------------------------------------------------------------------------------


def data_present() -> bool:
    from reporting.models import Achievement

    return Achievement.objects.exists()


def build_data(args, connection) -> None:
    """The demo plus a province of reports, recipients and achievements."""
    import random

    from achievements import build_reports, copy_recipients

    from reporting.achievements.services import achievements_recompute
    from reporting.choices import ReportStatus
    from reporting.models import QuarterlyReport
    from reporting.services.periods import quarter_of, today
    from spm.demo import DEMO_PROVINCE_CODE, DEMO_REGION_CODE, demo_setup
    from spm.models import BasicService, Region
    from spm.services import catalogue_load, regions_load

    t0 = time.perf_counter()
    catalogue_load()
    regions_load()
    demo_setup()
    year, quarter = quarter_of(today())
    province = Region.objects.get(code=DEMO_PROVINCE_CODE)
    regions = list(province.children.order_by("code"))
    regions += list(Region.objects.get(code="32").children.order_by("code")[:EXTRA_DAERAH])
    services = list(BasicService.objects.filter(level="kabupaten_kota").prefetch_related("quality_components"))
    rng = random.Random(20261)
    reports = build_reports(regions, services, year, rng)
    args.year = year
    recipients = copy_recipients(args, connection, regions, services, rng)
    for region in regions:
        achievements_recompute(region=region, year=year)
    demo = Region.objects.get(code=DEMO_REGION_CODE)
    open_work = QuarterlyReport.objects.filter(region=demo, period__year=year, period__quarter=quarter)
    open_work.filter(agency__short_name="Dinkes").update(status=ReportStatus.DRAFT, approved_at=None)
    open_work.filter(agency__short_name="Disdik").update(status=ReportStatus.SUBMITTED, approved_at=None)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"Data: {len(reports):,} laporan ({len(regions)} daerah × {len(services)} layanan × 4 TW {year}), "
        f"{recipients:,} penerima, disiapkan dalam {time.perf_counter() - t0:.0f} s",
        flush=True,
    )


def pages_to_measure() -> list[Page]:
    """The pages, each with the URL every visiting role requests (the demo daerah's open triwulan)."""
    from reporting.models import QuarterlyReport
    from reporting.services.periods import quarter_of, today
    from spm.demo import DEMO_REGION_CODE
    from spm.models import Region, ServiceAssignment

    year, quarter = quarter_of(today())
    demo = Region.objects.get(code=DEMO_REGION_CODE)
    open_work = QuarterlyReport.objects.filter(region=demo, period__year=year, period__quarter=quarter)
    draft = open_work.filter(agency__short_name="Dinkes").order_by("service__code").first()
    submitted = open_work.filter(agency__short_name="Disdik").order_by("service__code").first()
    dinkes_service = (
        ServiceAssignment.objects.filter(region=demo, agency__short_name="Dinkes").order_by("service__code").first()
    ).service.code
    recipients_url = f"/laporan/penerima/{demo.code}/{dinkes_service}/{year}/"
    return [
        Page("Tugas triwulan", dict.fromkeys(("operator", "verifikator", "provinsi"), "/laporan/")),
        Page(
            "Halaman laporan",
            {
                "operator": f"/laporan/{draft.pk}/",  # the entry form of a draft
                "verifikator": f"/laporan/{submitted.pk}/",
                "pimpinan": f"/laporan/{submitted.pk}/",
            },
        ),
        Page("Verifikasi", dict.fromkeys(("verifikator", "pimpinan", "admin"), f"/laporan/verifikasi/{submitted.pk}/")),
        Page("Matriks", {"verifikator": "/laporan/matriks/", "pimpinan": "/laporan/matriks/"}),
        Page(
            "Dasbor",
            {
                "verifikator": "/laporan/dasbor/",
                "pimpinan": "/laporan/dasbor/",
                "provinsi": f"/laporan/dasbor/?daerah={demo.code}",
            },
        ),
        Page("Peringkat", dict.fromkeys(("verifikator", "pimpinan", "provinsi", "admin"), "/laporan/peringkat/")),
        Page("Daftar penerima", dict.fromkeys(("operator", "verifikator", "pimpinan"), recipients_url)),
        Page("API laporan", dict.fromkeys(("operator", "verifikator", "provinsi"), "/api/v1/laporan/"), html=False),
        Page("API capaian", dict.fromkeys(("verifikator", "pimpinan", "provinsi"), "/api/v1/capaian/"), html=False),
    ]


# --- The server -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url(name: str) -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


def serve_and_measure(args, pages: list[Page], database: str) -> int:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="espm-http-") as tmp:
        metrics_dir = Path(tmp) / "prometheus"
        metrics_dir.mkdir()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.support.http_settings",
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": database_url(database),
            "DEBUG": "0",
            "SECRET_KEY": "bench-http-load-" + "x" * 50,
            "WEB_CONCURRENCY": str(args.workers),
            "LOG_FORMAT": "json",
            "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
            "API_THROTTLE_USER": "1000000/minute",
            "LOGIN_FAILURE_LIMIT": "1000",
        }
        env.pop("CELERY_BROKER_URL", None)
        log_path = Path(tmp) / "gunicorn.log"
        gunicorn = Path(sys.executable).with_name("gunicorn")
        with open(log_path, "wb") as log:
            server = subprocess.Popen(
                [str(gunicorn), "-c", "python:spm.gunicorn_conf", "--bind", f"127.0.0.1:{port}", "spm.wsgi"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                wait_until_up(base, server, log_path)
                return measure(args, pages, base)
            finally:
                os.killpg(server.pid, signal.SIGTERM)
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(server.pid, signal.SIGKILL)
                    server.wait()


def wait_until_up(base: str, server: subprocess.Popen, log_path: Path) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn berhenti saat mulai:\n" + log_path.read_text(errors="replace")[-3000:])
        try:
            if httpx.get(f"{base}/sehat/hidup/", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    sys.exit("gunicorn tidak menjawab dalam 60 s")


def login(base: str, username: str) -> str:
    """Log in once over HTTP, as a browser does; returns the Cookie header of the new session."""
    import httpx

    from spm.demo import DEMO_PASSWORD

    with httpx.Client(base_url=base, timeout=30) as client:
        page = client.get("/akun/masuk/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        answer = client.post(
            "/akun/masuk/",
            data={"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{base}/akun/masuk/"},
        )
        if answer.status_code != 302 or "sessionid" not in client.cookies:
            sys.exit(f"Masuk sebagai {username} gagal (status {answer.status_code})")
        return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


# --- The load -------------------------------------------------------------------------------------------


def measure(args, pages: list[Page], base: str) -> int:
    import httpx

    sessions = {role: [login(base, USERNAMES[role]) for _ in range(args.clients)] for role in ROLES}
    concurrency = args.clients * len(ROLES)
    print(
        f"Server: gunicorn, {args.workers} worker, {base}; {concurrency} klien ({args.clients} per peran × "
        f"{len(ROLES)} peran), {args.duration:g} s per halaman, beban mesin {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    floor = Page("Lantai (view sepele)", dict.fromkeys(ROLES, "/bench/lantai/"))
    only = {name.strip().lower() for name in args.only.split(",") if name.strip()}
    chosen = [p for p in pages if not only or p.name.lower() in only]
    # Every (role, URL) answers 200 before it is timed: a refusal or a redirect would make a fast, wrong figure.
    with httpx.Client(base_url=base, timeout=60, follow_redirects=False) as client:
        for page in [floor, *chosen]:
            for role, url in page.urls.items():
                status = client.get(url, headers={"Cookie": sessions[role][0]}).status_code
                if status != 200:
                    sys.exit(f"{page.name} ({role}, {url}) menjawab {status}, bukan 200")
    results = [run_page(args, floor, sessions, base, concurrency)]
    for page in chosen:
        results.append(run_page(args, page, sessions, base, concurrency))
    return report(results)


def run_page(args, page: Page, sessions: dict[str, list[str]], base: str, concurrency: int) -> Result:
    """``concurrency`` clients on one page for the duration: the page's roles in turn, each on its own session."""
    roles = list(page.urls)
    targets = []
    for i in range(concurrency):
        role = roles[i % len(roles)]
        targets.append((sessions[role][(i // len(roles)) % len(sessions[role])], page.urls[role]))
    procs = max(1, min(args.procs, concurrency))
    chunks = [targets[i::procs] for i in range(procs)]
    warmup = min(1.0, args.duration / 5)
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(procs) as pool:
        pool.map(drive, [(base, chunk, warmup) for chunk in chunks])
        outputs = pool.map(drive, [(base, chunk, args.duration) for chunk in chunks])
    result = Result(page.name, page.html, ", ".join(roles), args.duration)
    for latencies, errors in outputs:
        result.latencies.extend(latencies)
        result.errors.update(errors)
    print(f"  {page.name}: {result.rate:.0f} req/s", flush=True)
    return result


def drive(job: tuple[str, list[tuple[str, str]], float]) -> tuple[list[float], Counter]:
    base, targets, duration = job
    return asyncio.run(drive_async(base, targets, duration))


async def drive_async(base: str, targets: list[tuple[str, str]], duration: float) -> tuple[list[float], Counter]:
    """One client per target, each waiting for its answer before the next request (a user clicking).

    The clients are made before the clock starts: making one loads a TLS context (almost a second on a busy
    machine) even for plain HTTP, so they share one made once, with no certificates, as the server is loopback.
    """
    import httpx

    latencies: list[float] = []
    errors: Counter = Counter()
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    clients = [
        httpx.AsyncClient(
            base_url=base, timeout=30, limits=httpx.Limits(max_connections=1), follow_redirects=False, verify=tls
        )
        for _ in targets
    ]
    end = time.perf_counter() + duration

    async def client(http: httpx.AsyncClient, cookie: str, url: str) -> None:
        async with http:
            while time.perf_counter() < end:
                start = time.perf_counter()
                try:
                    answer = await http.get(url, headers={"Cookie": cookie})
                except httpx.HTTPError as error:
                    errors[type(error).__name__] += 1
                    continue
                if time.perf_counter() > end:
                    break  # answered after the window: not counted
                latencies.append(time.perf_counter() - start)
                if answer.status_code != 200:
                    errors[str(answer.status_code)] += 1

    await asyncio.gather(*(client(http, cookie, url) for http, (cookie, url) in zip(clients, targets, strict=True)))
    return latencies, errors


def report(results: list[Result]) -> int:
    floor = results[0]
    print()
    print(
        f"{'Halaman':<22}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'galat':>7}{'% lantai':>10}  "
        f"Sasaran  (peran)"
    )
    missed = []
    for r in results:
        share = r.rate / floor.rate if floor.rate else 0.0
        problems = []
        if sum(r.errors.values()):
            problems.append("galat " + ", ".join(f"{k}×{v}" for k, v in r.errors.items()))
        if r is not floor:
            if r.html and not r.quantile(95) < GOAL_P95_MS:
                problems.append(f"p95 ≥ {GOAL_P95_MS} ms")
            if share < GOAL_FLOOR_SHARE:
                problems.append(f"< {GOAL_FLOOR_SHARE:.0%} lantai")
        verdict = "GAGAL: " + "; ".join(problems) if problems else "OK"
        if problems:
            missed.append(r.name)
        print(
            f"{r.name:<22}{r.rate:>8.0f}{r.quantile(50):>9.0f}{r.quantile(95):>9.0f}{r.quantile(99):>9.0f}"
            f"{sum(r.errors.values()):>7}{share:>9.1%}  {verdict}  ({r.roles})"
        )
    print(
        f"Sasaran: p95 < {GOAL_P95_MS} ms untuk setiap halaman HTML, tanpa galat, setiap halaman ≥ "
        f"{GOAL_FLOOR_SHARE:.0%} dari req/s lantai (view sepele pada tumpukan yang sama, diukur dalam run ini)."
    )
    if missed:
        print("Tidak tercapai: " + ", ".join(missed))
        return 1
    print("Semua sasaran tercapai.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
