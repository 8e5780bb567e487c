"""Fault tests on PostgreSQL, Redis and real Celery workers: nothing is lost, or stored twice, when a part dies.

- a worker killed with SIGKILL in the middle of validating a large list: the watchdog re-queues it and a new
  worker validates it once;
- a worker killed in the middle of the COPY that stores a list: nothing is half-stored; after the watchdog
  and a new worker, the list is stored exactly once;
- Redis stopped while a verifikator approves a report: the approval answers quickly with a redirect, and the
  achievement recompute runs once Redis is back.

They need PostgreSQL (row locks, COPY, a database the worker processes share) and Redis: ``.ci/run`` sets
DATABASE_URL and CELERY_BROKER_URL; anywhere else they are skipped with the reason. Each starts its own
workers on a queue of its own and stops every process it started, by PID.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse

from reporting.choices import ImportStatus, RecipientStatus, ReportStatus
from reporting.models import Achievement, Recipient, RecipientImport
from reporting.recipients import rows as recipient_rows
from reporting.recipients.services import recipient_import_start
from reporting.recipients.store import recipient_import_confirm
from reporting.recipients.watchdog import recipient_imports_watch
from reporting.services import report_submit
from spm.celery import app
from spm.models import PendingTask
from spm.tasks_safe import pending_tasks_send
from tests.celery_worker import reachable, start_worker, worker_database_url
from tests.reporting.conftest import fill_completely
from tests.reporting.recipients_support import HEADER, YEAR, make_nik, person, upload
from tests.reporting.xlsx_files import write_xlsx

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

BIG_LIST = 60_000  # rows: validation takes long enough to be killed half-way, short enough for the test


def _broker() -> str:
    url = os.environ.get("CELERY_BROKER_URL", "")
    if connection.vendor != "postgresql":
        pytest.skip("uji gangguan memerlukan PostgreSQL (DATABASE_URL=postgres://…), kini SQLite")
    if not url.startswith("redis"):
        pytest.skip("uji gangguan memerlukan Redis (CELERY_BROKER_URL=redis://…), tidak diatur")
    if not reachable(url):
        pytest.skip(f"Redis tidak dapat dihubungi di {url}")
    return url


def _route_everything_to(queue: str | None, routes) -> None:
    """Send every task to ``queue`` (or back to the settings' routes). Celery caches its router, the routing
    table and the default queue on first use: without forgetting them, the second test of a session would
    still send its tasks to the first test's (deleted) queue, where no worker listens."""
    app.conf.task_routes = {"*": {"queue": queue}} if queue else routes
    app.amqp.flush_routes()
    for cached in ("router", "default_queue"):
        app.amqp.__dict__.pop(cached, None)


@pytest.fixture
def faults(tmp_path, settings):
    """A queue of this test's own on the real broker, tasks sent there (not run in-process), and workers
    started on demand against the test database; every worker is stopped (by PID) at the end."""
    url = _broker()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RECIPIENT_IMPORT_HEARTBEAT_TIMEOUT = 1  # the watchdog, called by the test, judges quickly
    queue = f"uji-gangguan-{uuid.uuid4().hex[:8]}"
    old_queue, old_routes = app.conf.task_default_queue, app.conf.task_routes
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue  # (eager is restored by conftest)
    # Every task to this test's queue: the routes by kind (imports, achievements …) would send them elsewhere.
    _route_everything_to(queue, old_routes)
    database_url, _ = worker_database_url(tmp_path)
    workers: list[subprocess.Popen] = []

    def worker() -> subprocess.Popen:
        process = start_worker(
            broker=url,
            name=f"{queue}-{len(workers)}",
            database_url=database_url,
            queue=queue,
            extra_env={"MEDIA_ROOT": str(settings.MEDIA_ROOT), "RECIPIENT_IMPORT_HEARTBEAT_TIMEOUT": "1"},
        )
        workers.append(process)
        return process

    yield worker
    for process in workers:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
    app.conf.task_default_queue = old_queue
    _route_everything_to(None, old_routes)
    _forget_unacked(url, queue)


def _forget_unacked(url: str, queue: str) -> None:
    """Drop this test's queue and the message a killed worker left unacknowledged (Redis would hand it back
    to the queue after the visibility timeout, long after the test)."""
    import redis

    client = redis.Redis.from_url(url)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    for tag, payload in client.hgetall("unacked").items():
        try:
            routing = json.loads(payload)[2]
        except (ValueError, IndexError, TypeError):
            continue
        if routing == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


def _wait(condition, *, timeout: float, what: str, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"waited {timeout} s for {what}")


def _import(pk: int) -> RecipientImport:
    return RecipientImport.objects.get(pk=pk)


def _kill(process: subprocess.Popen) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def _unique_person(i: int) -> list:
    """Row ``i`` of a large valid list: NIKs unique for millions of rows (``person`` repeats after 36,000)."""
    row = person(i)
    birth = dt.date(1990, 1, 1) + dt.timedelta(days=i % 7000)
    row[0], row[3] = make_nik(birth, "P", i // 7000 + 1), birth
    return row


@pytest.fixture(scope="session")
def big_list(tmp_path_factory) -> Path:
    _broker()  # skip before spending the time to write it
    path = tmp_path_factory.mktemp("daftar-besar") / "penerima.xlsx"
    with open(path, "wb") as handle:
        write_xlsx(handle, [HEADER, *(_unique_person(i) for i in range(BIG_LIST))])
    return path


def test_a_worker_killed_mid_validation_is_restarted_and_validates_once(
    faults, big_list, operator_a, daerah, service_a
):
    batch = recipient_import_start(  # its validation task goes to this test's queue
        user=operator_a,
        region=daerah,
        service=service_a,
        year=YEAR,
        mode="tambah",
        upload=upload(big_list.read_bytes()),
    )
    first = faults()
    _wait(lambda: _import(batch.pk).rows_processed > 0, timeout=60, what="the first progress point")
    _kill(first)
    killed_at = _import(batch.pk)
    assert killed_at.status == ImportStatus.VALIDATING and 0 < killed_at.rows_processed < BIG_LIST

    time.sleep(1.2)  # the heartbeat goes stale (1 s in this test)
    assert recipient_imports_watch() == {"requeued": 1, "failed": 0}
    assert _import(batch.pk).status == ImportStatus.UPLOADED
    faults()
    done = _wait(
        lambda: (b := _import(batch.pk)).status == ImportStatus.VALIDATED and b, timeout=90, what="the validation"
    )
    assert (done.rows_read, done.rows_valid, done.rows_with_errors, done.attempts) == (BIG_LIST, BIG_LIST, 0, 2)
    assert done.staged_file and (Path(django_settings.MEDIA_ROOT) / done.staged_file.name).is_file()


def _staged_list(batch: RecipientImport, rows: int) -> None:
    """A validated list of ``rows`` valid recipients, staged as validation leaves it (COPY text format)."""
    prefix, suffix = recipient_rows.staging_affixes(batch)
    folder = Path(django_settings.MEDIA_ROOT) / "impor" / "penerima" / str(YEAR) / str(batch.pk)
    folder.mkdir(parents=True)
    with open(folder / "siap-simpan.tsv", "w", encoding="utf-8") as staged:
        for i in range(rows):
            nik, name, _sex, birth, address, village, _district, served, _status, _note = _unique_person(i)
            staged.write(
                f"{prefix}{nik}\t{name}\tP\t{birth.isoformat()}\t{address}\t{village}\t\\N\t"
                f"{served.isoformat()}\t{(served.month - 1) // 3 + 1}\t{RecipientStatus.SERVED.value}\t{suffix}"
            )
    RecipientImport.objects.filter(pk=batch.pk).update(
        status=ImportStatus.VALIDATED,
        rows_total=rows,
        rows_read=rows,
        rows_valid=rows,
        staged_file=f"impor/penerima/{YEAR}/{batch.pk}/siap-simpan.tsv",
    )


def _copy_running() -> int | None:
    """The PostgreSQL backend running a worker's COPY into the recipients table, if any."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' "
            "AND query ILIKE 'COPY%%reporting_recipient%%' AND pid <> pg_backend_pid()"
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _backend_gone(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0] == 0


def test_a_worker_killed_mid_commit_stores_nothing_then_exactly_once(faults, operator_a, daerah, service_a):
    rows = 200_000  # a COPY of a few seconds, so the kill lands inside it
    batch = recipient_import_start(
        user=operator_a, region=daerah, service=service_a, year=YEAR, mode="ganti", upload=_small_upload()
    )
    _staged_list(batch, rows)  # before any worker runs: its validation task will find it validated and skip
    first = faults()
    recipient_import_confirm(user=operator_a, batch=_import(batch.pk))  # enqueued on commit (autocommit)
    backend = _wait(_copy_running, timeout=60, what="the COPY", every=0.02)
    _kill(first)
    _wait(lambda: _backend_gone(backend), timeout=30, what="PostgreSQL to end the dead worker's session")
    assert Recipient.objects.count() == 0  # nothing half-stored
    assert _import(batch.pk).status == ImportStatus.COMMITTING

    time.sleep(1.2)
    assert recipient_imports_watch() == {"requeued": 1, "failed": 0}
    faults()
    done = _wait(lambda: (b := _import(batch.pk)).status == ImportStatus.COMMITTED and b, timeout=90, what="the commit")
    assert done.rows_stored == rows and Recipient.objects.count() == rows
    # the killed run's task arriving late changes nothing
    result = app.send_task("reporting.commit_recipient_import", args=[batch.pk], queue=app.conf.task_default_queue)
    assert result.get(timeout=30) == {"import": batch.pk, "status": "skipped"}
    assert Recipient.objects.count() == rows


def _small_upload():
    from tests.reporting.recipients_support import people, xlsx_bytes

    return upload(xlsx_bytes(people(2)))


# --- Redis stopped during an approval --------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SeparateRedis:
    """A throwaway redis-server of this test's own (never the shared one), started and stopped by PID."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        _wait(lambda: reachable(self.url), timeout=10, what="redis-server to listen")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


def _point_app_at(url: str | None, backend: str | None) -> None:
    """Send tasks to another broker from now on. Celery reads CELERY_BROKER_URL and CELERY_RESULT_BACKEND from
    the environment before its configuration, and caches its connection pools and result backend."""
    for name, value in (("CELERY_BROKER_URL", url), ("CELERY_RESULT_BACKEND", backend)):
        if value:
            os.environ[name] = value
        else:
            os.environ.pop(name, None)
    app.conf.broker_url, app.conf.result_backend = url, backend
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


def test_approval_with_redis_stopped_answers_quickly_and_its_recompute_runs_later(
    tmp_path, client_for, reviewer, operator_a, report
):
    _broker()
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server tidak terpasang")
    redis_server = SeparateRedis()
    old = (os.environ.get("CELERY_BROKER_URL"), os.environ.get("CELERY_RESULT_BACKEND"))
    app.conf.task_always_eager = False  # (restored by conftest)
    redis_server.start()
    worker = None
    try:
        _point_app_at(redis_server.url, redis_server.url)
        report = fill_completely(report, operator_a)
        report_submit(report=report, user=operator_a, expected_version=report.version)
        redis_server.stop()  # Redis dies

        client = client_for(reviewer)
        started = time.monotonic()
        response = client.post(reverse("reporting:review-approve", args=[report.pk]), {"comment": "Lengkap."})
        elapsed = time.monotonic() - started
        assert response.status_code == 302 and elapsed < 5, (response.status_code, elapsed)
        report.refresh_from_db()
        assert report.status == ReportStatus.APPROVED
        assert PendingTask.objects.filter(task="reporting.recompute_achievements").count() == 1
        assert not Achievement.objects.exists()

        redis_server.start()  # Redis is back (empty: it kept nothing)
        database_url, _ = worker_database_url(tmp_path)
        worker = start_worker(broker=redis_server.url, name="uji-redis-kembali", database_url=database_url)
        assert pending_tasks_send() == 1  # what spm.send_pending_tasks does every minute
        _wait(
            lambda: Achievement.objects.filter(region=report.region, year=2026, is_current=True).exists(),
            timeout=60,
            what="the achievement recompute",
            every=0.5,
        )
        assert not PendingTask.objects.exists()
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=20)
        redis_server.stop()
        _point_app_at(*old)
