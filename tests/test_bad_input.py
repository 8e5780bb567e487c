"""Every form and upload path turns bad input into a message, never a 500.

Each case posts values that do not fit the database (a code one character over its ``varchar``, a number past
the column's range, ``NaN``, an impossible date, a non-numeric id) to one POST path of the pages, as a user
allowed to use it. The answer must be 200 (the form again, with the message) or a redirect carrying the
message, and the database must not have stored the bad value. Run it on PostgreSQL too (``DATABASE_URL``):
SQLite does not enforce ``varchar`` lengths, PostgreSQL answers them with ``DataError``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.messages import constants, get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reporting.choices import ImportMode
from reporting.models import Evidence, ReportingPeriod
from reporting.recipients.services import recipient_import_start, recipient_import_validate
from reporting.services import period_get_or_create, report_open, report_submit
from spm.models import BasicService
from spm.validation import max_length
from targets.models import ActionPlan, ActionPlanItem, ActionPlanYear, Need, ReportEdition, TargetRevision
from targets.services import plan_approve, plan_create, target_save, target_submit
from tests.reporting.conftest import fill_completely, pdf_upload
from tests.reporting.recipients_support import people, upload, xlsx_bytes
from tests.targets.conftest import target_input

pytestmark = pytest.mark.django_db

YEAR = 2026
HUGE = "9" * 30  # past any integer column
OVER_CODE = "K" * (max_length(ActionPlanItem, "program_code") + 1)  # the 41 characters
LONG = "x" * 5000


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@dataclass
class Objects:
    report: object
    submitted: object
    plan: ActionPlan
    approved_plan: ActionPlan
    item: ActionPlanItem
    revision: TargetRevision
    period: ReportingPeriod
    batch: object


@pytest.fixture
def objects(operator_a, reviewer, daerah, service_a, media) -> Objects:
    period = period_get_or_create(region=daerah, year=YEAR, quarter=2)
    period.due_date = timezone.localdate() + dt.timedelta(days=30)
    period.opens_on = min(period.opens_on, period.due_date)
    period.save()
    report = report_open(user=operator_a, period=period, service=service_a)
    other = BasicService.objects.get(code="1.02.K02")
    submitted = fill_completely(report_open(user=operator_a, period=period, service=other), operator_a)
    report_submit(report=submitted, user=operator_a, expected_version=submitted.version)
    plan = plan_create(user=reviewer, region=daerah, start_year=2026, end_year=2030)
    approved_plan = plan_create(user=reviewer, region=daerah, start_year=2031, end_year=2035)
    ActionPlanYear.objects.filter(item__plan=approved_plan).update(target_citizens=100)
    plan_approve(user=reviewer, plan=approved_plan)
    revision = target_save(user=operator_a, region=daerah, service=service_a, year=YEAR, data=target_input(1000))
    target_submit(revision=revision, user=operator_a)
    batch = recipient_import_start(
        user=operator_a,
        region=daerah,
        service=service_a,
        year=YEAR,
        mode=ImportMode.APPEND,
        upload=upload(xlsx_bytes(people(2))),
    )
    recipient_import_validate(batch.pk)
    return Objects(
        report=report,
        submitted=submitted,
        plan=plan,
        approved_plan=approved_plan,
        item=plan.items.get(service=service_a),
        revision=revision,
        period=period,
        batch=batch,
    )


@dataclass(frozen=True)
class Case:
    name: str
    persona: str
    url: Callable[[Objects], str]
    data: Callable[[Objects], dict]
    unchanged: Callable[[Objects], bool] = lambda o: True  # the bad value was not stored
    not_found: bool = False  # an id that is not one names nothing: 404, like any unknown object


def _plan_years(o: Objects) -> dict:
    return {f"{kind}_{year}": value for year in o.plan.years for kind, value in (("citizens", HUGE), ("cost", HUGE))}


D = "?daerah=18.12"
CASES = [
    Case(
        "rencana-aksi: kode program 41 karakter",
        "reviewer",
        lambda o: reverse("targets:plan-item-save", args=[o.item.pk]),
        lambda o: {"program_code": OVER_CODE, "program_name": "Program"},
        lambda o: ActionPlanItem.objects.get(pk=o.item.pk).program_code == "",
    ),
    Case(
        "rencana-aksi: nama kegiatan terlalu panjang",
        "reviewer",
        lambda o: reverse("targets:plan-item-save", args=[o.item.pk]),
        lambda o: {"activity_name": LONG, "sub_activity_code": OVER_CODE},
        lambda o: ActionPlanItem.objects.get(pk=o.item.pk).activity_name == "",
    ),
    Case(
        "rencana-aksi: angka di luar jangkauan",
        "reviewer",
        lambda o: reverse("targets:plan-item-save", args=[o.item.pk]),
        lambda o: {**_plan_years(o), "pct_2026": "NaN", "pct_2027": "1e400"},
        lambda o: not ActionPlanYear.objects.filter(item=o.item, cost__gt=10**15).exists(),
    ),
    Case(
        "rencana-aksi baru: acuan terlalu panjang, tahun raksasa",
        "reviewer",
        lambda o: reverse("targets:plan-list") + D,
        lambda o: {"start_year": HUGE, "end_year": HUGE, "rpjmd_ref": LONG, "renstra_ref": LONG},
        lambda o: ActionPlan.objects.count() == 2,
    ),
    Case(
        "rencana-aksi baru: acuan terlalu panjang",
        "reviewer",
        lambda o: reverse("targets:plan-list") + D,
        lambda o: {"start_year": "2036", "end_year": "2040", "renja_ref": LONG},
        lambda o: ActionPlan.objects.count() == 2,
    ),
    Case(
        "penetapan: nomor Perkada terlalu panjang, tanggal mustahil",
        "reviewer",
        lambda o: reverse("targets:plan-transition", args=[o.approved_plan.pk]),
        lambda o: {"action": "enact", "perkada_number": LONG, "perkada_date": "2026-02-30"},
        lambda o: ActionPlan.objects.get(pk=o.approved_plan.pk).perkada_number == "",
    ),
    Case(
        "penetapan: nomor Perkada terlalu panjang",
        "reviewer",
        lambda o: reverse("targets:plan-transition", args=[o.approved_plan.pk]),
        lambda o: {
            "action": "enact",
            "perkada_number": LONG,
            "perkada_date": "2026-02-01",
            "signed_document": pdf_upload("perkada.pdf"),
        },
        lambda o: ActionPlan.objects.get(pk=o.approved_plan.pk).perkada_number == "",
    ),
    Case(
        "kebutuhan: nama terlalu panjang, angka raksasa, NaN",
        "operator_a",
        lambda o: reverse("targets:need-list") + f"?tahun={YEAR}",
        lambda o: {
            "service": "1.02.K01",
            "component": "x" * 300,
            "item": LONG,
            "basis": "y" * 50,
            "quantity": "NaN",
            "available": HUGE,
            "unit_cost": HUGE,
        },
        lambda o: not Need.objects.exists(),
    ),
    Case(
        "kebutuhan: jumlah terlalu besar",
        "operator_a",
        lambda o: reverse("targets:need-list") + f"?tahun={YEAR}",
        lambda o: {
            "service": "1.02.K01",
            "component": "barang_jasa",
            "item": "Vaksin",
            "basis": "per_penerima",
            "quantity": "1" + "0" * 20,
            "available": "1",
            "unit_cost": "1",
        },
        lambda o: not Need.objects.exists(),
    ),
    Case(
        "target: sasaran raksasa",
        "operator_a",
        lambda o: reverse("targets:target-detail", args=[YEAR + 1, "1.02.K01"]),
        lambda o: {"must_serve": HUGE, "quality_barang_jasa": HUGE, "note": LONG, "action": "save"},
        lambda o: not TargetRevision.objects.filter(target__year=YEAR + 1).exists(),
    ),
    Case(
        "target: verifikasi dengan komentar panjang",
        "reviewer",
        lambda o: reverse("targets:target-review", args=[o.revision.pk]),
        lambda o: {"action": "return", "comment": LONG * 20},
    ),
    Case(
        "impor target: nomor impor bukan angka",
        "operator_a",
        lambda o: reverse("targets:target-import"),
        lambda o: {"action": "confirm", "import": "abc"},
        not_found=True,
    ),
    Case(
        "impor target: nomor impor raksasa",
        "operator_a",
        lambda o: reverse("targets:target-import"),
        lambda o: {"action": "confirm", "import": HUGE},
        not_found=True,
    ),
    Case(
        "laporan resmi: penandatangan terlalu panjang, tanggal mustahil",
        "reviewer",
        lambda o: reverse("targets:official-report") + D + f"&tahun={YEAR}&periode=0",
        lambda o: {"action": "save", "signer_name": LONG, "due_date": "2026-02-30", "submitted_on": "kemarin"},
        lambda o: not ReportEdition.objects.filter(signer_name__startswith="xxx").exists(),
    ),
    Case(
        "laporan: catatan tahapan terlalu panjang, angka raksasa",
        "operator_a",
        lambda o: reverse("reporting:report-save", args=[o.report.pk]),
        lambda o: {"version": o.report.version, "must_serve": HUGE, "budget_allocated": HUGE, "served": "abc"},
    ),
    Case(
        "laporan: versi bukan angka",
        "operator_a",
        lambda o: reverse("reporting:report-prefill", args=[o.report.pk]),
        lambda o: {"version": HUGE},
    ),
    Case(
        "dokumen pendukung: keterangan terlalu panjang",
        "operator_a",
        lambda o: reverse("reporting:evidence-upload", args=[o.report.pk]),
        lambda o: {"file": pdf_upload(), "description": LONG},
        lambda o: not Evidence.objects.filter(description__startswith="xxx").exists(),
    ),
    Case(
        "verifikasi: persetujuan dengan komentar terlalu panjang",
        "reviewer",
        lambda o: reverse("reporting:review-approve", args=[o.submitted.pk]),
        lambda o: {"comment": LONG},
    ),
    Case(
        "verifikasi: pengembalian dengan ringkasan terlalu panjang",
        "reviewer",
        lambda o: reverse("reporting:review-return", args=[o.submitted.pk]),
        lambda o: {"summary": LONG, "catatan-TOTAL_FORMS": HUGE, "catatan-INITIAL_FORMS": "abc"},
    ),
    Case(
        "periode: tahun raksasa",
        "admin_user",
        lambda o: reverse("reporting:period-create"),
        lambda o: {"daerah": "18.12", "year": HUGE, "quarter": "9"},
    ),
    Case(
        "periode: batas waktu mustahil",
        "admin_user",
        lambda o: reverse("reporting:period-due-date", args=[o.period.pk]),
        lambda o: {f"due-{o.period.pk}-due_date": "2026-02-30", f"due-{o.period.pk}-reason": LONG},
    ),
    Case(
        "notifikasi: nomor raksasa",
        "operator_a",
        lambda o: reverse("reporting:notifications-read"),
        lambda o: {"id": HUGE},
    ),
    Case(
        "impor penerima: daerah bukan angka, tahun raksasa",
        "admin_user",
        lambda o: reverse("reporting:recipients-import"),
        lambda o: {"region": "abc", "service": "abc", "year": HUGE, "mode": "x" * 100, "file": upload(b"x")},
    ),
    Case(
        "cari NIK: masukan terlalu panjang",
        "operator_a",
        lambda o: reverse("reporting:recipients-nik-search", args=["18.12", "1.02.K01", YEAR]),
        lambda o: {"nik": "1" * 5000},
    ),
]


def _told(response) -> bool:
    """The user was told: an error or warning message, or a form shown again with its errors."""
    if any(m.level >= constants.WARNING for m in get_messages(response.wsgi_request)):
        return True
    if response.status_code != 200:
        return False
    context = response.context
    for key in context.keys() if context is not None else []:
        errors = getattr(context[key], "errors", None)
        if errors and not callable(errors):
            return True
    html = response.content.decode()
    return "invalid-feedback" in html or "text-danger" in html or "alert-danger" in html


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_a_message_never_a_500(case: Case, objects: Objects, request):
    client = Client(raise_request_exception=False)
    client.force_login(request.getfixturevalue(case.persona))
    response = client.post(case.url(objects), case.data(objects))
    if case.not_found:
        assert response.status_code == 404, f"{case.name}: answered {response.status_code}"
        return
    assert response.status_code in (200, 302), f"{case.name}: answered {response.status_code}"
    assert _told(response), f"{case.name}: no message for the user"
    assert case.unchanged(objects), f"{case.name}: the bad value was stored"
