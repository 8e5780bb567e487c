"""Fixtures of the provincial evaluation: a submitted report of Kabupaten Tulang Bawang Barat (Lampung)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from reporting.services import period_get_or_create, report_open, report_submit
from tests.reporting.conftest import fill_completely

YEAR, QUARTER = 2026, 2


@pytest.fixture
def kab_period(daerah):
    period = period_get_or_create(region=daerah, year=YEAR, quarter=QUARTER)
    period.due_date = timezone.localdate() + dt.timedelta(days=30)
    period.opens_on = min(period.opens_on, period.due_date)
    period.save()
    return period


@pytest.fixture
def kab_report(operator_a, kab_period, service_a):
    """A submitted report of 1.02.K01 in TW II 2026 of Kabupaten Tulang Bawang Barat."""
    report = fill_completely(report_open(user=operator_a, period=kab_period, service=service_a), operator_a)
    return report_submit(report=report, user=operator_a, expected_version=report.version)
