"""The recipient table partitioned by year on PostgreSQL (migration 0006, reporting.partitions): rows land in
their year's partition, the import's COPY and the section A counts work through the parent, every partition
carries the unique NIK constraint and the indexes, and the migration's own function keeps a filled table's
rows. SQLite keeps a plain table, so these tests skip there."""

from __future__ import annotations

import datetime as dt
import importlib
import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from reporting import partitions
from reporting.models import Recipient
from reporting.recipients.selectors import recipient_counts
from reporting.recipients.services import recipient_import_start, recipient_import_validate
from reporting.recipients.store import recipient_import_commit
from tests.reporting.recipients_support import YEAR, people, upload, xlsx_bytes

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="partisi tabel penerima hanya ada di PostgreSQL (DATABASE_URL=postgres://…)",
)
migration = importlib.import_module("reporting.migrations.0006_partition_recipients_by_year")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def partition_counts(table: str = "reporting_recipient") -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text, count(*) FROM {table} GROUP BY 1")
        return dict(cursor.fetchall())


def recipient(daerah, service, year: int, nik: str, **fields) -> Recipient:
    values = {
        "region": daerah,
        "service": service,
        "year": year,
        "nik": nik,
        "name": "Siti",
        "sex": "P",
        "birth_date": dt.date(1990, 1, 1),
        "address": "Jl. Uji",
        "service_date": dt.date(min(year, 9999), 2, 1),
        "quarter": 1,
    }
    return Recipient(**{**values, **fields})


@pytest.mark.django_db
def test_recipient_table_is_partitioned_by_year_with_a_default_partition():
    assert partitions.is_partitioned()
    names = [partition.name for partition in partitions.partitions()]
    assert names[0] == "reporting_recipient_y2020" and "reporting_recipient_y2035" in names
    assert names[-1] == "reporting_recipient_default"
    assert partitions.partitions()[-1].bound == "DEFAULT"


@pytest.mark.django_db
def test_every_partition_has_the_unique_nik_constraint_and_the_list_indexes():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, array_agg(pg_get_indexdef(i.indexrelid) ORDER BY i.indexrelid) FROM pg_inherits h "
            "JOIN pg_class c ON c.oid = h.inhrelid JOIN pg_index i ON i.indrelid = c.oid "
            "WHERE h.inhparent = 'reporting_recipient'::regclass GROUP BY c.relname"
        )
        by_partition = dict(cursor.fetchall())
    assert len(by_partition) == len(partitions.partitions())
    for name, definitions in by_partition.items():
        text = " | ".join(definitions)
        assert "UNIQUE INDEX" in text and "(region_id, service_id, year, nik)" in text, name
        assert "(region_id, service_id, year, name)" in text, name
        assert "(region_id, service_id, year, quarter, status)" in text, name
        assert "(id, year)" in text, name


@pytest.mark.django_db
def test_rows_land_in_their_year_partition_and_other_years_in_the_default(daerah, service_a):
    Recipient.objects.bulk_create(
        [
            recipient(daerah, service_a, 2026, "1812014101900001"),
            recipient(daerah, service_a, 2027, "1812014101900001"),  # the same person, another year
            recipient(daerah, service_a, 2001, "1812014101900002"),
        ]
    )
    assert partition_counts() == {
        "reporting_recipient_y2026": 1,
        "reporting_recipient_y2027": 1,
        "reporting_recipient_default": 1,
    }
    assert Recipient.objects.for_list(daerah.pk, service_a.pk, 2027).get().nik == "1812014101900001"
    with pytest.raises(IntegrityError), transaction.atomic():
        recipient(daerah, service_a, 2026, "1812014101900001").save()  # one NIK once a list


@pytest.mark.django_db
def test_import_copies_into_the_year_partition_and_counts_read_it(operator_a, daerah, service_a, media):
    rows = people(6)
    rows[5][8] = "Belum sesuai standar"
    batch = recipient_import_start(
        user=operator_a, region=daerah, service=service_a, year=YEAR, mode="tambah", upload=upload(xlsx_bytes(rows))
    )
    batch = recipient_import_commit(user=operator_a, batch=recipient_import_validate(batch.pk))
    assert batch.rows_stored == 6
    assert partition_counts() == {f"reporting_recipient_y{YEAR}": 6}
    counts = recipient_counts(daerah, service_a, YEAR)
    served = rows[:5]  # the sixth is not yet to standard
    assert counts["must_serve"] == 6
    assert sum(counts["served"].values()) == len(served)
    for quarter in (1, 2, 3, 4):
        assert counts["served"][quarter] == sum((row[7].month - 1) // 3 + 1 == quarter for row in served)


@pytest.mark.django_db
def test_a_new_year_partition_takes_its_rows_out_of_the_default_partition(daerah, service_a):
    Recipient.objects.bulk_create(
        [recipient(daerah, service_a, 2040, f"18120141019{index:05d}") for index in range(1, 4)]
        + [recipient(daerah, service_a, 2041, "1812014101900009")]
    )
    assert partition_counts() == {"reporting_recipient_default": 4}
    output = io.StringIO()
    call_command("add_recipient_partitions", "--from", "2040", "--through", "2040", stdout=output)
    assert "reporting_recipient_y2040 dibuat" in output.getvalue()
    assert partition_counts() == {"reporting_recipient_y2040": 3, "reporting_recipient_default": 1}
    assert partitions.add_year_partition(2040) is False  # already there: nothing to do
    assert Recipient.objects.filter(year=2040).count() == 3
    with pytest.raises(IntegrityError), transaction.atomic():
        recipient(daerah, service_a, 2040, "1812014101900001").save()  # the new partition has the constraint


SCRATCH = "scratch_recipient"


def scratch_checksum() -> tuple[int, str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), md5(string_agg(t::text, ',' ORDER BY id)) FROM {SCRATCH} t")
        return cursor.fetchone()


@pytest.mark.django_db
def test_migration_partitions_a_filled_table_keeping_rows_constraints_and_ids():
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {SCRATCH} (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
            "year smallint NOT NULL CHECK (year >= 0), nik varchar(16) NOT NULL, quarter smallint NOT NULL, "
            "created_at timestamptz NOT NULL DEFAULT now(), CONSTRAINT scratch_unique_nik UNIQUE (year, nik))"
        )
        cursor.execute(f"CREATE INDEX scratch_by_quarter ON {SCRATCH} (year, quarter)")
        cursor.execute(
            f"INSERT INTO {SCRATCH} (year, nik, quarter) SELECT 2018 + n % 20, lpad(n::text, 16, '0'), 1 + n % 4 "
            "FROM generate_series(1, 3000) n"
        )
        before = scratch_checksum()
        migration.partition_by_year(cursor, SCRATCH, 2020, 2035)
        assert scratch_checksum() == before
        counts = partition_counts(SCRATCH)
        assert counts[f"{SCRATCH}_y2020"] == 150 and len(counts) == 17  # 2020-2035 and the default
        assert counts[f"{SCRATCH}_default"] == 3000 - 16 * 150  # 2018, 2019, 2036, 2037
        cursor.execute(f"INSERT INTO {SCRATCH} (year, nik, quarter) VALUES (2026, 'baru', 1) RETURNING id")
        assert cursor.fetchone()[0] == 3001  # ids carry on
        cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass ORDER BY conname", [SCRATCH])
        names = {name for (name,) in cursor.fetchall()}
        assert {"scratch_unique_nik", f"{SCRATCH}_pkey"} <= names
        cursor.execute("SELECT 1 FROM pg_class WHERE relname = 'scratch_by_quarter' AND relkind = 'I'")
        assert cursor.fetchone() is not None  # the index, on the parent (and so on every partition)
        with pytest.raises(IntegrityError), transaction.atomic():
            cursor.execute(f"INSERT INTO {SCRATCH} (year, nik, quarter) VALUES (2026, 'baru', 2)")
        after = scratch_checksum()

        migration.unpartition(cursor, SCRATCH)
        assert scratch_checksum() == after and partition_counts(SCRATCH) == {SCRATCH: 3001}
        cursor.execute(f"INSERT INTO {SCRATCH} (year, nik, quarter) VALUES (2026, 'lagi', 1) RETURNING id")
        assert cursor.fetchone()[0] == 3002
