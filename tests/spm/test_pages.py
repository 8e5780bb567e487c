"""Pages of the spm app: the public catalogue, the login pages in Bahasa Indonesia, home per role."""

import pytest
from django.urls import reverse

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_catalogue_is_public_and_lists_all_services(client, reference_data, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = client.get(reverse("catalogue"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "43 jenis pelayanan dasar" in body
    assert "Pelayanan kesehatan ibu hamil" in body and "Pendidikan Menengah" in body


def test_catalogue_filters_by_level(client, reference_data):
    body = client.get(reverse("catalogue"), {"tingkat": "provinsi"}).content.decode()
    assert "14 jenis pelayanan dasar" in body
    assert "Pendidikan Menengah" in body and "Pendidikan Anak Usia Dini" not in body


def test_service_page_shows_recipients_eligibility_and_mutu(client, reference_data, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(reverse("catalogue-service", args=["1.02.K01"]))
    body = response.content.decode()
    assert "Ibu hamil" in body and "perempuan" in body
    assert "Standar jumlah dan kualitas personel / sumber daya manusia" in body
    assert "Permenkes 6/2024" in body


def test_unknown_service_is_404(client, reference_data):
    assert client.get(reverse("catalogue-service", args=["9.99.X"])).status_code == 404


def test_login_page_is_in_indonesian(client):
    body = client.get(reverse("login")).content.decode()
    assert 'lang="id"' in body
    assert "Masuk ke e-SPM" in body and "Nama pengguna" in body and "Kata sandi" in body


def test_wrong_password_gets_an_indonesian_message(client, operator_a):
    response = client.post(reverse("login"), {"username": "operator_a", "password": "salah"})
    assert response.status_code == 200
    assert "Nama pengguna atau kata sandi salah" in response.content.decode()


def test_login_then_logout(client, operator_a):
    response = client.post(reverse("login"), {"username": "operator_a", "password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_password_change_page_is_in_indonesian(client_for, operator_a):
    client = client_for(operator_a)
    body = client.get(reverse("password_change")).content.decode()
    assert "Ubah kata sandi" in body and "Sandi lama" in body
    response = client.post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "Baru-Sekali-2026", "new_password2": "Baru-Sekali-2026"},
    )
    assert response.status_code == 302
    operator_a.refresh_from_db()
    assert operator_a.check_password("Baru-Sekali-2026")


def test_english_is_available_through_i18n(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("login")).content.decode()
    assert 'lang="en"' in body and "Sign in to e-SPM" in body


def test_operator_home_lists_its_services(client_for, operator_a, agency_b, django_assert_max_num_queries):
    client = client_for(operator_a)
    # incl. the triwulan's open tasks (a fixed number of queries; the first visit creates the period) and the data
    # version (the key of the badge and of the OPD's jenis), read again after that write
    with django_assert_max_num_queries(16):
        body = client.get(reverse("home")).content.decode()
    assert "Pelayanan kesehatan ibu hamil" in body
    assert "Pendidikan Dasar" not in body
    assert "Operator OPD" in body


def test_reviewer_home_lists_the_agencies_and_unassigned_services(client_for, reviewer, agency_a, agency_b):
    body = client_for(reviewer).get(reverse("home")).content.decode()
    assert "Dinas Kesehatan" in body and "Dinas Pendidikan" in body
    assert "Belum ada OPD pengampu untuk" in body and "Pelayanan kesehatan balita" in body


def test_provincial_viewer_home_lists_the_regencies(client_for, provincial_viewer, agency_a):
    body = client_for(provincial_viewer).get(reverse("home")).content.decode()
    assert "Kabupaten Tulang Bawang Barat" in body and "Kota Metro" in body
    assert "Kabupaten Aceh Selatan" not in body


def test_navigation_differs_per_role(client_for, operator_a, reviewer):
    operator_nav = client_for(operator_a).get(reverse("home")).content.decode()
    assert "OPD saya" in operator_nav and "Organisasi &amp; OPD" not in operator_nav
    reviewer_nav = client_for(reviewer).get(reverse("home")).content.decode()
    assert "Organisasi &amp; OPD" in reviewer_nav and "OPD saya" not in reviewer_nav


def test_agency_list_query_count_does_not_grow_with_agencies(
    client_for, reviewer, agency_a, agency_b, django_assert_max_num_queries
):
    from tests.factories import AgencyFactory

    client = client_for(reviewer)
    client.get(reverse("agency-list"))
    AgencyFactory.create_batch(20, region=agency_a.region)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("agency-list"))
    assert response.content.decode().count("/opd/") >= 22


def test_region_list_for_admin_lists_provinces(client_for, admin_user, django_assert_max_num_queries):
    client = client_for(admin_user)
    with django_assert_max_num_queries(6):
        body = client.get(reverse("region-list")).content.decode()
    assert "Lampung" in body and "Papua" in body


def test_region_detail_lists_districts(client_for, reviewer, daerah):
    body = client_for(reviewer).get(reverse("region-detail", args=[daerah.code])).content.decode()
    assert "Tulang Bawang Tengah" in body or "Kecamatan" in body


def test_admin_site_is_for_admins_only(client_for, admin_user, reviewer):
    assert client_for(reviewer).get("/admin/").status_code == 302
    assert client_for(admin_user).get("/admin/").status_code == 200
