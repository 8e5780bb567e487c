"""Dashboards read stored achievements: numbers match hand computation, scope holds, queries are bounded."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from reporting.models import Achievement
from tests.pages import page_context
from tests.reporting.conftest import approved_report

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("reporting:dashboard")


def test_reviewer_dashboard_shows_the_worked_example(client_for, reviewer, worked_example):
    body = client_for(reviewer).get(DASHBOARD, {"tahun": 2025, "triwulan": 4}).content.decode()
    assert 'data-testid="nilai-daerah">97,33<' in body
    assert "Tuntas Utama" in body
    assert 'data-testid="nilai-1.02.K01">97,33<' in body
    assert "98,00" in body and "94,64" in body  # %penerima and %mutu


def test_dashboard_defaults_to_the_latest_period_with_achievements(client_for, leader, worked_example):
    response = client_for(leader).get(DASHBOARD)
    assert page_context(response)["year"] == 2025 and page_context(response)["quarter"] == 4


def test_dashboard_query_count_does_not_grow_with_services(
    client_for, reviewer, worked_example, operator_a, agency_a, daerah, django_assert_max_num_queries
):
    from spm.models import BasicService

    client = client_for(reviewer)
    # 20 for the page, plus the data version and the user's permissions (the key of its cached part).
    with django_assert_max_num_queries(23) as first:
        client.get(DASHBOARD, {"tahun": 2025, "triwulan": 4})
    for code in ("1.02.K02", "1.02.K03"):
        approved_report(operator_a, reviewer, daerah, BasicService.objects.get(code=code), 2025, 4, 10, must_serve=20)
    from reporting.achievements.services import achievements_recompute

    achievements_recompute(region=daerah, year=2025)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(DASHBOARD, {"tahun": 2025, "triwulan": 4})
    assert len(page_context(response)["service_rows"]) == 3


def test_dashboard_exports_xlsx_matching_the_stored_values(client_for, reviewer, worked_example):
    response = client_for(reviewer).get(DASHBOARD, {"tahun": 2025, "triwulan": 4, "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[3]]
    row = {h: c.value for h, c in zip(header, sheet[4], strict=True)}
    assert row["Kode"] == "1.02.K01" and float(row["Nilai"]) == 97.33 and row["Status"] == "Tuntas Utama"


def test_operator_is_sent_to_its_own_achievements(client_for, operator_a, worked_example):
    client = client_for(operator_a)
    assert client.get(DASHBOARD)["Location"] == reverse("reporting:my-achievements")
    body = client.get(reverse("reporting:my-achievements")).content.decode()
    assert "Pelayanan kesehatan ibu hamil" in body and "97,33" in body
    # %mutu 94.64 caps the nilai below 100: more citizens alone cannot reach Paripurna
    assert "belum dapat dicapai hanya dengan menambah penerima" in body


def test_operator_sees_how_many_more_citizens_reach_the_next_band(
    client_for, operator_a, reviewer, daerah, service_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        approved_report(operator_a, reviewer, daerah, service_a, 2025, 1, 240)
    # nilai = 0,8 × 24 + 0,2 × 94,64 = 38,13; Tuntas Muda needs 0,8 × p + 18,93 ≥ 59,995 → 514 served
    body = client_for(operator_a).get(reverse("reporting:my-achievements")).content.decode()
    assert "Layani 274 warga lagi untuk mencapai Tuntas Muda." in body


def test_other_opd_operator_cannot_open_the_explain_page(client_for, operator_b, worked_example, service_a):
    row = Achievement.objects.get(level="layanan", quarter=4, is_current=True)
    assert client_for(operator_b).get(reverse("reporting:achievement-explain", args=[row.pk])).status_code == 404


def test_outsider_sees_neither_dashboard_nor_explain_of_our_daerah(client_for, outsider, worked_example):
    client = client_for(outsider)
    assert client.get(DASHBOARD, {"daerah": "18.12"}).status_code == 404
    row = Achievement.objects.get(level="daerah", quarter=4, is_current=True)
    assert client.get(reverse("reporting:achievement-explain", args=[row.pk])).status_code == 404


def test_explain_page_shows_the_formula_with_the_numbers(client_for, leader, worked_example):
    row = Achievement.objects.get(level="layanan", quarter=4, is_current=True)
    body = client_for(leader).get(reverse("reporting:achievement-explain", args=[row.pk])).content.decode()
    assert "240 + 260 + 250 + 230 = 980" in body
    assert "%penerima = 980 / 1.000 × 100 = 98,00" in body
    assert "nilai = 0,8 × 98,00 + 0,2 × 94,64 = 97,33" in body
    assert "2026.1" in body


def test_provincial_ranking_lists_its_daerah_with_status(
    client_for, provincial_viewer, worked_example, django_assert_max_num_queries
):
    client = client_for(provincial_viewer)
    with django_assert_max_num_queries(
        11
    ):  # + the data version and the user's permissions: the key of the page's cached part (spm.fragments)
        response = client.get(reverse("reporting:ranking"), {"tahun": 2025, "triwulan": 4})
    body = response.content.decode()
    assert "Kabupaten Tulang Bawang Barat" in body and "97,33" in body and "Tuntas Utama" in body


def test_ranking_query_count_does_not_grow_with_daerah(
    client_for, provincial_viewer, worked_example, django_assert_max_num_queries
):
    from spm.models import Region

    client = client_for(provincial_viewer)
    params = {"tahun": 2025, "triwulan": 4}
    with django_assert_max_num_queries(
        11
    ) as first:  # + the data version and the user's permissions: the key of the page's cached part (spm.fragments)
        client.get(reverse("reporting:ranking"), params)
    rules = Achievement.objects.get(region__code="18.12", year=2025, quarter=4, level="daerah").rules
    for code, index, status in (("18.01", 88, "tuntas_madya"), ("18.02", 61, "tuntas_muda"), ("18.03", 40, "")):
        Achievement.objects.create(
            region=Region.objects.get(code=code),
            year=2025,
            quarter=4,
            level="daerah",
            index=index,
            status=status,
            rules=rules,
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(reverse("reporting:ranking"), params)
    rows = page_context(response)["rows"]
    assert [r.region.code for r in rows[:4]] == ["18.12", "18.01", "18.02", "18.03"]
    # Every other daerah of the provinsi is listed too, as "belum ada data" (issue 11), after those with data.
    assert len(rows) > 4 and all(r.index is None for r in rows[4:])


def test_a_changed_band_label_shows_on_the_next_page(client_for, provincial_viewer, worked_example):
    client = client_for(provincial_viewer)
    params = {"tahun": 2025, "triwulan": 4}
    assert "Tuntas Utama" in client.get(reverse("reporting:ranking"), params).content.decode()
    rules = Achievement.objects.get(region__code="18.12", year=2025, quarter=4, level="daerah").rules
    rules.rules = {
        **rules.rules,
        "bands": [
            [lower, code, "Utama (dikoreksi)" if code == "tuntas_utama" else label]
            for lower, code, label in rules.rules["bands"]
        ],
    }
    rules.save()
    assert "Utama (dikoreksi)" in client.get(reverse("reporting:ranking"), params).content.decode()


def test_ranking_of_another_province_is_not_offered_to_a_provincial_viewer(
    client_for, provincial_viewer, reference_data
):
    from reporting.achievements.services import active_rules
    from spm.models import Region

    rules, _ = active_rules()
    Achievement.objects.create(
        region=Region.objects.get(code="11.01"),
        year=2025,
        quarter=4,
        level="daerah",
        index=88,
        status="tuntas_madya",
        rules=rules,
    )
    body = client_for(provincial_viewer).get(reverse("reporting:ranking"), {"tahun": 2025, "triwulan": 4}).content
    assert "Aceh" not in body.decode()


def test_national_ranking_for_admins_and_paripurna_list(client_for, admin_user, reference_data):
    from reporting.achievements.services import active_rules
    from spm.models import Region

    rules, _ = active_rules()
    for code, index, status in (("11.01", 100, "tuntas_paripurna"), ("18.71", 61, "tuntas_muda")):
        Achievement.objects.create(
            region=Region.objects.get(code=code),
            year=2025,
            quarter=4,
            level="daerah",
            index=index,
            status=status,
            rules=rules,
        )
    response = client_for(admin_user).get(reverse("reporting:ranking"), {"tahun": 2025, "triwulan": 4})
    rows = page_context(response)["rows"]
    assert [r.region.code for r in rows] == ["11.01", "18.71"]
    assert [r.region.code for r in page_context(response)["paripurna"]] == ["11.01"]
