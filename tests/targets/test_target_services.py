"""Target workflow: entry by the OPD, review by the verifikator, revisions, and the approved must-serve."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from targets.choices import TargetStatus
from targets.models import Target, TargetRevision, TargetTransition
from targets.selectors import (
    approved_must_serve,
    gap_is_flagged,
    named_recipient_count,
    previous_realisation,
    recipient_gap_pct,
    target_sources,
)
from targets.services import (
    TargetInput,
    target_approve,
    target_return,
    target_save,
    target_submit,
)
from tests.targets.conftest import approved_target, target_input

pytestmark = pytest.mark.django_db


def test_operator_saves_a_draft_target(operator_a, daerah, service_a):
    revision = target_save(user=operator_a, region=daerah, service=service_a, year=2026, data=target_input(1200))
    assert revision.status == TargetStatus.DRAFT and revision.number == 1 and revision.must_serve == 1200
    assert {q.component.code: q.required for q in revision.quality.all()} == {
        "barang_jasa": 40,
        "sdm": 12,
        "tata_cara": 4,
    }


def test_operator_of_another_opd_cannot_enter_the_target(operator_b, daerah, service_a):
    with pytest.raises(PermissionDenied):
        target_save(user=operator_b, region=daerah, service=service_a, year=2026, data=target_input())


def test_reviewer_cannot_enter_a_target(reviewer, daerah, service_a):
    with pytest.raises(PermissionDenied):
        target_save(user=reviewer, region=daerah, service=service_a, year=2026, data=target_input())


def test_negative_must_serve_is_refused_naming_the_field(operator_a, daerah, service_a):
    with pytest.raises(ValidationError) as exc:
        target_save(user=operator_a, region=daerah, service=service_a, year=2026, data=TargetInput(must_serve=-1))
    assert exc.value.message_dict["must_serve"] == ["Jumlah yang harus dilayani tidak boleh negatif."]


def test_incomplete_target_cannot_be_submitted(operator_a, daerah, service_a):
    revision = target_save(
        user=operator_a, region=daerah, service=service_a, year=2026, data=TargetInput(must_serve=None)
    )
    with pytest.raises(ValidationError) as exc:
        target_submit(revision=revision, user=operator_a)
    assert "Jumlah yang harus dilayani (sasaran) belum diisi." in exc.value.messages


def test_approved_target_is_the_must_serve(operator_a, reviewer, daerah, service_a):
    assert approved_must_serve(region=daerah, service=service_a, year=2026) is None
    approved_target(operator_a, reviewer, daerah, service_a, 2026, 1200)
    assert approved_must_serve(region=daerah, service=service_a, year=2026) == 1200
    assert approved_must_serve(region=daerah, service=service_a, year=2027) is None


def test_submitted_target_is_not_yet_the_must_serve(operator_a, daerah, service_a):
    revision = target_save(user=operator_a, region=daerah, service=service_a, year=2026, data=target_input())
    target_submit(revision=revision, user=operator_a)
    assert approved_must_serve(region=daerah, service=service_a, year=2026) is None


def test_return_needs_a_comment_and_is_audited(operator_a, reviewer, daerah, service_a):
    revision = target_save(user=operator_a, region=daerah, service=service_a, year=2026, data=target_input())
    target_submit(revision=revision, user=operator_a)
    with pytest.raises(ValidationError) as exc:
        target_return(revision=revision, user=reviewer, comment="  ")
    assert exc.value.message_dict["comment"] == ["Komentar wajib diisi saat mengembalikan target."]
    target_return(revision=revision, user=reviewer, comment="Sasaran terlalu rendah dibanding data Dukcapil.")
    transitions = list(revision.transitions.values_list("from_status", "to_status", "actor__username", "comment"))
    assert transitions == [
        ("draft", "submitted", "operator_a", ""),
        ("submitted", "returned", "verifikator", "Sasaran terlalu rendah dibanding data Dukcapil."),
    ]


def test_returned_target_cannot_be_approved(operator_a, reviewer, daerah, service_a):
    revision = target_save(user=operator_a, region=daerah, service=service_a, year=2026, data=target_input())
    target_submit(revision=revision, user=operator_a)
    target_return(revision=revision, user=reviewer, comment="Periksa lagi.")
    with pytest.raises(PermissionDenied):
        target_approve(revision=revision, user=reviewer)


def test_submitted_target_cannot_be_edited(operator_a, daerah, service_a):
    revision = target_save(user=operator_a, region=daerah, service=service_a, year=2026, data=target_input())
    target_submit(revision=revision, user=operator_a)
    with pytest.raises(ValidationError):
        target_save(user=operator_a, region=daerah, service=service_a, year=2026, data=target_input(5))


def test_reviewer_of_another_daerah_cannot_approve(operator_a, outsider, daerah, service_a):
    revision = target_save(user=operator_a, region=daerah, service=service_a, year=2026, data=target_input())
    target_submit(revision=revision, user=operator_a)
    with pytest.raises(PermissionDenied):
        target_approve(revision=revision, user=outsider)


def test_leader_cannot_approve(operator_a, leader, daerah, service_a):
    revision = target_save(user=operator_a, region=daerah, service=service_a, year=2026, data=target_input())
    target_submit(revision=revision, user=operator_a)
    with pytest.raises(PermissionDenied):
        target_approve(revision=revision, user=leader)


def test_changing_an_approved_target_keeps_it_in_force_until_the_new_one_is_approved(
    operator_a, reviewer, daerah, service_a
):
    first = approved_target(operator_a, reviewer, daerah, service_a, 2026, 1000)
    second = target_save(user=operator_a, region=daerah, service=service_a, year=2026, data=target_input(1100))
    assert second.pk != first.pk and second.number == 2 and second.status == TargetStatus.DRAFT
    first.refresh_from_db()
    assert first.status == TargetStatus.APPROVED and first.must_serve == 1000
    assert approved_must_serve(region=daerah, service=service_a, year=2026) == 1000
    target_submit(revision=second, user=operator_a)
    assert approved_must_serve(region=daerah, service=service_a, year=2026) == 1000
    target_approve(revision=second, user=reviewer)
    first.refresh_from_db()
    assert first.status == TargetStatus.SUPERSEDED
    assert approved_must_serve(region=daerah, service=service_a, year=2026) == 1100
    assert TargetTransition.objects.filter(revision=first, to_status=TargetStatus.SUPERSEDED).exists()


def test_new_revision_starts_from_the_approved_values(operator_a, reviewer, daerah, service_a):
    approved_target(operator_a, reviewer, daerah, service_a, 2026, 1000)
    target = Target.objects.get()
    revision = target_save(
        user=operator_a, region=daerah, service=service_a, year=2026, data=TargetInput(must_serve=1050)
    )
    assert {q.component.code: q.required for q in revision.quality.all()} == {
        "barang_jasa": 40,
        "sdm": 12,
        "tata_cara": 4,
    }
    assert target.revisions.count() == 2


def test_only_one_open_revision_per_target(operator_a, daerah, service_a):
    target_save(user=operator_a, region=daerah, service=service_a, year=2026, data=target_input(1))
    target_save(user=operator_a, region=daerah, service=service_a, year=2026, data=target_input(2))
    assert TargetRevision.objects.count() == 1


def test_gap_above_ten_percent_is_flagged():
    assert recipient_gap_pct(1000, 890) == 11 and gap_is_flagged(recipient_gap_pct(1000, 890))
    assert not gap_is_flagged(recipient_gap_pct(1000, 900))
    assert not gap_is_flagged(recipient_gap_pct(1000, 1100))
    assert gap_is_flagged(recipient_gap_pct(1000, 1101))
    assert recipient_gap_pct(0, 5) is None and recipient_gap_pct(1000, None) is None


def test_named_recipient_count_is_none_without_recipient_data_and_counts_the_list(daerah, service_a):
    import datetime as dt

    from reporting.models import Recipient

    assert named_recipient_count(daerah, service_a, 2026) is None
    Recipient.objects.bulk_create(
        Recipient(
            region=daerah,
            service=service_a,
            year=2026,
            nik=f"181201{i:010d}",
            name=f"Warga {i}",
            sex="P",
            birth_date=dt.date(1990, 1, 1),
            address="Jl. Uji",
            service_date=dt.date(2026, 2, 1),
            quarter=1,
        )
        for i in range(3)
    )
    assert named_recipient_count(daerah, service_a, 2026) == 3


def test_previous_realisation_is_last_years_stored_tw_iv(worked_example, service_a):
    assert previous_realisation(worked_example, service_a, 2026) == 980
    assert previous_realisation(worked_example, service_a, 2025) is None


def test_sources_side_by_side(operator_a, reviewer, worked_example, service_a):
    revision = target_save(user=operator_a, region=worked_example, service=service_a, year=2026, data=target_input(990))
    sources = target_sources(worked_example, service_a, 2026, revision)
    assert (sources.typed, sources.approved, sources.previous_realisation) == (990, None, 980)
