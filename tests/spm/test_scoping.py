"""Scope: each persona sees its own daerah/OPD and nothing else; out-of-scope objects answer 404."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from spm.choices import Role
from spm.models import Agency, Region, ServiceAssignment, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_operator_sees_only_its_own_agency(operator_a, agency_a, agency_b):
    assert list(Agency.objects.visible_to(operator_a)) == [agency_a]
    assert set(ServiceAssignment.objects.visible_to(operator_a).values_list("agency", flat=True)) == {agency_a.pk}


def test_reviewer_and_leader_see_every_agency_of_their_daerah_only(reviewer, leader, agency_a, agency_b, other_agency):
    for user in (reviewer, leader):
        assert set(Agency.objects.visible_to(user)) == {agency_a, agency_b}
        assert list(Region.objects.visible_to(user)) == [agency_a.region]


def test_provincial_viewer_sees_the_province_and_its_regencies(provincial_viewer, agency_a, other_agency, province):
    regions = Region.objects.visible_to(provincial_viewer)
    assert regions.count() == 1 + province.children.count() == 16
    assert set(Agency.objects.visible_to(provincial_viewer)) == {agency_a, other_agency}
    aceh_agency = Agency.objects.create(region=Region.objects.get(code="11.01"), name="Dinas Kesehatan")
    assert aceh_agency not in Agency.objects.visible_to(provincial_viewer)


def test_admin_sees_everything(admin_user, agency_a, other_agency):
    assert Region.objects.visible_to(admin_user).count() == 552
    assert set(Agency.objects.visible_to(admin_user)) >= {agency_a, other_agency}


def test_outsider_sees_nothing_of_our_daerah(outsider, agency_a, agency_b, daerah):
    assert agency_a not in Agency.objects.visible_to(outsider)
    assert daerah not in Region.objects.visible_to(outsider)


def test_anonymous_sees_nothing(agency_a):
    from django.contrib.auth.models import AnonymousUser

    assert not Agency.objects.visible_to(AnonymousUser()).exists()
    assert not Region.objects.visible_to(AnonymousUser()).exists()


def test_other_agency_page_answers_404_to_an_operator(client_for, operator_b, agency_a, agency_b):
    client = client_for(operator_b)
    assert client.get(reverse("agency-detail", args=[agency_a.pk])).status_code == 404
    assert client.get(reverse("agency-detail", args=[agency_b.pk])).status_code == 200


def test_other_daerah_pages_answer_404_to_an_outsider(client_for, outsider, agency_a, daerah):
    client = client_for(outsider)
    assert client.get(reverse("agency-detail", args=[agency_a.pk])).status_code == 404
    assert client.get(reverse("region-detail", args=[daerah.code])).status_code == 404


def test_reviewer_opens_any_agency_of_its_daerah(client_for, reviewer, agency_a, agency_b):
    client = client_for(reviewer)
    response = client.get(reverse("agency-detail", args=[agency_a.pk]))
    assert response.status_code == 200
    assert "Pelayanan kesehatan ibu hamil" in response.content.decode()


def test_pages_need_login(client, agency_a):
    for url in (reverse("home"), reverse("agency-list"), reverse("agency-detail", args=[agency_a.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_operator_is_sent_from_the_agency_list_to_its_own_agency(client_for, operator_a, agency_a):
    response = client_for(operator_a).get(reverse("agency-list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("agency-mine")


def test_api_agency_list_is_scoped(client_for, operator_a, reviewer, outsider, agency_a, agency_b):
    url = reverse("api:agency-list")
    names = {r["id"] for r in client_for(operator_a).get(url).json()["results"]}
    assert names == {agency_a.pk}
    assert {r["id"] for r in client_for(reviewer).get(url).json()["results"]} == {agency_a.pk, agency_b.pk}
    assert agency_a.pk not in {r["id"] for r in client_for(outsider).get(url).json()["results"]}


def test_api_detail_outside_scope_is_404(client_for, operator_b, agency_a):
    assert client_for(operator_b).get(f"/api/v1/opd/{agency_a.pk}/").status_code == 404


def test_api_needs_authentication_for_scoped_data(client, agency_a):
    assert client.get("/api/v1/opd/").status_code in (401, 403)


def test_catalogue_api_is_public(client, reference_data):
    response = client.get("/api/v1/layanan/?level=kabupaten_kota")
    assert response.status_code == 200 and len(response.json()) == 29


def test_role_decides_the_group(operator_a):
    assert list(operator_a.groups.values_list("name", flat=True)) == ["Operator OPD"]
    operator_a.role = Role.ADMIN
    operator_a.save()
    assert list(operator_a.groups.values_list("name", flat=True)) == ["Admin Sistem"]
    assert operator_a.is_staff


def test_role_groups_carry_their_permissions(reviewer, admin_user):
    assert reviewer.has_perm("spm.view_agency")
    assert not reviewer.has_perm("spm.change_agency")
    assert User.objects.get(pk=admin_user.pk).has_perm("spm.change_agency")


def test_operator_without_agency_is_refused_by_the_database(reference_data):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="tanpa_opd", role=Role.OPERATOR)


def test_reviewer_without_daerah_is_refused_by_the_database(reference_data):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="tanpa_daerah", role=Role.REVIEWER)


def test_operator_region_follows_its_agency(agency_a):
    user = UserFactory(role=Role.OPERATOR, agency=agency_a)
    assert user.region_id == agency_a.region_id and user.daerah == agency_a.region


def test_who_is_an_admin_is_answered_by_the_access_scope_alone(admin_user, daerah):
    """One place decides it (spm/access.py): the user model carries no second copy of the rule."""
    from spm import access

    assert not hasattr(User, "is_admin")
    superuser = UserFactory(role=Role.REVIEWER, region=daerah, is_superuser=True)
    assert access.scope_of(admin_user).is_admin and access.scope_of(superuser).is_admin
