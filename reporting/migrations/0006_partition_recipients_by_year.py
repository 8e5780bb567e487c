"""Partition the recipient table (data penerima layanan dasar) by year on PostgreSQL.

A national deployment holds tens of millions of named recipients a year; every read and write of a list
names its year (``Recipient.objects.for_list``), so a partition per year keeps each list's indexes small,
lets a finished year be vacuumed, archived or detached on its own, and deleting a list ("ganti") touches
one partition. The Django model is unchanged: the partitioned table keeps the table's name, columns,
check constraints, unique constraint and indexes (each created on every partition); its primary key
becomes (id, year), since a unique key of a partitioned table must hold the partition key, and ``id``
takes its values from a sequence owned by the column (identity columns are not allowed on partitioned
tables before PostgreSQL 17). Partitions: one per year 2020-2035 and a default one for any other year;
``manage.py add_recipient_partitions`` adds later years, moving rows out of the default partition.

Works on a filled table: the rows are copied into the new table inside the migration's transaction,
under an exclusive lock (plan a maintenance window for a large table: the copy runs at COPY speed, plus
building the indexes). SQLite keeps the plain table. The SQL below is frozen here on purpose (a migration
must not change when application code does); ``reporting.partitions`` holds the runtime operations.
"""

from django.db import migrations

TABLE = "reporting_recipient"
FIRST_YEAR, LAST_YEAR = 2020, 2035


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def partition_by_year(cursor, table: str, first_year: int, last_year: int) -> None:
    """Turn a plain table into one partitioned by ``year`` (RANGE), keeping its rows, column defaults, check
    constraints, unique constraints and indexes (same names), with partitions ``<table>_y<year>`` for
    ``first_year``..``last_year`` and ``<table>_default``. The ``id`` column's next value carries on."""
    new = f"{table}_partitioned"
    cursor.execute(f"LOCK TABLE {_quote(table)} IN ACCESS EXCLUSIVE MODE")
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('u', 'f', 'x') ORDER BY conname",
        [table],
    )
    uniques = []
    for name, kind, definition in cursor.fetchall():
        if kind != "u":
            raise RuntimeError(f"{table}: constraint {name} ({kind}) cannot be moved to a partitioned table")
        uniques.append((name, definition))
    cursor.execute(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = %s::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY i.indexrelid",
        [table],
    )
    indexes = [definition for (definition,) in cursor.fetchall()]
    cursor.execute(
        f"CREATE TABLE {_quote(new)} (LIKE {_quote(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
        "PARTITION BY RANGE (year)"
    )
    for year in range(first_year, last_year + 1):
        cursor.execute(
            f"CREATE TABLE {_quote(f'{table}_y{year}')} PARTITION OF {_quote(new)} "
            f"FOR VALUES FROM ({year}) TO ({year + 1})"
        )
    cursor.execute(f"CREATE TABLE {_quote(f'{table}_default')} PARTITION OF {_quote(new)} DEFAULT")
    cursor.execute(f"INSERT INTO {_quote(new)} SELECT * FROM {_quote(table)}")
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {_quote(table)}")
    (last_id,) = cursor.fetchone()
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    (old_sequence,) = cursor.fetchone()
    if old_sequence:
        cursor.execute(f"SELECT last_value, is_called FROM {old_sequence}")
        last_value, is_called = cursor.fetchone()
        last_id = max(last_id, last_value if is_called else last_value - 1)
    cursor.execute(f"DROP TABLE {_quote(table)}")  # and its identity sequence, indexes and constraints
    cursor.execute(f"ALTER TABLE {_quote(new)} RENAME TO {_quote(table)}")
    sequence = f"{table}_id_seq"
    cursor.execute(f"CREATE SEQUENCE {_quote(sequence)} OWNED BY {_quote(table)}.id")
    cursor.execute("SELECT setval(%s, %s, %s)", [sequence, max(last_id, 1), last_id > 0])
    cursor.execute(f"ALTER TABLE {_quote(table)} ALTER COLUMN id SET DEFAULT nextval(%s::regclass)", [sequence])
    cursor.execute(f"ALTER TABLE {_quote(table)} ADD CONSTRAINT {_quote(table + '_pkey')} PRIMARY KEY (id, year)")
    for name, definition in uniques:
        cursor.execute(f"ALTER TABLE {_quote(table)} ADD CONSTRAINT {_quote(name)} {definition}")
    for definition in indexes:
        cursor.execute(definition)
    cursor.execute(f"ANALYZE {_quote(table)}")


def unpartition(cursor, table: str) -> None:
    """The reverse: a plain table with the same rows, constraints and indexes, ``id`` an identity again."""
    new = f"{table}_plain"
    cursor.execute(f"LOCK TABLE {_quote(table)} IN ACCESS EXCLUSIVE MODE")
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
        "AND contype = 'u' ORDER BY conname",
        [table],
    )
    uniques = cursor.fetchall()
    cursor.execute(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = %s::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY i.indexrelid",
        [table],
    )
    indexes = [definition for (definition,) in cursor.fetchall()]
    cursor.execute(f"CREATE TABLE {_quote(new)} (LIKE {_quote(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    cursor.execute(f"ALTER TABLE {_quote(new)} ALTER COLUMN id DROP DEFAULT")
    cursor.execute(f"INSERT INTO {_quote(new)} SELECT * FROM {_quote(table)}")
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {_quote(table)}")
    (last_id,) = cursor.fetchone()
    cursor.execute(f"DROP TABLE {_quote(table)}")  # with its partitions and sequence
    cursor.execute(f"ALTER TABLE {_quote(new)} RENAME TO {_quote(table)}")
    cursor.execute(f"ALTER TABLE {_quote(table)} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY")
    cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, %s)", [table, max(last_id, 1), last_id > 0])
    cursor.execute(f"ALTER TABLE {_quote(table)} ADD CONSTRAINT {_quote(table + '_pkey')} PRIMARY KEY (id)")
    for name, definition in uniques:
        cursor.execute(f"ALTER TABLE {_quote(table)} ADD CONSTRAINT {_quote(name)} {definition}")
    for definition in indexes:
        cursor.execute(definition)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            partition_by_year(cursor, TABLE, FIRST_YEAR, LAST_YEAR)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            unpartition(cursor, TABLE)


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0005_add_import_heartbeat"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
