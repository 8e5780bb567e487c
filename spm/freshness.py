"""The data version (versi data): how cached pages know that what they were computed from has changed.

Read-only pages of e-SPM (the dashboard, the matrix, the ranking, a report's page …) are computed from many
tables; keeping each one's own "what did I read" list exact is a rule that would be copied into every page and
forgotten in one. Instead the database connection itself notices writes: every ``INSERT``, ``UPDATE``,
``DELETE``, ``COPY`` or ``TRUNCATE`` that Django sends (the ORM, ``QuerySet.update``, ``bulk_create``, raw
SQL through Django's cursor) and the recipient import's COPY (``note_write``, the one statement psycopg2 sends
outside Django's cursor) schedules one increment of :class:`spm.models.DataVersion` after its transaction
commits. A page cached under the version it read at the start is never served again once the version moves.

Why after the commit and in its own statement: a reader that sees the new version has already been able to see
the new rows (it could not have cached old rows under it), and a long import transaction never holds a lock on
the version row that every other writer would wait for. A reader that cached old rows under the old version
loses nothing: that version is never read again.

Inside a transaction that has not committed yet (a view's ``atomic`` block, or a whole test), the connection's
own uncommitted writes are counted too (:func:`current` returns both), so whoever wrote reads fresh pages
before its own commit.

Tables whose rows no cached page shows (sessions, login attempts, the access and export logs of personal data,
this version itself) are left out: reading a recipient list writes an access log line, and must not make
every other page compute afresh. Writes from outside the application (psql) are not seen: cached pages also
expire (``FRAGMENT_CACHE_SECONDS``).
"""

from __future__ import annotations

import re

from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate

# Rows no cached page is computed from. Adding a table here is a promise that no cached fragment reads it.
IGNORED_TABLES = frozenset(
    {
        "spm_dataversion",
        "django_session",
        "axes_accessattempt",
        "axes_accessattemptexpiration",
        "axes_accessfailurelog",
        "axes_accesslog",
        "django_admin_log",
        "reporting_exportlog",  # who exported or opened personal data (UU 27/2022); the log page is not cached
    }
)
_WRITE = re.compile(
    r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM|COPY|TRUNCATE(?:\s+TABLE)?)\s+"
    r'(?:ONLY\s+)?"?([\w.]+)"?',
    re.IGNORECASE,
)
_STATE_ATTR = "_spm_freshness"


class _State:
    """Per connection: writes not yet committed (counted inside a transaction), and the version read during
    the current request (read once per request; forgotten at its end and after any write)."""

    __slots__ = ("uncommitted", "in_request", "read")

    def __init__(self) -> None:
        self.uncommitted = 0
        self.in_request = False
        self.read: int | None = None


def _state(connection) -> _State:
    state = getattr(connection, _STATE_ATTR, None)
    if state is None:
        state = _State()
        setattr(connection, _STATE_ATTR, state)
    return state


def written_table(sql: str) -> str | None:
    """The table a writing statement changes, or None for a read (or DDL, which migrations run)."""
    if not sql or sql.lstrip()[:1].upper() not in "IUDCTR":
        return None
    match = _WRITE.match(sql)
    return match.group(1).rsplit(".", 1)[-1].lower() if match else None


def note_write(connection=None, table: str | None = None) -> None:
    """A write happened on ``connection`` (default: the default database): count it and bump the version once
    its transaction commits (at once outside a transaction)."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    if table is not None and table in IGNORED_TABLES:
        return
    if not connection.in_atomic_block:
        _bump(connection)
        return
    state = _state(connection)
    state.uncommitted += 1
    state.read = None
    # One increment per transaction: registered again only if a rolled-back savepoint dropped it.
    if not any(entry[1] is _after_commit for entry in connection.run_on_commit):
        transaction.on_commit(_after_commit, using=connection.alias)


def _after_commit() -> None:
    # Module-level, so note_write can find it among the connection's callbacks. on_commit runs it on the
    # connection of the alias it was registered for; only the default database is noted in e-SPM.
    _bump(connections[DEFAULT_DB_ALIAS])


def _table_exists(connection) -> bool:
    # Until the migration creating the version has run (a new database being migrated), there is nothing to
    # bump and nothing cached. Known once per connection; asked again until it exists.
    if not getattr(connection, "_spm_freshness_table", False):
        connection._spm_freshness_table = "spm_dataversion" in connection.introspection.table_names()
    return connection._spm_freshness_table


def _bump(connection) -> None:
    state = _state(connection)
    state.uncommitted = 0
    state.read = None
    if not _table_exists(connection):
        return
    with connection.cursor() as cursor:
        cursor.execute("UPDATE spm_dataversion SET value = value + 1, changed_at = CURRENT_TIMESTAMP WHERE id = 1")
        if cursor.rowcount == 0:  # a database migrated before the row existed, or --nomigrations
            cursor.execute("INSERT INTO spm_dataversion (id, value, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP)")


def current(connection=None) -> tuple[int, int]:
    """(committed version, this connection's uncommitted writes): the key under which pages are cached."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    state = _state(connection)
    uncommitted = state.uncommitted if connection.in_atomic_block else 0
    if state.in_request and state.read is not None:
        return (state.read, uncommitted)
    version = 0
    if _table_exists(connection):
        with connection.cursor() as cursor:
            cursor.execute("SELECT value FROM spm_dataversion WHERE id = 1")
            row = cursor.fetchone()
        version = row[0] if row else 0
    if state.in_request:
        state.read = version
    return (version, uncommitted)


def _request_started(**_kwargs) -> None:
    state = _state(connections[DEFAULT_DB_ALIAS])
    state.in_request, state.read = True, None


def _request_finished(**_kwargs) -> None:
    state = _state(connections[DEFAULT_DB_ALIAS])
    state.in_request, state.read = False, None


def _watch(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    table = written_table(sql)
    if table is not None:
        note_write(context["connection"], table)
    return result


def _install(sender=None, connection=None, **_kwargs) -> None:
    if connection is not None and _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)


def _install_after_migrate(**_kwargs) -> None:
    # Migrations and fixtures may write with the watch not yet installed on this connection.
    for alias in connections:
        connection = connections[alias]
        if connection.connection is not None:
            _install(connection=connection)


def connect_signals() -> None:
    """Called once from ``SpmConfig.ready``: watch every database connection of this process."""
    connection_created.connect(_install, dispatch_uid="spm_freshness_watch")
    # Read once per request: a request's pages and permissions agree on one version.
    request_started.connect(_request_started, dispatch_uid="spm_freshness_request_started")
    request_finished.connect(_request_finished, dispatch_uid="spm_freshness_request_finished")
    post_migrate.connect(_install_after_migrate, dispatch_uid="spm_freshness_after_migrate")
    for alias in connections:
        # A connection opened before ready() (rare: a management command's checks) is watched too.
        if connections[alias].connection is not None:
            _install(connection=connections[alias])
