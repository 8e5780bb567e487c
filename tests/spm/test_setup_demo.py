"""`manage.py setup_demo` (run by `make run`) is idempotent and creates one demo user per role."""

import pytest
from django.core.management import call_command
from django.http import HttpRequest

from spm.choices import Role
from spm.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from spm.models import Agency, ServiceAssignment, User

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        Agency.objects.count(),
        ServiceAssignment.objects.count(),
        sorted(User.objects.values_list("username", "role", "agency__name", "region__code")),
    )


def test_setup_demo_twice_changes_nothing(reference_data, capsys):
    call_command("setup_demo")
    first = _snapshot()
    call_command("setup_demo")
    assert _snapshot() == first
    assert "sudah ada" in capsys.readouterr().out


def test_every_kabupaten_service_gets_its_pengampu(reference_data):
    call_command("setup_demo")
    assert ServiceAssignment.objects.filter(region__code="18.12").count() == 29
    assert Agency.objects.filter(region__code="18.12").count() == 8


def test_the_provinsi_reports_its_14_jenis_through_its_own_opd(reference_data):
    call_command("setup_demo")
    assert ServiceAssignment.objects.filter(region__code="18").count() == 14
    assert not ServiceAssignment.objects.filter(region__code="18", service__level="kabupaten_kota").exists()
    assert User.objects.get(username="operator.dinsos.provinsi").agency.region.code == "18"
    assert User.objects.get(username="evaluator.provinsi").role == Role.PROVINCIAL_EVALUATOR


def test_demo_reports_cover_two_triwulan_and_a_second_run_adds_none(reference_data, settings, tmp_path):
    import datetime as dt

    from reporting.choices import ReportStatus
    from reporting.models import QuarterlyReport
    from spm.demo import demo_reports, demo_setup

    settings.MEDIA_ROOT = tmp_path
    demo_setup()
    on = dt.date(2026, 11, 30)
    assert demo_reports(on=on, region_codes={"18"}) == 28
    assert demo_reports(on=on, region_codes={"18"}) == 0
    reports = QuarterlyReport.objects.filter(region__code="18")
    assert set(reports.values_list("period__quarter", flat=True)) == {2, 3}
    assert reports.filter(period__quarter=2, status=ReportStatus.APPROVED).count() == 14
    latest = set(reports.filter(period__quarter=3).values_list("status", flat=True))
    assert latest == {ReportStatus.APPROVED, ReportStatus.SUBMITTED, ReportStatus.DRAFT}
    assert not reports.filter(is_late=True).exists(), "the provinsi reports on time in the demo"


def test_one_demo_user_per_role_who_can_log_in(reference_data, client):
    call_command("setup_demo")
    assert {a.role for a in DEMO_ACCOUNTS} == set(Role.values)
    for account in DEMO_ACCOUNTS:
        # django-axes checks every login against its lock-outs, which needs the request.
        assert client.login(username=account.username, password=DEMO_PASSWORD, request=HttpRequest())
        client.logout()


def test_setup_demo_never_resets_a_changed_password(reference_data):
    call_command("setup_demo")
    user = User.objects.get(username="verifikator")
    user.set_password("Sudah-Diganti-99")
    user.save()
    call_command("setup_demo")
    user.refresh_from_db()
    assert user.check_password("Sudah-Diganti-99")


def test_createsuperuser_makes_a_system_admin(reference_data):
    call_command("createsuperuser", username="root", email="root@example.go.id", interactive=False)
    user = User.objects.get(username="root")
    assert user.role == Role.ADMIN and user.is_superuser and user.is_staff
    assert list(user.groups.values_list("name", flat=True)) == ["Admin Sistem"]
