"""Language, error pages and navigation of the screens (issue 12)."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import path, reverse

from spm import errors
from spm import urls as site_urls
from spm.context_processors import NAV_GROUPS, NAV_ITEMS

pytestmark = pytest.mark.django_db


def test_an_english_browser_still_gets_indonesian(client):
    body = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="id"' in body and "Masuk ke e-SPM" in body and "Sign in" not in body


def test_english_only_when_the_user_picks_it(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"}, HTTP_ACCEPT_LANGUAGE="id")
    body = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert 'lang="en"' in body and "Sign in to e-SPM" in body


def test_an_unknown_language_cookie_falls_back_to_indonesian(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert 'lang="id"' in client.get(reverse("login")).content.decode()


def test_404_is_indonesian_in_the_site_layout(client_for, operator_a):
    response = client_for(operator_a).get("/tidak-ada-halaman-ini/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in body and 'id="nav-utama"' in body and "Kembali ke beranda" in body
    assert "Not Found" not in body


def test_403_shows_the_reason_given_by_access(client_for, operator_a):
    response = client_for(operator_a).get(reverse("reporting:review-queue"))
    body = response.content.decode()
    assert response.status_code == 403
    assert "Akses ditolak" in body and "Halaman ini untuk verifikator, pimpinan dan admin." in body
    assert 'id="nav-utama"' in body and "Forbidden" not in body


def test_csrf_failure_page_says_what_to_do(operator_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(operator_a)
    response = client.post(reverse("logout"))
    body = response.content.decode()
    assert response.status_code == 403
    assert "Formulir kedaluwarsa" in body and "muat ulang" in body


def _boom(request):
    raise RuntimeError("kesalahan uji")


def _bad(request):
    from django.core.exceptions import SuspiciousOperation

    raise SuspiciousOperation("uji")


urlpatterns = [
    path("boom/", _boom),
    path("bad/", _bad),
    *site_urls.urlpatterns,
]
handler400 = errors.bad_request
handler500 = errors.server_error


@override_settings(ROOT_URLCONF=__name__)
def test_500_page_renders_without_a_request_context(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "Terjadi kesalahan pada server" in body and "Kembali ke beranda" in body


@override_settings(ROOT_URLCONF=__name__)
def test_400_page_is_indonesian(client):
    response = client.get("/bad/")
    assert response.status_code == 400
    assert "Permintaan tidak dapat diproses" in response.content.decode()


def test_every_nav_item_belongs_to_a_known_group():
    assert {item.group for item in NAV_ITEMS} - {""} <= set(NAV_GROUPS)


def test_navigation_is_grouped_and_shows_only_groups_with_pages(client_for, operator_a, reviewer):
    operator_body = client_for(operator_a).get(reverse("home")).content.decode()
    assert "Pelaporan" in operator_body and "Perencanaan" in operator_body
    reviewer_body = client_for(reviewer).get(reverse("home")).content.decode()
    assert "Verifikasi" in reviewer_body and "Dasbor capaian" in reviewer_body


def test_operator_home_lists_returned_reports_first_with_the_count_of_all_tasks(client_for, operator_a, reviewer):
    from reporting.services import CommentInput, period_get_or_create, report_open, report_return, report_submit
    from reporting.services.periods import quarter_of, today
    from spm.models import BasicService
    from tests.reporting.conftest import fill_completely

    year, quarter = quarter_of(today())
    period = period_get_or_create(region=operator_a.agency.region, year=year, quarter=quarter)
    returned = BasicService.objects.get(code="1.02.K01")
    report = fill_completely(report_open(user=operator_a, period=period, service=returned), operator_a)
    report_submit(report=report, user=operator_a, expected_version=report.version)
    report_return(report=report, user=reviewer, comments=[CommentInput("served", "Periksa lagi.")], summary="")
    body = client_for(operator_a).get(reverse("home")).content.decode()
    tasks = body.split('data-testid="tugas-berikutnya"')[1:]
    assert len(tasks) == 3 and "1.02.K01" in tasks[0]
    assert "1 laporan dikembalikan verifikator" in body and "Semua tugas (3)" in body


def test_reviewer_home_counts_reports_and_targets_waiting(client_for, operator_a, reviewer):
    from reporting.services import period_get_or_create, report_open, report_submit
    from reporting.services.periods import quarter_of, today
    from spm.models import BasicService
    from targets.choices import TargetStatus
    from targets.models import Target, TargetRevision
    from tests.reporting.conftest import fill_completely

    year, quarter = quarter_of(today())
    period = period_get_or_create(region=reviewer.region, year=year, quarter=quarter)
    service = BasicService.objects.get(code="1.02.K01")
    report = fill_completely(report_open(user=operator_a, period=period, service=service), operator_a)
    report_submit(report=report, user=operator_a, expected_version=report.version)
    target = Target.objects.create(region=reviewer.region, service=service, year=year + 1)
    TargetRevision.objects.create(target=target, number=1, status=TargetStatus.SUBMITTED, created_by=operator_a)
    body = client_for(reviewer).get(reverse("home")).content.decode()
    assert 'data-testid="jumlah-laporan-menunggu">1<' in body
    assert 'data-testid="jumlah-target-menunggu">1<' in body and "1.02.K01" in body
    assert "semua laporan: 1" in body
