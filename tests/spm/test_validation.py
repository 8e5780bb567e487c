"""spm.validation reads the limits from the model fields, never from copied numbers."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from reporting.models import Notification
from spm.validation import field_errors, max_length, max_value, parse_id, validate_fields
from targets.models import ActionPlanItem, ActionPlanYear, Need


def test_limits_come_from_the_model_fields():
    assert max_length(ActionPlanItem, "program_code") == ActionPlanItem._meta.get_field("program_code").max_length
    assert max_length(ActionPlanItem, "program_code") == 40
    assert max_value(ActionPlanYear, "target_citizens") >= 2**31 - 1


def test_values_that_do_not_fit_are_named_with_the_field_label():
    errors = field_errors(
        ActionPlanItem, {"program_code": "K" * 41, "program_name": "ok"}, keys={"program_code": "kode"}
    )
    assert list(errors) == ["kode"]
    assert errors["kode"][0].startswith("Kode program: ")
    assert "40" in errors["kode"][0]
    assert field_errors(ActionPlanItem, {"program_code": "K" * 40, "program_name": ""}) == {}


@pytest.mark.parametrize("value", ["NaN", "Infinity", "1e400", "abc"])
def test_decimals_that_are_not_finite_numbers_are_refused(value):
    with pytest.raises(ValidationError) as info:
        validate_fields(ActionPlanYear, {"target_pct": value})
    assert info.value.message_dict["target_pct"][0].startswith("Target capaian (%): ")


def test_numbers_past_the_column_are_refused():
    errors = field_errors(Need, {"quantity": "1" + "0" * 20, "unit_cost": 10**30, "available": -1})
    assert set(errors) == {"quantity", "unit_cost", "available"}


def test_parse_id_accepts_only_keys_in_range():
    assert parse_id("12", Notification) == 12
    assert parse_id(" 7 ", Notification) == 7
    for bad in (None, "", "abc", "-1", "0", "1.5", "9" * 30):
        assert parse_id(bad, Notification) is None, bad
