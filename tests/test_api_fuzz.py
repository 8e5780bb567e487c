"""The API keeps its own contract: schemathesis fuzzes every operation of /api/schema/ as an operator and as the
admin, and every answer must be one the schema describes.

Checks (schemathesis, the version pinned in requirements-dev.txt): no 5xx; every status code and content type
documented; every body valid against its schema; requests that break the schema refused (negative data) and
requests that keep it not refused with 400 (positive data). Examples are bounded and derandomized, so a run is
repeatable and short; a failure lists each operation, check and a curl line to replay it.
"""

from __future__ import annotations

import logging

import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from reporting.models import Recipient, RecipientImport
from reporting.services import period_get_or_create, report_open, report_submit
from spm.models import BasicService, Region
from tests.reporting.conftest import WORKED_SERVED, approved_report, fill_completely

pytestmark = [pytest.mark.django_db, pytest.mark.api_fuzz]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    positive_data_acceptance,
]
MAX_EXAMPLES = 10  # per operation and mode: ~20 operations × 2 modes × 2 personas stay under two minutes


@pytest.fixture
def api_data(operator_a, reviewer, daerah, service_a, django_capture_on_commit_callbacks):
    """Something behind every list: approved reports and their achievements, a submitted report awaiting the
    verifikator, named recipients (one without a kecamatan) and an import batch."""
    with django_capture_on_commit_callbacks(execute=True):
        for quarter, served in WORKED_SERVED.items():
            approved_report(operator_a, reviewer, daerah, service_a, 2025, quarter, served)
    period = period_get_or_create(region=daerah, year=2026, quarter=1)
    submitted = fill_completely(
        report_open(user=operator_a, period=period, service=BasicService.objects.get(code="1.02.K02")), operator_a
    )
    report_submit(report=submitted, user=operator_a, expected_version=submitted.version)
    district = Region.objects.filter(parent=daerah).first()
    import datetime as dt

    Recipient.objects.bulk_create(
        Recipient(
            region=daerah,
            service=service_a,
            year=2025,
            nik=f"181201{i:010d}",
            name=f"Warga {i}",
            sex="P",
            birth_date=dt.date(1990, 1, 1),
            address="Jl. Contoh 1",
            district=district if i else None,
            service_date=dt.date(2025, 2, 1),
            quarter=1,
        )
        for i in range(3)
    )
    RecipientImport.objects.create(
        region=daerah, service=service_a, year=2025, original_name="penerima.xlsx", created_by=operator_a
    )


@pytest.fixture
def quiet_refusals():
    """The fuzzer makes hundreds of refused requests on purpose; their one-line warnings (with random digits
    that look like NIKs to the session's log check) are noise here. 5xx are still logged, and fail the checks."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture
def wsgi_app():
    """Django's WSGI application, called in-process inside the test's transaction. Like Django's test client,
    it must not close the database connection at the end of each request (PostgreSQL would lose the test's
    transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _fuzz_operation(operation, mode: GenerationMode, headers: dict, failures: dict, statuses: dict) -> None:
    """Send MAX_EXAMPLES generated requests to one operation; record each distinct failure (operation, mode,
    check) with a curl line to replay it, and the status codes answered."""

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        response = case.call(headers=headers)
        statuses.setdefault(operation.label, []).append(response.status_code)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Failure, FailureGroup) as exc:
            for failure in exc.exceptions if isinstance(exc, FailureGroup) else [exc]:
                key = (operation.label, mode.value, failure.title)
                failures.setdefault(key, f"{failure.message[:500]}\n    {case.as_curl_command()[:400]}")

    cache.clear()  # the throttle is real, but each operation starts with a full allowance
    try:
        run()
    except Unsatisfiable:
        # Nothing in this operation can be made invalid (no parameter, no body): it has no negative case.
        assert mode is GenerationMode.NEGATIVE, operation.label


def _fuzz(schema, headers: dict) -> tuple[dict, dict]:
    """Fuzz every operation in both modes; return the distinct failures and, per operation, the status codes
    answered."""
    schema.config.generation.update(
        max_examples=MAX_EXAMPLES, deterministic=True, with_security_parameters=False, allow_x00=False
    )
    failures: dict[tuple[str, str, str], str] = {}
    statuses: dict[str, list[int]] = {}
    for result in schema.get_all_operations():
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz_operation(result.ok(), mode, headers, failures, statuses)
    return failures, statuses


@pytest.mark.parametrize("persona", ["operator_a", "admin_user"])
def test_api_answers_only_what_its_schema_describes(request, persona, api_data, quiet_refusals, wsgi_app):
    user = request.getfixturevalue(persona)
    headers = {"Authorization": f"Token {Token.objects.create(user=user).key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app, headers=headers)

    failures, statuses = _fuzz(schema, headers)

    report = "\n".join(f"{op} [{mode}] {title}: {detail}" for (op, mode, title), detail in sorted(failures.items()))
    assert not failures, f"{len(failures)} pelanggaran kontrak API:\n{report}"
    # The run reached the API as the persona: every list answered 200 at least once (a wrong token would have
    # made every answer a documented 403, and the checks above would pass on nothing).
    lists = [label for label in statuses if label.startswith("GET") and "{" not in label]  # no path parameter
    assert len(lists) >= 9 and all(200 in statuses[label] for label in lists), {k: set(statuses[k]) for k in lists}
    assert len(statuses) == len(list(schema.get_all_operations()))  # and every operation was called
