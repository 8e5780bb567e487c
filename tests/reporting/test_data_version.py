"""The data version (spm.freshness) and the cached page parts (spm.fragments): every kind of write moves the
version, only after its commit, and a cached page shows the change on the next request, to the right audience."""

from __future__ import annotations

import io
import re
import time
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from reporting.models import Achievement, ExportLog
from reporting.services import ReportInput, report_save
from spm import freshness
from spm.fragments import CSRF_PLACEHOLDER
from spm.models import DataVersion, GlossaryTerm, Region
from spm.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("reporting:dashboard")


# --- Which statements are writes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "table"),
    [
        ('INSERT INTO "reporting_recipient" ("nik") VALUES (%s)', "reporting_recipient"),
        ('UPDATE "spm_region" SET "name" = %s WHERE "spm_region"."id" = %s', "spm_region"),
        ('DELETE FROM "reporting_evidence" WHERE "reporting_evidence"."id" IN (%s)', "reporting_evidence"),
        ('COPY "reporting_recipient" (region_id, nik) FROM STDIN', "reporting_recipient"),
        ('TRUNCATE TABLE "reporting_achievement"', "reporting_achievement"),
        ("  insert into public.spm_glossaryterm (term) values ('x')", "spm_glossaryterm"),
        # SQLite's form of bulk_create(ignore_conflicts=True), which many-to-many add() uses
        ('INSERT OR IGNORE INTO "spm_user_groups" ("user_id", "group_id") VALUES (%s, %s)', "spm_user_groups"),
        ('REPLACE INTO "spm_glossaryterm" ("term") VALUES (%s)', "spm_glossaryterm"),
        ('SELECT "spm_region"."id" FROM "spm_region"', None),
        ("SAVEPOINT s1", None),
        ('CREATE INDEX "x" ON "reporting_recipient" ("nik")', None),
    ],
)
def test_written_table_names_the_table_of_a_write_and_nothing_for_a_read(sql, table):
    assert freshness.written_table(sql) == table


# --- Every kind of write counts (inside the test's transaction: the uncommitted part of the version) ----------


def _moves(write) -> bool:
    before = freshness.current()
    write()
    return freshness.current() != before


def test_orm_save_update_bulk_create_delete_and_raw_sql_all_move_the_version(daerah):
    assert _moves(lambda: GlossaryTerm.objects.create(term="Uji", definition="Definisi uji"))
    assert _moves(lambda: Region.objects.filter(pk=daerah.pk).update(name="Kabupaten Uji"))
    assert _moves(lambda: GlossaryTerm.objects.bulk_create([GlossaryTerm(term="Dua", definition="d")]))
    assert _moves(lambda: GlossaryTerm.objects.filter(term="Dua").delete())

    def raw():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE spm_region SET name = %s WHERE id = %s", ["Kabupaten Mentah", daerah.pk])

    assert _moves(raw)


def test_writes_no_cached_page_reads_leave_the_version_alone(reviewer, daerah):
    """Reading a recipient list writes an access log line: it must not make every page compute again."""
    assert not _moves(
        lambda: ExportLog.objects.create(user=reviewer, region=daerah, kind="lihat_nik", row_count=1, filters={})
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_the_recipient_import_copy_moves_the_version():
    from reporting.recipients import store

    assert _moves(lambda: store._copy(io.BytesIO(b"")))


# --- After the commit only, once per transaction -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_committed_version_moves_once_after_the_commit_and_not_for_a_rollback(reference_data):
    start = DataVersion.objects.get(pk=1).value
    with transaction.atomic():
        counted = freshness.current()[1]  # only ever grows on a connection until a commit
        GlossaryTerm.objects.create(term="Satu", definition="d")
        GlossaryTerm.objects.create(term="Dua", definition="d")
        # Seen by this connection before the commit, not by anyone else.
        assert freshness.current()[1] == counted + 2
        assert DataVersion.objects.get(pk=1).value == start
    assert DataVersion.objects.get(pk=1).value == start + 1
    assert freshness.current() == (start + 1, 0)

    with pytest.raises(RuntimeError), transaction.atomic():
        GlossaryTerm.objects.create(term="Tiga", definition="d")
        raise RuntimeError
    assert DataVersion.objects.get(pk=1).value == start + 1

    GlossaryTerm.objects.create(term="Empat", definition="d")  # autocommit: at once
    assert DataVersion.objects.get(pk=1).value == start + 2


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_shows_on_the_next_request_of_a_cached_page(client, reviewer, worked_example):
    client.force_login(reviewer)
    params = {"tahun": 2025, "triwulan": 4}
    assert 'data-testid="nilai-daerah">97,33<' in client.get(DASHBOARD, params).content.decode()
    Achievement.objects.filter(region=worked_example, year=2025, quarter=4, level="daerah", is_current=True).update(
        index=Decimal("55.5")
    )
    assert 'data-testid="nilai-daerah">55,50<' in client.get(DASHBOARD, params).content.decode()


def _without_tokens(html: str) -> str:
    """The page without its CSRF tokens (masked anew on every answer)."""
    return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', r"\1", html)


# --- Cached pages: a hit asks almost nothing, a change shows, each audience its own part -----------------------


def test_a_cached_dashboard_is_served_without_its_queries_and_shows_a_change_at_once(
    client_for, reviewer, worked_example, django_assert_max_num_queries
):
    client = client_for(reviewer)
    params = {"tahun": 2025, "triwulan": 4}
    first = _without_tokens(client.get(DASHBOARD, params).content.decode())
    # Session, user, the daerah, the data version, the notification badge: nothing of the dashboard itself.
    with django_assert_max_num_queries(6):
        second = _without_tokens(client.get(DASHBOARD, params).content.decode())
    assert second == first
    Achievement.objects.filter(region=worked_example, year=2025, quarter=4, level="daerah", is_current=True).update(
        index=Decimal("55.5")
    )
    assert 'data-testid="nilai-daerah">55,50<' in client.get(DASHBOARD, params).content.decode()


def test_a_saved_report_shows_on_the_next_request_of_its_page(client_for, operator_a, report):
    client = client_for(operator_a)
    url = reverse("reporting:report-detail", args=[report.pk])
    assert "4.321" not in client.get(url).content.decode()
    report_save(report=report, user=operator_a, data=ReportInput(scalars={"must_serve": 4321}), expected_version=1)
    assert "4.321" in client.get(url).content.decode()  # the entry form shows the saved harus dilayani


def test_each_audience_gets_its_own_part_of_the_same_report_page(client_for, operator_a, reviewer, report):
    url = reverse("reporting:report-detail", args=[report.pk])
    reviewer_page = client_for(reviewer).get(url).content.decode()
    operator_page = client_for(operator_a).get(url).content.decode()
    # The operator edits (inputs of the entry form); the verifikator reads the same report.
    assert 'name="must_serve"' in operator_page
    assert 'name="must_serve"' not in reviewer_page


def test_a_user_with_one_more_permission_is_another_audience(operator_a, agency_a):
    from spm import access

    twin = UserFactory(username="operator_kembar", role=Role.OPERATOR, agency=agency_a)
    assert access.audience_key(twin) == access.audience_key(operator_a)
    twin.user_permissions.add(Permission.objects.get(codename="delete_region"))
    twin = type(twin).objects.get(pk=twin.pk)  # a new request: a new user object
    assert access.audience_key(twin) != access.audience_key(operator_a)


def test_a_part_cached_for_one_user_carries_the_csrf_token_of_the_next(operator_a, agency_a, report):
    """The task page has forms: the part kept for one operator is served to a colleague of the same OPD with the
    colleague's own token, and the colleague's form is accepted."""
    colleague = UserFactory(username="operator_rekan", role=Role.OPERATOR, agency=agency_a)
    url = reverse("reporting:tasks")
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(operator_a)
    second.force_login(colleague)
    page_one = first.get(url, {"tahun": 2026, "triwulan": 2}).content.decode()
    page_two = second.get(url, {"tahun": 2026, "triwulan": 2}).content.decode()
    assert CSRF_PLACEHOLDER not in page_one + page_two
    token = page_two.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    assert token not in page_one
    answer = second.post(
        reverse("reporting:report-open"),
        {"csrfmiddlewaretoken": token, "service": report.service_id, "tahun": 2026, "triwulan": 2},
    )
    assert answer.status_code == 302  # not 403: the token in the cached part is the colleague's own


def test_no_code_writes_around_djangos_cursor_without_noting_it():
    """Writes are noticed in Django's cursor; the one statement sent on psycopg2's own cursor (the import's COPY)
    notes itself. Another such call would leave cached pages stale until they expire."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    bypass = re.compile(r"cursor\.cursor\.|connection\.connection\.|copy_expert\(|copy_from\(|\.raw_connection")
    found = {}
    for app in ("spm", "reporting", "targets", "evaluation"):
        for path in (root / app).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if bypass.search(text):
                found[str(path.relative_to(root))] = "freshness.note_write(" in text
    assert found == {"reporting/recipients/store.py": True}


def test_a_part_being_computed_elsewhere_is_waited_for_not_computed_again():
    """After a write every request for a part misses at once: one computes it, the others take its result."""
    import threading

    from django.core.cache import cache

    from spm import fragments

    key = fragments.cache_key("uji", ("bagian",))
    assert cache.add(f"{key}:computing", 1, 10)  # another worker is computing it

    def other_worker_finishes():
        cache.set(key, "dihitung pekerja lain", 60)

    threading.Timer(0.05, other_worker_finishes).start()
    calls = []
    assert fragments.cached("uji", ("bagian",), lambda: calls.append(1) or "dihitung lagi") == "dihitung pekerja lain"
    assert calls == []


def test_without_a_readable_lock_the_part_is_computed_at_once(monkeypatch):
    """A shared cache that does not answer refuses the lock and reads nothing: compute, do not wait."""
    from django.core.cache import cache

    from spm import fragments

    monkeypatch.setattr(cache, "add", lambda *args, **kwargs: False)
    monkeypatch.setattr(fragments, "WAIT_SECONDS", 30)
    started = time.monotonic()
    assert fragments.cached("uji", ("tanpa-kunci",), lambda: "dihitung") == "dihitung"
    assert time.monotonic() - started < 1
