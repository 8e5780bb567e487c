"""Tests of the pure IP-SPM engine against formula.md (Permendagri 59/2021 Pasal 24 ayat (1))."""

import json
from dataclasses import replace
from decimal import Context, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reporting.achievements.formula import (
    DEFAULT_RULES,
    NextBand,
    RuleSet,
    ServiceResult,
    affair_index,
    coverage,
    cumulative_served,
    display,
    explain,
    quality_percentage,
    quarter_service_index,
    recipient_percentage,
    region_index,
    served_needed_for_next_band,
    service_index,
    status_for,
    status_label,
)

D = Decimal
PREC28 = Context(prec=28)

# formula.md worked example: Kabupaten X, pelayanan kesehatan ibu hamil, 2025.
MUST_SERVE = 1000
SERVED_PER_QUARTER = [240, 260, 250, 230]
QUALITY = [(40, 38), (12, 12), (4, 3)]  # (required, met): barang/jasa, SDM, tata cara
EXACT_QUALITY = Fraction(53, 56) * 100
EXACT_TW4 = Fraction(4, 5) * 98 + Fraction(1, 5) * EXACT_QUALITY
EXACT_TW2 = Fraction(4, 5) * 50 + Fraction(1, 5) * EXACT_QUALITY
TOLERANCE = Fraction(1, 10**25)  # 28 significant digits on a two-digit integer part

UNCAPPED = replace(DEFAULT_RULES, version="test-uncapped", cap_at_100=False)
MEAN_QUALITY = replace(DEFAULT_RULES, version="test-mean", quality_aggregation="mean")
BY_SERVICES = replace(DEFAULT_RULES, version="test-services", region_rollup="mean_of_services")
LENIENT = replace(DEFAULT_RULES, version="test-lenient", quality_declaration="lenient", cap_each_component=False)
BAND_ORDER = [band.code for band in reversed(DEFAULT_RULES.bands)]  # lowest first


# --- worked example ---------------------------------------------------------------------------------


def test_worked_example_tw4_recipient_percentage_is_98():
    result = quarter_service_index(SERVED_PER_QUARTER, 4, MUST_SERVE, QUALITY)
    assert result.inputs["served"] == 980
    assert result.recipient_pct == D("98")


def test_worked_example_quality_is_sum_of_met_over_sum_of_required():
    result = quarter_service_index(SERVED_PER_QUARTER, 4, MUST_SERVE, QUALITY)
    assert result.quality_pct == PREC28.divide(D(5300), D(56))
    assert abs(Fraction(result.quality_pct) - EXACT_QUALITY) < TOLERANCE


def test_worked_example_tw4_index_is_97_328571_and_tuntas_utama():
    result = quarter_service_index(SERVED_PER_QUARTER, 4, MUST_SERVE, QUALITY)
    assert result.index == D("97.32857142857142857142857143")
    assert abs(Fraction(result.index) - EXACT_TW4) < TOLERANCE
    assert display(result.index) == D("97.33")
    assert result.status == "tuntas_utama"
    assert result.status_label == "Tuntas Utama"
    assert result.has_target is True
    assert result.rules_version == "2026.1"


def test_worked_example_tw2_is_cumulative_and_belum_tuntas():
    result = quarter_service_index(SERVED_PER_QUARTER, 2, MUST_SERVE, QUALITY)
    assert result.inputs["served"] == 500
    assert result.recipient_pct == D("50")
    assert abs(Fraction(result.index) - EXACT_TW2) < TOLERANCE
    assert display(result.index) == D("58.93")
    assert result.status == "belum_tuntas"


def test_result_does_not_depend_on_the_callers_decimal_context():
    expected = quarter_service_index(SERVED_PER_QUARTER, 4, MUST_SERVE, QUALITY)
    with localcontext() as ctx:
        ctx.prec = 5
        assert quarter_service_index(SERVED_PER_QUARTER, 4, MUST_SERVE, QUALITY) == expected


def test_worked_example_explain_fills_the_formula_in_indonesian():
    lines = explain(quarter_service_index(SERVED_PER_QUARTER, 4, MUST_SERVE, QUALITY))
    assert lines == [
        "jumlah terlayani s.d. TW IV (kumulatif) = 240 + 260 + 250 + 230 = 980",
        "%penerima = 980 / 1.000 × 100 = 98,00",
        "%mutu = 53 / 56 × 100 = 94,64",
        "nilai = 0,8 × 98,00 + 0,2 × 94,64 = 97,33",
        "status = Tuntas Utama (97,33 ≥ 90)",
    ]


def test_worked_example_tw2_needs_14_more_served_for_tuntas_muda():
    quality = quality_percentage(QUALITY)
    assert served_needed_for_next_band(500, MUST_SERVE, quality) == NextBand("Tuntas Muda", 14)
    assert status_for(service_index(513, MUST_SERVE, QUALITY).index) == "belum_tuntas"
    assert status_for(service_index(514, MUST_SERVE, QUALITY).index) == "tuntas_muda"


def test_paripurna_out_of_reach_by_serving_when_mutu_is_short_and_capped():
    quality = quality_percentage(QUALITY)
    assert served_needed_for_next_band(980, MUST_SERVE, quality) == NextBand("Tuntas Paripurna", None)


def test_paripurna_reachable_by_serving_beyond_target_when_uncapped():
    quality = quality_percentage(QUALITY, UNCAPPED)
    assert served_needed_for_next_band(980, MUST_SERVE, quality, UNCAPPED) == NextBand("Tuntas Paripurna", 34)


def test_no_next_band_at_paripurna_or_without_target():
    assert served_needed_for_next_band(1000, 1000, D(100)) is None
    assert served_needed_for_next_band(5, 0, D(100)) is None


# --- status bands -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("0", "belum_tuntas"),
        ("42.03", "belum_tuntas"),  # August 2023 national average, published as Belum Tuntas
        ("59.99", "belum_tuntas"),
        ("59.994999", "belum_tuntas"),
        ("59.995", "tuntas_muda"),
        ("60", "tuntas_muda"),
        ("69", "tuntas_muda"),  # 2022 national average, published as Tuntas Muda
        ("69.99", "tuntas_muda"),
        ("70", "tuntas_pratama"),
        ("79.99", "tuntas_pratama"),
        ("80", "tuntas_madya"),
        ("89.99", "tuntas_madya"),
        ("89.994", "tuntas_madya"),
        ("89.995", "tuntas_utama"),
        ("90", "tuntas_utama"),
        ("99.99", "tuntas_utama"),
        ("99.994999", "tuntas_utama"),
        ("99.995", "tuntas_utama"),
        ("99.9999999", "tuntas_utama"),
        ("100", "tuntas_paripurna"),
        ("120", "tuntas_paripurna"),
    ],
)
def test_status_band_is_read_from_value_rounded_half_up_to_2_decimals(value, status):
    assert status_for(D(value)) == status


def test_pratama_is_above_muda():
    assert status_for(D(75)) == "tuntas_pratama"
    assert status_for(D(65)) == "tuntas_muda"
    assert BAND_ORDER.index("tuntas_pratama") > BAND_ORDER.index("tuntas_muda")


def test_status_of_no_value_is_none():
    assert status_for(None) is None
    assert status_label(None) is None
    assert status_label("tuntas_madya") == "Tuntas Madya"


def test_display_rounds_half_up_to_2_decimals():
    assert display(D("89.995")) == D("90.00")
    assert display(D("97.325")) == D("97.33")
    assert str(display(D(98))) == "98.00"
    assert display(None) is None


def test_float_is_refused():
    with pytest.raises(TypeError):
        display(89.995)
    with pytest.raises(TypeError):
        recipient_percentage(9.0, 10)


# --- zero targets -----------------------------------------------------------------------------------


def test_no_must_serve_gives_no_recipient_percentage():
    assert recipient_percentage(0, 0) is None
    assert recipient_percentage(5, 0) is None


def test_service_without_target_has_no_index_and_no_status():
    result = service_index(10, 0, QUALITY)
    assert result.index is None
    assert result.status is None
    assert result.has_target is False
    assert result.status_label == "Tidak ada sasaran"
    assert "tidak ada sasaran" in " ".join(explain(result))


def test_service_without_target_is_left_out_of_roll_ups_not_counted_as_0_or_100():
    no_target = service_index(0, 0, QUALITY)
    assert affair_index([D(80), no_target, None]) == D(80)
    assert region_index([[D(80)], [no_target]]) == D(80)
    assert region_index([[D(80)], [no_target]], BY_SERVICES) == D(80)


def test_roll_up_with_nothing_targeted_is_none():
    assert affair_index([]) is None
    assert affair_index([None, service_index(0, 0)]) is None
    assert region_index([[None], []]) is None
    assert region_index([[None], []], BY_SERVICES) is None


def test_no_quality_required_gives_none_quality_percentage():
    assert quality_percentage([]) is None
    assert quality_percentage([(0, 0, True), (0, 3, True)]) is None
    assert quality_percentage([(0, 0), (0, 3)], LENIENT) is None
    assert quality_percentage([(0, 0)], replace(LENIENT, quality_aggregation="mean")) is None


def test_target_without_mutu_requirement_uses_recipients_only_by_default():
    result = service_index(980, 1000, [])
    assert result.quality_pct is None
    assert result.index == D(98)
    assert result.status == "tuntas_utama"
    assert "nilai = %penerima = 98,00 (bobot mutu tidak dipakai)" in explain(result)


def test_target_without_mutu_requirement_can_be_excluded_by_rule():
    rules = replace(DEFAULT_RULES, version="test-exclude", quality_undefined="exclude_service")
    result = service_index(980, 1000, [(0, 0, True)], rules)
    assert result.has_target is True
    assert result.index is None
    assert result.status is None
    assert affair_index([result, D(70)], rules) == D(70)


def test_negative_counts_are_refused():
    with pytest.raises(ValueError, match="negatif"):
        recipient_percentage(-1, 10)
    with pytest.raises(ValueError, match="negatif"):
        recipient_percentage(1, -10)
    with pytest.raises(ValueError, match="negatif"):
        quality_percentage([(5, -1)])


# --- caps and cumulation ----------------------------------------------------------------------------


def test_served_above_target_is_capped_at_100():
    assert recipient_percentage(1200, 1000) == D(100)
    result = service_index(1200, 1000, [(10, 10)])
    assert result.index == D(100)
    assert result.status == "tuntas_paripurna"
    assert explain(result)[0] == "%penerima = 1.200 / 1.000 × 100 = 120,00, dibatasi menjadi 100,00"


def test_served_above_target_is_not_capped_when_cap_is_off():
    assert recipient_percentage(1200, 1000, UNCAPPED) == D(120)
    assert service_index(1200, 1000, [(10, 10)], UNCAPPED).index == D(116)


def test_quality_met_above_required_is_capped_at_100():
    assert quality_percentage([(10, 12)]) == D(100)
    assert quality_percentage([(10, 12)], replace(UNCAPPED, cap_each_component=False)) == D(120)


def test_triwulan_value_is_cumulative_year_to_date():
    assert [cumulative_served(SERVED_PER_QUARTER, q) for q in (1, 2, 3, 4)] == [240, 500, 750, 980]


def test_triwulan_value_is_that_quarter_only_when_not_cumulative():
    rules = replace(DEFAULT_RULES, version="test-quarterly", cumulative=False)
    assert cumulative_served(SERVED_PER_QUARTER, 2, rules) == 260
    result = quarter_service_index(SERVED_PER_QUARTER, 2, MUST_SERVE, QUALITY, rules)
    assert result.recipient_pct == D(26)
    assert explain(result)[0] == "jumlah terlayani TW II = 260"


@pytest.mark.parametrize(("per_quarter", "quarter"), [([1, 2, 3, 4], 0), ([1, 2, 3, 4], 5), ([1, 2], 3)])
def test_quarter_must_be_1_to_4_and_reported(per_quarter, quarter):
    with pytest.raises(ValueError, match="T"):
        cumulative_served(per_quarter, quarter)


# --- mutu aggregation -------------------------------------------------------------------------------


def test_mean_quality_is_mean_of_component_percentages():
    # components: 38/40 = 95, 12/12 = 100, 3/4 = 75
    assert quality_percentage(QUALITY, MEAN_QUALITY) == D(90)
    assert quality_percentage(QUALITY) == PREC28.divide(D(5300), D(56))


def test_mean_quality_leaves_out_components_with_nothing_required():
    assert quality_percentage([(4, 3), (0, 0)], replace(LENIENT, quality_aggregation="mean")) == D(75)
    assert quality_percentage([(4, 3), (0, 0, True)], MEAN_QUALITY) == D(75)


def test_mean_quality_caps_each_component():
    assert quality_percentage([(10, 20), (10, 5)], MEAN_QUALITY) == D(75)


def test_mean_quality_explain_lists_component_percentages():
    result = service_index(500, 1000, QUALITY, MEAN_QUALITY)
    assert "%mutu = rata-rata %mutu per komponen (95,00; 100,00; 75,00) = 90,00" in explain(result)


# --- the zero-mutu loophole and the surplus offset ---------------------------------------------------


def test_all_served_with_mutu_declared_as_0_is_not_paripurna_in_strict_reading():
    zero = service_index(1000, 1000, [(0, 0), (0, 0), (0, 0)])
    honest_unmet = service_index(1000, 1000, [(40, 0), (12, 0), (4, 0)])
    assert zero.quality_pct == D(0)
    assert zero.index == D(80) == honest_unmet.index
    assert zero.status == "tuntas_madya"
    assert zero.inputs["quality_undeclared"] == 3
    assert "komponen mutu belum dinyatakan (harus dipenuhi 0): 3, dihitung 0" in explain(zero)


def test_one_component_declared_as_0_scores_below_declaring_it_honestly():
    undeclared = service_index(1000, 1000, [(40, 40), (0, 0), (4, 4)])
    honest = service_index(1000, 1000, [(40, 40), (12, 0), (4, 4)])
    assert undeclared.index < honest.index
    mean_rules = MEAN_QUALITY
    assert quality_percentage([(40, 40), (0, 0), (4, 4)], mean_rules) == PREC28.divide(D(200), D(3))


def test_lenient_reading_renormalises_but_never_gives_paripurna_with_undeclared_mutu():
    result = service_index(1000, 1000, [(0, 0), (0, 0)], LENIENT)
    assert result.quality_pct is None
    assert result.index == D(100)
    assert result.status == "tuntas_utama"
    assert explain(result)[-1] == "status = Tuntas Utama (mutu belum dinyatakan: tidak dapat Tuntas Paripurna)"


def test_lenient_reading_lets_a_component_with_nothing_required_drop_out():
    assert quality_percentage([(40, 38), (0, 0)], LENIENT) == PREC28.divide(D(9500), D(100))


def test_tidak_berlaku_is_left_out_by_default_and_may_be_paripurna():
    result = service_index(1000, 1000, [(10, 10), (0, 0, True)])
    assert result.quality_pct == D(100)
    assert result.status == "tuntas_paripurna"
    assert "komponen mutu tidak berlaku (tidak dihitung): 1" in explain(result)


def test_tidak_berlaku_can_be_treated_as_undeclared_by_rule():
    rules = replace(DEFAULT_RULES, version="test-na", quality_not_applicable="as_undeclared")
    result = service_index(1000, 1000, [(10, 10), (0, 0, True)], rules)
    assert result.quality_pct == D(0)
    assert result.status == "tuntas_madya"


def test_surplus_on_one_component_does_not_offset_another():
    # 12 of 10 on barang/jasa, 0 of 10 on SDM: 10 + 0 of 20, not 12 of 20
    assert quality_percentage([(10, 12), (10, 0)]) == D(50)
    assert quality_percentage([(10, 12), (10, 0)], LENIENT) == D(60)
    result = service_index(1000, 1000, [(10, 12), (10, 0)])
    assert "(terpenuhi di atas yang harus dipenuhi dihitung sebatas kebutuhannya: 12 → 10)" in explain(result)[1]


def test_99_995_shows_as_99_99_and_is_not_paripurna():
    assert display(D("99.995")) == D("99.99")
    assert display(D("99.9999999")) == D("99.99")
    assert display(D(100)) == D("100.00")
    assert status_for(D("99.995")) == "tuntas_utama"
    # 99 995 of 100 000 served, mutu complete: 0,8 × 99,995 + 0,2 × 100 = 99,996
    result = service_index(99995, 100000, [(10, 10)])
    assert display(result.index) == D("99.99")
    assert result.status == "tuntas_utama"
    assert explain(result)[-1] == "status = Tuntas Utama (99,99 ≥ 90)"


def test_rule_set_stored_before_the_options_keeps_its_first_reading():
    stored = DEFAULT_RULES.to_dict()
    for name in ("quality_declaration", "quality_not_applicable", "cap_each_component"):
        stored.pop(name)
    stored["version"] = "2021.1"
    legacy = RuleSet.from_dict(stored)
    assert (legacy.quality_declaration, legacy.cap_each_component) == ("lenient", False)
    assert RuleSet.from_dict(DEFAULT_RULES.to_dict()).quality_declaration == "strict"


# --- roll-ups ---------------------------------------------------------------------------------------


def test_affair_index_is_mean_of_services_with_target():
    assert affair_index([D(80), D(90), None]) == D(85)
    results = [service_index(980, 1000, QUALITY), service_index(500, 1000, QUALITY)]
    assert abs(Fraction(affair_index(results)) - (EXACT_TW4 + EXACT_TW2) / 2) < TOLERANCE


def test_region_index_is_mean_of_affairs_by_default():
    affairs = [[D(80), D(90)], [D(60)], [None]]
    assert region_index(affairs) == D("72.5")


def test_region_index_can_be_mean_of_all_services():
    affairs = [[D(80), D(90)], [D(60)], [None]]
    assert region_index(affairs, BY_SERVICES) == PREC28.divide(D(230), D(3))


# --- rule set ---------------------------------------------------------------------------------------


def test_default_rules_match_formula_md():
    rules = RuleSet()
    assert rules == DEFAULT_RULES
    assert (rules.weight_recipients, rules.weight_quality) == (D("0.8"), D("0.2"))
    assert rules.cap_at_100 and rules.cumulative
    assert rules.quality_aggregation == "sum"
    assert [(b.lower, b.code) for b in rules.bands] == [
        (D(100), "tuntas_paripurna"),
        (D(90), "tuntas_utama"),
        (D(80), "tuntas_madya"),
        (D(70), "tuntas_pratama"),
        (D(60), "tuntas_muda"),
        (D(0), "belum_tuntas"),
    ]


def test_rules_round_trip_through_json():
    rules = RuleSet(
        version="2026.1",
        label="Uji",
        weight_recipients=D("0.7"),
        weight_quality=D("0.3"),
        cap_at_100=False,
        cumulative=False,
        quality_aggregation="mean",
        region_rollup="mean_of_services",
        bands=((D("95.5"), "a", "A"), (D(0), "b", "B")),
    )
    data = json.loads(json.dumps(rules.to_dict()))
    assert data["weight_recipients"] == "0.7"
    assert RuleSet.from_dict(data) == rules
    assert RuleSet.from_dict(DEFAULT_RULES.to_dict()) == DEFAULT_RULES


def test_rules_from_partial_dict_take_defaults():
    rules = RuleSet.from_dict({"version": "x", "weight_recipients": "0.6", "weight_quality": "0.4"})
    assert rules.weight_recipients == D("0.6")
    assert rules.bands == DEFAULT_RULES.bands


def test_result_records_rule_version_and_json_safe_inputs():
    rules = replace(DEFAULT_RULES, version="2026.2")
    result = service_index(D(5), 10, [(2, D(1))], rules)
    assert result.rules_version == "2026.2"
    assert json.loads(json.dumps(result.inputs)) == {"served": "5", "must_serve": 10, "quality": [[2, "1"]]}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"weight_recipients": "0.8", "weight_quality": "0.3"}, "berjumlah 1"),
        ({"weight_recipients": 0.8}, "teks angka"),
        ({"weight_recipients": "abc"}, "bukan angka"),
        ({"weight_recipients": "1.5", "weight_quality": "-0.5"}, "antara 0 dan 1"),
        ({"quality_aggregation": "median"}, "tidak dikenal"),
        ({"region_rollup": "weighted"}, "tidak dikenal"),
        ({"affair_rollup": "sum"}, "tidak dikenal"),
        ({"quality_undefined": "zero"}, "tidak dikenal"),
        ({"cap_at_100": "yes"}, "benar atau salah"),
        ({"version": ""}, "wajib diisi"),
        ({"bands": [["0", "b", "B"], ["60", "a", "A"]]}, "menurun"),
        ({"bands": [["60", "a", "A"], ["60", "b", "B"], ["0", "c", "C"]]}, "menurun"),
        ({"bands": [["90", "a", "A"], ["10", "b", "B"]]}, "batas bawah 0"),
        ({"bands": []}, "batas bawah 0"),
        ({"bands": [["90", "a", "A"], ["0", "a", "B"]]}, "berulang"),
        ({"bands": [["89.995", "a", "A"], ["0", "b", "B"]]}, "2 desimal"),
        ({"bands": [["90", "a"], ["0", "b", "B"]]}, "pita status"),
        ({"bands": [["90", "", "A"], ["0", "b", "B"]]}, "wajib diisi"),
        ({"colour": "red"}, "tidak dikenal"),
    ],
)
def test_invalid_rules_are_refused_with_indonesian_message(changes, message):
    with pytest.raises(ValueError, match=message):
        RuleSet.from_dict({**DEFAULT_RULES.to_dict(), **changes})


def test_invalid_rules_are_refused_on_direct_construction():
    with pytest.raises(ValueError, match="berjumlah 1"):
        RuleSet(weight_recipients=D("0.5"))
    with pytest.raises(ValueError, match="Decimal"):
        RuleSet(weight_recipients=0.8, weight_quality=0.2)


# --- properties -------------------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=10**7)
targets = st.integers(min_value=1, max_value=10**7)
components = st.lists(st.tuples(counts, counts), max_size=6)
percentages = st.decimals(min_value=0, max_value=100, places=4, allow_nan=False, allow_infinity=False)
# at most 28 significant digits, the engine's precision
values = st.decimals(min_value=0, max_value=150, places=25, allow_nan=False, allow_infinity=False)
weights = st.integers(min_value=0, max_value=100).map(lambda n: (D(n) / 100, (100 - D(n)) / 100))


@given(served=counts, must_serve=targets, quality=components, weight=weights)
def test_index_is_always_between_0_and_100_with_cap(served, must_serve, quality, weight):
    rules = replace(DEFAULT_RULES, weight_recipients=weight[0], weight_quality=weight[1])
    result = service_index(served, must_serve, quality, rules)
    assert D(0) <= result.index <= D(100)


@given(served=counts, extra=counts, must_serve=targets, quality=components, capped=st.booleans())
def test_index_never_falls_when_served_increases(served, extra, must_serve, quality, capped):
    rules = DEFAULT_RULES if capped else UNCAPPED
    before = service_index(served, must_serve, quality, rules).index
    after = service_index(served + extra, must_serve, quality, rules).index
    assert after >= before


@given(value=values, n=st.integers(min_value=1, max_value=40), groups=st.integers(min_value=1, max_value=6))
def test_roll_up_of_equal_values_is_that_value(value, n, groups):
    assert affair_index([value] * n) == value
    assert region_index([[value] * n] * groups) == value
    assert region_index([[value] * n] * groups, BY_SERVICES) == value


@given(a=values, b=values)
def test_status_is_monotone_in_value(a, b):
    low, high = sorted((a, b))
    assert BAND_ORDER.index(status_for(low)) <= BAND_ORDER.index(status_for(high))


@given(served=counts, must_serve=targets, quality=st.one_of(st.none(), percentages), capped=st.booleans())
def test_next_band_answer_is_the_fewest_citizens_that_reach_it_or_higher(served, must_serve, quality, capped):
    rules = DEFAULT_RULES if capped else UNCAPPED
    answer = served_needed_for_next_band(served, must_serve, quality, rules)
    labels = [band.label for band in reversed(rules.bands)]  # lowest first

    def rank(count: int) -> int:
        value = service_with_quality_pct(count, must_serve, quality, rules)
        return BAND_ORDER.index(status_for(value, rules))

    if answer is None:
        assert labels[rank(served)] == "Tuntas Paripurna"
        return
    assert labels.index(answer.label) == rank(served) + 1
    if answer.additional is None:
        assert capped
        assert rank(max(served, must_serve)) == rank(served)
    else:
        assert answer.additional >= 1
        assert rank(served + answer.additional) >= labels.index(answer.label)
        assert rank(served + answer.additional - 1) < labels.index(answer.label)


def test_next_band_may_be_passed_by_the_fewest_citizens():
    # 0 of 1 served is Belum Tuntas; the one citizen that reaches Tuntas Muda makes it Paripurna.
    assert served_needed_for_next_band(0, 1, None) == NextBand("Tuntas Muda", 1)


def service_with_quality_pct(served: int, must_serve: int, quality: Decimal | None, rules: RuleSet) -> Decimal:
    """nilai from a given %mutu, through the public functions only."""
    recipient = recipient_percentage(served, must_serve, rules)
    if quality is None:
        return recipient
    return PREC28.add(
        PREC28.multiply(rules.weight_recipients, recipient), PREC28.multiply(rules.weight_quality, quality)
    )


def test_service_result_is_frozen():
    result = service_index(1, 1)
    assert isinstance(result, ServiceResult)
    with pytest.raises(AttributeError):
        result.index = D(0)


# --- missing triwulan and coverage (issue 11) ---------------------------------------------------------

ZERO_MISSING = replace(DEFAULT_RULES, version="test-zero", missing_service="zero")


def test_missing_triwulan_is_named_never_silently_0():
    result = quarter_service_index([240, None, 250, 230], 4, MUST_SERVE, QUALITY)
    assert result.inputs["served"] == 720
    assert result.inputs["missing_quarters"] == [2]
    lines = explain(result)
    assert lines[0] == "jumlah terlayani s.d. TW IV (kumulatif) = 240 + 0 (TW II belum dilaporkan) + 250 + 230 = 720"
    assert lines[1] == "perhatian: TW II belum dilaporkan; angka kumulatif ini belum lengkap"
    assert "missing_quarters" not in quarter_service_index(SERVED_PER_QUARTER, 4, MUST_SERVE, QUALITY).inputs


def test_the_triwulan_itself_must_be_reported():
    with pytest.raises(ValueError, match="TW IV belum diisi"):
        cumulative_served([240, 260, 250, None], 4)


def test_missing_service_is_left_out_by_default_and_counted_as_0_by_rule():
    one_of_29 = [D("40.65")] + [None] * 28
    assert affair_index(one_of_29) == D("40.65")
    assert affair_index(one_of_29, ZERO_MISSING) == PREC28.divide(D("40.65"), D(29))
    no_target = service_index(0, 0)
    assert affair_index([D(80), no_target], ZERO_MISSING) == D(80)  # tidak ada sasaran is never 0


def test_coverage_counts_services_with_a_value_of_those_expected():
    assert coverage([D("40.65")] + [None] * 28) == (1, 29)
    assert coverage([D(80), service_index(0, 0), None]) == (1, 3)
