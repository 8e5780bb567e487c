"""Shared fixtures: reference data loaded once, and the named personas every test uses.

Personas (STYLE.md): an operator of OPD A, an operator of OPD B, a verifikator (Bagian Pemerintahan),
a read-only pimpinan, a provincial viewer, an admin, and an outsider (a verifikator of another daerah).
"""

from __future__ import annotations

import logging

import pytest

from spm.choices import Role
from spm.models import Agency, Region
from spm.services import catalogue_load, field_guides_load, glossary_load, regions_load, service_assign
from tests.factories import AgencyFactory, UserFactory

DAERAH_CODE = "18.12"  # Kabupaten Tulang Bawang Barat
OTHER_DAERAH_CODE = "18.71"  # Kota Bandar Lampung
PROVINCE_CODE = "18"  # Lampung


def ensure_reference_data() -> None:
    """Load the catalogue and regions unless present (transactional tests flush the database)."""
    if not Region.objects.filter(code=DAERAH_CODE).exists():
        catalogue_load()
        regions_load()
        field_guides_load()
        glossary_load()


# --- No NIK in any log line ---------------------------------------------------------------------------
# Every record any logger handles during the session is checked *before* the handlers' NIK mask
# (spm.observability.NikMaskingFilter) runs: the mask is the last line of defence in production, and a test
# must see the leak it would hide. Checked: the message with its arguments, the traceback and the extras.
# A leak fails the session, naming the test and the logger (the NIK itself is shown masked).

_nik_log_leaks: list[dict] = []
_current_test: list[str] = ["(di luar tes)"]


def _record_text(record: logging.LogRecord) -> str:
    from spm.observability import record_extras

    try:
        parts = [record.getMessage()]
    except Exception:  # a broken format string: its raw parts
        parts = [str(record.msg), repr(record.args)]
    if record.exc_info:
        parts.append(logging.Formatter().formatException(record.exc_info))
    parts.extend(str(value) for value in record_extras(record).values())
    return "\n".join(parts)


def _check_record_for_nik(record: logging.LogRecord) -> None:
    from spm.observability import NIK_IN_TEXT, mask_niks

    text = _record_text(record)
    if NIK_IN_TEXT.search(text):
        _nik_log_leaks.append({"test": _current_test[0], "logger": record.name, "line": mask_niks(text)})


def pytest_configure(config):
    original_handle = logging.Logger.handle

    def handle(self, record):
        _check_record_for_nik(record)
        return original_handle(self, record)

    logging.Logger.handle = handle


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _current_test[0] = item.nodeid
    try:
        return (yield)
    finally:
        _current_test[0] = "(di luar tes)"


def pytest_terminal_summary(terminalreporter):
    if _nik_log_leaks:
        terminalreporter.section("NIK di baris log", sep="=", red=True)
        for leak in _nik_log_leaks:
            terminalreporter.write_line(f"{leak['test']}: logger {leak['logger']}: {leak['line']}")


def pytest_sessionfinish(session, exitstatus):
    if _nik_log_leaks:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def nik_log_leaks() -> list[dict]:
    """The leaks found so far; a test of the check itself removes the ones it causes on purpose."""
    return _nik_log_leaks


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_reference_data()


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks run in-process in tests, even when CELERY_BROKER_URL is set (CI on Redis); the integration tests
    start a real worker and switch this off themselves."""
    from spm.celery import app

    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The API throttles count requests in the cache; each test starts with a full allowance. Rule-set band
    labels are also kept in each process's memory: a rolled-back rule set's id may be reused by the next test."""
    from django.core.cache import cache

    from reporting.models import achievements

    cache.clear()
    achievements._local_band_labels.clear()


@pytest.fixture(autouse=True)
def _official_language():
    """Each test starts in Bahasa Indonesia: a request in English (the language switch) leaves its language
    active in the thread, and the next test's service messages would be English."""
    from django.utils import translation

    translation.activate("id")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path_factory):
    """Uploaded files of a test go to a temporary folder, never into the project."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def moto_s3():
    """An S3 server (moto) on loopback, started once for the tests that use object storage."""
    from tests.object_storage import MotoS3

    server = MotoS3()
    yield server
    server.stop()


@pytest.fixture
def s3_bucket(settings, moto_s3):
    """Files of this test go to a fresh private bucket through django-storages (STORAGE_BACKEND=s3)."""
    bucket = moto_s3.new_bucket()
    settings.STORAGES = {**settings.STORAGES, "default": bucket.storage_settings()}
    return bucket


@pytest.fixture
def reference_data(db):
    ensure_reference_data()


@pytest.fixture
def daerah(reference_data) -> Region:
    return Region.objects.get(code=DAERAH_CODE)


@pytest.fixture
def other_daerah(reference_data) -> Region:
    return Region.objects.get(code=OTHER_DAERAH_CODE)


@pytest.fixture
def province(reference_data) -> Region:
    return Region.objects.get(code=PROVINCE_CODE)


def _agency_with_services(region: Region, name: str, short: str, service_codes: list[str]) -> Agency:
    from spm.models import BasicService

    agency = AgencyFactory(region=region, name=name, short_name=short)
    for service in BasicService.objects.filter(code__in=service_codes):
        service_assign(region=region, service=service, agency=agency)
    return agency


@pytest.fixture
def service_a(reference_data):
    """Pelayanan kesehatan ibu hamil (1.02.K01), carried by OPD A."""
    from spm.models import BasicService

    return BasicService.objects.get(code="1.02.K01")


@pytest.fixture
def agency_a(daerah) -> Agency:
    """OPD A: Dinas Kesehatan, pengampu of the first health services."""
    return _agency_with_services(daerah, "Dinas Kesehatan", "Dinkes", ["1.02.K01", "1.02.K02", "1.02.K03"])


@pytest.fixture
def agency_b(daerah) -> Agency:
    """OPD B: Dinas Pendidikan, pengampu of the education services."""
    return _agency_with_services(daerah, "Dinas Pendidikan", "Disdik", ["1.01.K1", "1.01.K2", "1.01.K3"])


@pytest.fixture
def other_agency(other_daerah) -> Agency:
    return _agency_with_services(other_daerah, "Dinas Kesehatan", "Dinkes", ["1.02.K01"])


@pytest.fixture
def operator_a(agency_a):
    return UserFactory(username="operator_a", role=Role.OPERATOR, agency=agency_a)


@pytest.fixture
def operator_b(agency_b):
    return UserFactory(username="operator_b", role=Role.OPERATOR, agency=agency_b)


@pytest.fixture
def reviewer(daerah):
    return UserFactory(username="verifikator", role=Role.REVIEWER, region=daerah)


@pytest.fixture
def leader(daerah):
    return UserFactory(username="pimpinan", role=Role.LEADER, region=daerah)


@pytest.fixture
def provincial_viewer(province):
    return UserFactory(username="provinsi", role=Role.PROVINCIAL_VIEWER, region=province)


@pytest.fixture
def admin_user(reference_data):
    return UserFactory(username="admin", role=Role.ADMIN, is_superuser=True)


@pytest.fixture
def national_user(reference_data):
    """Kemendagri (Sekber SPM): every daerah, read-only, sets the reporting windows."""
    return UserFactory(username="kemendagri", role=Role.NATIONAL)


@pytest.fixture
def outsider(other_daerah, other_agency):
    """A verifikator of another daerah: must never see ours."""
    return UserFactory(username="orang_luar", role=Role.REVIEWER, region=other_daerah)


@pytest.fixture
def client_for(client):
    """Log a persona in: ``client_for(operator_a)``."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


# --- Provincial personas (issue 14) -------------------------------------------------------------------------
OTHER_PROVINCE_CODE = "11"  # Aceh


@pytest.fixture
def provincial_evaluator(province):
    """The Evaluator Provinsi (Biro Pemerintahan) of Lampung: its kab/kota, read-only on their figures."""
    return UserFactory(username="evaluator_provinsi", role=Role.PROVINCIAL_EVALUATOR, region=province)


@pytest.fixture
def other_evaluator(reference_data):
    """The Evaluator Provinsi of another provinsi (Aceh): Lampung's kab/kota do not exist for it."""
    return UserFactory(
        username="evaluator_aceh",
        role=Role.PROVINCIAL_EVALUATOR,
        region=Region.objects.get(code=OTHER_PROVINCE_CODE),
    )


@pytest.fixture
def province_agency(province) -> Agency:
    """Dinas Sosial Provinsi Lampung, pengampu of the provincial social services."""
    return _agency_with_services(province, "Dinas Sosial Provinsi", "Dinsos Prov", ["1.06.P1", "1.06.P2"])


@pytest.fixture
def province_operator(province_agency):
    return UserFactory(username="operator_provinsi", role=Role.OPERATOR, agency=province_agency)


@pytest.fixture
def province_reviewer(province):
    """The provinsi's own verifikator: the provinsi's reports only, not its kab/kota's."""
    return UserFactory(username="verifikator_provinsi", role=Role.REVIEWER, region=province)
