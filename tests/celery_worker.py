"""Helpers for the integration tests that start a real Celery worker against Redis."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def redis_url() -> str:
    """The CI's broker when set (.ci/run), else a test database on the local Redis."""
    url = os.environ.get("CELERY_BROKER_URL", "")
    return url if url.startswith("redis") else "redis://127.0.0.1:6379/15"


def reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=2):
            return True
    except OSError:
        return False


def worker_database_url(tmp_path: Path) -> tuple[str, Path | None]:
    """A DATABASE_URL for a worker process pointing at this test's database (and the SQLite copy, if any).

    On PostgreSQL that is pytest-django's ``test_<name>`` database; on SQLite the test database lives in
    memory, so it is copied to a file (sqlite3's backup API) that the worker opens.
    """
    from django.db import connection

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


def start_worker(
    *, broker: str, name: str, database_url: str | None = None, queue: str | None = None, extra_env: dict | None = None
):
    """A solo worker process of the project's Celery app, on ``broker`` (and ``queue`` when given)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "spm.settings",
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        **(extra_env or {}),
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "spm",
        "worker",
        "-P",
        "solo",
        "-n",
        f"{name}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-l",
        "warning",
    ]
    if queue:
        command += ["-Q", queue]
    return subprocess.Popen(command, cwd=PROJECT_ROOT, env=env)


def stop_worker(worker: subprocess.Popen) -> None:
    worker.terminate()
    worker.wait(timeout=30)
