"""Restore drill: ops/backup.sh then ops/restore.sh give back every row of every table and every uploaded file.

The drill backs up the test database (pytest-django's, holding the data made below) and restores it into a
new, empty database created for the drill, as after losing the server; it compares row counts and an md5 of
every table's ordered rows, the sequences, and the media files. pytest-django's own database is never dropped.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.db import connection

from reporting.models import Achievement, Evidence, QuarterlyReport
from tests.reporting.conftest import approved_report

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="pg_dump/pg_restore drill: needs PostgreSQL (.ci/run runs it there)",
    ),
    pytest.mark.skipif(
        not all(shutil.which(tool) for tool in ("pg_dump", "pg_restore", "psql")),
        reason="the PostgreSQL client tools (pg_dump, pg_restore, psql) are not installed",
    ),
    pytest.mark.django_db(transaction=True),  # the rows must be committed for pg_dump to see them
]


def database_url(name: str) -> str:
    settings = connection.settings_dict
    credentials = quote(settings["USER"]) + (f":{quote(settings['PASSWORD'])}" if settings.get("PASSWORD") else "")
    return f"postgres://{credentials}@{settings.get('HOST') or '127.0.0.1'}:{settings.get('PORT') or 5432}/{name}"


def connect(name: str):
    settings = connection.settings_dict
    return psycopg2.connect(
        dbname=name,
        user=settings["USER"],
        password=settings.get("PASSWORD") or None,
        host=settings.get("HOST") or "127.0.0.1",
        port=settings.get("PORT") or 5432,
    )


def fingerprint(name: str) -> dict[str, tuple]:
    """Per table: (row count, md5 of its rows in text form, in order); per sequence: its last value."""
    found: dict[str, tuple] = {}
    with connect(name) as db, db.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        for (table,) in cursor.fetchall():
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM \"{table}\" t"
            )
            found[table] = cursor.fetchone()
        cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
        found.update({f"sequence {name}": (value,) for name, value in cursor.fetchall()})
    db.close()
    return found


def files_under(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def run(script: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / "ops" / script), *args],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def empty_database():
    """A new database with nothing in it (template0), dropped after the drill."""
    name = f"{connection.settings_dict['NAME']}_pemulihan_{uuid.uuid4().hex[:8]}"
    admin = connect("postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    try:
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_restore_drill_gives_back_every_table_row_and_file(
    operator_a, operator_b, reviewer, leader, daerah, service_a, settings, tmp_path, empty_database
):
    approved_report(operator_a, reviewer, daerah, service_a, 2025, 1, 240)
    approved_report(operator_a, reviewer, daerah, service_a, 2025, 2, 260)
    assert QuarterlyReport.objects.count() == 2 and Evidence.objects.count() >= 2  # with the tahapan's documents
    assert Achievement.objects.exists(), "the approvals should have stored achievements"
    media = Path(settings.MEDIA_ROOT)
    before_files = files_under(media)
    assert len(before_files) == Evidence.objects.count()  # every evidence file is under the media root

    source = connection.settings_dict["NAME"]
    before = fingerprint(source)
    assert before["reporting_quarterlyreport"][0] == 2 and before["spm_region"][0] > 7000

    backup = run(
        "backup.sh",
        env={"DATABASE_URL": database_url(source), "MEDIA_ROOT": str(media), "BACKUP_DIR": str(tmp_path / "cadangan")},
    )
    assert backup.returncode == 0, backup.stderr
    archive = Path(backup.stdout.strip().splitlines()[-1])
    assert archive.is_file() and archive.name.startswith("espm-") and archive.suffix == ".tar"
    assert archive.stat().st_mode & 0o077 == 0, "the archive holds personal data: owner-only"

    restored_media = tmp_path / "media-pulih"
    target = {"DATABASE_URL": database_url(empty_database), "MEDIA_ROOT": str(restored_media)}
    restore = run("restore.sh", str(archive), env=target)
    assert restore.returncode == 0, restore.stderr

    after = fingerprint(empty_database)
    assert after.keys() == before.keys()
    differing = sorted(table for table in before if before[table] != after[table])
    assert not differing, f"restored tables differ: {differing}"
    assert files_under(restored_media) == before_files

    # Restoring over data is refused, whatever the archive.
    again = run("restore.sh", str(archive), env=target)
    assert again.returncode == 4 and "tidak kosong" in again.stderr
    assert fingerprint(empty_database) == before


def test_restore_refuses_a_damaged_archive(settings, tmp_path, empty_database):
    media = Path(settings.MEDIA_ROOT)
    backup = run(
        "backup.sh",
        env={
            "DATABASE_URL": database_url(connection.settings_dict["NAME"]),
            "MEDIA_ROOT": str(media),
            "BACKUP_DIR": str(tmp_path),
        },
    )
    assert backup.returncode == 0, backup.stderr
    archive = Path(backup.stdout.strip().splitlines()[-1])
    unpacked = tmp_path / "isi"
    unpacked.mkdir()
    subprocess.run(["tar", "-C", str(unpacked), "-xf", str(archive)], check=True)
    with (unpacked / "database.dump").open("ab") as dump:
        dump.write(b"rusak")
    damaged = tmp_path / "rusak.tar"
    subprocess.run(
        ["tar", "-C", str(unpacked), "-cf", str(damaged), "MANIFEST", "database.dump", "media.tar.gz"], check=True
    )
    result = run(
        "restore.sh",
        str(damaged),
        env={"DATABASE_URL": database_url(empty_database), "MEDIA_ROOT": str(tmp_path / "m")},
    )
    assert result.returncode == 3 and "checksum" in result.stderr
    assert fingerprint(empty_database) == {}
