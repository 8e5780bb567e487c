"""The validation task of a recipient import on a real Celery worker, over Redis, against the test database.

The worker is a separate process, so it must see the rows this test wrote: the test is transactional (rows
are committed), and the worker gets the test database's address. On PostgreSQL that is pytest-django's
``test_<name>`` database; on SQLite the test database lives in memory, so it is copied to a file (sqlite3's
backup API) that the worker opens, and the outcome is read back from that file. Skipped only when Redis
cannot be reached.
"""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest
from celery import Celery

from reporting import spreadsheet
from reporting.recipients.services import recipient_import_start
from tests.celery_worker import reachable, redis_url, start_worker, stop_worker, worker_database_url
from tests.reporting.recipients_support import YEAR, people, upload, xlsx_bytes


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "count",
    # 26,000 rows are more than PROCESS_MIN_BYTES of sheet XML: the worker's pool process starts the reader process.
    [30, 26_000],
    ids=["daftar-kecil", "daftar-besar-dengan-proses-pembaca"],
)
def test_a_real_worker_validates_an_uploaded_list(
    tmp_path, settings, monkeypatch, operator_a, daerah, service_a, count
):
    url = redis_url()
    if not reachable(url):
        pytest.skip(f"Redis tidak dapat dihubungi di {url}")
    settings.MEDIA_ROOT = tmp_path / "media"
    # The upload's own enqueue would run the task in this process (eager); the worker gets it instead.
    monkeypatch.setattr("reporting.recipients.services._enqueue", lambda step, import_id: None)
    rows = people(count)
    rows[4][0] = "12345"  # one error, so the worker writes an error report too
    batch = recipient_import_start(
        user=operator_a, region=daerah, service=service_a, year=YEAR, mode="tambah", upload=upload(xlsx_bytes(rows))
    )
    uses_reader_process = spreadsheet.XlsxReader(batch.file.path).in_reader_process
    assert uses_reader_process == (count > 30)
    database_url, sqlite_copy = worker_database_url(tmp_path)
    queue = f"uji-impor-{uuid.uuid4().hex[:8]}"
    worker = start_worker(
        broker=url,
        name=queue,
        database_url=database_url,
        queue=queue,
        extra_env={"MEDIA_ROOT": str(settings.MEDIA_ROOT)},
    )
    client = Celery("uji", broker=url, backend=url, set_as_current=False)
    client.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"])
    try:
        result = client.send_task("reporting.validate_recipient_import", args=[batch.pk], queue=queue)
        answer = result.get(timeout=120)
        again = client.send_task("reporting.validate_recipient_import", args=[batch.pk], queue=queue).get(timeout=60)
    finally:
        stop_worker(worker)
    assert answer == {"import": batch.pk, "status": "tervalidasi", "rows": count, "errors": 1}
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
    assert (status, rows_read, errors) == ("tervalidasi", count, 1)
    assert (Path(settings.MEDIA_ROOT) / report).is_file()
