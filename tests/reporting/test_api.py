"""Reporting API: scoped lists, workflow actions through the services, bounded queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reporting.choices import ReportStatus
from reporting.services import report_submit
from tests.reporting.conftest import fill_completely

pytestmark = pytest.mark.django_db
REPORTS = reverse("reporting-api:report-list")


@pytest.fixture
def submitted(report, operator_a):
    report = fill_completely(report, operator_a)
    report_submit(report=report, user=operator_a, expected_version=report.version)
    report.refresh_from_db()
    return report


def test_operator_lists_only_its_opd_reports(client_for, operator_a, operator_b, submitted):
    assert [r["id"] for r in client_for(operator_a).get(REPORTS).json()["results"]] == [submitted.pk]
    assert client_for(operator_b).get(REPORTS).json()["results"] == []


def test_outsider_gets_404_on_our_report(client_for, outsider, submitted):
    assert client_for(outsider).get(reverse("reporting-api:report-detail", args=[submitted.pk])).status_code == 404


def test_reviewer_approves_through_the_api(client_for, reviewer, submitted):
    url = reverse("reporting-api:report-approve", args=[submitted.pk])
    response = client_for(reviewer).post(url, {"comment": "Sesuai."}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "approved"


def test_leader_cannot_approve_through_the_api(client_for, leader, submitted):
    url = reverse("reporting-api:report-approve", args=[submitted.pk])
    response = client_for(leader).post(url, {}, content_type="application/json")
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED


def test_return_needs_anchored_comments_and_says_why_in_indonesian(client_for, reviewer, submitted):
    url = reverse("reporting-api:report-return", args=[submitted.pk])
    client = client_for(reviewer)
    bad = client.post(url, {"comments": [{"anchor": "Z", "text": "?"}]}, content_type="application/json")
    assert bad.status_code == 400 and "tidak dikenal" in str(bad.json())
    ok = client.post(url, {"comments": [{"anchor": "served", "text": "Cek ulang."}]}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "returned"


def test_report_list_query_count_is_bounded(client_for, reviewer, operator_a, daerah, django_assert_max_num_queries):
    from reporting.services import period_get_or_create, report_open
    from spm.models import BasicService

    client = client_for(reviewer)
    for quarter in (1, 2, 3, 4):
        for code in ("1.02.K01", "1.02.K02", "1.02.K03"):
            report_open(
                user=operator_a,
                period=period_get_or_create(region=daerah, year=2025, quarter=quarter),
                service=BasicService.objects.get(code=code),
            )
    with django_assert_max_num_queries(10):
        response = client.get(REPORTS)
    assert response.json()["count"] == 12


def test_achievements_api_is_scoped(client_for, reviewer, outsider, worked_example):
    url = reverse("reporting-api:achievement-list")
    assert client_for(reviewer).get(url, {"level": "daerah"}).json()["count"] == 4
    assert client_for(outsider).get(url).json()["count"] == 0


def _named(daerah, service, count):
    import datetime as dt

    from reporting.models import Recipient

    return Recipient.objects.bulk_create(
        Recipient(
            region=daerah,
            service=service,
            year=2026,
            nik=f"181201{i:010d}",
            name=f"Warga {i}",
            sex="P",
            birth_date=dt.date(1990, 1, 1),
            address="Jl. Rahasia 1",
            service_date=dt.date(2026, 2, 1),
            quarter=1,
        )
        for i in range(count)
    )


def test_recipient_api_masks_the_nik_and_leaves_out_name_and_address(client_for, reviewer, daerah, service_a):
    rows = _named(daerah, service_a, 3)
    body = client_for(reviewer).get(reverse("reporting-api:recipient-list"), {"service": "1.02.K01"}).json()
    assert body["count"] == 3
    first = body["results"][0]
    assert first["nik"] == rows[0].nik[:4] + "******" + rows[0].nik[-4:]
    assert rows[0].nik not in str(body) and "Warga" not in str(body) and "Rahasia" not in str(body)


def test_recipient_api_is_scoped(client_for, operator_b, outsider, agency_a, daerah, service_a):
    _named(daerah, service_a, 2)
    assert client_for(operator_b).get(reverse("reporting-api:recipient-list")).json()["count"] == 0
    assert client_for(outsider).get(reverse("reporting-api:recipient-list")).json()["count"] == 0


def test_recipient_api_query_count_is_bounded(client_for, reviewer, daerah, service_a, django_assert_max_num_queries):
    _named(daerah, service_a, 40)
    client = client_for(reviewer)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("reporting-api:recipient-list"))
    assert response.json()["count"] == 40


# --- The contract the schema describes (issue 10: what the API fuzz test found) --------------------------


@pytest.mark.parametrize(
    "params",
    [{"is_late": "mungkin"}, {"year": "dua ribu"}, {"year": "1999"}, {"quarter": "5"}, {"status": "hilang"}],
)
def test_a_report_filter_value_it_cannot_read_is_refused_with_400(client_for, reviewer, submitted, params):
    response = client_for(reviewer).get(REPORTS, params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)  # the answer names the parameter


def test_report_filters_keep_working_and_an_empty_value_means_no_filter(client_for, reviewer, submitted):
    client = client_for(reviewer)
    assert client.get(REPORTS, {"is_late": "false", "year": "2026", "quarter": "2"}).json()["count"] == 1
    assert client.get(REPORTS, {"is_late": "true"}).json()["count"] == 0
    assert client.get(REPORTS, {"year": "", "is_late": ""}).json()["count"] == 1


def test_achievement_history_filter_is_declared_and_checked(client_for, reviewer, worked_example):
    url = reverse("reporting-api:achievement-list")
    client = client_for(reviewer)
    current = client.get(url).json()["count"]
    assert client.get(url, {"revisi": "semua"}).json()["count"] >= current > 0
    assert client.get(url, {"revisi": "sebagian"}).status_code == 400


def test_recipient_filters_are_declared_and_checked(client_for, reviewer, daerah, service_a):
    _named(daerah, service_a, 2)
    url = reverse("reporting-api:recipient-list")
    client = client_for(reviewer)
    assert client.get(url, {"region": daerah.code, "service": "1.02.K01", "year": 2026}).json()["count"] == 2
    assert client.get(url, {"service": "1.02.K02"}).json()["count"] == 0
    assert client.get(url, {"year": "tahun"}).status_code == 400


def test_an_api_url_no_route_matches_answers_json_404_like_the_api(client_for, reviewer):
    client = client_for(reviewer)
    response = client.get("/api/v1/laporan/1.5/")  # the router's id pattern does not match: Django's 404
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json() == client.get("/api/v1/laporan/999999/").json()  # DRF's own 404
    assert client.get("/laporan/tidak-ada/")["Content-Type"].startswith("text/html")  # pages keep theirs


def test_approving_a_report_that_is_not_awaiting_review_is_a_409_conflict(client_for, reviewer, submitted):
    url = reverse("reporting-api:report-approve", args=[submitted.pk])
    client = client_for(reviewer)
    assert client.post(url, {}, content_type="application/json").status_code == 200
    again = client.post(url, {}, content_type="application/json")
    assert again.status_code == 409 and "diajukan" in again.json()["detail"]
    returned = client.post(
        reverse("reporting-api:report-return", args=[submitted.pk]),
        {"comments": [{"anchor": "served", "text": "Cek."}]},
        content_type="application/json",
    )
    assert returned.status_code == 409


def test_leader_still_gets_403_not_409_on_an_approved_report(client_for, leader, reviewer, submitted):
    from reporting.services import report_approve

    report_approve(report=submitted, user=reviewer)
    url = reverse("reporting-api:report-approve", args=[submitted.pk])
    assert client_for(leader).post(url, {}, content_type="application/json").status_code == 403


def test_return_refuses_an_anchor_of_no_known_shape_before_the_service(client_for, reviewer, submitted):
    url = reverse("reporting-api:report-return", args=[submitted.pk])
    response = client_for(reviewer).post(
        url, {"comments": [{"anchor": "bagian-rahasia", "text": "?"}]}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "Bagian atau isian tidak dikenal." in str(response.json()["comments"])
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED


def test_workflow_actions_take_json_only(client_for, reviewer, submitted):
    url = reverse("reporting-api:report-approve", args=[submitted.pk])
    assert client_for(reviewer).post(url, {"comment": "Sesuai."}).status_code == 415  # form-encoded


def test_schema_describes_the_refusals_and_the_action_bodies(client_for, reviewer):
    schema = client_for(reviewer).get("/api/schema/?format=json").json()
    approve = schema["paths"]["/api/v1/laporan/{id}/approve/"]["post"]
    assert set(approve["responses"]) == {"200", "400", "403", "404", "409", "415", "429"}
    assert list(approve["requestBody"]["content"]) == ["application/json"]
    comment = schema["components"]["schemas"]["Comment"]["properties"]["anchor"]
    assert "quality-" in comment["pattern"]
    reports = schema["paths"]["/api/v1/laporan/"]["get"]
    assert set(reports["responses"]) == {"200", "400", "403", "404", "429"}
    params = {p["name"]: p for p in reports["parameters"]}
    assert params["year"]["schema"] == {"type": "integer", "minimum": 2000, "maximum": 2100}
    assert params["is_late"]["schema"]["type"] == "boolean" and params["is_late"]["allowEmptyValue"] is True
    assert "allowEmptyValue" not in params["page"]
    assert schema["paths"]["/api/v1/urusan/"]["get"]["responses"].keys() == {"200", "429"}  # public, no filter
    assert "revisi" in {p["name"] for p in schema["paths"]["/api/v1/capaian/"]["get"]["parameters"]}
