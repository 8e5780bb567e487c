"""The mutu item catalogue (standar teknis items per jenis), its versions, its xlsx import/export in the
admin, the juknis data and the Kamus SPM page."""

from __future__ import annotations

import io
import re

import pytest
import yaml
from django.db.models import Count
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from reporting.services import report_open
from reporting.services.periods import period_get_or_create
from spm.choices import ItemListOrigin
from spm.models import FieldGuide, GlossaryTerm, QualityItem, QualityItemList
from spm.quality_xlsx import parse_upload
from spm.selectors import field_guides_for
from spm.services import MUTU_ITEMS_FILE, quality_items_load

pytestmark = pytest.mark.django_db

# Items per jenis in spm/data/mutu_items.yaml (first research pass; Permenkes 4/2019 via a local app,
# Permen PUPR 29/2018, Permendagri 114/2018).
EXPECTED_ITEMS = {
    "1.02.K01": 11,
    "1.02.K02": 6,
    "1.02.K03": 9,
    "1.02.K04": 21,
    "1.02.K05": 12,
    "1.02.K06": 17,
    "1.02.K07": 10,
    "1.02.K08": 7,
    "1.02.K09": 10,
    "1.02.K10": 4,
    "1.02.K11": 13,
    "1.02.K12": 16,
    "1.03.P1": 1,
    "1.03.K1": 1,
    "1.05.K5": 5,
}


@pytest.fixture
def item_lists(reference_data):
    return quality_items_load()


def test_item_lists_load_for_every_jenis_with_source_and_confidence(item_lists):
    assert item_lists.created == 43  # one reference version per jenis, empty ones with what is missing
    counts = {
        code: n for code, n in QualityItemList.objects.values_list("service__code").annotate(n=Count("items")) if n
    }
    assert counts == EXPECTED_ITEMS
    assert QualityItem.objects.count() == sum(EXPECTED_ITEMS.values()) == 143
    assert not QualityItem.objects.filter(source="").exists()
    assert set(QualityItem.objects.values_list("confidence", flat=True)) <= {"medium", "low"}
    k01 = QualityItemList.objects.get(service__code="1.02.K01")
    assert "Permenkes 4/2019" in k01.source and k01.confidence == "medium" and k01.year == 2019
    sdm = k01.items.filter(component__code="sdm").values_list("name", "unit")
    assert list(sdm) == [("Dokter/dokter spesialis kebidanan", "orang"), ("Bidan", "orang"), ("Perawat", "orang")]
    empty = QualityItemList.objects.get(service__code="1.01.K2")
    assert not empty.items.exists() and empty.missing  # says why it is empty


def test_loading_twice_changes_nothing(item_lists):
    again = quality_items_load()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 43)


def _corrected_file(tmp_path, code="1.02.K08", name="Tensimeter digital"):
    data = yaml.safe_load(MUTU_ITEMS_FILE.read_text(encoding="utf-8"))
    data[code]["barang_jasa"][1]["item"] = name
    path = tmp_path / "mutu_items.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_corrected_file_updates_an_unused_version_in_place(item_lists, tmp_path):
    result = quality_items_load(path=_corrected_file(tmp_path))
    assert (result.created, result.updated) == (0, 1)
    assert QualityItemList.objects.filter(service__code="1.02.K08").count() == 1
    assert QualityItem.objects.filter(item_list__service__code="1.02.K08", name="Tensimeter digital").exists()


def test_a_corrected_file_adds_a_version_when_a_report_uses_the_old_one(item_lists, tmp_path, operator_a, daerah):
    from spm.models import BasicService

    k01 = BasicService.objects.get(code="1.02.K01")
    report = report_open(user=operator_a, period=period_get_or_create(region=daerah, year=2026, quarter=1), service=k01)
    result = quality_items_load(path=_corrected_file(tmp_path, "1.02.K01", "Tablet tambah darah (TTD)"))
    assert result.created == 1
    versions = list(QualityItemList.objects.filter(service=k01).order_by("version").values_list("version", flat=True))
    assert versions == [1, 2]
    report.refresh_from_db()
    assert report.quality_item_list.version == 1
    assert report.item_entries.filter(item__name="Tablet tambah darah").exists()


def test_the_file_never_overrides_a_version_an_admin_made(item_lists, tmp_path):
    k08 = QualityItemList.objects.get(service__code="1.02.K08")
    k08.origin = ItemListOrigin.ADMIN
    k08.save()
    result = quality_items_load(path=_corrected_file(tmp_path))
    assert (result.created, result.updated) == (0, 0)
    assert not QualityItem.objects.filter(name="Tensimeter digital").exists()


# --- xlsx ---------------------------------------------------------------------------------------------


def _xlsx(rows, headers=("komponen", "nama_item", "satuan", "sumber", "keyakinan", "catatan")) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_import_reports_row_numbered_errors_in_indonesian(item_lists):
    from spm.models import BasicService

    service = BasicService.objects.get(code="1.02.K08")
    parsed = parse_upload(
        _xlsx(
            [
                ("barang_jasa", "Tensimeter", "unit", "Permenkes 6/2024", "high", ""),
                ("alat", "Stetoskop", "unit", "", "", ""),
                ("sdm", "", "orang", "", "", ""),
                ("Standar jumlah dan kualitas barang dan/atau jasa", "Tensimeter", "", "", "", ""),
                ("sdm", "Dokter", "orang", "", "pasti", ""),
            ]
        ),
        service=service,
    )
    assert not parsed.ok
    assert parsed.errors[0].startswith("Baris 3 kolom komponen: 'alat' bukan komponen mutu 1.02.K08")
    assert "Baris 4 kolom nama_item: wajib diisi." in parsed.errors
    assert "Baris 5 kolom nama_item: 'Tensimeter' sudah ada pada baris 2." in parsed.errors
    assert any(e.startswith("Baris 6 kolom keyakinan: 'pasti' tidak dikenal") for e in parsed.errors)


def test_import_refuses_formula_cells(item_lists):
    from spm.models import BasicService

    parsed = parse_upload(
        _xlsx([("barang_jasa", '=HYPERLINK("http://x","klik")', "", "", "", "")]),
        service=BasicService.objects.get(code="1.02.K08"),
    )
    assert parsed.errors == [
        "Baris 2 kolom nama_item: rumus tidak diperbolehkan; ketik nilainya (salin sel, lalu Tempel Khusus > Nilai)."
    ]


def test_admin_exports_a_list_that_imports_back_unchanged_as_a_new_version(item_lists, client_for, admin_user):
    client = client_for(admin_user)
    k08 = QualityItemList.objects.get(service__code="1.02.K08")
    k08.items.exclude(pk=k08.items.first().pk).delete()
    k08.items.update(name="=cmd|' /C calc'!A0")  # hostile text stays text
    response = client.post(
        reverse("admin:spm_qualityitemlist_changelist"), {"action": "export_xlsx", "_selected_action": [k08.pk]}
    )
    workbook = load_workbook(io.BytesIO(response.content))
    cell = workbook.active["B2"]
    assert cell.value == "=cmd|' /C calc'!A0" and cell.data_type == "s"
    # Dry run: a preview and nothing stored; confirm: a new version.
    upload = io.BytesIO(response.content)
    upload.name = "item.xlsx"
    dry = client.post(
        reverse("admin:spm_qualityitemlist_import"),
        {"service": k08.service_id, "year": 2026, "source": "Permenkes 6/2024", "confidence": "high", "file": upload},
    )
    assert dry.status_code == 200 and dry.context["parsed"].errors == []
    assert QualityItemList.objects.filter(service=k08.service).count() == 1
    confirmed = client.post(
        reverse("admin:spm_qualityitemlist_import"), {"action": "confirm", "payload": dry.context["payload"]}
    )
    assert confirmed.status_code == 302
    new = QualityItemList.objects.get(service=k08.service, year=2026)
    assert (new.version, new.origin, new.confidence) == (1, "impor", "high")
    assert list(new.items.values_list("name", flat=True)) == ["=cmd|' /C calc'!A0"]


def test_a_tampered_import_payload_is_refused(item_lists, client_for, admin_user):
    response = client_for(admin_user).post(
        reverse("admin:spm_qualityitemlist_import"), {"action": "confirm", "payload": "bukan-tanda-tangan"}
    )
    assert response.status_code == 302
    assert not QualityItemList.objects.filter(origin="impor").exists()


def test_only_admins_open_the_item_list_import(item_lists, client_for, operator_a, reviewer):
    for user in (operator_a, reviewer):
        response = client_for(user).get(reverse("admin:spm_qualityitemlist_import"))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_list_a_report_uses_is_read_only_and_is_corrected_by_a_copy(
    item_lists, client_for, admin_user, operator_a, daerah
):
    from spm.models import BasicService

    k01 = BasicService.objects.get(code="1.02.K01")
    report_open(user=operator_a, period=period_get_or_create(region=daerah, year=2026, quarter=1), service=k01)
    item_list = QualityItemList.objects.get(service=k01)
    client = client_for(admin_user)
    change = reverse("admin:spm_qualityitemlist_change", args=[item_list.pk])
    assert client.post(change, {"year": 2030}).status_code == 403
    client.post(
        reverse("admin:spm_qualityitemlist_changelist"),
        {"action": "copy_as_new_version", "_selected_action": [item_list.pk]},
    )
    copy = QualityItemList.objects.get(service=k01, version=2)
    assert copy.origin == "admin" and copy.items.count() == 11
    assert client.get(reverse("admin:spm_qualityitemlist_change", args=[copy.pk])).status_code == 200


# --- Juknis and Kamus SPM -----------------------------------------------------------------------------------


def test_every_report_field_has_a_juknis_with_its_source(reference_data):
    from reporting.services.reports import SCALAR_FIELDS

    general = field_guides_for(None)
    wanted = {
        *SCALAR_FIELDS,
        "quality_required",
        "quality_met",
        "quality_not_applicable",
        "item_required",
        "item_met",
        "stage_status",
        "stage_note",
        "evidence",
    }
    assert wanted <= set(general)
    assert all(g.source and g.text for g in FieldGuide.objects.all())
    assert FieldGuide.objects.filter(confidence="assumed").exists()  # what is a working reading says so


def test_a_jenis_shows_its_own_definisi_operasional(reference_data, service_a):
    assert "paling sedikit 4 kali" in field_guides_for(service_a)["served"].text
    assert field_guides_for(service_a)["must_serve"].service_id is None


def test_kamus_is_public_and_searchable(client, reference_data, item_lists, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        body = client.get(reverse("dictionary")).content.decode()
    assert "Standar teknis" in body and "Buku KIA" in body and "paling sedikit 4 kali" in body
    assert GlossaryTerm.objects.count() >= 15
    found = client.get(reverse("dictionary"), {"q": "tensimeter"}).content.decode()
    assert "1.02.K08" in found and "Pendidikan Dasar" not in found
    assert re.search(r'data-testid="item-1\.02\.K06"', found)
    none = client.get(reverse("dictionary"), {"q": "zzzz"}).content.decode()
    assert "Tidak ada istilah yang cocok." in none


def test_kamus_query_count_does_not_grow_with_lists(client, item_lists, django_assert_max_num_queries):
    with django_assert_max_num_queries(6) as first:
        client.get(reverse("dictionary"))
    for item_list in QualityItemList.objects.all()[:5]:
        copy = QualityItemList.objects.create(service=item_list.service, year=2027, version=1, source="x")
        QualityItem.objects.create(item_list=copy, component=item_list.service.quality_components.first(), name="Y")
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("dictionary"))


def test_kamus_is_linked_from_the_navigation(client_for, operator_a):
    assert reverse("dictionary") in client_for(operator_a).get(reverse("home")).content.decode()


def test_an_item_must_belong_to_a_component_of_its_list_jenis(item_lists):
    from django.core.exceptions import ValidationError

    from spm.models import QualityComponent

    k08 = QualityItemList.objects.get(service__code="1.02.K08")
    other = QualityComponent.objects.get(service__code="1.02.K01", code="sdm")
    with pytest.raises(ValidationError) as error:
        QualityItem(item_list=k08, component=other, name="Bidan").full_clean()
    assert "harus milik jenis pelayanan dasar" in str(error.value)
