"""The validation task of a recipient import on a real Celery worker, over Redis, against the test database.

The worker is a separate process, so it must see the rows this test wrote: the test is transactional (rows
are committed), and the worker gets the test database's address. On PostgreSQL that is pytest-django's
``test_<name>`` database; on SQLite the test database lives in memory, so it is copied to a file (sqlite3's
backup API) that the worker opens, and the outcome is read back from that file. Skipped only when Redis
cannot be reached.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

from reporting.services.recipients import recipient_import_start
from tests.reporting.recipients_support import YEAR, people, upload, xlsx_bytes
from tests.spm.test_celery import _reachable, _redis_url

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _worker_database_url(tmp_path: Path) -> tuple[str, Path | None]:
    """A DATABASE_URL for the worker pointing at this test's database (and the SQLite copy, if any)."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        credentials = settings["USER"] + (f":{settings['PASSWORD']}" if settings.get("PASSWORD") else "")
        host = settings.get("HOST") or "127.0.0.1"
        port = settings.get("PORT") or 5432
        return f"postgres://{credentials}@{host}:{port}/{settings['NAME']}", None
    copy = tmp_path / "worker.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(copy) as target:
        connection.connection.backup(target)
    return f"sqlite:///{copy}", copy


def _start_worker(queue: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "spm",
            "worker",
            "-P",
            "solo",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "warning",
        ],
        cwd=PROJECT_ROOT,
        env=env,
    )


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_validates_an_uploaded_list(tmp_path, settings, monkeypatch, operator_a, daerah, service_a):
    url = _redis_url()
    if not _reachable(url):
        pytest.skip(f"Redis tidak dapat dihubungi di {url}")
    settings.MEDIA_ROOT = tmp_path / "media"
    # The upload's own enqueue would run the task in this process (eager); the worker gets it instead.
    monkeypatch.setattr("reporting.services.recipients._enqueue", lambda step, import_id: None)
    rows = people(30)
    rows[4][0] = "12345"  # one error, so the worker writes an error report too
    batch = recipient_import_start(
        user=operator_a, region=daerah, service=service_a, year=YEAR, mode="tambah", upload=upload(xlsx_bytes(rows))
    )
    database_url, sqlite_copy = _worker_database_url(tmp_path)
    queue = f"uji-impor-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "spm.settings",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": url,
        "CELERY_RESULT_BACKEND": url,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    worker = _start_worker(queue, env)
    client = Celery("uji", broker=url, backend=url)
    client.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"])
    try:
        result = client.send_task("reporting.validate_recipient_import", args=[batch.pk], queue=queue)
        answer = result.get(timeout=120)
        again = client.send_task("reporting.validate_recipient_import", args=[batch.pk], queue=queue).get(timeout=60)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert answer == {"import": batch.pk, "status": "tervalidasi", "rows": 30, "errors": 1}
    assert again == {"import": batch.pk, "status": "skipped"}  # idempotent
    if sqlite_copy is not None:
        with sqlite3.connect(sqlite_copy) as database:
            status, rows_read, errors, report = database.execute(
                "SELECT status, rows_read, rows_with_errors, error_report FROM reporting_recipientimport WHERE id = ?",
                [batch.pk],
            ).fetchone()
    else:
        batch.refresh_from_db()
        status, rows_read, errors, report = (
            batch.status,
            batch.rows_read,
            batch.rows_with_errors,
            batch.error_report.name,
        )
    assert (status, rows_read, errors) == ("tervalidasi", 30, 1)
    assert (Path(settings.MEDIA_ROOT) / report).is_file()
