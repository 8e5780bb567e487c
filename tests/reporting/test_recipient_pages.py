"""Pages of recipient data: import with progress and summary, error report, commit and cancel, the list
with masked NIKs and bounded queries, the detail, the export log, and who is refused (404 out of scope)."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from reporting.choices import ExportKind, ImportStatus, RecipientStatus
from reporting.models import ExportLog, Recipient, RecipientImport
from reporting.recipients.services import recipient_import_start
from reporting.recipients.validation import mask_nik
from spm.models import Region
from tests.pages import page_context
from tests.reporting.recipients_support import YEAR, people, person, upload, xlsx_bytes


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def add_recipients(daerah, service, count: int, *, start: int = 0) -> list[Recipient]:
    district = Region.objects.get(code="18.12.01")
    objects = []
    for i in range(start, start + count):
        row = person(i)
        objects.append(
            Recipient(
                region=daerah,
                service=service,
                year=YEAR,
                nik=row[0],
                name=row[1],
                sex=row[2],
                birth_date=row[3],
                address=row[4],
                village=row[5],
                district=district if i % 2 else None,
                service_date=row[7],
                quarter=(row[7].month - 1) // 3 + 1,
                status=RecipientStatus.SERVED if i % 3 else RecipientStatus.NOT_YET,
            )
        )
    return Recipient.objects.bulk_create(objects)


def list_url(daerah, service, year=YEAR) -> str:
    return reverse("reporting:recipients-list", kwargs={"region": daerah.code, "service": service.code, "year": year})


def post_upload(client, service, rows, *, mode="tambah", daerah=None):
    data = {"service": service.pk, "year": YEAR, "mode": mode, "file": upload(xlsx_bytes(rows))}
    if daerah is not None:
        data["region"] = daerah.pk
    return client.post(reverse("reporting:recipients-import"), data)


# --- navigation and the overview -----------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["operator_a", "reviewer", "leader", "admin_user"])
def test_nav_offers_data_penerima(client_for, request, persona):
    response = client_for(request.getfixturevalue(persona)).get(reverse("home"))
    assert "Data penerima" in response.content.decode()


def test_overview_lists_the_operators_services_with_counts(client_for, operator_a, daerah, service_a):
    add_recipients(daerah, service_a, 4)
    response = client_for(operator_a).get(reverse("reporting:recipients-home"), {"tahun": YEAR})
    assert response.status_code == 200
    rows = {row["service"].code: row for row in response.context["rows"]}
    assert set(rows) == {"1.02.K01", "1.02.K02", "1.02.K03"}
    assert rows["1.02.K01"]["total"] == 4 and rows["1.02.K01"]["can_import"]


def test_evaluator_provinsi_is_asked_for_a_kabupaten_not_shown_the_provinsi_lists(
    client_for, provincial_evaluator, provincial_viewer, province
):
    """The Evaluator Provinsi evaluates the kabupaten/kota, not its provinsi: no list of the provinsi is offered
    (each would answer 404); the Peninjau Provinsi, who covers the provinsi, starts on it."""
    response = client_for(provincial_evaluator).get(reverse("reporting:recipients-home"))
    assert response.status_code == 200
    assert response.context["region"] is None and response.context["rows"] == []
    assert province.code not in [region.code for region in response.context["regions"]]
    response = client_for(provincial_viewer).get(reverse("reporting:recipients-home"))
    assert response.context["region"] == province


def test_template_download_is_an_xlsx(client_for, leader, service_a):
    response = client_for(leader).get(reverse("reporting:recipients-template", kwargs={"code": service_a.code}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert load_workbook(io.BytesIO(response.content)).sheetnames[0] == "Data Penerima"


# --- import: upload, progress, summary, error report, commit, cancel --------------------------------------


def test_import_page_offers_only_the_operators_services(client_for, operator_b, service_a):
    response = client_for(operator_b).get(reverse("reporting:recipients-import"))
    assert response.status_code == 200
    assert 'data-testid="form-impor"' in response.content.decode()
    services = set(response.context["form"].fields["service"].queryset.values_list("code", flat=True))
    assert service_a.code not in services and "1.01.K2" in services


@pytest.mark.parametrize("persona", ["leader", "reviewer", "provincial_viewer"])
def test_only_operators_and_admins_open_the_import_page(client_for, request, persona):
    response = client_for(request.getfixturevalue(persona)).get(reverse("reporting:recipients-import"))
    assert response.status_code == 403


def test_operator_b_cannot_upload_for_opd_a(client_for, operator_b, service_a, media):
    response = post_upload(client_for(operator_b), service_a, people(2))
    assert response.status_code == 200
    assert response.context["form"].errors["service"]
    assert not RecipientImport.objects.exists()


def test_bad_file_shows_the_reason_next_to_the_field(client_for, operator_a, service_a, media):
    data = {"service": service_a.pk, "year": YEAR, "mode": "tambah", "file": upload(b"bukan excel")}
    response = client_for(operator_a).post(reverse("reporting:recipients-import"), data)
    assert response.status_code == 200
    assert "bukan berkas Excel .xlsx" in response.content.decode()
    assert 'data-testid="galat-file"' in response.content.decode()


def test_upload_validate_report_fix_and_confirm(
    client_for, operator_a, daerah, service_a, media, django_capture_on_commit_callbacks
):
    client = client_for(operator_a)
    rows = people(4)
    rows[1][0] = "18120101"
    with django_capture_on_commit_callbacks(execute=True):
        response = post_upload(client, service_a, rows)
    batch = RecipientImport.objects.get()
    assert response.status_code == 302 and response.url == batch.get_absolute_url()

    page = client.get(batch.get_absolute_url()).content.decode()
    assert 'data-testid="ringkasan-impor"' in page
    assert 'data-testid="jumlah-galat">1<' in page
    assert 'data-testid="unduh-laporan-galat"' in page
    assert 'data-testid="tombol-simpan"' not in page  # errors: nothing may be stored

    report = client.get(reverse("reporting:recipients-import-report", kwargs={"pk": batch.pk}))
    assert report.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(report.streaming_content))).active
    assert sheet["K3"].value.startswith("Baris 3: GALAT [NIK] NIK harus 16 digit angka")
    assert ExportLog.objects.filter(kind=ExportKind.ERROR_REPORT, user=operator_a).exists()

    rows[1] = person(1)
    with django_capture_on_commit_callbacks(execute=True):
        post_upload(client, service_a, rows)
    fixed = RecipientImport.objects.latest("id")
    page = client.get(fixed.get_absolute_url()).content.decode()
    assert 'data-testid="jumlah-valid">4<' in page and 'data-testid="tombol-simpan"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:recipients-import-commit", kwargs={"pk": fixed.pk}))
    assert response.status_code == 302
    fixed.refresh_from_db()
    assert fixed.status == ImportStatus.COMMITTED and fixed.rows_stored == 4
    assert 'data-testid="jumlah-disimpan">4<' in client.get(fixed.get_absolute_url()).content.decode()
    assert Recipient.objects.count() == 4


def test_progress_is_polled_with_htmx_until_done(client_for, operator_a, daerah, service_a, media):
    batch = recipient_import_start(
        user=operator_a,
        region=daerah,
        service=service_a,
        year=YEAR,
        mode="tambah",
        upload=upload(xlsx_bytes(people(3))),
    )
    client = client_for(operator_a)
    partial = client.get(batch.get_absolute_url(), HTTP_HX_REQUEST="true")
    html = partial.content.decode()
    assert "<html" not in html
    assert 'hx-trigger="every 1s"' in html and 'data-testid="progres-impor"' in html
    RecipientImport.objects.filter(pk=batch.pk).update(status=ImportStatus.VALIDATING, rows_processed=2)
    html = client.get(batch.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-percent="66"' in html
    RecipientImport.objects.filter(pk=batch.pk).update(status=ImportStatus.VALIDATED, rows_read=3, rows_valid=3)
    html = client.get(batch.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in html and 'data-testid="ringkasan-impor"' in html


def test_cancel_from_the_status_page(
    client_for, operator_a, daerah, service_a, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_upload(client_for(operator_a), service_a, people(2))
    batch = RecipientImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(operator_a).post(reverse("reporting:recipients-import-cancel", kwargs={"pk": batch.pk}))
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CANCELLED and not batch.file
    assert not Recipient.objects.exists()


def test_import_of_another_opd_or_daerah_is_not_found(
    client_for, operator_a, operator_b, outsider, daerah, service_a, media
):
    batch = recipient_import_start(
        user=operator_a,
        region=daerah,
        service=service_a,
        year=YEAR,
        mode="tambah",
        upload=upload(xlsx_bytes(people(1))),
    )
    for user in (operator_b, outsider):
        client = client_for(user)
        assert client.get(batch.get_absolute_url()).status_code == 404
        url = reverse("reporting:recipients-import-commit", kwargs={"pk": batch.pk})
        assert client.post(url).status_code == 404


def test_leader_sees_an_import_but_not_its_error_report_nor_the_confirm_button(
    client_for, operator_a, leader, daerah, service_a, media
):
    rows = people(2)
    rows[0][1] = ""
    batch = recipient_import_start(
        user=operator_a, region=daerah, service=service_a, year=YEAR, mode="tambah", upload=upload(xlsx_bytes(rows))
    )
    from reporting.recipients.services import recipient_import_validate

    recipient_import_validate(batch.pk)
    client = client_for(leader)
    page = client.get(batch.get_absolute_url()).content.decode()
    assert 'data-testid="tombol-simpan"' not in page and 'data-testid="tombol-batal"' not in page
    # Inside the leader's scope, but not its action: refused (403), not hidden (404).
    assert client.get(reverse("reporting:recipients-import-report", kwargs={"pk": batch.pk})).status_code == 403
    assert client.post(reverse("reporting:recipients-import-cancel", kwargs={"pk": batch.pk})).status_code == 403
    batch.refresh_from_db()
    assert batch.status == ImportStatus.VALIDATED  # refused, nothing changed


# --- the list ---------------------------------------------------------------------------------------------


def test_list_masks_every_nik(client_for, operator_a, daerah, service_a):
    recipients = add_recipients(daerah, service_a, 5)
    html = client_for(operator_a).get(list_url(daerah, service_a)).content.decode()
    for recipient in recipients:
        assert recipient.nik not in html
        assert mask_nik(recipient.nik) in html


def test_list_queries_do_not_grow_with_rows(client_for, operator_a, daerah, service_a, django_assert_max_num_queries):
    client = client_for(operator_a)
    add_recipients(daerah, service_a, 3)
    client.get(list_url(daerah, service_a))  # warm the session
    cache.clear()  # both measured pages computed whole: nothing of the first kept for the second
    with django_assert_max_num_queries(17) as few:  # incl. the navbar's unread-notification count
        client.get(list_url(daerah, service_a), {"kecamatan": Region.objects.get(code="18.12.01").pk})
    add_recipients(daerah, service_a, 40, start=100)
    cache.clear()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(list_url(daerah, service_a), {"kecamatan": Region.objects.get(code="18.12.01").pk})
    assert len(response.context["page"]) == 21


def test_list_search_and_filters(client_for, operator_a, daerah, service_a):
    recipients = add_recipients(daerah, service_a, 12)
    client = client_for(operator_a)

    def names(**params):
        return {r["name"] for r in page_context(client.get(list_url(daerah, service_a), params))["page"]}

    assert names(q="Uji 11") == {"Penerima Uji 11"}
    assert names(q=recipients[4].nik[:12]) == {f"Penerima Uji {i}" for i in range(12)}  # refused, not a filter
    assert names(status=RecipientStatus.NOT_YET) == {f"Penerima Uji {i}" for i in range(0, 12, 3)}
    assert names(kecamatan=Region.objects.get(code="18.12.01").pk) == {f"Penerima Uji {i}" for i in range(1, 12, 2)}
    assert names(desa="desa 1") == {f"Penerima Uji {i}" for i in range(1, 12, 3)}
    quarter_one = {r.name for r in recipients if r.quarter == 1}
    assert names(triwulan=1) == quarter_one


def test_list_out_of_scope_is_not_found(client_for, operator_b, outsider, daerah, service_a):
    add_recipients(daerah, service_a, 1)
    assert client_for(operator_b).get(list_url(daerah, service_a)).status_code == 404
    assert client_for(outsider).get(list_url(daerah, service_a)).status_code == 404


@pytest.mark.parametrize("persona", ["reviewer", "leader", "provincial_viewer", "admin_user"])
def test_list_is_open_within_scope(client_for, request, persona, daerah, service_a):
    add_recipients(daerah, service_a, 2)
    response = client_for(request.getfixturevalue(persona)).get(list_url(daerah, service_a))
    assert response.status_code == 200
    assert page_context(response)["counts"]["must_serve"] == 2


# --- detail and export --------------------------------------------------------------------------------------


def test_detail_shows_the_full_nik_to_the_operator_and_masks_it_for_the_leader(
    client_for, operator_a, leader, outsider, operator_b, daerah, service_a
):
    recipient = add_recipients(daerah, service_a, 1)[0]
    url = reverse("reporting:recipient-detail", kwargs={"pk": recipient.pk})
    assert recipient.nik in client_for(operator_a).get(url).content.decode()
    html = client_for(leader).get(url).content.decode()
    assert recipient.nik not in html and mask_nik(recipient.nik) in html
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(operator_b).get(url).status_code == 404


def test_export_is_an_xlsx_and_is_recorded(client_for, operator_a, daerah, service_a):
    recipients = add_recipients(daerah, service_a, 6)
    url = reverse(
        "reporting:recipients-export", kwargs={"region": daerah.code, "service": service_a.code, "year": YEAR}
    )
    response = client_for(operator_a).get(url, {"status": RecipientStatus.NOT_YET})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("NIK", "Nama Lengkap")
    assert {row[0] for row in rows[1:]} == {r.nik for r in recipients if r.status == RecipientStatus.NOT_YET}
    log = ExportLog.objects.get()
    assert (log.user, log.kind, log.region, log.row_count) == (operator_a, ExportKind.RECIPIENTS_XLSX, daerah, 2)
    assert log.filters == {"daerah": daerah.code, "layanan": service_a.code, "tahun": YEAR, "status": "belum_sesuai"}


def test_leader_cannot_export(client_for, leader, daerah, service_a):
    add_recipients(daerah, service_a, 1)
    url = reverse(
        "reporting:recipients-export", kwargs={"region": daerah.code, "service": service_a.code, "year": YEAR}
    )
    assert client_for(leader).get(url).status_code == 403
    assert not ExportLog.objects.exists()


def test_export_refuses_a_number_in_the_name_search(client_for, reviewer, daerah, service_a):
    recipient = add_recipients(daerah, service_a, 1)[0]
    url = reverse(
        "reporting:recipients-export", kwargs={"region": daerah.code, "service": service_a.code, "year": YEAR}
    )
    client_for(reviewer).get(url, {"q": recipient.nik})
    assert "q" not in ExportLog.objects.get(kind=ExportKind.RECIPIENTS_XLSX).filters


def test_admin_export_of_recipients_is_recorded(client_for, admin_user, daerah, service_a):
    add_recipients(daerah, service_a, 3)
    url = reverse("admin:reporting_recipient_export")
    fields = {f"recipientresource_{name}": "on" for name in ("nik", "name", "year", "service")}
    response = client_for(admin_user).post(url, {"format": "0", "resource": "0", **fields})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert ExportLog.objects.get(kind=ExportKind.RECIPIENTS_ADMIN).row_count == 3


def test_list_of_another_year_is_empty(client_for, operator_a, daerah, service_a):
    add_recipients(daerah, service_a, 2)
    response = client_for(operator_a).get(list_url(daerah, service_a, YEAR - 1))
    assert page_context(response)["counts"]["must_serve"] == 0
    assert len(response.context["page"]) == 0


def test_list_rows_escape_what_was_imported_and_mask_the_nik(client_for, operator_a, daerah, service_a):
    """The rows are drawn in Python (``recipient_rows_html``), outside the template's autoescape."""
    recipient = add_recipients(daerah, service_a, 1)[0]
    Recipient.objects.filter(pk=recipient.pk).update(name='<script>alert("x")</script>', village="Desa & <b>")
    body = client_for(operator_a).get(list_url(daerah, service_a)).content.decode()
    assert "<script>alert" not in body and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
    assert "Desa &amp; &lt;b&gt;" in body
    assert recipient.nik not in body and f"{recipient.nik[:4]}******{recipient.nik[-4:]}" in body
    assert f'href="{recipient.get_absolute_url()}"' in body


def test_list_rows_name_the_kecamatan_of_the_daerah_and_any_other(client_for, operator_a, daerah, service_a):
    recipients = add_recipients(daerah, service_a, 2)  # the second in 18.12.01
    elsewhere = Region.objects.exclude(parent=daerah).filter(level="kecamatan").first()
    Recipient.objects.filter(pk=recipients[0].pk).update(district=elsewhere)
    body = client_for(operator_a).get(list_url(daerah, service_a)).content.decode()
    assert f"<td>{Region.objects.get(code='18.12.01').name}</td>" in body
    assert f"<td>{elsewhere.name}</td>" in body
