"""SPM Awards scorecard: the pure calculation on worked examples, the stored inputs, the ranking and the page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reporting.national import awards, scorecard
from tests.reporting.national_support import daerah_of, stored_figures

CRITERIA = scorecard.Criteria.from_dict(awards.default_criteria_data())


def _inputs(**values) -> scorecard.AwardInputs:
    return scorecard.AwardInputs(
        region_id=values.pop("region_id", 1), code=values.pop("code", "18.12"), name="X", **values
    )


def test_worked_example_without_tim_data_scales_the_other_weights():
    """IP-SPM 80, budget 750/1000 = 75, tahapan 2/4 = 50, on time 3/4 = 75, no Tim data:
    (40×80 + 20×75 + 15×50 + 15×75) / 90 = 6575 / 90 = 73,0555…"""
    inputs = _inputs(
        ip_spm=Decimal(80),
        budget_allocated=1000,
        budget_realised=750,
        stages_done=2,
        stages_total=4,
        reports_on_time=3,
        reports_due=4,
    )
    values = scorecard.criterion_values(inputs)
    assert values == {"ip_spm": 80, "budget": 75, "stages": 50, "team": None, "on_time": 75}
    total, missing = scorecard.score(values, CRITERIA)
    assert total == Decimal(6575) / Decimal(90)
    assert missing == ("team",)


def test_a_tim_in_place_counts_100_and_none_counts_0():
    with_team = scorecard.criterion_values(_inputs(ip_spm=Decimal(80), team=True))
    without = scorecard.criterion_values(_inputs(ip_spm=Decimal(80), team=False))
    assert (with_team["team"], without["team"]) == (100, 0)
    assert scorecard.score(with_team, CRITERIA)[0] == Decimal(40 * 80 + 10 * 100) / 50


def test_missing_zero_counts_a_criterion_without_data_as_0():
    zero = scorecard.Criteria.from_dict({**awards.default_criteria_data(), "missing": "zero"})
    total, missing = scorecard.score(scorecard.criterion_values(_inputs(ip_spm=Decimal(80))), zero)
    assert total == Decimal(40 * 80) / 100 and set(missing) == {"budget", "stages", "team", "on_time"}


def test_realisation_above_allocation_is_capped_at_100():
    assert scorecard.criterion_values(_inputs(budget_allocated=100, budget_realised=150))["budget"] == 100


def test_no_data_at_all_has_no_score_and_no_rank():
    cards = scorecard.scorecards([_inputs(), _inputs(region_id=2, code="18.01", ip_spm=Decimal(70))], CRITERIA)
    assert [(c.inputs.code, c.score_rank) for c in cards] == [("18.01", 1), ("18.12", None)]
    assert cards[1].score is None


def test_rank_by_score_and_by_ipspm_differ_when_the_criteria_do():
    high_index = _inputs(region_id=1, code="18.01", ip_spm=Decimal(95), budget_allocated=100, budget_realised=0)
    committed = _inputs(region_id=2, code="18.02", ip_spm=Decimal(85), budget_allocated=100, budget_realised=100)
    cards = {c.inputs.code: c for c in scorecard.scorecards([high_index, committed], CRITERIA)}
    assert (cards["18.01"].index_rank, cards["18.02"].index_rank) == (1, 2)
    assert (cards["18.01"].score_rank, cards["18.02"].score_rank) == (2, 1)


def test_unknown_criterion_or_rule_is_refused():
    with pytest.raises(ValueError):
        scorecard.Criteria.from_dict(
            {"version": "x", "label": "x", "criteria": [{"code": "x", "label": "x", "weight": 1}]}
        )
    with pytest.raises(ValueError):
        scorecard.Criteria.from_dict({**awards.default_criteria_data(), "missing": "maybe"})


@pytest.mark.django_db
def test_the_default_criteria_are_stored_as_an_assumed_version(reference_data):
    row, criteria = awards.active_criteria()
    assert row.is_active and "asumsi" in row.version.lower() and "tidak diatur" in row.source
    assert [c.code for c in criteria.criteria] == ["ip_spm", "budget", "stages", "team", "on_time"]


@pytest.mark.django_db
def test_inputs_come_from_stored_rows(reference_data):
    lampung = daerah_of(["18"])
    stored_figures(lampung, year=2025, quarter=3, late_codes={"18.12"})
    items = {i.code: i for i in awards.award_inputs(year=2025, on=dt.date(2026, 2, 1))}
    tubaba = items["18.12"]
    assert (tubaba.quarter, tubaba.budget_allocated, tubaba.budget_realised) == (3, 1_000_000, 750_000)
    assert (tubaba.stages_done, tubaba.stages_total) == (2, 4)
    assert (tubaba.reports_on_time, tubaba.reports_due) == (0, 29)  # one period due, 29 jenis, its report late
    assert items["18.71"].reports_on_time == 1
    assert tubaba.team is False  # no Tim Penerapan recorded: the criterion reads 0, not "belum tersedia"
    assert items["11"].ip_spm is None and len(items) == 552


@pytest.mark.django_db
def test_awards_page_queries_do_not_grow_with_provinces(client, national_user):
    client.force_login(national_user)
    url = reverse("reporting:awards") + "?tahun=2025"
    awards.active_criteria()  # stored on first use: not part of the page's steady cost
    stored_figures(daerah_of(["18"]), year=2025, quarter=3)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    stored_figures(daerah_of(["11", "12", "31", "32"]), year=2025, quarter=3)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many.captured_queries) == len(one.captured_queries) <= 16
    page = response.content.decode()
    assert "data belum tersedia" in page and "asumsi" in page.lower()
    by_index = client.get(url + "&urut=ipspm&provinsi=18")
    assert by_index.status_code == 200 and 'data-testid="awards-18.12"' in by_index.content.decode()


@pytest.mark.django_db
def test_a_tim_in_place_counts_for_its_daerah_only(reference_data, reviewer, daerah):
    """The criterion reads the Tim Penerapan SPM through the targets app's one rule (SK, file, ketua)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from targets.services import MemberInput, team_member_add, team_save
    from tests.reporting.conftest import PDF_BYTES

    team = team_save(
        user=reviewer,
        region=daerah,
        decree_number="100.3.3/45/2025",
        decree_date=dt.date(2025, 2, 3),
        decree_upload=SimpleUploadedFile("sk.pdf", PDF_BYTES, content_type="application/pdf"),
    )
    team_member_add(user=reviewer, team=team, data=MemberInput("Drs. Budi", "Sekretaris Daerah", "ketua", None))
    other = next(r for r in daerah_of(["18"]) if r.pk != daerah.pk)
    teams = awards.team_in_place([daerah.pk, other.pk], 2025)
    assert teams == {daerah.pk: True, other.pk: False}
    assert awards.team_in_place([daerah.pk], 2024) == {daerah.pk: False}  # the SK is of 2025
