"""Kebutuhan pemenuhan: gap and cost computed from what the OPD enters and the approved sasaran."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from targets import needs
from targets.services import NeedInput, need_save
from tests.targets.conftest import approved_target

PAGE = reverse("targets:need-list")


def test_per_recipient_need_rounds_the_total_up():
    # 0,25 bidan per ibu hamil × 1.000 = 250 needed; 180 available → 70 short × Rp 4.000.000
    result = needs.compute(needs.NeedLine(needs.PER_RECIPIENT, Decimal("0.25"), 180, 4_000_000, 1000))
    assert result == needs.NeedResult(250, 70, 280_000_000)
    assert needs.compute(needs.NeedLine(needs.PER_RECIPIENT, Decimal("0.3333"), 0, 1, 10)).required == 4


def test_per_region_need_ignores_recipients():
    assert needs.compute(needs.NeedLine(needs.PER_REGION, Decimal(2), 0, 500, None)) == needs.NeedResult(2, 2, 1000)


def test_available_above_required_is_no_gap():
    assert needs.compute(needs.NeedLine(needs.PER_REGION, Decimal(2), 5, 500, None)) == needs.NeedResult(2, 0, 0)


def test_per_recipient_need_without_sasaran_is_not_computed():
    result = needs.compute(needs.NeedLine(needs.PER_RECIPIENT, Decimal(1), 0, 500, None))
    assert result == needs.NeedResult(None, None, None)
    assert needs.total_cost([result, needs.NeedResult(1, 1, 700)]) == 700


def line(**overrides) -> NeedInput:
    values = {
        "component_code": "sdm",
        "item": "Bidan",
        "basis": "per_penerima",
        "quantity": Decimal("0.25"),
        "available": 180,
        "unit_cost": 4_000_000,
    }
    return NeedInput(**{**values, **overrides})


@pytest.mark.django_db
def test_need_page_totals_use_the_approved_target(client_for, operator_a, reviewer, daerah, service_a):
    approved_target(operator_a, reviewer, daerah, service_a, 2026, 1000)
    need_save(user=operator_a, region=daerah, service=service_a, year=2026, data=line())
    need_save(
        user=operator_a,
        region=daerah,
        service=service_a,
        year=2026,
        data=line(
            component_code="barang_jasa",
            item="USG",
            basis="per_daerah",
            quantity=Decimal(3),
            available=1,
            unit_cost=150_000_000,
        ),
    )
    response = client_for(reviewer).get(PAGE, {"tahun": 2026})
    assert response.context["total"] == 280_000_000 + 300_000_000
    assert 'data-testid="total-kebutuhan">Rp 580.000.000<' in response.content.decode()


@pytest.mark.django_db
def test_negative_unit_cost_is_refused_naming_the_field(operator_a, daerah, service_a):
    with pytest.raises(ValidationError) as exc:
        need_save(user=operator_a, region=daerah, service=service_a, year=2026, data=line(unit_cost=-1))
    assert exc.value.message_dict["unit_cost"] == ["Harga satuan (Rp) tidak boleh negatif."]


@pytest.mark.django_db
def test_other_opd_and_reviewer_cannot_enter_needs(operator_b, reviewer, daerah, service_a):
    for user in (operator_b, reviewer):
        with pytest.raises(PermissionDenied):
            need_save(user=user, region=daerah, service=service_a, year=2026, data=line())


@pytest.mark.django_db
def test_need_page_scope(client_for, operator_a, operator_b, outsider, daerah, service_a):
    need_save(user=operator_a, region=daerah, service=service_a, year=2026, data=line())
    assert len(client_for(operator_b).get(PAGE, {"tahun": 2026}).context["rows"]) == 0
    assert client_for(outsider).get(PAGE, {"daerah": daerah.code}).status_code == 404
    response = client_for(operator_b).post(PAGE + "?tahun=2026", {"service": "1.02.K01", "item": "x"})
    assert response.status_code == 403
