"""Stored achievements: computed from approved reports, idempotent, frozen after closing, on Celery."""

from __future__ import annotations

import os
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from reporting.achievements import formula as achievement
from reporting.achievements.services import achievements_recompute
from reporting.choices import ReportStatus
from reporting.models import Achievement, QuarterlyReport
from reporting.services import (
    ReportInput,
    period_close,
    period_get_or_create,
    report_open,
    report_save,
)
from tests.celery_worker import reachable, redis_url, start_worker, stop_worker, worker_database_url
from tests.reporting.conftest import approved_report

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def current(region, quarter, level, **keys):
    return Achievement.objects.get(region=region, year=2025, quarter=quarter, level=level, is_current=True, **keys)


@pytest.mark.django_db
def test_approval_stores_the_worked_example_to_the_last_decimal(worked_example, service_a):
    tw4 = current(worked_example, 4, "layanan", service=service_a)
    exact = Decimal("0.8") * Decimal(98) + Decimal("0.2") * (Decimal(53) / Decimal(56) * 100)
    assert abs(tw4.index - exact) < Decimal("1e-12")  # SQLite keeps double precision; PostgreSQL all 25 places
    assert achievement.display(tw4.index) == Decimal("97.33") and tw4.status == "tuntas_utama"
    assert (tw4.served, tw4.must_serve) == (980, 1000)
    assert tw4.inputs["per_quarter"] == [240, 260, 250, 230] and tw4.inputs["rules_version"] == "2026.1"
    tw2 = current(worked_example, 2, "layanan", service=service_a)
    assert achievement.display(tw2.index) == Decimal("58.93") and tw2.status == "belum_tuntas"


@pytest.mark.django_db
def test_rollups_per_affair_and_daerah_leave_out_services_without_reports(worked_example, service_a):
    service_row = current(worked_example, 4, "layanan", service=service_a)
    affair_row = current(worked_example, 4, "urusan", affair=service_a.affair)
    region_row = current(worked_example, 4, "daerah")
    assert affair_row.index == region_row.index == service_row.index
    assert Achievement.objects.filter(region=worked_example, year=2025, quarter=4, level="urusan").count() == 1
    assert region_row.budget_allocated == 150_000_000


@pytest.mark.django_db
def test_recomputing_twice_changes_nothing(worked_example):
    before = list(Achievement.objects.order_by("pk").values_list("pk", "index", "computed_at"))
    stats = achievements_recompute(region=worked_example, year=2025)
    assert (stats.created, stats.updated, stats.revised, stats.removed) == (0, 0, 0, 0)
    assert stats.unchanged == 12
    assert list(Achievement.objects.order_by("pk").values_list("pk", "index", "computed_at")) == before


@pytest.mark.django_db
def test_only_approved_reports_count(operator_a, daerah, service_a):
    period = period_get_or_create(region=daerah, year=2025, quarter=1)
    report = report_open(user=operator_a, period=period, service=service_a)
    report_save(
        report=report, user=operator_a, data=ReportInput(scalars={"must_serve": 10, "served": 5}), expected_version=1
    )
    achievements_recompute(region=daerah, year=2025)
    assert not Achievement.objects.filter(region=daerah).exists()


@pytest.mark.django_db
def test_closed_period_figures_are_frozen_and_a_change_adds_a_revision(worked_example, service_a, admin_user):
    period_close(period=period_get_or_create(region=worked_example, year=2025, quarter=4), user=admin_user)
    QuarterlyReport.objects.filter(period__quarter=4, service=service_a).update(served=20)  # a correction
    stats = achievements_recompute(region=worked_example, year=2025, user=admin_user, reason="Koreksi data Dinkes")
    assert stats.revised == 3 and stats.updated == 0  # service, urusan and daerah rows of TW IV
    rows = Achievement.objects.filter(region=worked_example, quarter=4, level="layanan").order_by("revision")
    assert [(r.revision, r.is_current) for r in rows] == [(1, False), (2, True)]
    assert rows[1].served == 770 and rows[1].reason == "Koreksi data Dinkes" and rows[1].computed_by == admin_user
    tw3 = current(worked_example, 3, "layanan", service=service_a)
    assert tw3.revision == 1  # open periods are simply updated (and TW III did not change)


@pytest.mark.django_db
def test_management_command_recomputes_a_scope(worked_example, capsys):
    Achievement.objects.all().delete()
    call_command("recompute_achievements", "--daerah", "18.12", "--year", "2025", "--quarter", "4")
    assert Achievement.objects.filter(quarter=4).count() == 3 and not Achievement.objects.filter(quarter=3).exists()
    assert "1/1" in capsys.readouterr().out


postgres_only = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs a database shared between processes (PostgreSQL); .ci/run runs this on PostgreSQL",
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_recomputes_never_duplicate_rows(reference_data, operator_a, reviewer, daerah, service_a):
    approved_report(operator_a, reviewer, daerah, service_a, 2025, 1, 240)
    Achievement.objects.all().delete()
    errors: list[BaseException] = []

    def run():
        try:
            achievements_recompute(region=daerah, year=2025)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Achievement.objects.filter(region=daerah, quarter=1, is_current=True).count() == 3


@postgres_only
@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_stores_the_achievement_after_approval(
    reference_data, operator_a, reviewer, daerah, service_a, tmp_path
):
    url = redis_url()
    if not reachable(url):
        pytest.skip(f"Redis tidak dapat dihubungi di {url}")
    database_url, _copy = worker_database_url(tmp_path)
    worker = start_worker(broker=url, name="uji-capaian", database_url=database_url)
    from spm.celery import app

    old = (app.conf.task_always_eager, app.conf.broker_url, app.conf.result_backend)
    app.conf.update(task_always_eager=False, broker_url=url, result_backend=url)
    try:
        report = approved_report(operator_a, reviewer, daerah, service_a, 2025, 1, 240)
        assert QuarterlyReport.objects.get(pk=report.pk).status == ReportStatus.APPROVED
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not Achievement.objects.filter(region=daerah, level="layanan").exists():
            time.sleep(0.5)
    finally:
        app.conf.update(task_always_eager=old[0], broker_url=old[1], result_backend=old[2])
        stop_worker(worker)
    row = Achievement.objects.get(region=daerah, year=2025, quarter=1, level="layanan")
    assert achievement.display(row.recipient_pct) == Decimal("24.00")
