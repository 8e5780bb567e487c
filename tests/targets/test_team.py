"""Tim Penerapan SPM: the SK (checked upload through the storage), the members, who may keep it, the daerah page,
the official report, and the "tim terbentuk" selector the SPM Awards scorecard reads."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from targets import official_docx, official_report
from targets.models import ImplementationTeam, ImplementationTeamMember
from targets.selectors import implementation_team_in_place, implementation_teams_in_place
from targets.services import MemberInput, edition_get_or_create, team_member_add, team_member_remove, team_save
from tests.reporting.conftest import PDF_BYTES

pytestmark = pytest.mark.django_db

SK_DATE = dt.date(2025, 2, 3)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def sk_pdf(name: str = "sk-tim.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@pytest.fixture
def team(reviewer, daerah, agency_a):
    team = team_save(
        user=reviewer, region=daerah, decree_number="100.3.3/45/IV.01/2025", decree_date=SK_DATE, decree_upload=sk_pdf()
    )
    team_member_add(user=reviewer, team=team, data=MemberInput("Drs. Budi Santoso", "Sekretaris Daerah", "ketua", None))
    team_member_add(
        user=reviewer, team=team, data=MemberInput("dr. Sari Dewi", "Kepala Dinas Kesehatan", "anggota", agency_a.pk)
    )
    return team


# --- Services ------------------------------------------------------------------------------------------------


def test_verifikator_records_the_sk_and_members_and_the_file_is_in_storage(team):
    team.refresh_from_db()
    assert team.decree_number == "100.3.3/45/IV.01/2025" and team.decree_date == SK_DATE
    assert team.decree_content_type == "application/pdf" and team.decree_name == "sk-tim.pdf"
    with team.decree_file.open("rb") as handle:
        assert handle.read() == PDF_BYTES
    assert [m.role for m in team.members.all()] == ["ketua", "anggota"]


def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_saved(reviewer, daerah):
    fake = SimpleUploadedFile("sk.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")
    with pytest.raises(ValidationError) as refused:
        team_save(user=reviewer, region=daerah, decree_number="1/2025", decree_date=SK_DATE, decree_upload=fake)
    assert "decree_file" in refused.value.message_dict
    assert not ImplementationTeam.objects.exists()


def test_an_xlsx_is_not_accepted_as_an_sk(reviewer, daerah):
    from tests.reporting.recipients_support import people, xlsx_bytes

    upload = SimpleUploadedFile("sk.xlsx", xlsx_bytes(people(1)))
    with pytest.raises(ValidationError, match="Jenis berkas tidak diizinkan"):
        team_save(user=reviewer, region=daerah, decree_number="1/2025", decree_date=SK_DATE, decree_upload=upload)


def test_a_too_large_sk_is_refused(reviewer, daerah, settings):
    settings.EVIDENCE_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="melebihi batas"):
        team_save(user=reviewer, region=daerah, decree_number="1/2025", decree_date=SK_DATE, decree_upload=sk_pdf())


def test_sk_needs_number_date_not_in_the_future_and_a_file(reviewer, daerah):
    with pytest.raises(ValidationError) as refused:
        team_save(user=reviewer, region=daerah, decree_number=" ", decree_date=dt.date(2999, 1, 1))
    assert set(refused.value.message_dict) == {"decree_number", "decree_date", "decree_file"}


def test_a_new_sk_replaces_the_old_file(team, reviewer, daerah):
    old = team.decree_file.name
    storage = team.decree_file.storage
    team_save(
        user=reviewer, region=daerah, decree_number="2/2026", decree_date=SK_DATE, decree_upload=sk_pdf("baru.pdf")
    )
    team.refresh_from_db()
    assert team.decree_name == "baru.pdf" and team.decree_file.name != old
    assert storage.exists(team.decree_file.name)


def test_a_team_has_one_ketua(team, reviewer):
    with pytest.raises(ValidationError, match="sudah memiliki ketua"):
        team_member_add(user=reviewer, team=team, data=MemberInput("Orang Lain", "Asisten I", "ketua"))


def test_a_member_from_an_opd_of_another_daerah_is_refused(team, reviewer, other_agency):
    with pytest.raises(ValidationError, match="OPD tidak ditemukan"):
        team_member_add(user=reviewer, team=team, data=MemberInput("X", "Y", "anggota", other_agency.pk))


@pytest.mark.parametrize("persona", ["operator_a", "leader", "provincial_viewer", "outsider"])
def test_only_the_verifikator_of_the_daerah_or_an_admin_keeps_the_team(persona, request, team, daerah):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        team_save(user=user, region=daerah, decree_number="3/2026", decree_date=SK_DATE)
    with pytest.raises(PermissionDenied):
        team_member_add(user=user, team=team, data=MemberInput("X", "Y", "anggota"))
    with pytest.raises(PermissionDenied):
        team_member_remove(user=user, member=team.members.first())
    assert team.members.count() == 2


def test_admin_may_keep_the_team(team, admin_user):
    team_member_remove(user=admin_user, member=team.members.get(role="anggota"))
    assert team.members.count() == 1


# --- "Tim terbentuk" (the scorecard's criterion) -----------------------------------------------------------------


def test_team_is_in_place_from_the_year_of_its_sk_with_file_and_ketua(team, daerah, other_daerah):
    assert implementation_team_in_place(daerah, 2025)
    assert implementation_team_in_place(daerah, 2026)
    assert not implementation_team_in_place(daerah, 2024)  # the SK is of 2025
    assert not implementation_team_in_place(other_daerah, 2025)
    assert implementation_teams_in_place([daerah.pk, other_daerah.pk], 2025) == {daerah.pk}


def test_team_without_a_ketua_is_not_in_place(team, daerah, reviewer):
    team_member_remove(user=reviewer, member=team.members.get(role="ketua"))
    assert not implementation_team_in_place(daerah, 2025)


def test_team_without_its_sk_file_is_not_in_place(team, daerah):
    ImplementationTeam.objects.filter(pk=team.pk).update(decree_file="")
    assert not implementation_team_in_place(daerah, 2025)


# --- Pages ---------------------------------------------------------------------------------------------------


def test_verifikator_keeps_the_team_on_its_page(client_for, reviewer, daerah, agency_a):
    client = client_for(reviewer)
    url = reverse("targets:team")
    response = client.post(
        url, {"action": "save", "decree_number": "7/2025", "decree_date": "2025-02-03", "decree_file": sk_pdf()}
    )
    assert response.status_code == 302
    client.post(url, {"action": "add_member", "name": "Budi", "position": "Sekda", "role": "ketua", "agency": ""})
    client.post(
        url, {"action": "add_member", "name": "Sari", "position": "Kadinkes", "role": "anggota", "agency": agency_a.pk}
    )
    team = ImplementationTeam.objects.get(region=daerah)
    assert [(m.name, m.agency_id) for m in team.members.all()] == [("Budi", None), ("Sari", agency_a.pk)]
    body = client.get(url).content.decode()
    assert 'data-testid="form-sk-tim"' in body and "Dinas Kesehatan" in body and "7/2025" in body
    member = team.members.get(name="Sari")
    client.post(url, {"action": "remove_member", "member": member.pk})
    assert not ImplementationTeamMember.objects.filter(pk=member.pk).exists()


def test_bad_upload_on_the_page_shows_the_message_next_to_the_file(client_for, reviewer):
    fake = SimpleUploadedFile("sk.pdf", b"GIF89a....", content_type="application/pdf")
    body = (
        client_for(reviewer)
        .post(
            reverse("targets:team"),
            {"action": "save", "decree_number": "7/2025", "decree_date": "2025-02-03", "decree_file": fake},
        )
        .content.decode()
    )
    assert 'data-testid="galat-decree_file"' in body and "tidak sesuai dengan ekstensinya" in body
    assert not ImplementationTeam.objects.exists()


def test_pimpinan_reads_the_team_without_forms_and_is_refused_a_change(client_for, leader, team):
    client = client_for(leader)
    body = client.get(reverse("targets:team")).content.decode()
    assert "Drs. Budi Santoso" in body and 'data-testid="form-sk-tim"' not in body
    assert 'data-testid="hapus-anggota-' not in body
    response = client.post(reverse("targets:team"), {"action": "add_member", "name": "X", "position": "Y"})
    assert response.status_code == 403


def test_operator_has_no_team_page_and_outsider_does_not_see_our_daerah(client_for, operator_a, outsider, team):
    assert client_for(operator_a).get(reverse("targets:team")).status_code == 403
    assert client_for(outsider).get(reverse("targets:team"), {"daerah": "18.12"}).status_code == 404
    assert client_for(outsider).get(reverse("targets:team-decree", args=["18.12"])).status_code == 404


def test_sk_download_for_those_who_see_the_daerah(client_for, operator_a, team):
    response = client_for(operator_a).get(reverse("targets:team-decree", args=["18.12"]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_daerah_page_shows_the_team_with_a_manage_link_only_for_its_keeper(client_for, reviewer, leader, team):
    url = reverse("region-detail", args=["18.12"])
    body = client_for(leader).get(url).content.decode()
    assert 'data-testid="kartu-tim-penerapan"' in body and "Drs. Budi Santoso" in body and "100.3.3/45" in body
    assert 'data-testid="tautan-tim"' not in body
    assert 'data-testid="tautan-tim"' in client_for(reviewer).get(url).content.decode()


def test_team_page_query_count_does_not_grow_with_members(client_for, reviewer, team, django_assert_max_num_queries):
    client = client_for(reviewer)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("targets:team"))
    for i in range(10):
        team_member_add(user=reviewer, team=team, data=MemberInput(f"Anggota {i}", "Staf", "anggota"))
    with django_assert_max_num_queries(len(few)):
        body = client.get(reverse("targets:team")).content.decode()
    assert body.count('data-testid="anggota-') == 12 + 1  # 12 rows and the table itself ("anggota-tim")


# --- Official report -----------------------------------------------------------------------------------------------


def test_official_report_has_the_team_in_bab_i(team, daerah):
    edition = edition_get_or_create(region=daerah, year=2025, quarter=0)
    content = official_report.build(edition)
    assert (2, official_report.TEAM_HEADING) in content.outline()
    assert "Nomor 100.3.3/45/IV.01/2025 tanggal 3 Februari 2025" in content.team_text
    assert [m.name for m in content.team_members] == ["Drs. Budi Santoso", "dr. Sari Dewi"]
    from docx import Document

    doc = Document(io.BytesIO(official_docx.render_docx(content)))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    assert official_report.TEAM_HEADING in text and content.team_text in text
    assert {"Drs. Budi Santoso", "Kepala Dinas Kesehatan", "Dinas Kesehatan"} <= cells


def test_official_report_says_when_no_team_is_recorded(daerah):
    edition = edition_get_or_create(region=daerah, year=2025, quarter=0)
    content = official_report.build(edition)
    assert content.team is None and "belum dicatat" in content.team_text
