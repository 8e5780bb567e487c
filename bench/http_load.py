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
   logs, multiprocess metrics, DEBUG off, the shared cache on Redis: sessions and limits) on a free loopback
   port. The API throttle is raised for the run:
   twenty clients of one user would otherwise hit the per-user rate within seconds.
3. Logs in ``--clients`` clients of each role once over HTTP (each its own session cookie).
4. For the floor and then each page in turn, keeps ``--clients`` × 5 connections (20 by default) requesting
   it for ``--duration`` seconds after a short warm-up, each waiting for its answer before the next request:
   wrk (Debian's, ``make bench-deps``) with a Lua script, loopback only, any answer but 200 counted as an error
   (a redirect to the login page would be a fast, wrong figure). Each page is requested by the roles that use it, on
   their own URL. The floor is a trivial view behind the same middleware (``bench/support/http_urls.py``),
   measured in the same run.
   ``--write-every S`` adds a write (a notification, through the ORM) every S seconds during each timed run:
   every write moves the data version, so the pages' cached parts (``spm.fragments``) are computed again as
   in a daerah at work; ``--page-cache-seconds 0`` turns the cached parts off (every request computes its page).
5. Prints req/s, p50/p95/p99 and errors per page, and checks the goals: p95 < 150 ms for every HTML page,
   no errors, every page >= 8 % of the floor's req/s. Exits 1 when a goal is missed.

The figures depend on the machine's load: the clients run on the same cores as the server.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import shutil
import signal
import socket
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
WRK = shutil.which("wrk") or "/usr/bin/wrk"  # Debian's wrk, installed by `make bench-deps`
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
    requests: int = 0
    seconds: float = 0.0
    p50_ms: float = float("nan")
    p95_ms: float = float("nan")
    p99_ms: float = float("nan")
    errors: Counter = field(default_factory=Counter)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4, help="logged-in clients per role (5 roles)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of load per page")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--only", default="", help="comma-separated page names to measure (and the floor)")
    parser.add_argument("--keep", action="store_true", help="do not drop the benchmark database")
    parser.add_argument("--reuse", action="store_true", help="reuse the database a --keep run left (implies --keep)")
    parser.add_argument(
        "--cache-url", default="redis://127.0.0.1:6379/12", help="Redis of the shared cache (emptied first)"
    )
    parser.add_argument(
        "--page-cache-seconds",
        type=int,
        default=None,
        help="FRAGMENT_CACHE_SECONDS of the server; 0 = every request computes its page (no cached parts)",
    )
    parser.add_argument(
        "--write-every",
        type=float,
        default=0.0,
        help="seconds between writes during the load (a notification, through the ORM): each moves the data "
        "version, so cached parts are computed again as in a daerah at work; 0 = read-only load",
    )
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
        Page("Kamus", dict.fromkeys(ROLES, "/kamus/")),
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
        if args.page_cache_seconds is not None:
            env["FRAGMENT_CACHE_SECONDS"] = str(args.page_cache_seconds)
        env.pop("CELERY_BROKER_URL", None)
        # The shared cache of docker-compose (sessions, limits): a Redis database of the bench's own, emptied first.
        cache_url = shared_cache_url(args.cache_url)
        if cache_url:
            env["CACHE_URL"] = cache_url
        print(f"Cache bersama: {cache_url or 'tidak ada (Redis tidak terjangkau): cache per proses'}", flush=True)
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


def shared_cache_url(url: str) -> str:
    """``--cache-url`` (default: database 12 of the local Redis), emptied; "" when Redis does not answer."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).flushdb()
    except redis.exceptions.RedisError:
        return ""
    return url


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
        f"{len(ROLES)} peran), {args.duration:g} s per halaman, beban mesin {os.getloadavg()[0]:.1f}; "
        f"bagian halaman di cache: "
        f"{'tidak' if args.page_cache_seconds == 0 else 'ya'}; "
        f"penulisan selama beban: {f'tiap {args.write_every:g} s' if args.write_every else 'tidak'}",
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


WRK_SCRIPT = """
-- Each thread cycles through the page's (path, session cookie) pairs from its own starting point, counts the
-- answers that are not 200 (a redirect to the login page would be a fast, wrong figure) and, at the end, the
-- totals and percentiles go out as one JSON line.
local threads = {}
local targets = %(targets)s

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  position = id
  non200 = 0
end

function request()
  position = position %% #targets + 1
  local target = targets[position]
  return wrk.format("GET", target[1], {["Cookie"] = target[2]})
end

function response(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("non200") end
  io.write(string.format(
    '\\n{"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, "connect": %%d, '
    .. '"read": %%d, "write": %%d, "timeout": %%d, "non200": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout, bad))
end
"""


def lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_page(args, page: Page, sessions: dict[str, list[str]], base: str, concurrency: int) -> Result:
    """``concurrency`` connections of wrk on one page for the duration (after a warm-up): the page's roles in
    turn, each request with one of the role's sessions. wrk is a C program: the clients cost the machine a
    small fraction of what the server does, so the figures are the server's (an asyncio + httpx client in
    Python needed about as much CPU as the pages it asked for, on the same two cores)."""
    roles = list(page.urls)
    targets = []
    for i in range(max(concurrency, len(roles))):
        role = roles[i % len(roles)]
        targets.append((page.urls[role], sessions[role][(i // len(roles)) % len(sessions[role])]))
    lua = "{" + ", ".join(f"{{{lua_string(url)}, {lua_string(cookie)}}}" for url, cookie in targets) + "}"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="espm-wrk-", delete=False) as script:
        script.write(WRK_SCRIPT % {"targets": lua})
    try:
        warmup = max(1.0, args.duration / 5)
        wrk(script.name, base, concurrency, args.threads, warmup)
        with Writer(args.write_every) as writer:
            figures = wrk(script.name, base, concurrency, args.threads, args.duration)
    finally:
        os.unlink(script.name)
    if writer.writes:
        print(f"    {writer.writes} penulisan selama beban (tiap {args.write_every:g} s)", flush=True)
    result = Result(
        page.name,
        page.html,
        ", ".join(roles),
        requests=figures["requests"],
        seconds=figures["duration_us"] / 1e6,
        p50_ms=figures["p50_us"] / 1000,
        p95_ms=figures["p95_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
    )
    for kind in ("connect", "read", "write", "timeout", "non200"):
        if figures[kind]:
            result.errors[kind] = figures[kind]
    print(f"  {page.name}: {result.rate:.0f} req/s, p95 {result.p95_ms:.0f} ms", flush=True)
    return result


class Writer:
    """Writes during the load (``--write-every``): a notification to the admin, through the ORM, in its own
    thread and connection. Each committed write moves the data version (``spm.freshness``), so every cached
    page part is computed again on its next request, as while operators are saving reports."""

    def __init__(self, every: float) -> None:
        import threading

        self.every = every
        self.writes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True) if every > 0 else None

    def __enter__(self) -> Writer:
        if self._thread:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._thread:
            self._stop.set()
            self._thread.join()

    def _run(self) -> None:
        from django.db import connection

        from reporting.models import Notification
        from spm.models import User

        admin = User.objects.get(username=USERNAMES["admin"])
        try:
            while not self._stop.wait(self.every):
                Notification.objects.create(user=admin, kind="reminder", message="bench: perubahan data")
                self.writes += 1
        finally:
            connection.close()


def wrk(script: str, base: str, connections: int, threads: int, seconds: float) -> dict:
    command = [
        WRK,
        f"--connections={connections}",
        f"--threads={min(threads, connections)}",
        f"--duration={max(1, round(seconds))}s",
        "--timeout=30s",
        f"--script={script}",
        base,
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


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
            if r.html and not r.p95_ms < GOAL_P95_MS:
                problems.append(f"p95 ≥ {GOAL_P95_MS} ms")
            if share < GOAL_FLOOR_SHARE:
                problems.append(f"< {GOAL_FLOOR_SHARE:.0%} lantai")
        verdict = "GAGAL: " + "; ".join(problems) if problems else "OK"
        if problems:
            missed.append(r.name)
        print(
            f"{r.name:<22}{r.rate:>8.0f}{r.p50_ms:>9.0f}{r.p95_ms:>9.0f}{r.p99_ms:>9.0f}"
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
