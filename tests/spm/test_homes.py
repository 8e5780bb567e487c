"""Homes that say what to do next for the provinsi viewer and the admin (issue 12): the provinsi's
kabupaten/kota with their reporting and IP-SPM coverage; the admin's periods closing, failed imports and
kept tasks, each with a "semua" count. Query counts do not grow with the data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from reporting.choices import ImportStatus
from reporting.models import RecipientImport
from reporting.services import period_get_or_create, report_open, report_submit
from reporting.services.periods import quarter_of, today
from spm.models import BasicService, PendingTask, Region
from tests.reporting.conftest import fill_completely

pytestmark = pytest.mark.django_db


def _submitted(operator, region, code="1.02.K01"):
    year, quarter = quarter_of(today())
    period = period_get_or_create(region=region, year=year, quarter=quarter)
    report = fill_completely(
        report_open(user=operator, period=period, service=BasicService.objects.get(code=code)), operator
    )
    report_submit(report=report, user=operator, expected_version=report.version)
    return period


def test_provinsi_home_lists_each_kabupaten_kota_with_its_reporting_and_index(
    client_for, provincial_viewer, operator_a, daerah
):
    period = _submitted(operator_a, daerah)
    period.due_date = today() - dt.timedelta(days=1)
    period.opens_on = min(period.opens_on, period.due_date)
    period.save()
    body = client_for(provincial_viewer).get(reverse("home")).content.decode()
    row = body.split(f'data-testid="daerah-{daerah.code}"')[1].split("</tr>")[0]
    # One of OPD A's three services is submitted; the other two are late once the due date has passed.
    assert "1 / 3" in row and 'text-bg-danger">2<' in row and "belum ada data" in row
    assert 'data-testid="jumlah-daerah-tertinggal">1<' in body
    kabkota = Region.objects.filter(parent=provincial_viewer.region, level="kabupaten_kota").count()
    assert f"semua kabupaten/kota: {kabkota}" in body
    assert body.count('data-testid="daerah-') == kabkota


def test_provinsi_home_query_count_does_not_grow_with_reports(
    client_for, provincial_viewer, operator_a, daerah, django_assert_max_num_queries
):
    client = client_for(provincial_viewer)
    with django_assert_max_num_queries(20) as first:
        client.get(reverse("home"))
    _submitted(operator_a, daerah)
    _submitted(operator_a, daerah, "1.02.K02")
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("home"))


def test_admin_home_names_periods_closing_failed_imports_and_kept_tasks(
    client_for, admin_user, operator_a, daerah, service_a
):
    year, quarter = quarter_of(today())
    period = period_get_or_create(region=daerah, year=year, quarter=quarter)
    period.due_date = today() + dt.timedelta(days=3)
    period.opens_on = min(period.opens_on, period.due_date)
    period.save()
    RecipientImport.objects.create(
        region=daerah,
        service=service_a,
        year=year,
        original_name="penerima.xlsx",
        created_by=operator_a,
        status=ImportStatus.FAILED,
        failure_message="Berkas bukan xlsx.",
    )
    PendingTask.objects.create(task="reporting.recompute_achievements", args=[1])
    body = client_for(admin_user).get(reverse("home")).content.decode()
    assert 'data-testid="jumlah-periode-perhatian">1<' in body and "1 berakhir dalam 14 hari" in body
    assert 'data-testid="jumlah-impor-gagal">1<' in body and "Berkas bukan xlsx." in body
    assert "semua impor: 1" in body and 'data-testid="jumlah-tugas-tertunda">1<' in body
    assert "semua: 1" in body  # every period, with the open ones


def test_admin_home_query_count_does_not_grow(
    client_for, admin_user, operator_a, daerah, service_a, django_assert_max_num_queries
):
    client = client_for(admin_user)
    with django_assert_max_num_queries(25) as first:
        client.get(reverse("home"))
    for n in range(3):
        RecipientImport.objects.create(
            region=daerah,
            service=service_a,
            year=2026,
            original_name=f"p{n}.xlsx",
            created_by=operator_a,
            status=ImportStatus.FAILED,
        )
        period_get_or_create(region=daerah, year=2026, quarter=n + 1)
        PendingTask.objects.create(task="spm.ping", args=[])
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("home"))


def test_other_roles_do_not_get_the_admin_or_provinsi_home(client_for, reviewer, leader):
    for user in (reviewer, leader):
        body = client_for(user).get(reverse("home")).content.decode()
        assert 'data-testid="kartu-impor-gagal"' not in body and 'data-testid="tabel-daerah"' not in body
