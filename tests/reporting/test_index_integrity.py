"""The IP-SPM cannot be gamed: mutu must be declared, the draft's index is the stored one, nothing reads 100
below 100 (issue 11; Permendagri 59/2021 Pasal 24 ayat (1), formula.md)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reporting import selectors
from reporting.achievements import formula
from reporting.achievements.services import active_rules
from reporting.choices import ReportStatus
from reporting.models import Achievement, AchievementLevel, AchievementRuleSet
from reporting.services import ReportInput, report_approve, report_save, report_submit
from spm.models import BasicService
from tests.pages import page_context
from tests.reporting.conftest import approved_report, fill_completely

pytestmark = pytest.mark.django_db

UNDECLARED = {"barang_jasa": (0, 0), "sdm": (0, 0), "tata_cara": (0, 0)}


def activate(version: str, **options) -> formula.RuleSet:
    """Make a rule set with these options the active one, as an admin would."""
    rules = formula.RuleSet(version=version, label=f"Uji {version}", **options)
    AchievementRuleSet.objects.update(is_active=False)
    AchievementRuleSet.objects.create(version=version, label=rules.label, rules=rules.to_dict(), is_active=True)
    return rules


def test_default_active_rule_set_is_the_strict_reading():
    _row, rules = active_rules()
    assert (rules.quality_declaration, rules.cap_each_component) == ("strict", True)


def test_mutu_declared_as_0_blocks_submission_naming_each_component(report, operator_a):
    report = fill_completely(report, operator_a, quality=UNDECLARED, scalars={"served": 1000, "flag_note": "Cek."})
    with pytest.raises(ValidationError) as exc:
        report_submit(report=report, user=operator_a, expected_version=report.version)
    errors = exc.value.message_dict
    assert {"quality-barang_jasa", "quality-sdm", "quality-tata_cara"} <= set(errors)
    assert "harus lebih dari 0" in errors["quality-sdm"][0]
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_draft_with_mutu_declared_as_0_is_not_shown_as_paripurna(report, operator_a):
    report = fill_completely(report, operator_a, quality=UNDECLARED, scalars={"served": 1000})
    detail = selectors.report_detail(report, operator_a)
    assert detail["figures"].index == Decimal(80)
    result = formula.service_index(1000, 1000, [(0, 0), (0, 0), (0, 0)])
    assert result.status == "tuntas_madya"


def test_lenient_rule_set_accepts_mutu_declared_as_0(report, operator_a):
    activate("uji-longgar", quality_declaration="lenient", cap_each_component=False)
    report = fill_completely(report, operator_a, quality=UNDECLARED, scalars={"served": 1000, "flag_note": "Cek."})
    report_submit(report=report, user=operator_a, expected_version=report.version)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    detail = selectors.report_detail(report, operator_a)
    assert detail["figures"].index == Decimal(100)  # renormalised, but never Paripurna
    assert detail["values"].rules.version == "uji-longgar"


def test_queue_tasks_and_report_page_read_completeness_by_the_same_active_rule_set(
    report, operator_a, reviewer, client_for
):
    """Under a rule set that accepts mutu declared as 0, the report page calls the report complete: the review
    queue and the OPD's task list must not call it incomplete by the default rule set."""
    activate("uji-longgar", quality_declaration="lenient", cap_each_component=False)
    report = fill_completely(report, operator_a, quality=UNDECLARED, scalars={"served": 1000, "flag_note": "Cek."})
    assert selectors.report_detail(report, operator_a)["completeness_pct"] == 100
    report_submit(report=report, user=operator_a, expected_version=report.version)
    body = client_for(reviewer).get(reverse("reporting:review-queue")).content.decode()
    assert f'data-report="{report.pk}"' in body and 'aria-valuenow="100"' in body
    _period, tasks = selectors.operator_tasks(operator_a, year=2026, quarter=2)
    assert [t.completeness_pct for t in tasks if t.report and t.report.pk == report.pk] == [100]


def test_tidak_berlaku_needs_a_reason_the_verifikator_reads(report, operator_a, reviewer, client_for):
    quality = {"barang_jasa": (40, 38), "sdm": (12, 12), "tata_cara": (0, 0)}
    report = fill_completely(report, operator_a, quality=quality, scalars={"served": 900})
    data = ReportInput(quality={"tata_cara": (0, 0)}, not_applicable={"tata_cara": ""})
    report_save(report=report, user=operator_a, data=data, expected_version=report.version)
    report.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        report_submit(report=report, user=operator_a, expected_version=report.version)
    assert "tata cara" in " ".join(exc.value.message_dict["__all__"]).lower()
    reason = "Juknis tata cara belum diterbitkan kementerian untuk tahun ini."
    data = ReportInput(quality={"tata_cara": (0, 0)}, not_applicable={"tata_cara": reason})
    report_save(report=report, user=operator_a, data=data, expected_version=report.version)
    report.refresh_from_db()
    report_submit(report=report, user=operator_a, expected_version=report.version)
    body = client_for(reviewer).get(reverse("reporting:review", args=[report.pk])).content.decode()
    assert reason in body
    detail = selectors.report_detail(report, reviewer)
    # 0,8 × 90 + 0,2 × (50 / 52 × 100): the tidak berlaku component is left out of %mutu
    expected = formula.service_index(900, 1000, [(40, 38), (12, 12)]).index
    assert detail["figures"].index == expected


def test_surplus_offset_is_refused_and_the_draft_does_not_show_it(report, operator_a):
    quality = {"barang_jasa": (10, 12), "sdm": (10, 0), "tata_cara": (4, 4)}
    report = fill_completely(report, operator_a, quality=quality, scalars={"served": 1000, "flag_note": "Cek."})
    detail = selectors.report_detail(report, operator_a)
    # barang/jasa counts as 10 of 10, not 12: (10 + 0 + 4) / 24, not (12 + 0 + 4) / 24
    assert detail["figures"].index == formula.service_index(1000, 1000, [(10, 10), (10, 0), (4, 4)]).index
    with pytest.raises(ValidationError) as exc:
        report_submit(report=report, user=operator_a, expected_version=report.version)
    assert "quality-barang_jasa" in exc.value.message_dict


def test_draft_index_is_computed_by_the_active_rule_set_exactly_as_the_stored_one(
    report, operator_a, reviewer, django_capture_on_commit_callbacks
):
    rules = activate("uji-bobot", weight_recipients=Decimal("0.5"), weight_quality=Decimal("0.5"))
    report = fill_completely(report, operator_a, scalars={"served": 700, "flag_note": "Cek."})
    draft = selectors.report_detail(report, operator_a)["figures"].index
    assert draft == formula.service_index(700, 1000, [(40, 38), (12, 12), (4, 3)], rules).index
    assert draft != formula.service_index(700, 1000, [(40, 38), (12, 12), (4, 3)]).index
    report_submit(report=report, user=operator_a, expected_version=report.version)
    with django_capture_on_commit_callbacks(execute=True):
        report_approve(report=report, user=reviewer)
    stored = Achievement.objects.get(
        region=report.region, year=2026, quarter=2, level=AchievementLevel.SERVICE, service=report.service
    )
    assert stored.rules.version == "uji-bobot"
    assert formula.display(stored.index) == formula.display(draft)
    assert abs(stored.index - draft) < Decimal("1e-10")  # SQLite keeps decimals only to double precision


def test_a_value_just_below_100_reads_99_99_on_the_report_page(report, operator_a, client_for):
    # 99 995 of 100 000 served, mutu met in full: 0,8 × 99,995 + 0,2 × 100 = 99,996
    quality = {"barang_jasa": (40, 40), "sdm": (12, 12), "tata_cara": (4, 4)}
    report = fill_completely(report, operator_a, quality=quality, scalars={"must_serve": 100000, "served": 99995})
    body = client_for(operator_a).get(report.get_absolute_url()).content.decode()
    index_part = body[body.index('data-testid="nilai-sementara"') :].split("</div>\n</div>")[0]
    assert "99,99" in index_part and "100,00" not in index_part
    assert "Tuntas Utama" in index_part and "Paripurna" not in index_part
    served_part = body[body.index('data-testid="persen-terlayani"') :][:80]
    assert "99,99 %" in served_part  # 99,995 % served


# --- missing triwulan and coverage ---------------------------------------------------------------------


def test_missing_triwulan_is_recorded_and_shown_never_silently_0(
    operator_a, reviewer, daerah, service_a, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for quarter, served in ((1, 240), (3, 250), (4, 230)):  # TW II never reported
            approved_report(operator_a, reviewer, daerah, service_a, 2025, quarter, served)
    tw4 = Achievement.objects.get(region=daerah, year=2025, quarter=4, level=AchievementLevel.SERVICE, is_current=True)
    assert tw4.served == 720
    assert (tw4.quarters_reported, tw4.missing_quarters) == ([1, 3, 4], [2])
    assert tw4.inputs["per_quarter"] == [240, None, 250, 230]
    dash = client_for(reviewer).get(reverse("reporting:dashboard"), {"tahun": 2025, "triwulan": 4}).content.decode()
    badge = dash[dash.index(f'data-testid="tw-belum-{service_a.code}"') :][:120]
    assert "TW II belum dilaporkan" in badge
    explain = client_for(reviewer).get(reverse("reporting:achievement-explain", args=[tw4.pk])).content.decode()
    assert "240 + 0 (TW II belum dilaporkan) + 250 + 230 = 720" in explain
    q4_report = tw4.report
    page = client_for(reviewer).get(q4_report.get_absolute_url()).content.decode()
    assert "TW II belum dilaporkan" in page[page.index('data-testid="angka-turunan-A"') :][:2000]


def test_daerah_with_1_of_29_services_shows_its_coverage_and_the_rankings_lists_every_daerah(
    operator_a, reviewer, daerah, service_a, provincial_viewer, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        approved_report(operator_a, reviewer, daerah, service_a, 2025, 1, 240)
    region_row = Achievement.objects.get(region=daerah, year=2025, quarter=1, level=AchievementLevel.REGION)
    affair_row = Achievement.objects.get(region=daerah, year=2025, quarter=1, level=AchievementLevel.AFFAIR)
    assert (region_row.services_counted, region_row.services_expected) == (1, 29)
    in_affair = BasicService.objects.for_region(daerah).active().filter(affair=service_a.affair).count()
    assert (affair_row.services_counted, affair_row.services_expected) == (1, in_affair)
    dash = client_for(reviewer).get(reverse("reporting:dashboard"), {"tahun": 2025, "triwulan": 1}).content.decode()
    assert "dari 1/29 jenis pelayanan" in dash[dash.index('data-testid="cakupan-daerah"') :][:200]
    assert "dari 1/" in dash[dash.index('data-testid="cakupan-urusan"') :][:600]
    explain = client_for(reviewer).get(reverse("reporting:achievement-explain", args=[region_row.pk])).content.decode()
    assert "cakupan: dari 1/29 jenis pelayanan" in explain
    assert "sebagai rata-rata urusan" in explain and "(dipakai aturan ini)" in explain
    assert "sebagai rata-rata jenis pelayanan" in explain and "(pembanding, tidak dipakai)" in explain
    ranking = client_for(provincial_viewer).get(reverse("reporting:ranking"), {"tahun": 2025, "triwulan": 1})
    rows = page_context(ranking)["rows"]
    province = daerah.parent
    expected = 1 + province.children.filter(level="kabupaten_kota").count()
    assert len(rows) == expected and rows[0].region == daerah and rows[0].rank == 1
    assert all(not row.has_data for row in rows[1:])
    body = ranking.content.decode()
    assert "dari 1/29 jenis pelayanan" in body
    assert body.count("Belum ada data") >= expected - 1


def test_rule_set_counting_missing_services_as_0_lowers_a_1_of_29_daerah(
    operator_a, reviewer, daerah, service_a, django_capture_on_commit_callbacks
):
    activate("uji-nol", missing_service="zero")
    with django_capture_on_commit_callbacks(execute=True):
        approved_report(operator_a, reviewer, daerah, service_a, 2025, 1, 240)
    service_row = Achievement.objects.get(region=daerah, year=2025, quarter=1, level=AchievementLevel.SERVICE)
    region_row = Achievement.objects.get(region=daerah, year=2025, quarter=1, level=AchievementLevel.REGION)
    assert service_row.index > region_row.index > 0
    assert region_row.inputs["missing_service"] == "zero"


# --- one source of truth for "harus dilayani" ----------------------------------------------------------


def _named_list(daerah, service, year, count):
    import datetime as dt

    from reporting.models import Recipient

    Recipient.objects.bulk_create(
        Recipient(
            region=daerah,
            service=service,
            year=year,
            nik=f"181201{i:010d}",
            name=f"Warga {i}",
            sex="P",
            birth_date=dt.date(1990, 1, 1),
            address="Jl. Contoh 1",
            service_date=dt.date(year, 2, 1),
            quarter=1,
        )
        for i in range(count)
    )


def test_harus_dilayani_reads_the_same_on_report_review_dashboard_and_api(
    operator_a, reviewer, daerah, service_a, client_for, django_capture_on_commit_callbacks
):
    from tests.targets.conftest import approved_target

    approved_target(operator_a, reviewer, daerah, service_a, 2025, must_serve=1200)
    _named_list(daerah, service_a, 2025, 1000)  # 200 fewer than the target: a gap of 16,67 % is flagged
    with django_capture_on_commit_callbacks(execute=True):
        report = approved_report(operator_a, reviewer, daerah, service_a, 2025, 1, 240, must_serve=1200)
    client = client_for(reviewer)

    def figure(body: str, testid: str) -> str:
        start = body.index(f'data-testid="{testid}"')
        return body[start:].split(">", 1)[1].split("<", 1)[0].strip()

    page = client.get(report.get_absolute_url()).content.decode()
    review = client.get(reverse("reporting:review", args=[report.pk])).content.decode()
    dash = client.get(reverse("reporting:dashboard"), {"tahun": 2025, "triwulan": 1}).content.decode()
    api = client.get(reverse("reporting-api:report-must-serve", args=[report.pk])).json()
    shown = {
        "laporan": figure(page, "harus-dilayani"),
        "verifikasi": figure(review, "harus-dilayani"),
        "dasbor": figure(dash, f"harus-dilayani-{service_a.code}"),
        "api": f"{api['value']:,}".replace(",", "."),
    }
    assert set(shown.values()) == {"1.200"}, shown
    assert (api["official"], api["named"], api["source"], api["gap_flagged"]) == (1200, 1000, "target", True)
    assert api["gap_pct"] == "16.67"
    assert 'data-testid="selisih-harus-dilayani"' in page and 'data-testid="selisih-harus-dilayani"' in review
    assert f'data-testid="selisih-{service_a.code}"' in dash
    stored = Achievement.objects.get(region=daerah, year=2025, quarter=1, level=AchievementLevel.SERVICE)
    assert stored.must_serve == 1200  # the index rests on the same figure


def test_harus_dilayani_api_is_scoped(operator_a, reviewer, outsider, daerah, service_a, client_for, report):
    url = reverse("reporting-api:report-must-serve", args=[report.pk])
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(reviewer).get(url).json()["source"] in {"report", ""}
