"""The stateless web tier, for real: two gunicorn servers and two Celery workers (one per queue group, as in
docker-compose.yml) on this machine, sharing one PostgreSQL database, one Redis broker and one object store
(moto's S3 server on loopback). Two recipient imports and ten approvals run at the same time over HTTP, each
request sent to either server (logged-in sessions, CSRF tokens); afterwards every recipient row and every
achievement is there exactly once (issue 15).

Runs when DATABASE_URL is PostgreSQL and CELERY_BROKER_URL is Redis (``.ci/run``'s first pass); skipped with
the reason otherwise. The test is transactional, so the other processes see the rows it writes; they open
pytest-django's test database (``settings.DATABASES['default']['NAME']``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from celery import Celery
from django.conf import global_settings
from django.db import connection
from django.urls import reverse

from reporting.choices import ImportStatus, ReportStatus
from reporting.models import Achievement, AchievementLevel, Evidence, QuarterlyReport, Recipient, RecipientImport
from reporting.services import period_get_or_create, report_open, report_submit
from spm.models import BasicService
from tests.celery_worker import PROJECT_ROOT, reachable, worker_database_url
from tests.factories import TEST_PASSWORD
from tests.object_storage import free_port
from tests.reporting.conftest import fill_completely
from tests.reporting.recipients_support import YEAR, people, xlsx_bytes

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# docker-compose.yml's workers: queues and concurrency
QUEUE_GROUPS = {"imports": 1, "default,achievements,reports,notifications": 2}
APPROVAL_YEAR = YEAR - 1
ROWS_PER_IMPORT = 1_000
# About a minute on an idle machine; the margin is for a CI machine busy with other work.
DEADLINE_SECONDS = 180
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _broker_or_skip() -> str:
    if connection.vendor != "postgresql":
        pytest.skip("perlu DATABASE_URL PostgreSQL: proses lain tidak dapat membuka basis data uji SQLite di memori")
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis"):
        pytest.skip("perlu CELERY_BROKER_URL redis:// (broker bersama kedua worker)")
    if not reachable(broker):
        pytest.skip(f"Redis tidak dapat dihubungi di {broker}")
    return broker


class Stack:
    """The processes of the test: gunicorn servers and Celery workers, their logs in a folder."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.processes: list[subprocess.Popen] = []
        self.servers: list[str] = []

    def _start(self, name: str, command: list[str]) -> None:
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        self.processes.append(
            subprocess.Popen(command, cwd=PROJECT_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        )
        log.close()

    def start_web(self, name: str) -> None:
        port = free_port()
        self._start(
            name,
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "python:spm.gunicorn_conf",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                # Load the app once and fork (less CPU on a shared machine); no control socket, whose default
                # path in the home folder both servers would otherwise claim.
                "--preload",
                "--no-control-socket",
                "spm.wsgi:application",
            ],
        )
        self.servers.append(f"http://127.0.0.1:{port}")

    def start_worker(self, name: str, queues: str, concurrency: int) -> None:
        self._start(
            name,
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "spm",
                "worker",
                "-Q",
                queues,
                "--concurrency",
                str(concurrency),
                "-n",
                f"{name}-{uuid.uuid4().hex[:6]}@%h",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "warning",
            ],
        )

    def wait_until_serving(self, timeout: float = 60) -> None:
        limit = time.monotonic() + timeout
        for server in self.servers:
            while True:
                self.check_alive()
                try:
                    if httpx.get(f"{server}/sehat/hidup/", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < limit, f"{server} did not start; see {self.logs}"
                time.sleep(0.3)

    def check_alive(self) -> None:
        for process in self.processes:
            assert process.poll() is None, f"{process.args[2:5]} exited ({process.returncode}); see {self.logs}"

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _csrf(client: httpx.Client) -> str:
    return client.cookies["csrftoken"]


def _login(server: str, username: str) -> httpx.Cookies:
    """A logged-in session (through the login form, with its CSRF token), usable on either server."""
    with httpx.Client(base_url=server, timeout=30) as client:
        client.get(reverse("login"))
        response = client.post(
            reverse("login"),
            data={"username": username, "password": TEST_PASSWORD, "csrfmiddlewaretoken": _csrf(client)},
        )
        assert response.status_code == 302, f"login of {username} failed ({response.status_code})"
        return client.cookies


def _client(server: str, cookies: httpx.Cookies) -> httpx.Client:
    return httpx.Client(base_url=server, cookies=cookies, timeout=60)


def _wait_for_status(client: httpx.Client, url: str, wanted: str, deadline: float) -> None:
    while True:
        page = client.get(url)
        assert page.status_code == 200, f"{url}: {page.status_code}"
        status = re.search(r'data-status="([^"]*)"', page.text).group(1)
        if status == wanted:
            return
        assert status not in (ImportStatus.FAILED, ImportStatus.CANCELLED), f"{url}: import ended as {status}"
        assert time.monotonic() < deadline, f"{url}: still {status}, waited for {wanted}"
        time.sleep(0.5)


def _import(servers: list[str], cookies: httpx.Cookies, service: BasicService, rows, deadline: float) -> int:
    """Upload on one server, watch and confirm on the other; returns the import's id."""
    with _client(servers[0], cookies) as first, _client(servers[1], cookies) as second:
        form = reverse("reporting:recipients-import")
        first.get(form)
        response = first.post(
            form,
            data={"service": service.pk, "year": YEAR, "mode": "tambah", "csrfmiddlewaretoken": _csrf(first)},
            files={"file": ("penerima.xlsx", xlsx_bytes(rows), XLSX)},
        )
        assert response.status_code == 302, f"upload refused ({response.status_code})"
        detail = response.headers["location"]
        import_id = int(re.search(r"/impor/(\d+)/", detail).group(1))
        _wait_for_status(second, detail, ImportStatus.VALIDATED, deadline)
        second.get(detail)
        commit = reverse("reporting:recipients-import-commit", kwargs={"pk": import_id})
        assert second.post(commit, data={"csrfmiddlewaretoken": _csrf(second)}).status_code == 302
        _wait_for_status(first, detail, ImportStatus.COMMITTED, deadline)
        return import_id


def _approve(server: str, cookies: httpx.Cookies, report_id: int) -> int:
    with _client(server, cookies) as client:
        client.get(reverse("reporting:review", kwargs={"pk": report_id}))
        response = client.post(
            reverse("reporting:review-approve", kwargs={"pk": report_id}),
            data={"comment": "Sesuai.", "csrfmiddlewaretoken": _csrf(client)},
        )
        return response.status_code


def _wait_until_drained(broker: str, deadline: float) -> None:
    """Until no task waits in a queue and no worker runs one (twice in a row, a second apart)."""
    import redis

    queues = [name for group in QUEUE_GROUPS for name in group.split(",")]
    app = Celery("uji-dua-proses", broker=broker, backend=broker, set_as_current=False)
    quiet = 0
    with redis.Redis.from_url(broker) as store:
        while quiet < 2:
            waiting = sum(store.llen(queue) for queue in queues)
            active = app.control.inspect(timeout=1).active() or {}
            busy = waiting + sum(len(tasks) for tasks in active.values())
            quiet = quiet + 1 if busy == 0 and active else 0
            assert time.monotonic() < deadline, f"tasks still waiting ({waiting}) or running"
            time.sleep(1)


def _purge_queues(broker: str) -> None:
    """Tasks left in the shared queues by an earlier, interrupted run name rows that do not exist here."""
    import redis

    with redis.Redis.from_url(broker) as store:
        store.delete(*[name for group in QUEUE_GROUPS for name in group.split(",")])


def _submitted_reports(operator, daerah) -> list[QuarterlyReport]:
    """Ten submitted reports of OPD A: three health services × triwulan I–III, and the first one's triwulan IV."""
    plan = [(code, quarter) for code in ("1.02.K01", "1.02.K02", "1.02.K03") for quarter in (1, 2, 3)]
    plan.append(("1.02.K01", 4))
    reports = []
    for code, quarter in plan:
        period = period_get_or_create(region=daerah, year=APPROVAL_YEAR, quarter=quarter)
        report = report_open(user=operator, period=period, service=BasicService.objects.get(code=code))
        report = fill_completely(report, operator, scalars={"served": 200 + quarter, "flag_note": "Sudah diperiksa."})
        reports.append(report_submit(report=report, user=operator, expected_version=report.version))
    return reports


def test_two_web_servers_and_two_workers_store_every_row_and_achievement_once(
    tmp_path, settings, s3_bucket, operator_a, reviewer, daerah
):
    broker = _broker_or_skip()
    deadline = time.monotonic() + DEADLINE_SECONDS
    # The other processes check passwords with the production hashers (the tests' fast one is not among them).
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    for user in (operator_a, reviewer):
        user.set_password(TEST_PASSWORD)
        user.save(update_fields=["password"])
    reports = _submitted_reports(operator_a, daerah)
    services = list(BasicService.objects.filter(code__in=["1.02.K01", "1.02.K02"]).order_by("code"))
    lists = {services[0].pk: people(ROWS_PER_IMPORT), services[1].pk: people(ROWS_PER_IMPORT, start=ROWS_PER_IMPORT)}

    database_url, _copy = worker_database_url(tmp_path)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PROMETHEUS_MULTIPROC_DIR", "CELERY_METRICS_PORT", "WEB_CONCURRENCY"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="spm.settings",
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=broker,
        CELERY_RESULT_BACKEND=broker,
        SECRET_KEY=settings.SECRET_KEY,
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_COOKIES="0",
        BEHIND_HTTPS_PROXY="0",
        SECURE_SSL_REDIRECT="0",
        STATIC_MANIFEST="0",
        LOG_FORMAT="plain",
        LOG_LEVEL="WARNING",
        MEDIA_ROOT=str(tmp_path / "media-unused"),  # files go to the bucket; nothing may land here
        **s3_bucket.environment(),
    )
    _purge_queues(broker)
    stack = Stack(env, tmp_path)
    try:
        stack.start_web("web-1")
        stack.start_web("web-2")
        for number, (queues, concurrency) in enumerate(QUEUE_GROUPS.items(), start=1):
            stack.start_worker(f"worker-{number}", queues, concurrency)
        stack.wait_until_serving()
        servers = stack.servers
        operator_cookies = _login(servers[0], operator_a.username)
        reviewer_cookies = _login(servers[1], reviewer.username)

        with ThreadPoolExecutor(max_workers=12) as pool:
            imports = [
                pool.submit(_import, servers[::step], operator_cookies, service, lists[service.pk], deadline)
                for service, step in zip(services, (1, -1), strict=True)
            ]
            approvals = [
                pool.submit(_approve, servers[i % 2], reviewer_cookies, report.pk) for i, report in enumerate(reports)
            ]
            import_ids = [future.result() for future in imports]
            assert [future.result() for future in approvals] == [302] * len(reports)
        _wait_until_drained(broker, deadline)
        stack.check_alive()
    finally:
        stack.stop()

    # Every recipient row once: the two lists, complete, with no NIK twice.
    for service in services:
        stored = list(Recipient.objects.filter(region=daerah, service=service, year=YEAR).values_list("nik", flat=True))
        assert len(stored) == len(set(stored)) == ROWS_PER_IMPORT
        assert set(stored) == {row[0] for row in lists[service.pk]}
    assert Recipient.objects.count() == 2 * ROWS_PER_IMPORT
    committed = RecipientImport.objects.filter(pk__in=import_ids, status=ImportStatus.COMMITTED)
    assert sorted(committed.values_list("rows_stored", flat=True)) == [ROWS_PER_IMPORT] * 2

    # Every approval once, and every achievement once: one row per approved report, per urusan and triwulan
    # with an approved report, and per triwulan for the daerah, each with a single current version.
    assert set(QuarterlyReport.objects.filter(pk__in=[r.pk for r in reports]).values_list("status", flat=True)) == {
        ReportStatus.APPROVED
    }
    expected = {(r.period.quarter, AchievementLevel.SERVICE, r.service_id, None) for r in reports}
    expected |= {(r.period.quarter, AchievementLevel.AFFAIR, None, r.service.affair_id) for r in reports}
    expected |= {(r.period.quarter, AchievementLevel.REGION, None, None) for r in reports}
    current = list(
        Achievement.objects.filter(is_current=True).values_list("year", "quarter", "level", "service_id", "affair_id")
    )
    assert len(current) == len(set(current)) == len(expected) == 10 + 4 + 4
    assert {row[1:] for row in current} == expected and {row[0] for row in current} == {APPROVAL_YEAR}
    service_rows = Achievement.objects.filter(is_current=True, level=AchievementLevel.SERVICE)
    assert sorted(service_rows.values_list("report_id", flat=True)) == sorted(r.pk for r in reports)

    # The web tier kept nothing local: the uploads went to the bucket and were removed once stored.
    assert not (tmp_path / "media-unused").exists()
    assert s3_bucket.object_keys("impor/") == []
    assert len(s3_bucket.object_keys("bukti/")) == Evidence.objects.filter(report__in=reports).count() >= len(reports)
