"""The completeness meter and the submission check are one rule (issue 12): the meter reads 100 % and
"Lengkap" only when ``report_submit`` accepts the report, names the exact input that blocks it, and
updates from the unsaved form while the operator types (``reporting:report-check``)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reporting import checks, selectors
from reporting.choices import ReportStatus
from reporting.models import QuarterlyReport
from reporting.services import evidence_add, report_submit
from tests.reporting.conftest import fill_completely, pdf_upload
from tests.reporting.test_entry_views import HTMX, form_data

pytestmark = pytest.mark.django_db

BLOCKED_BY_MUTU = {"barang_jasa": (40, 38), "sdm": (0, 0), "tata_cara": (4, 3)}


def check_url(report) -> str:
    return reverse("reporting:report-check", kwargs={"pk": report.pk})


def test_meter_and_submission_agree_on_a_report_blocked_by_a_mutu_row(report, operator_a):
    report = fill_completely(report, operator_a, quality=BLOCKED_BY_MUTU, scalars={"served": 900})
    detail = selectors.report_detail(report, operator_a)
    with pytest.raises(ValidationError) as exc:
        report_submit(report=report, user=operator_a, expected_version=report.version)
    refused = exc.value.message_dict
    assert set(refused) == {"quality-sdm"}
    states = {s.code: s for s in detail["sections"]}
    # Every section but B is filled; B names the mutu row and the very input that blocks it.
    assert [code for code, s in states.items() if not s.filled] == ["B"]
    assert detail["completeness_pct"] == 83
    [blocker] = states["B"].refused
    assert (blocker.anchor, blocker.field) == ("quality-sdm", "quality-sdm-required")
    assert refused["quality-sdm"] == [blocker.message]
    assert checks.submission_errors(detail["values"]) == refused


def test_meter_reads_100_exactly_when_the_submission_is_accepted(report, operator_a):
    report = fill_completely(report, operator_a, scalars={"served": 900})
    detail = selectors.report_detail(report, operator_a)
    assert detail["completeness_pct"] == 100 and all(s.filled for s in detail["sections"])
    report_submit(report=report, user=operator_a, expected_version=report.version)
    assert QuarterlyReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_report_page_names_outlines_and_links_the_blocking_mutu_input(client_for, operator_a, report):
    report = fill_completely(report, operator_a, quality=BLOCKED_BY_MUTU, scalars={"served": 900})
    body = client_for(operator_a).get(report.get_absolute_url()).content.decode()
    assert 'data-testid="persen-keterisian">83%' in body
    meter = body.split('id="completeness"')[1].split('id="figures-index"')[0]
    assert 'data-testid="meter-bagian-B" data-filled="0"' in meter
    assert 'data-field="id_quality-sdm-required"' in meter  # static/js/report-check.js outlines it
    assert 'href="#field-quality-sdm"' in meter and "harus lebih dari 0" in meter
    assert 'id="section-state-B"' in body and 'data-testid="keadaan-bagian-B" data-filled="0"' in body


def test_live_check_follows_the_unsaved_form_and_saves_nothing(client_for, operator_a, report):
    report = fill_completely(report, operator_a, scalars={"served": 900})
    client = client_for(operator_a)
    version = report.version
    response = client.post(check_url(report), form_data(report, **{"quality-sdm-required": "0"}), headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="persen-keterisian">83%' in body and 'data-field="id_quality-sdm-required"' in body
    assert 'hx-swap-oob="true"' in body  # the section badges, figures and flags follow out of band
    fresh = QuarterlyReport.objects.get(pk=report.pk)
    assert fresh.version == version and fresh.quality_entries.get(component__code="sdm").required == 12

    body = client.post(check_url(report), form_data(report), headers=HTMX).content.decode()
    assert 'data-testid="persen-keterisian">100%' in body and "data-field=" not in body


def test_live_check_names_an_input_the_form_refuses(client_for, operator_a, report):
    report = fill_completely(report, operator_a, scalars={"served": 900})
    body = (
        client_for(operator_a)
        .post(check_url(report), form_data(report, budget_allocated="1,5"), headers=HTMX)
        .content.decode()
    )
    assert 'data-field="id_budget_allocated"' in body and "bilangan bulat Rupiah" in body
    assert 'data-testid="meter-bagian-C" data-filled="0"' in body


def test_live_check_shows_typed_figures_before_saving(client_for, operator_a, report):
    report = fill_completely(report, operator_a, scalars={"served": 900})
    body = client_for(operator_a).post(check_url(report), form_data(report, served="1250"), headers=HTMX).content
    body = body.decode()
    assert 'data-testid="kumulatif">1.250<' in body
    assert 'data-testid="penghalang-served_justification"' in body  # 1.250 of 1.000 needs its explanation


@pytest.mark.parametrize("persona", ["reviewer", "leader", "operator_b"])
def test_live_check_is_refused_to_who_may_not_edit(request, client_for, operator_a, report, persona):
    report = fill_completely(report, operator_a, scalars={"served": 900})
    user = request.getfixturevalue(persona)
    response = client_for(user).post(check_url(report), form_data(report), headers=HTMX)
    assert response.status_code in (403, 404)
    assert response.status_code == (404 if persona == "operator_b" else 403)


def test_live_check_query_count_does_not_grow_with_evidence(
    client_for, operator_a, report, django_assert_max_num_queries
):
    report = fill_completely(report, operator_a, scalars={"served": 900})
    client = client_for(operator_a)
    with django_assert_max_num_queries(30) as first:
        client.post(check_url(report), form_data(report), headers=HTMX)
    for n in range(5):
        evidence_add(report=report, user=operator_a, upload=pdf_upload(f"bukti-{n}.pdf"))
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.post(check_url(report), form_data(report), headers=HTMX)


def test_completeness_is_remembered_per_values_and_language_and_follows_a_change(report, operator_a):
    from django.utils import translation

    from reporting.services.reports import report_values

    values = report_values(report, with_previous=False, served_before_total=0)
    first = checks.completeness(values)
    assert checks.completeness(values) == first  # the same values: the same sections
    with translation.override("en"):
        english = checks.completeness(values)
    missing = [text for section in first for text in section.missing]
    missing_en = [text for section in english for text in section.missing]
    assert missing and missing != missing_en  # the messages are in the language asked for, not the first one
    evidence_add(report=report, user=operator_a, upload=pdf_upload())
    report = QuarterlyReport.objects.get(pk=report.pk)
    after = checks.completeness(report_values(report, with_previous=False, served_before_total=0))
    section_f = {s.code: s for s in first}["F"]
    assert "Minimal satu dokumen pendukung" in section_f.missing
    assert "Minimal satu dokumen pendukung" not in {s.code: s for s in after}["F"].missing  # new values, new answer
