"""The project's copy of the regulation data: the SPM catalogue and the Kemendagri region tree."""

from pathlib import Path

import pytest

from spm.choices import GovernmentLevel, RegionLevel, Severity
from spm.models import Affair, BasicService, QualityComponent, Region
from spm.services import CATALOGUE_FILE, REGIONS_FILE, catalogue_load, regions_load

pytestmark = pytest.mark.django_db
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_reference_files_live_inside_the_project():
    assert CATALOGUE_FILE.is_relative_to(PROJECT_ROOT)
    assert REGIONS_FILE.is_relative_to(PROJECT_ROOT)
    assert CATALOGUE_FILE.exists() and REGIONS_FILE.exists()


def test_app_never_reads_the_shared_folder():
    sources = [p for d in ("spm", "reporting", "targets") for p in (PROJECT_ROOT / d).rglob("*.py")]
    offenders = [str(p) for p in sources if "../shared" in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_catalogue_has_six_affairs_and_14_plus_29_services(reference_data):
    assert list(Affair.objects.values_list("code", flat=True)) == ["1.01", "1.02", "1.03", "1.04", "1.05", "1.06"]
    assert BasicService.objects.filter(level=GovernmentLevel.PROVINCE).count() == 14
    assert BasicService.objects.filter(level=GovernmentLevel.REGENCY_CITY).count() == 29
    assert BasicService.objects.filter(affair__code="1.02", level=GovernmentLevel.REGENCY_CITY).count() == 12


def test_every_service_has_its_mutu_components(reference_data):
    assert not BasicService.objects.filter(quality_components__isnull=True).exists()
    health = QualityComponent.objects.filter(service__code="1.02.K01").order_by("order")
    assert [c.code for c in health] == ["barang_jasa", "sdm", "tata_cara"]
    assert list(QualityComponent.objects.filter(service__code="1.01.K2").values_list("code", flat=True)) == [
        "barang",
        "jasa",
        "sdm",
        "tata_cara",
    ]


def test_every_service_has_the_three_parts_of_the_standar_teknis_with_their_source(reference_data):
    """PP 2/2018 Pasal 1: barang/jasa, SDM and petunjuk teknis/tata cara; tata_cara was added to pendidikan,
    PU and perumahan as data citing that article."""
    for service in BasicService.objects.prefetch_related("quality_components"):
        codes = {c.code for c in service.quality_components.all()}
        assert "tata_cara" in codes, service.code
        assert codes & {"barang", "jasa", "barang_jasa"}, service.code
    added = QualityComponent.objects.filter(code="tata_cara", service__affair__code__in=["1.01", "1.03", "1.04"])
    assert added.count() == 5 + 4 + 4
    assert all("PP 2/2018 Pasal 1" in c.source for c in added)


def test_eligibility_is_machine_readable(reference_data):
    newborn = BasicService.objects.get(code="1.02.K03")
    assert (newborn.min_age_days, newborn.max_age_days, newborn.min_age) == (0, 28, None)
    elderly = BasicService.objects.get(code="1.02.K07")
    assert (elderly.min_age, elderly.max_age) == (60, None)
    pregnant = BasicService.objects.get(code="1.02.K01")
    assert pregnant.sex == "P" and pregnant.eligibility_severity == Severity.WARNING
    assert BasicService.objects.get(code="1.01.K2").eligibility_text() == "usia 7–15 tahun"
    water = BasicService.objects.get(code="1.03.K1")
    assert not water.has_eligibility


def test_assumed_values_are_flagged_as_data(reference_data):
    assert BasicService.objects.filter(affair__code="1.05", confidence="assumed").count() == 6


def test_region_tree_has_38_provinces_514_regencies_and_7285_districts(reference_data):
    assert Region.objects.filter(level=RegionLevel.PROVINCE).count() == 38
    assert Region.objects.filter(level=RegionLevel.REGENCY_CITY).count() == 514
    assert Region.objects.filter(level=RegionLevel.DISTRICT).count() == 7285
    assert Region.objects.daerah().count() == 552


def test_every_region_hangs_under_the_level_above_with_its_code_prefix(reference_data):
    for region in Region.objects.exclude(level=RegionLevel.PROVINCE).select_related("parent").iterator():
        expected = RegionLevel.PROVINCE if region.level == RegionLevel.REGENCY_CITY else RegionLevel.REGENCY_CITY
        assert region.parent.level == expected
        assert region.code.startswith(region.parent.code + ".")


def test_known_region_codes(reference_data):
    tubaba = Region.objects.get(code="18.12")
    assert tubaba.name == "Kabupaten Tulang Bawang Barat" and tubaba.parent.name == "Lampung"
    assert tubaba.head_title == "Bupati"
    assert Region.objects.get(code="18.71").head_title == "Wali Kota"
    assert tubaba.head_of_region == "Bupati Tulang Bawang Barat"
    assert Region.objects.get(code="18.72").head_of_region == "Wali Kota Metro"
    assert tubaba.parent.head_of_region == "Gubernur Lampung"
    assert tubaba.children.filter(level=RegionLevel.DISTRICT).count() > 5


def test_loading_twice_changes_nothing(reference_data):
    catalogue = catalogue_load()
    regions = regions_load()
    assert (catalogue.created, catalogue.updated) == (0, 0)
    assert (regions.created, regions.updated) == (0, 0)
    assert regions.unchanged == 38 + 514 + 7285


def test_a_corrected_catalogue_file_updates_in_place(reference_data, tmp_path):
    text = CATALOGUE_FILE.read_text(encoding="utf-8").replace(
        "eligibility: {age: [5, 6], severity: error}", "eligibility: {age: [4, 6], severity: error}"
    )
    corrected = tmp_path / "catalogue.yaml"
    corrected.write_text(text, encoding="utf-8")
    before = BasicService.objects.count()
    result = catalogue_load(path=corrected)
    assert result.updated == 1 and result.created == 0
    assert BasicService.objects.count() == before
    assert BasicService.objects.get(code="1.01.K1").min_age == 4
