"""Year partitions of the recipient table (data penerima layanan dasar) on PostgreSQL.

Migration ``0006_partition_recipients_by_year`` partitions ``reporting_recipient`` by ``year`` with one
partition a year for 2020-2035 and a default partition for any other year. Later years get their own
partition through :func:`add_year_partition` (``manage.py add_recipient_partitions``), ideally before the
year starts; rows already stored in the default partition for that year are moved into the new one in the
same transaction. Other databases (SQLite for development and ``make test``) keep one plain table, and
these functions do nothing there.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

from reporting.models import Recipient


@dataclass(frozen=True)
class Partition:
    name: str
    bound: str  # PostgreSQL's text: FOR VALUES FROM ('2026') TO ('2027'), or DEFAULT
    rows: int  # the planner's estimate (reltuples), not a count


def _table() -> str:
    return Recipient._meta.db_table


def partition_name(year: int) -> str:
    return f"{_table()}_y{year}"


def is_partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s)", [_table()])
        return cursor.fetchone() is not None


def partitions() -> list[Partition]:
    """The recipient table's partitions, in bound order (the default one last)."""
    if not is_partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), GREATEST(c.reltuples, 0)::bigint "
            "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%s) "
            "ORDER BY pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT', c.relname",
            [_table()],
        )
        return [Partition(name, bound, rows) for name, bound, rows in cursor.fetchall()]


@transaction.atomic
def add_year_partition(year: int) -> bool:
    """Give ``year`` its own partition unless it has one; False when nothing was done (it exists, or the
    table is not partitioned). Rows of that year already in the default partition move into it.

    The new partition is filled as a plain table and then attached (PostgreSQL creates the parent's
    indexes and unique constraint on it, and checks its rows against the bound): creating it directly as
    a partition would be refused while the default partition holds rows of that year.
    """
    if not 1900 <= year <= 9999:
        raise ValueError(f"Tahun partisi tidak wajar: {year}")
    if not is_partitioned():
        return False
    table, name = _table(), partition_name(year)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        if cursor.fetchone()[0]:
            return False
        default = f"{table}_default"
        # No list of that year may be written while its rows move (the import's COPY waits).
        cursor.execute(f"LOCK TABLE {quote(table)} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(f"CREATE TABLE {quote(name)} (LIKE {quote(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [default])
        if cursor.fetchone()[0]:
            cursor.execute(
                f"WITH moved AS (DELETE FROM {quote(default)} WHERE year = %s RETURNING *) "
                f"INSERT INTO {quote(name)} SELECT * FROM moved",
                [year],
            )
        cursor.execute(
            f"ALTER TABLE {quote(table)} ATTACH PARTITION {quote(name)} FOR VALUES FROM (%s) TO (%s)",
            [year, year + 1],
        )
    return True
