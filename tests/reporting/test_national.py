"""National monitoring (Kemendagri): windows for every daerah at once, extensions, the national dashboard and
the SPM Awards scorecard, with their query bounds and the personas who must be refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from reporting.choices import PeriodAction, PeriodStatus
from reporting.models import NationalWindow, PeriodEvent, ReportingPeriod
from reporting.national import figures
from reporting.national.dashboard import national_dashboard
from reporting.services import national_window_set, period_close, period_extend, periods_close_expired
from spm.models import Region
from tests.reporting.national_support import daerah_of, stored_figures

pytestmark = pytest.mark.django_db

TW1 = {"year": 2026, "quarter": 1}
WINDOW = {"opens_on": dt.date(2026, 1, 1), "due_date": dt.date(2026, 4, 20), "closes_on": dt.date(2026, 4, 30)}


def _set(user, **changes):
    return national_window_set(user=user, **{**TW1, **WINDOW, **changes})


# --- National windows ---------------------------------------------------------------------------------------


def test_national_window_opens_every_daerah_in_a_fixed_number_of_queries(national_user, django_assert_max_num_queries):
    daerah = Region.objects.daerah().count()
    assert daerah == 552  # 38 provinsi + 514 kabupaten/kota (Kepmendagri 300.2.2-2138/2025)
    # A handful of statements; SQLite splits the 552-row inserts into batches of its variable limit (~5 each).
    with django_assert_max_num_queries(24):
        result = _set(national_user, reason="Pembukaan TW I")
    assert (result.created, result.changed) == (daerah, 0)
    periods = ReportingPeriod.objects.for_quarter(2026, 1)
    assert periods.count() == daerah
    assert set(periods.values_list("opens_on", "due_date", "closes_on", "status")) == {
        (WINDOW["opens_on"], WINDOW["due_date"], WINDOW["closes_on"], PeriodStatus.OPEN)
    }
    assert PeriodEvent.objects.filter(action=PeriodAction.WINDOW, actor=national_user).count() == daerah
    window = NationalWindow.objects.get()
    assert (window.periods_created, window.set_by) == (daerah, national_user)


def test_the_same_window_twice_changes_and_logs_nothing(national_user):
    _set(national_user)
    events = PeriodEvent.objects.count()
    again = _set(national_user)
    assert (again.created, again.changed, again.window) == (0, 0, None)
    assert PeriodEvent.objects.count() == events
    assert NationalWindow.objects.count() == 1


def test_a_changed_window_updates_every_open_period_and_logs_the_old_dates(national_user, daerah):
    _set(national_user)
    result = _set(national_user, due_date=dt.date(2026, 4, 25))
    assert (result.created, result.changed) == (0, 552)
    event = PeriodEvent.objects.filter(period__region=daerah).order_by("-id").first()
    assert event.detail["old"]["due_date"] == "2026-04-20"
    assert ReportingPeriod.objects.get(region=daerah, **TW1).due_date == dt.date(2026, 4, 25)


def test_an_extension_is_logged_with_its_reason_and_survives_a_new_national_window(national_user, daerah):
    _set(national_user)
    period = ReportingPeriod.objects.get(region=daerah, **TW1)
    with pytest.raises(ValidationError, match="Alasan perpanjangan wajib diisi"):
        period_extend(period=period, user=national_user, due_date=dt.date(2026, 5, 10), reason=" ")
    period_extend(period=period, user=national_user, due_date=dt.date(2026, 5, 10), reason="Banjir di kantor")
    period.refresh_from_db()
    assert (period.due_date, period.closes_on, period.is_extended) == (dt.date(2026, 5, 10),) * 2 + (True,)
    event = PeriodEvent.objects.get(period=period, action=PeriodAction.EXTENSION)
    assert event.reason == "Banjir di kantor" and event.detail["old"]["due_date"] == "2026-04-20"
    result = _set(national_user, due_date=dt.date(2026, 4, 22), closes_on=dt.date(2026, 5, 1))
    period.refresh_from_db()
    assert period.due_date == dt.date(2026, 5, 10), "the national window never shortens an extension"
    assert result.kept >= 1


def test_an_extension_must_be_later_than_the_current_due_date(national_user, daerah):
    _set(national_user)
    period = ReportingPeriod.objects.get(region=daerah, **TW1)
    with pytest.raises(ValidationError, match="Perpanjangan harus setelah batas waktu"):
        period_extend(period=period, user=national_user, due_date=dt.date(2026, 4, 1), reason="x")


def test_a_closed_period_is_not_reopened_by_the_national_window(national_user, admin_user, daerah):
    _set(national_user)
    period = ReportingPeriod.objects.get(region=daerah, **TW1)
    period_close(period=period, user=admin_user)
    result = _set(national_user, due_date=dt.date(2026, 4, 25))
    period.refresh_from_db()
    assert period.status == PeriodStatus.CLOSED and period.due_date == WINDOW["due_date"]
    assert result.kept == 1 and result.changed == 551


def test_a_later_due_date_moves_the_close_and_a_reopened_period_stays_open(national_user, admin_user, daerah):
    from reporting.services import period_reopen, period_set_due_date

    _set(national_user)
    period = ReportingPeriod.objects.get(region=daerah, **TW1)
    period_set_due_date(period=period, user=national_user, due_date=dt.date(2026, 5, 15))
    period.refresh_from_db()
    assert period.closes_on == dt.date(2026, 5, 15)
    assert periods_close_expired(on=dt.date(2026, 5, 16)) == 552
    period_reopen(period=ReportingPeriod.objects.get(pk=period.pk), user=admin_user, reason="Data susulan")
    assert periods_close_expired(on=dt.date(2026, 5, 17)) == 0
    assert not ReportingPeriod.objects.get(pk=period.pk).is_closed


def test_window_dates_must_be_in_order(national_user):
    with pytest.raises(ValidationError) as error:
        _set(national_user, closes_on=dt.date(2026, 4, 1))
    assert "Penutupan pengisian tidak boleh sebelum batas waktu." in error.value.messages
    assert not ReportingPeriod.objects.exists()


@pytest.mark.parametrize("persona", ["reviewer", "leader", "provincial_viewer", "operator_a"])
def test_only_admins_and_kemendagri_set_windows(persona, request):
    with pytest.raises(PermissionDenied):
        _set(request.getfixturevalue(persona))
    assert not ReportingPeriod.objects.exists()


def test_periods_past_their_close_are_closed_by_the_daily_job_once(national_user, daerah):
    _set(national_user)
    assert periods_close_expired(on=dt.date(2026, 4, 30)) == 0
    assert periods_close_expired(on=dt.date(2026, 5, 1)) == 552
    assert periods_close_expired(on=dt.date(2026, 5, 2)) == 0
    period = ReportingPeriod.objects.get(region=daerah, **TW1)
    assert period.is_closed
    assert PeriodEvent.objects.get(period=period, action=PeriodAction.CLOSE).actor == national_user


# --- Pages: windows ---------------------------------------------------------------------------------------


def test_windows_page_applies_the_window_for_every_daerah(client, national_user):
    client.force_login(national_user)
    data = {
        "action": "window",
        "jadwal-year": 2026,
        "jadwal-quarter": 1,
        "jadwal-opens_on": "2026-01-01",
        "jadwal-due_date": "2026-04-20",
        "jadwal-closes_on": "2026-04-30",
    }
    response = client.post(reverse("reporting:national-windows"), data, follow=True)
    assert "552 periode dibuat" in response.content.decode()
    assert ReportingPeriod.objects.for_quarter(2026, 1).count() == 552


def test_windows_page_names_the_field_of_a_bad_date(client, national_user):
    client.force_login(national_user)
    data = {"action": "window", "jadwal-year": 2026, "jadwal-quarter": 1, "jadwal-opens_on": "2026-05-01"}
    data |= {"jadwal-due_date": "2026-04-20", "jadwal-closes_on": "2026-04-30"}
    response = client.post(reverse("reporting:national-windows"), data)
    assert response.status_code == 200
    assert "Batas waktu tidak boleh sebelum mulai pengisian." in response.content.decode()
    assert not ReportingPeriod.objects.exists()


def test_extension_page_needs_an_existing_period(client, national_user):
    client.force_login(national_user)
    data = {"action": "extension", "perpanjangan-daerah": "18.12", "perpanjangan-year": 2026}
    data |= {"perpanjangan-quarter": 1, "perpanjangan-due_date": "2026-05-01", "perpanjangan-reason": "Banjir"}
    response = client.post(reverse("reporting:national-windows"), data)
    assert "belum ada; terapkan jadwal nasional dahulu" in response.content.decode()


@pytest.mark.parametrize("persona", ["reviewer", "leader", "provincial_viewer", "operator_a", "outsider"])
def test_national_pages_refuse_daerah_roles(persona, request, client):
    client.force_login(request.getfixturevalue(persona))
    for name in ("national-dashboard", "national-windows", "awards"):
        assert client.get(reverse(f"reporting:{name}")).status_code == 403


def test_nav_shows_national_pages_only_to_roles_that_may_open_them(client, national_user, reviewer):
    client.force_login(national_user)
    page = client.get(reverse("home")).content.decode()
    for name in ("national-dashboard", "national-windows", "awards"):
        assert reverse(f"reporting:{name}") in page
    client.force_login(reviewer)
    page = client.get(reverse("home")).content.decode()
    assert reverse("reporting:national-dashboard") not in page


# --- National dashboard -----------------------------------------------------------------------------------


def test_national_figures_carry_their_coverage(reference_data):
    lampung = daerah_of(["18"])  # Provinsi Lampung and its 15 kabupaten/kota
    stored_figures(lampung, year=2025, quarter=3, late_codes={"18.12"}, skip={"18.71"})
    data = national_dashboard(year=2025, quarter=3, on=dt.date(2025, 12, 1))
    assert data.rate == figures.Rate(len(lampung) - 1, 552)
    assert data.index.counted == len(lampung) - 1 and data.index.total == 552
    row = next(p for p in data.provinces if p.code == "18")
    assert row.rate == figures.Rate(15, 16) and row.missing == 1 and row.late == 1
    assert [r.code for r in data.late] == ["18.12"]
    assert "18.71" in [r.code for r in data.missing]
    assert data.overdue == 0  # no period was opened for the daerah without a report: none is past a due date
    assert sum(n for _c, _l, n in data.bands) + data.without_index == 552


def test_paripurna_list_and_bands_follow_the_stored_status(reference_data):
    lampung = daerah_of(["18"])
    stored_figures(lampung, year=2025, quarter=3, index_of=lambda r, i: Decimal(100) if i < 3 else Decimal(65))
    data = national_dashboard(year=2025, quarter=3, on=dt.date(2025, 12, 1))
    assert len(data.paripurna) == 3
    assert data.index.value == Decimal(1145) / 16  # (3 × 100 + 13 × 65) / 16 = 71,5625
    assert data.index_status == "Tuntas Pratama"
    bands = {code: n for code, _l, n in data.bands}
    assert bands["tuntas_paripurna"] == 3 and bands["tuntas_muda"] == len(lampung) - 3


def _page_queries(client, django_assert_max_num_queries, bound: int) -> None:
    with django_assert_max_num_queries(bound):
        response = client.get(reverse("reporting:national-dashboard") + "?tahun=2025&triwulan=3")
    assert response.status_code == 200


def test_national_dashboard_queries_do_not_grow_with_provinces(client, national_user, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(national_user)
    stored_figures(daerah_of(["18"]), year=2025, quarter=3)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("reporting:national-dashboard") + "?tahun=2025&triwulan=3").status_code == 200
    stored_figures(daerah_of(["11", "12", "13", "31", "32", "33"]), year=2025, quarter=3)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(reverse("reporting:national-dashboard") + "?tahun=2025&triwulan=3")
    assert "dari 552 daerah" in response.content.decode()
    assert len(one.captured_queries) <= 14


def test_national_dashboard_page_shows_every_figure_with_a_table(client, national_user):
    stored_figures(daerah_of(["18"]), year=2025, quarter=3)
    client.force_login(national_user)
    page = client.get(reverse("reporting:national-dashboard") + "?tahun=2025&triwulan=3").content.decode()
    for testid in ("tabel-provinsi", "tabel-urusan", "tabel-status", "daftar-paripurna", "daftar-terlambat"):
        assert f'data-testid="{testid}"' in page
    assert "vendor/chartjs/chart.umd.min.js" in page and "cdn" not in page.lower()
