"""The OPD operator's pages: tasks, the report page (entry form or read-only), save, submit, evidence,
prefill, history and notifications — with every persona, including those who must be refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from reporting.choices import ReportStatus
from reporting.context_processors import notifications as notifications_context
from reporting.forms import initial_for
from reporting.models import Evidence, FieldChange, Notification, QuarterlyReport
from reporting.services import (
    CommentInput,
    ReportInput,
    evidence_add,
    period_close,
    period_get_or_create,
    quarter_of,
    report_approve,
    report_open,
    report_return,
    report_save,
    report_submit,
)
from spm.models import BasicService
from spm.services import service_assign
from tests.reporting.conftest import PDF_BYTES, complete_input, fill_completely, pdf_upload

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def form_data(report: QuarterlyReport, **overrides) -> dict[str, str]:
    """What the browser posts for the report as stored, with ``overrides`` typed over it."""
    report = QuarterlyReport.objects.get(pk=report.pk)
    data = {name: "" if value is None else str(value) for name, value in initial_for(report).items()}
    data.update({name: str(value) for name, value in overrides.items()})
    return data


def url(name: str, report_or_pk) -> str:
    return reverse(f"reporting:{name}", kwargs={"pk": getattr(report_or_pk, "pk", report_or_pk)})


@pytest.fixture
def evidence(report, operator_a) -> Evidence:
    return evidence_add(report=report, user=operator_a, upload=pdf_upload("rekap-ibu-hamil.pdf"), description="Rekap")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- Who may see and do what ----------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_the_login_page(client, report, evidence):
    for target in [
        reverse("reporting:tasks"),
        url("report-detail", report),
        url("evidence-download", evidence),
        reverse("reporting:notifications"),
    ]:
        response = client.get(target)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), target
    response = client.post(url("report-save", report), form_data(report, must_serve=5))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert QuarterlyReport.objects.get(pk=report.pk).must_serve is None


@pytest.mark.parametrize("persona", ["operator_b", "outsider"])
def test_out_of_scope_users_get_404_for_the_report_and_its_evidence(request, client_for, persona, report, evidence):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(url("report-detail", report)).status_code == 404
    assert client.get(url("evidence-download", evidence)).status_code == 404
    assert client.post(url("report-save", report), form_data(report, must_serve=5)).status_code == 404
    assert client.post(url("report-submit", report), form_data(report)).status_code == 404
    assert client.post(url("report-prefill", report), {"version": report.version}).status_code == 404
    assert client.post(url("evidence-upload", report), {"file": pdf_upload()}).status_code == 404
    assert client.post(url("evidence-delete", evidence)).status_code == 404
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert QuarterlyReport.objects.get(pk=report.pk).must_serve is None


@pytest.mark.parametrize("persona", ["reviewer", "leader", "provincial_viewer"])
def test_reviewer_leader_and_province_see_the_report_read_only_and_cannot_change_it(
    request, client_for, persona, report, operator_a, evidence
):
    report_save(
        report=report, user=operator_a, data=ReportInput(scalars={"budget_allocated": 150_000_000}), expected_version=1
    )
    client = client_for(request.getfixturevalue(persona))
    body = client.get(url("report-detail", report)).content.decode()
    assert 'data-testid="mode-baca"' in body and 'data-testid="form-laporan"' not in body
    assert "Rp 150.000.000" in body and "rekap-ibu-hamil.pdf" in body
    assert client.get(url("evidence-download", evidence)).status_code == 200
    assert client.post(url("report-save", report), form_data(report, must_serve=5)).status_code == 403
    assert client.post(url("report-submit", report), form_data(report)).status_code == 403
    assert client.post(url("report-prefill", report), {"version": 2}).status_code == 403
    assert client.post(url("evidence-upload", report), {"file": pdf_upload()}).status_code == 403
    assert client.post(url("evidence-delete", evidence)).status_code == 403
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert QuarterlyReport.objects.get(pk=report.pk).must_serve is None


def test_approved_report_is_locked_for_its_operator(client_for, report, operator_a, reviewer):
    report = fill_completely(report, operator_a)
    report_submit(report=report, user=operator_a, expected_version=report.version)
    report_approve(report=report, user=reviewer)
    client = client_for(operator_a)
    body = client.get(url("report-detail", report)).content.decode()
    assert 'data-testid="form-laporan"' not in body and "Laporan sudah disetujui dan dikunci." in body
    assert client.post(url("report-save", report), form_data(report, must_serve=5)).status_code == 403


# --- Tugas saya triwulan ini ----------------------------------------------------------------------------


def test_tasks_list_every_service_of_the_opd_with_status_completeness_and_days_left(
    client_for, operator_a, report, period, agency_b
):
    report_save(report=report, user=operator_a, data=complete_input(), expected_version=1)
    client = client_for(operator_a)
    body = client.get(reverse("reporting:tasks"), {"tahun": 2026, "triwulan": 2}).content.decode()
    assert body.count('data-testid="tugas-') == 3
    assert "Pelayanan kesehatan ibu hamil" in body and "Pelayanan kesehatan bayi baru lahir" in body
    assert "Pendidikan Dasar" not in body  # OPD B's
    assert 'data-status="draft"' in body and body.count('data-status="not_started"') == 2
    assert ">83%<" in body  # A–E filled, F (evidence) missing: 5 of 6 sections
    assert 'data-days="30"' in body and "30 hari lagi" in body
    assert "TW II 2026" in body


def test_tasks_show_the_days_late_after_the_due_date(client_for, operator_a, period):
    period.due_date = timezone.localdate() - dt.timedelta(days=3)
    period.opens_on = period.due_date - dt.timedelta(days=90)
    period.save()
    body = client_for(operator_a).get(reverse("reporting:tasks"), {"tahun": 2026, "triwulan": 2}).content.decode()
    assert 'data-days="-3"' in body and "lewat 3 hari" in body
    assert body.count('data-testid="lencana-terlambat"') == 3  # not submitted once the due date has passed


def test_tasks_default_to_the_current_triwulan(client_for, operator_a):
    year, quarter = quarter_of(timezone.localdate())
    body = client_for(operator_a).get(reverse("reporting:tasks")).content.decode()
    roman = {1: "I", 2: "II", 3: "III", 4: "IV"}[quarter]
    assert "Tugas saya triwulan ini" in body and f"TW {roman} {year}" in body


def test_bad_period_parameters_fall_back_to_the_current_triwulan(client_for, operator_a):
    response = client_for(operator_a).get(reverse("reporting:tasks"), {"tahun": "abc", "triwulan": "9"})
    assert response.status_code == 200 and "Tugas saya triwulan ini" in response.content.decode()


def test_tasks_query_count_does_not_grow_with_the_number_of_services(
    client_for, operator_a, agency_a, daerah, period, django_assert_max_num_queries
):
    client = client_for(operator_a)
    params = {"tahun": 2026, "triwulan": 2}
    # 13: one of them computes the operator's access scope (the jenis its OPD is pengampu of), one reads the
    # active rule set (the completeness shown is the report page's).
    # + 3: the data version and the user's permissions, the key of the page's cached part (spm.fragments).
    with django_assert_max_num_queries(16):
        client.get(reverse("reporting:tasks"), params)
    codes = [f"1.02.K{n:02d}" for n in range(4, 13)] + ["1.03.K1", "1.03.K2", "1.04.K1"]
    for service in BasicService.objects.filter(code__in=codes):
        service_assign(region=daerah, service=service, agency=agency_a)
        report = report_open(user=operator_a, period=period, service=service)
        report_save(report=report, user=operator_a, data=ReportInput(scalars={"must_serve": 10}), expected_version=1)
        evidence_add(report=report, user=operator_a, upload=pdf_upload())
    with django_assert_max_num_queries(16):
        body = client.get(reverse("reporting:tasks"), params).content.decode()
    assert body.count('data-testid="tugas-') == 15


def test_read_only_list_query_count_does_not_grow_with_reports(
    client_for, operator_a, reviewer, agency_a, daerah, period, django_assert_max_num_queries
):
    client = client_for(reviewer)
    params = {"tahun": 2026, "triwulan": 2}
    for service in BasicService.objects.filter(code__in=[f"1.02.K{n:02d}" for n in range(1, 13)]):
        service_assign(region=daerah, service=service, agency=agency_a)
        report = report_open(user=operator_a, period=period, service=service)
        evidence_add(report=report, user=operator_a, upload=pdf_upload())
    with django_assert_max_num_queries(12):  # one reads the active rule set; 3 the key of the cached part
        body = client.get(reverse("reporting:tasks"), params).content.decode()
    assert body.count('data-testid="status-laporan"') == 12


def test_operator_starts_a_report_from_the_task_list(client_for, operator_a, period, service_a):
    response = client_for(operator_a).post(
        reverse("reporting:report-open"), {"service": service_a.pk, "tahun": 2026, "triwulan": 2}
    )
    report = QuarterlyReport.objects.get(period=period, service=service_a)
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    assert report.quality_entries.count() == 3 and report.stages.count() == 4


def test_no_new_report_is_started_in_a_closed_period(client_for, operator_a, admin_user, period, service_a):
    period_close(period=period, user=admin_user)
    client = client_for(operator_a)
    body = client.get(reverse("reporting:tasks"), {"tahun": 2026, "triwulan": 2}).content.decode()
    assert "mulai-laporan" not in body and "Periode ditutup" in body
    response = client.post(
        reverse("reporting:report-open"), {"service": service_a.pk, "tahun": 2026, "triwulan": 2}, follow=True
    )
    assert "sudah ditutup; laporan baru tidak dapat dibuat" in response.content.decode()
    assert not QuarterlyReport.objects.exists()


def test_operator_cannot_start_another_opds_report(client_for, operator_b, period, service_a, agency_a):
    response = client_for(operator_b).post(
        reverse("reporting:report-open"), {"service": service_a.pk, "tahun": 2026, "triwulan": 2}
    )
    assert response.status_code == 404 and not QuarterlyReport.objects.exists()


@pytest.mark.parametrize("persona", ["reviewer", "leader", "admin_user"])
def test_only_operators_start_reports(request, client_for, persona, period, service_a, agency_a):
    client = client_for(request.getfixturevalue(persona))
    response = client.post(reverse("reporting:report-open"), {"service": service_a.pk, "tahun": 2026, "triwulan": 2})
    assert response.status_code == 404 and not QuarterlyReport.objects.exists()


def test_reviewer_sees_a_read_only_list_and_the_outsider_none_of_ours(client_for, report, reviewer, outsider):
    params = {"tahun": 2026, "triwulan": 2}
    body = client_for(reviewer).get(reverse("reporting:tasks"), params).content.decode()
    assert report.get_absolute_url() in body and "mulai-laporan" not in body
    body = client_for(outsider).get(reverse("reporting:tasks"), params).content.decode()
    assert report.get_absolute_url() not in body and "Belum ada laporan untuk triwulan ini" in body


def test_navigation_shows_quarterly_reports_to_operators(client_for, operator_a, reviewer):
    body = client_for(operator_a).get(reverse("home")).content.decode()
    assert "Laporan triwulan" in body and 'data-testid="tautan-tugas"' in body
    assert reverse("reporting:tasks") + '"' not in client_for(reviewer).get(reverse("home")).content.decode()


# --- The report page ------------------------------------------------------------------------------------


def test_report_page_shows_header_meter_flags_and_every_section(client_for, operator_a, report):
    report_save(
        report=report,
        user=operator_a,
        data=ReportInput(scalars={"must_serve": 100, "served": 120, "budget_allocated": 1_000, "budget_realised": 10}),
        expected_version=1,
    )
    body = client_for(operator_a).get(url("report-detail", report)).content.decode()
    for testid in [
        "judul-laporan",
        "status-laporan",
        "sisa-hari",
        "meter-keterisian",
        "peringatan-data",
        "form-laporan",
        "tombol-simpan",
        "tombol-ajukan",
        *[f"bagian-{code}" for code in "ABCDEF"],
    ]:
        assert f'data-testid="{testid}"' in body, testid
    assert "Pelayanan kesehatan ibu hamil" in body and "Dinas Kesehatan" in body and "TW II 2026" in body
    # Only C of six sections: A holds 120 served of 100 without the explanation and the note the submission
    # asks for, so the meter names them instead of calling A complete.
    assert 'data-testid="persen-keterisian">17%' in body
    assert 'data-testid="penghalang-served_justification"' in body and 'data-testid="penghalang-flag_note"' in body
    assert "B. Mutu minimal layanan dasar" in body and "Minimal satu dokumen pendukung" in body
    assert 'data-testid="peringatan-served_above_target"' in body  # 120 served of 100: a flag, not a block
    assert 'name="version" id="id_version" value="2"' in body
    assert 'value="1.000"' in body  # Rupiah shown with thousands separators in the input


def test_report_page_query_count_does_not_grow_with_evidence(
    client_for, operator_a, report, django_assert_max_num_queries
):
    client = client_for(operator_a)
    evidence_add(report=report, user=operator_a, upload=pdf_upload())
    # 24 for the page, + the report alone, the data version and the permissions (its cached part's key).
    with django_assert_max_num_queries(27) as first:
        client.get(url("report-detail", report))
    for n in range(10):
        evidence_add(report=report, user=operator_a, upload=pdf_upload(f"bukti-{n}.pdf"))
    report_save(report=report, user=operator_a, data=complete_input(), expected_version=report.version)
    # A filled report reads one more row (its figures' flags); ten more files cost nothing more.
    with django_assert_max_num_queries(len(first.captured_queries) + 1):
        body = client.get(url("report-detail", report)).content.decode()
    assert body.count('data-testid="bukti"') == 11


def test_reviewer_page_query_count_is_bounded(client_for, operator_a, reviewer, report, django_assert_max_num_queries):
    report = fill_completely(report, operator_a)
    for n in range(5):
        evidence_add(report=report, user=operator_a, upload=pdf_upload(f"bukti-{n}.pdf"))
    report.refresh_from_db()
    report_submit(report=report, user=operator_a, expected_version=report.version)
    client = client_for(reviewer)
    # 21: the report's history includes the provinsi's requests for correction (one query, issue 14) and the
    # mutu items are prefetched (one query, issue 11)
    with django_assert_max_num_queries(24):  # 21 + the report alone, the data version, the permissions
        response = client.get(url("report-detail", report))
    assert response.status_code == 200


# --- Save draft -------------------------------------------------------------------------------------------


def test_save_draft_without_htmx_redirects_back_and_shows_the_derived_figures(client_for, operator_a, report):
    client = client_for(operator_a)
    response = client.post(url("report-save", report), form_data(report, must_serve="1.000", served="240"))
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    report.refresh_from_db()
    assert (report.must_serve, report.served, report.version) == (1000, 240, 2)
    body = client.get(response["Location"]).content.decode()
    assert "Draf laporan tersimpan." in body
    assert 'data-testid="kumulatif">240<' in body and 'data-testid="belum-terlayani">760<' in body
    assert 'data-testid="persen-terlayani">24,00 %<' in body


def test_save_draft_with_htmx_returns_the_figures_meter_and_flags_without_a_reload(client_for, operator_a, report):
    data = form_data(
        report, must_serve="1000", served="240", budget_allocated="150.000.000", budget_realised="30000000"
    )
    response = client_for(operator_a).post(url("report-save", report), data, headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'data-testid="pesan-tersimpan"' in body
    assert 'id="figures-A"' in body and 'data-testid="belum-terlayani">760<' in body
    assert 'id="figures-C"' in body and 'data-testid="persen-realisasi">20,00 %<' in body
    assert 'id="completeness"' in body and 'id="flags"' in body and body.count('hx-swap-oob="true"') >= 5
    assert 'name="version" id="id_version" value="2" hx-swap-oob="true"' in body
    report.refresh_from_db()
    assert report.budget_allocated == 150_000_000


def test_rupiah_with_dots_as_thousands_separators_is_read_as_an_integer(client_for, operator_a, report):
    client_for(operator_a).post(
        url("report-save", report), form_data(report, budget_allocated="Rp 150.000.000", budget_realised="7500000")
    )
    report.refresh_from_db()
    assert (report.budget_allocated, report.budget_realised) == (150_000_000, 7_500_000)


@pytest.mark.parametrize(
    "field,typed,message",
    [
        ("budget_allocated", "150.000,50", "Alokasi anggaran harus berupa bilangan bulat Rupiah tanpa sen"),
        ("budget_realised", "1,5", "Realisasi anggaran harus berupa bilangan bulat Rupiah tanpa sen"),
        ("budget_allocated", "-150000", "Alokasi anggaran tidak boleh negatif."),
        ("served", "-5", "Jumlah terlayani triwulan ini tidak boleh negatif."),
        ("must_serve", "12.5", "Jumlah yang harus dilayani harus berupa bilangan bulat tanpa desimal"),
        (
            "quality-sdm-met",
            "dua",
            "Standar jumlah dan kualitas personel / sumber daya manusia: terpenuhi harus berupa",
        ),
        ("problems", "x" * 5001, "Permasalahan paling banyak 5000 karakter"),
    ],
)
def test_invalid_input_is_refused_next_to_the_field_naming_it(client_for, operator_a, report, field, typed, message):
    data = form_data(report, **{"served": "10", field: typed})
    response = client_for(operator_a).post(url("report-save", report), data)
    body = response.content.decode()
    assert response.status_code == 200
    error_start = body.index(f'data-testid="galat-{field}"')
    assert message in body[error_start : error_start + 400]
    assert f'value="{typed}"' in body or typed in body  # what was typed stays on the form
    report.refresh_from_db()
    assert report.version == 1 and report.served is None  # nothing saved


@pytest.mark.parametrize(
    "typed,expected",
    [("150000000", 150_000_000), ("150.000.000", 150_000_000), ("Rp 1.500", 1500), ("0", 0), ("", None), ("7", 7)],
)
def test_rupiah_field_reads_plain_or_dotted_whole_numbers(typed, expected):
    from reporting.forms import WholeNumberField

    assert WholeNumberField(label="Alokasi anggaran", rupiah=True).clean(typed) == expected


@pytest.mark.parametrize("typed", ["1,5", "150.000,00", "15.00", "1.5000", "abc", "-1", "1e6"])
def test_whole_number_field_refuses_decimals_and_negatives_naming_the_field(typed):
    from django.core.exceptions import ValidationError

    from reporting.forms import WholeNumberField

    with pytest.raises(ValidationError) as error:
        WholeNumberField(label="Jumlah yang harus dilayani").clean(typed)
    assert error.value.messages[0].startswith("Jumlah yang harus dilayani ")


def test_invalid_input_with_htmx_swaps_the_page_with_the_errors(client_for, operator_a, report):
    response = client_for(operator_a).post(url("report-save", report), form_data(report, served="-1"), headers=HTMX)
    assert response["HX-Retarget"] == "#report-main" and response["HX-Reswap"].startswith("outerHTML")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="report-main"') and "tidak boleh negatif" in body


def test_save_after_errors_with_htmx_redraws_the_page_without_them(client_for, operator_a, report):
    data = form_data(report, served="240", had_errors="1")
    response = client_for(operator_a).post(url("report-save", report), data, headers=HTMX)
    assert response["HX-Retarget"] == "#report-main"
    body = response.content.decode()
    assert 'data-testid="pesan-tersimpan"' in body and 'data-testid="galat-isian"' not in body
    assert 'name="version" id="id_version" value="2"' in body


def test_second_save_from_a_stale_page_is_refused_and_keeps_nothing(client_for, operator_a, report):
    client = client_for(operator_a)
    stale = form_data(report)  # both "tabs" loaded version 1
    client.post(url("report-save", report), {**stale, "served": "100"})
    response = client.post(url("report-save", report), {**stale, "served": "999"}, follow=True)
    assert "sudah diubah oleh" in response.content.decode()
    report.refresh_from_db()
    assert (report.served, report.version) == (100, 2)
    response = client.post(url("report-save", report), {**stale, "served": "555"}, headers=HTMX)
    body = response.content.decode()
    assert 'data-testid="pesan-bentrok"' in body and "sudah diubah oleh" in body
    report.refresh_from_db()
    assert report.served == 100


def test_missing_version_is_refused(client_for, operator_a, report):
    data = form_data(report, served="10")
    del data["version"]
    body = client_for(operator_a).post(url("report-save", report), data).content.decode()
    assert "Versi laporan tidak terbaca" in body
    assert QuarterlyReport.objects.get(pk=report.pk).served is None


# --- Submit -----------------------------------------------------------------------------------------------


def test_submit_is_blocked_when_incomplete_with_the_list_of_sections_and_saves_nothing(client_for, operator_a, report):
    response = client_for(operator_a).post(
        url("report-submit", report), form_data(report, must_serve="1000", served="10")
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="galat-pengajuan"' in body
    assert "Bagian B. Mutu minimal layanan dasar belum lengkap" in body
    assert "Bagian C. Anggaran belum lengkap: Alokasi anggaran, Realisasi anggaran." in body
    assert "Bagian F. Dokumen pendukung belum lengkap" in body
    assert "Bagian A. Penerima layanan dasar" not in body.split('data-testid="galat-pengajuan"')[1].split("</ul>")[0]
    assert 'value="1000"' in body  # what the user typed is still on the form
    before = report.must_serve
    report.refresh_from_db()
    # "Simpan dan ajukan" is one transaction: a refused submission saves nothing.
    assert report.status == ReportStatus.DRAFT and report.must_serve == before


def test_submit_shows_a_missing_justification_next_to_its_field(client_for, operator_a, report):
    report = fill_completely(report, operator_a)
    data = form_data(report, served="1500", flag_note="Ada pendataan ulang.")
    body = client_for(operator_a).post(url("report-submit", report), data).content.decode()
    start = body.index('data-testid="galat-served_justification"')
    assert "tuliskan penjelasannya" in body[start : start + 300]
    assert QuarterlyReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_complete_report_is_submitted_and_becomes_read_only(client_for, operator_a, reviewer, report):
    report = fill_completely(report, operator_a)
    client = client_for(operator_a)
    response = client.post(url("report-submit", report), form_data(report), follow=True)
    body = response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and not report.is_late
    assert "Laporan diajukan ke verifikator" in body and 'data-status="submitted"' in body
    assert 'data-testid="form-laporan"' not in body
    assert Notification.objects.filter(user=reviewer, report=report).exists()


def test_submit_with_htmx_redirects_the_browser(client_for, operator_a, report):
    report = fill_completely(report, operator_a)
    response = client_for(operator_a).post(url("report-submit", report), form_data(report), headers=HTMX)
    assert response["HX-Redirect"] == report.get_absolute_url()


def test_submit_blocked_with_htmx_swaps_the_page_with_the_list(client_for, operator_a, report):
    response = client_for(operator_a).post(url("report-submit", report), form_data(report), headers=HTMX)
    assert response["HX-Retarget"] == "#report-main"
    assert "Laporan belum dapat diajukan" in response.content.decode()


# --- Evidence -------------------------------------------------------------------------------------------


def test_upload_lists_the_evidence_with_who_uploaded_it(client_for, operator_a, report):
    client = client_for(operator_a)
    response = client.post(url("evidence-upload", report), {"file": pdf_upload("sk-tim.pdf"), "description": "SK"})
    assert response.status_code == 302 and response["Location"].endswith("#section-F")
    evidence = Evidence.objects.get(report=report)
    assert evidence.original_name == "sk-tim.pdf" and evidence.uploaded_by == operator_a
    body = client.get(url("report-detail", report)).content.decode()
    assert "sk-tim.pdf" in body and "operator_a" in body and url("evidence-download", evidence) in body


def test_upload_with_htmx_returns_the_evidence_panel_and_the_meter(client_for, operator_a, report):
    response = client_for(operator_a).post(url("evidence-upload", report), {"file": pdf_upload("sk.pdf")}, headers=HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="evidence-panel"') and "sk.pdf" in body
    assert (
        'id="completeness" class="card shadow-sm mb-3 meter" data-testid="meter-keterisian" hx-swap-oob="true"' in body
    )
    assert 'id="section-state-F"' in body


def test_upload_refuses_a_file_whose_content_does_not_match_its_extension(client_for, operator_a, report):
    fake = SimpleUploadedFile("laporan.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    body = client_for(operator_a).post(url("evidence-upload", report), {"file": fake}).content.decode()
    start = body.index('data-testid="galat-berkas"')
    assert "tidak sesuai dengan ekstensinya .pdf" in body[start : start + 300]
    assert not Evidence.objects.exists()


def test_upload_without_a_file_names_the_field(client_for, operator_a, report):
    body = client_for(operator_a).post(url("evidence-upload", report), {"description": "x"}).content.decode()
    assert "Berkas: pilih berkas yang akan diunggah." in body


def test_download_returns_the_file_as_an_attachment(client_for, operator_a, reviewer, evidence):
    for user in (operator_a, reviewer):
        response = client_for(user).get(url("evidence-download", evidence))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert "rekap-ibu-hamil.pdf" in response["Content-Disposition"]
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content) == PDF_BYTES


def test_delete_evidence_removes_it_and_records_the_change(client_for, operator_a, report, evidence):
    response = client_for(operator_a).post(url("evidence-delete", evidence))
    assert response.status_code == 302
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    assert FieldChange.objects.filter(report=report, field="evidence", old_value="rekap-ibu-hamil.pdf").exists()


def test_delete_evidence_with_htmx_returns_the_panel(client_for, operator_a, report, evidence):
    body = client_for(operator_a).post(url("evidence-delete", evidence), headers=HTMX).content.decode()
    assert body.lstrip().startswith('<div id="evidence-panel"') and 'data-testid="tanpa-bukti"' in body


# --- Prefill from last triwulan ---------------------------------------------------------------------------


def test_prefill_copies_must_serve_and_mutu_targets_from_the_previous_triwulan(
    client_for, operator_a, daerah, service_a, report
):
    q1 = period_get_or_create(region=daerah, year=2026, quarter=1)
    previous = report_open(user=operator_a, period=q1, service=service_a)
    report_save(report=previous, user=operator_a, data=complete_input(), expected_version=1)
    client = client_for(operator_a)
    assert "Salin dari TW I 2026" in client.get(url("report-detail", report)).content.decode()
    response = client.post(url("report-prefill", report), {"version": report.version}, follow=True)
    assert "Isian disalin dari triwulan sebelumnya" in response.content.decode()
    report.refresh_from_db()
    assert report.must_serve == 1000 and report.served is None
    assert report.quality_entries.get(component__code="sdm").required == 12


def test_prefill_without_a_previous_report_says_so(client_for, operator_a, report):
    response = client_for(operator_a).post(url("report-prefill", report), {"version": 1}, follow=True)
    assert "Belum ada laporan triwulan sebelumnya" in response.content.decode()


def test_prefill_with_htmx_reloads_the_page(client_for, operator_a, report):
    response = client_for(operator_a).post(url("report-prefill", report), {"version": 1}, headers=HTMX)
    assert response["HX-Redirect"] == report.get_absolute_url()


# --- History and the verifikator's comments ---------------------------------------------------------------


def test_history_shows_each_change_old_to_new_and_each_transition(client_for, operator_a, report):
    client = client_for(operator_a)
    client.post(url("report-save", report), form_data(report, must_serve="1000"))
    client.post(url("report-save", report), form_data(report, must_serve="1200"))
    report = fill_completely(report, operator_a)
    client.post(url("report-submit", report), form_data(report))
    body = client.get(url("report-detail", report)).content.decode()
    history = body[body.index('data-testid="riwayat-perubahan"') :]
    rows = [row.split("</tr>")[0] for row in history.split('data-testid="perubahan-must_serve"')[1:]]
    assert len(rows) == 3  # newest first: 1.200 → 1.000 (fill_completely), 1.000 → 1.200, (kosong) → 1.000
    newer, older = rows[1], rows[2]
    assert "Jumlah yang harus dilayani" in newer and operator_a.get_full_name() in newer
    assert 'old">1.000<' in newer and 'new">1.200<' in newer
    assert "(kosong)" in older and 'new">1.000<' in older
    transitions = body[body.index('data-testid="riwayat-status"') :].split("</table>")[0]
    assert 'data-status="draft"' in transitions and 'data-status="submitted"' in transitions


def test_returned_report_shows_the_comments_as_a_to_do_list_anchored_to_fields(
    client_for, operator_a, reviewer, report
):
    report = fill_completely(report, operator_a)
    report_submit(report=report, user=operator_a, expected_version=report.version)
    report_return(
        report=report,
        user=reviewer,
        comments=[
            CommentInput("served", "Angka terlayani tidak sesuai rekap puskesmas."),
            CommentInput("C", "Lampirkan DPA."),
        ],
        summary="Mohon diperbaiki sebelum tanggal 20.",
    )
    body = client_for(operator_a).get(url("report-detail", report)).content.decode()
    todo = body[body.index('data-testid="daftar-catatan"') :].split("</div>\n            </div>")[0]
    assert "2 catatan verifikator perlu ditindaklanjuti" in todo
    assert 'href="#field-served"' in todo and "A. Penerima layanan dasar — Jumlah terlayani triwulan ini" in todo
    assert 'href="#section-C"' in todo and "Lampirkan DPA." in todo
    assert "Mohon diperbaiki sebelum tanggal 20." in todo
    field = body[body.index('id="field-served"') - 80 :].split('data-testid="isian-served_justification"')[0]
    assert "has-comment" in field and "Angka terlayani tidak sesuai rekap puskesmas." in field
    assert 'data-status="returned"' in body and 'data-testid="form-laporan"' in body


# --- Notifications ------------------------------------------------------------------------------------------


def test_notifications_page_lists_them_and_marks_them_read(client_for, operator_a, reviewer, report):
    report = fill_completely(report, operator_a)
    report_submit(report=report, user=operator_a, expected_version=report.version)
    report_return(report=report, user=reviewer, comments=[CommentInput("D", "Perjelas solusi.")])
    client = client_for(operator_a)
    body = client.get(reverse("reporting:notifications")).content.decode()
    assert "dikembalikan dengan 1 catatan" in body and report.get_absolute_url() in body
    assert 'data-testid="lencana-notifikasi">1<' in body
    notification = Notification.objects.get(user=operator_a)
    response = client.post(reverse("reporting:notifications-read"), {"id": notification.pk}, follow=True)
    body = response.content.decode()
    assert 'data-testid="lencana-notifikasi"' not in body and 'data-read="1"' in body
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_all_read_touches_only_the_users_own_notifications(client_for, operator_a, operator_b, report):
    own = Notification.objects.create(user=operator_a, kind="reminder", message="Batas waktu 7 hari lagi.")
    other = Notification.objects.create(user=operator_b, kind="reminder", message="Batas waktu 7 hari lagi.")
    client = client_for(operator_b)
    client.post(reverse("reporting:notifications-read"), {"id": own.pk})
    own.refresh_from_db()
    assert own.read_at is None
    client.post(reverse("reporting:notifications-read"))
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.read_at is None and other.read_at is not None


def test_notifications_page_query_count_does_not_grow(client_for, operator_a, report, django_assert_max_num_queries):
    client = client_for(operator_a)
    for n in range(15):
        Notification.objects.create(user=operator_a, kind="returned", report=report, message=f"Catatan {n}")
    with django_assert_max_num_queries(8):
        body = client.get(reverse("reporting:notifications")).content.decode()
    assert body.count('data-testid="notifikasi"') == 15 and 'data-testid="lencana-notifikasi">15<' in body


def test_unread_badge_costs_one_query_and_none_once_kept(operator_a, django_assert_num_queries):
    Notification.objects.create(user=operator_a, kind="reminder", message="a")
    Notification.objects.create(user=operator_a, kind="reminder", message="b", read_at=timezone.now())
    request = RequestFactory().get("/")
    request.user = operator_a
    with django_assert_num_queries(2):  # the data version, the count
        context = notifications_context(request)
        assert str(context["unread_notifications"]) == "1" and context["unread_notifications"]
    with django_assert_num_queries(1):  # the data version only (read once per request in a real one)
        assert str(notifications_context(request)["unread_notifications"]) == "1"
    Notification.objects.create(user=operator_a, kind="reminder", message="c")
    assert str(notifications_context(request)["unread_notifications"]) == "2"
    anonymous = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    anonymous.user = AnonymousUser()
    assert notifications_context(anonymous) == {}


def test_report_page_shows_the_approved_target_read_only(client_for, operator_a, reviewer, daerah, service_a, report):
    from tests.targets.conftest import approved_target

    approved_target(operator_a, reviewer, daerah, service_a, report.period.year, must_serve=1500)
    client = client_for(operator_a)
    body = client.get(reverse("reporting:report-detail", args=[report.pk])).content.decode()
    assert 'data-testid="target-disetujui"' in body and 'name="must_serve" value="1500"' in body
    assert 'id="id_must_serve"' not in body  # no typed input for it


def _recipients(daerah, service, year, quarter, served, not_yet):
    import datetime as _dt

    from reporting.choices import RecipientStatus
    from reporting.models import Recipient

    day = _dt.date(year, 3 * quarter - 1, 10)
    rows = [
        Recipient(
            region=daerah,
            service=service,
            year=year,
            nik=f"18120{i:011d}",
            name=f"Warga {i}",
            sex="P",
            birth_date=_dt.date(1995, 1, 1),
            address="Jl. Uji",
            service_date=day,
            quarter=quarter,
            status=RecipientStatus.SERVED if i < served else RecipientStatus.NOT_YET,
        )
        for i in range(served + not_yet)
    ]
    Recipient.objects.bulk_create(rows)


def test_section_a_is_filled_from_the_recipient_list(client_for, operator_a, daerah, service_a, report):
    _recipients(daerah, service_a, report.period.year, report.period.quarter, served=7, not_yet=3)
    client = client_for(operator_a)
    body = client.get(reverse("reporting:report-detail", args=[report.pk])).content.decode()
    assert 'data-testid="tombol-isi-dari-penerima"' in body and "Isi dari data penerima (10)" in body
    client.post(reverse("reporting:report-prefill-recipients", args=[report.pk]), {"version": report.version})
    report.refresh_from_db()
    assert (report.must_serve, report.served) == (10, 7)
    assert report.changes.filter(field="served", new_value="7").exists()


def test_recipient_prefill_keeps_the_approved_target(client_for, operator_a, reviewer, daerah, service_a, report):
    from tests.targets.conftest import approved_target

    approved_target(operator_a, reviewer, daerah, service_a, report.period.year, must_serve=1500)
    _recipients(daerah, service_a, report.period.year, report.period.quarter, served=4, not_yet=0)
    client_for(operator_a).post(reverse("reporting:report-prefill-recipients", args=[report.pk]), {"version": 1})
    report.refresh_from_db()
    assert (report.must_serve, report.served) == (1500, 4)


def test_other_opd_cannot_prefill_from_recipients(client_for, operator_b, report):
    response = client_for(operator_b).post(reverse("reporting:report-prefill-recipients", args=[report.pk]))
    assert response.status_code == 404
