"""Section B item by item: a report is bound to the mutu item list version in force when it is opened, its
component figures are derived from the items (``checks.component_totals``), and every page agrees."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reporting import anchors, checks
from reporting.models import QualityItemEntry
from reporting.services import ReportInput, report_approve, report_open, report_save, report_submit
from reporting.services.periods import period_get_or_create
from reporting.services.reports import report_prefill_from_previous
from spm.models import QualityItem, QualityItemList
from spm.services import quality_item_list_copy, quality_items_load
from tests.reporting.conftest import add_evidence, complete_input

pytestmark = pytest.mark.django_db


@pytest.fixture
def item_lists(reference_data):
    quality_items_load()


@pytest.fixture
def item_report(item_lists, operator_a, daerah, service_a):
    period = period_get_or_create(region=daerah, year=2026, quarter=1)
    return report_open(user=operator_a, period=period, service=service_a)


def _items(report) -> list[QualityItemEntry]:
    return list(report.item_entries.select_related("item__component").order_by("item__component__order", "item__order"))


def fill_items(report, user, *, short: int = 5, sdm_short: int = 2, save: bool = True) -> ReportInput:
    """Every barang/jasa item 10 needed, 10 available but the first (10 - ``short``); SDM 2 each, the first
    short by ``sdm_short``; tata cara (no items) as a component: 4 of 4. 80 of 100 served."""
    items: dict[int, tuple[int, int]] = {}
    firsts: dict[str, bool] = {}
    for entry in _items(report):
        code = entry.item.component.code
        first = code not in firsts
        firsts[code] = True
        if code == "barang_jasa":
            items[entry.item_id] = (10, 10 - short if first else 10)
        else:
            items[entry.item_id] = (2, 2 - sdm_short if first else 2)
    data = complete_input(
        scalars={"must_serve": 100, "served": 80},
        quality={"barang_jasa": (None, None), "sdm": (None, None), "tata_cara": (4, 4)},
    )
    data.items = items
    if save:
        report.refresh_from_db()
        report_save(report=report, user=user, data=data, expected_version=report.version)
    return data


# barang/jasa 80 needed, 75 available; SDM 6 needed, 4 available; tata cara 4 of 4:
# %mutu = 83/90 × 100 = 92,2222…; %penerima = 80; nilai = 0,8 × 80 + 0,2 × 92,2222… = 82,4444…
EXPECTED_INDEX = Decimal(64) + Decimal("0.2") * (Decimal(83) * 100 / Decimal(90))


def test_component_totals_add_items_and_cap_each_item_at_its_target():
    values = [
        checks.ItemValue(1, "barang_jasa", "Tablet tambah darah", 10, 12),
        checks.ItemValue(2, "barang_jasa", "Buku KIA", 10, 4),
        checks.ItemValue(3, "sdm", "Bidan", 3, 3),
    ]
    assert checks.component_totals(values) == {"barang_jasa": (20, 14), "sdm": (3, 3)}
    # Without the cap the surplus tablets would offset the missing books.
    assert checks.component_totals(values, cap_each=False) == {"barang_jasa": (20, 16), "sdm": (3, 3)}


def test_a_component_with_a_blank_item_is_blank():
    values = [checks.ItemValue(1, "sdm", "Bidan", 3, None), checks.ItemValue(2, "sdm", "Perawat", None, 1)]
    assert checks.component_totals(values) == {"sdm": (None, None)}


def test_report_is_bound_to_the_list_in_force_with_one_row_per_item(item_report):
    item_list = QualityItemList.objects.get(service__code="1.02.K01")
    assert item_report.quality_item_list == item_list
    assert item_report.item_entries.count() == item_list.items.count() == 11


def test_saving_items_derives_the_component_figures_the_engine_reads(item_report, operator_a):
    fill_items(item_report, operator_a)
    entries = {e.component.code: (e.required, e.met) for e in item_report.quality_entries.select_related("component")}
    assert entries == {"barang_jasa": (80, 75), "sdm": (6, 4), "tata_cara": (4, 4)}


def test_a_surplus_item_cannot_offset_another_and_submission_refuses_it(item_report, operator_a):
    data = fill_items(item_report, operator_a, save=False)
    surplus, short = [e.item_id for e in _items(item_report) if e.item.component.code == "barang_jasa"][:2]
    data.items[surplus] = (10, 15)
    item_report.refresh_from_db()
    report_save(report=item_report, user=operator_a, data=data, expected_version=item_report.version)
    component = item_report.quality_entries.get(component__code="barang_jasa")
    assert (component.required, component.met) == (80, 80)  # 15 of 10 counts as 10
    add_evidence(item_report, operator_a)
    item_report.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        report_submit(report=item_report, user=operator_a, expected_version=item_report.version)
    assert "melebihi yang dibutuhkan" in " ".join(error.value.message_dict[anchors.item(surplus)])


def test_strict_rule_refuses_an_item_declared_as_zero(item_report, operator_a):
    data = fill_items(item_report, operator_a, save=False)
    first = _items(item_report)[0]
    data.items[first.item_id] = (0, 0)
    item_report.refresh_from_db()
    report_save(report=item_report, user=operator_a, data=data, expected_version=item_report.version)
    add_evidence(item_report, operator_a)
    item_report.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        report_submit(report=item_report, user=operator_a, expected_version=item_report.version)
    assert "harus lebih dari 0" in " ".join(error.value.message_dict[anchors.item(first.item_id)])


def test_blank_items_are_named_in_the_completeness_of_section_b(item_report, operator_a, client_for):
    body = client_for(operator_a).get(item_report.get_absolute_url()).content.decode()
    assert "Vaksin Tetanus Difteri (Td): dibutuhkan" in body


def test_report_filed_before_a_change_keeps_its_old_list(item_report, operator_a, daerah, service_a):
    fill_items(item_report, operator_a)
    old = item_report.quality_item_list
    new = quality_item_list_copy(item_list=old)
    QualityItem.objects.create(item_list=new, component=new.items.first().component, name="Item baru", order=99)
    # The filed report keeps its version and its rows; a report opened now is filled against the new one.
    item_report.refresh_from_db()
    assert item_report.quality_item_list == old and item_report.item_entries.count() == 11
    later = report_open(
        user=operator_a, period=period_get_or_create(region=daerah, year=2026, quarter=2), service=service_a
    )
    assert later.quality_item_list == new and later.item_entries.count() == 12
    # Re-loading the reference file does not touch either version.
    quality_items_load()
    assert old.items.count() == 11 and new.items.count() == 12


def test_prefill_copies_item_targets_from_the_previous_triwulan(item_report, operator_a, daerah, service_a):
    fill_items(item_report, operator_a)
    later = report_open(
        user=operator_a, period=period_get_or_create(region=daerah, year=2026, quarter=2), service=service_a
    )
    report_prefill_from_previous(report=later, user=operator_a, expected_version=later.version)
    assert {e.item.name: e.required for e in _items(later)} == {e.item.name: e.required for e in _items(item_report)}
    assert all(e.met is None for e in _items(later))


def _number(pattern: str, body: str) -> str:
    match = re.search(pattern, body, re.S)
    assert match, pattern
    return match.group(1)


def test_item_level_index_is_the_same_on_report_review_dashboard_and_api(
    item_report, operator_a, reviewer, client_for, django_capture_on_commit_callbacks
):
    fill_items(item_report, operator_a)
    add_evidence(item_report, operator_a)
    item_report.refresh_from_db()
    shown = f"{EXPECTED_INDEX:.2f}".replace(".", ",")  # 82,44
    body = client_for(operator_a).get(item_report.get_absolute_url()).content.decode()
    assert _number(r'data-testid="nilai-sementara">.*?<div class="fs-4 fw-semibold num">([\d,]+)<', body) == shown
    report_submit(report=item_report, user=operator_a, expected_version=item_report.version)
    review = client_for(reviewer).get(reverse("reporting:review", args=[item_report.pk])).content.decode()
    assert shown in review and "Vaksin Tetanus Difteri (Td): dibutuhkan" in review
    with django_capture_on_commit_callbacks(execute=True):
        report_approve(report=item_report, user=reviewer)
    dashboard = client_for(reviewer).get(reverse("reporting:dashboard"), {"tahun": 2026, "triwulan": 1})
    assert _number(r'data-testid="nilai-1\.02\.K01">([\d,]+)<', dashboard.content.decode()) == shown
    api = (
        client_for(reviewer)
        .get(reverse("reporting-api:achievement-list"), {"service": "1.02.K01", "year": 2026})
        .json()
    )
    rows = api["results"] if isinstance(api, dict) else api
    stored = [row for row in rows if row["service"] == "1.02.K01" and row["quarter"] == 1]
    assert stored and Decimal(str(stored[0]["index"])).quantize(Decimal("0.01")) == EXPECTED_INDEX.quantize(
        Decimal("0.01")
    )
    report_api = client_for(reviewer).get(reverse("reporting-api:report-detail", args=[item_report.pk])).json()
    assert report_api["quality_item_list"]["version"] == item_report.quality_item_list.version
    assert {q["component"]: (q["required"], q["met"]) for q in report_api["quality"]}["barang_jasa"] == (80, 75)
    assert len(report_api["quality_items"]) == 11


def test_item_rows_carry_the_juknis_beside_them(item_report, operator_a, client_for):
    body = client_for(operator_a).get(item_report.get_absolute_url()).content.decode()
    first = _items(item_report)[0]
    field = anchors.form_field(anchors.item(first.item_id), "required")
    assert re.search(rf'name="{field}"[^>]*aria-describedby="juknis-item_required"', body, re.S)
    assert 'id="juknis-item_required"' in body
    # Scalar fields too, with the jenis's own definisi operasional for "terlayani".
    assert 'aria-describedby="id_served_juknis"' in body
    assert "paling sedikit 4 kali" in body


def test_report_page_query_count_does_not_grow_with_items(
    item_report, operator_a, client_for, django_assert_max_num_queries
):
    client = client_for(operator_a)
    with django_assert_max_num_queries(26) as first:
        client.get(item_report.get_absolute_url())
    component = item_report.quality_item_list.items.first().component
    for n in range(10):
        item = QualityItem.objects.create(item_list=item_report.quality_item_list, component=component, name=f"X{n}")
        QualityItemEntry.objects.create(report=item_report, item=item)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(item_report.get_absolute_url())
    assert response.content.decode().count('data-testid="item-') >= 21


def test_other_opd_cannot_save_items_of_our_report(item_report, operator_b):
    data = fill_items(item_report, operator_b, save=False)
    item_report.refresh_from_db()
    with pytest.raises(Exception) as error:  # noqa: PT011 - PermissionDenied from access.require
        report_save(report=item_report, user=operator_b, data=data, expected_version=item_report.version)
    assert error.type.__name__ == "PermissionDenied"
    assert not item_report.item_entries.exclude(required=None).exists()
