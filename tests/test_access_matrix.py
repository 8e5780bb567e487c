"""The access matrix: every persona × every action on every kind of object, through the pages and the API.

One row per (object, action), one column per persona; each cell says what the server must answer:

- ``OK``: allowed (any 2xx, or a redirect that is not to the login page);
- ``403``: the object is inside the persona's scope, the action is not theirs;
- ``404``: the object is outside the persona's scope, so for them it does not exist;
- ``LOGIN``: anonymous (pages redirect to the login page, the API answers 401/403).

A new role adds a column here (and a row in ``spm/roles.py``); a new kind of object or action adds a row.
The rules themselves live in ``spm/access.py``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from evaluation.services import correction_request_create
from reporting.choices import ImportMode
from reporting.models import Achievement, AchievementLevel, Evidence, Recipient
from reporting.recipients.services import recipient_import_start, recipient_import_validate
from reporting.recipients.store import recipient_import_commit
from reporting.services import period_get_or_create, report_approve, report_open, report_submit
from spm.models import BasicService
from targets.choices import ANNUAL
from targets.services import official_report_request, plan_create, target_save, target_submit
from tests.reporting.conftest import complete_input, fill_completely
from tests.reporting.recipients_support import people, upload, xlsx_bytes
from tests.targets.conftest import target_input

OK, LOGIN = "ok", "login"
PERSONAS_BY_ROW = (
    "operator_a",
    "operator_b",
    "reviewer",
    "leader",
    "provincial_viewer",
    "admin_user",
    "outsider",
    "national_user",
    "anonymous",
)
# The Evaluator Provinsi of Lampung (the world's provinsi) and of another provinsi (Aceh): their answers are the
# EVALUATOR_COLUMNS below, one pair per cell.
EVALUATORS = ("provincial_evaluator", "other_evaluator")
PERSONAS = (*PERSONAS_BY_ROW, *EVALUATORS)
YEAR = 2026

pytestmark = pytest.mark.django_db


@dataclass
class World:
    """One daerah's worth of objects, all belonging to OPD A (operator_a) of Kabupaten Tulang Bawang Barat."""

    draft: object  # a draft report (1.02.K01)
    submitted: object  # a submitted report (1.02.K02)
    approved: object  # an approved report (1.02.K03)
    evidence: Evidence
    batch: object  # a validated recipient import with errors, uploaded by operator_a
    recipient: Recipient
    revision: object  # a submitted target revision (1.02.K01)
    plan: object  # a draft rencana aksi
    achievement: Achievement | None
    correction: object = None  # an open request for correction from Lampung's evaluator about ``submitted``
    generated: object = None  # a finished Laporan Penerapan SPM with its files (only for the rows that ask for it)


@pytest.fixture
def world(
    operator_a, operator_b, reviewer, daerah, service_a, media, django_capture_on_commit_callbacks, provincial_evaluator
) -> World:
    period = period_get_or_create(region=daerah, year=YEAR, quarter=2)
    period.due_date = timezone.localdate() + dt.timedelta(days=30)
    period.opens_on = min(period.opens_on, period.due_date)
    period.save()
    with django_capture_on_commit_callbacks(execute=True):  # the recompute after an approval runs
        world = _build_world(operator_a, reviewer, daerah, period, service_a)
    world.achievement = Achievement.objects.filter(
        region=daerah, service=world.approved.service, level=AchievementLevel.SERVICE, is_current=True
    ).first()
    assert world.achievement is not None, "approving a report stores its achievement"
    world.correction = correction_request_create(
        user=provincial_evaluator, region=daerah, year=YEAR, quarter=2, report=world.submitted, message="Cek bukti."
    )
    return world


def _build_world(operator_a, reviewer, daerah, period, service_a) -> World:
    services = {s.code: s for s in BasicService.objects.filter(code__in=["1.02.K01", "1.02.K02", "1.02.K03"])}
    draft = report_open(user=operator_a, period=period, service=services["1.02.K01"])
    draft = fill_completely(draft, operator_a)
    evidence = draft.evidence.first()

    submitted = fill_completely(report_open(user=operator_a, period=period, service=services["1.02.K02"]), operator_a)
    report_submit(report=submitted, user=operator_a, expected_version=submitted.version)
    approved = fill_completely(report_open(user=operator_a, period=period, service=services["1.02.K03"]), operator_a)
    report_submit(report=approved, user=operator_a, expected_version=approved.version)
    report_approve(report=approved, user=reviewer)

    good = upload(xlsx_bytes(people(2)))
    stored = recipient_import_start(
        user=operator_a, region=daerah, service=service_a, year=YEAR, mode=ImportMode.APPEND, upload=good
    )
    recipient_import_validate(stored.pk)
    stored.refresh_from_db()
    recipient_import_commit(user=operator_a, batch=stored)
    rows = people(3, start=10)
    rows[0][0] = "123"  # a NIK of three digits: the import has an error and an error report
    batch = recipient_import_start(
        user=operator_a,
        region=daerah,
        service=service_a,
        year=YEAR,
        mode=ImportMode.APPEND,
        upload=upload(xlsx_bytes(rows)),
    )
    recipient_import_validate(batch.pk)
    batch.refresh_from_db()

    revision = target_save(user=operator_a, region=daerah, service=service_a, year=YEAR, data=target_input(1000))
    target_submit(revision=revision, user=operator_a)
    plan = plan_create(user=reviewer, region=daerah, start_year=2026, end_year=2030)
    for obj in (draft, submitted, approved, batch, revision):
        obj.refresh_from_db()
    return World(
        draft=draft,
        submitted=submitted,
        approved=approved,
        evidence=evidence,
        batch=batch,
        recipient=Recipient.objects.filter(region=daerah, service=service_a).first(),
        revision=revision,
        plan=plan,
        achievement=None,
    )


@pytest.fixture
def generated(world, reviewer, daerah, django_capture_on_commit_callbacks):
    """The annual Laporan Penerapan SPM of the daerah, generated by its verifikator (files made by the task).

    Rendering the files takes seconds, so only the rows that name ``generated`` in ``Cell.extra`` build it.
    """
    with django_capture_on_commit_callbacks(execute=True):
        item = official_report_request(user=reviewer, region=daerah, year=YEAR, quarter=ANNUAL)
    item.refresh_from_db()
    assert item.pdf_file, "the generation made its files"
    return item


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@dataclass(frozen=True)
class Cell:
    """One row of the matrix: how to ask, and the expected answer per persona."""

    name: str
    method: str
    url: object  # callable(world) -> str
    expect: dict
    data: object = None  # callable(world) -> dict
    api: bool = False
    extra: tuple[str, ...] = ()  # costly World objects this row needs, built by the fixtures of the same names


def _expect(*answers) -> dict:
    """The answers in PERSONAS_BY_ROW order; anonymous defaults to LOGIN."""
    if len(answers) == len(PERSONAS_BY_ROW) - 1:
        answers = (*answers, LOGIN)
    return dict(zip(PERSONAS_BY_ROW, answers, strict=True))


def _report_form(report) -> dict:
    data = complete_input().scalars
    return {**{k: v for k, v in data.items() if v is not None}, "version": report.version}


R = "reporting:"
T = "targets:"
D = "?daerah=18.12"
E = "evaluation:"
Q = "?daerah=18.12&tahun=2026&triwulan=2"
CELLS = [
    # --- Laporan triwulan ---------------------------------------------------------------------------
    Cell(
        "report.view",
        "get",
        lambda w: reverse(R + "report-detail", args=[w.draft.pk]),
        _expect(OK, 404, OK, OK, OK, OK, 404, OK),
    ),
    Cell(
        "report.edit",
        "post",
        lambda w: reverse(R + "report-save", args=[w.draft.pk]),
        _expect(OK, 404, 403, 403, 403, OK, 404, 403),
        data=lambda w: _report_form(w.draft),
    ),
    Cell(
        "report.review_page",
        "get",
        lambda w: reverse(R + "review", args=[w.submitted.pk]),
        _expect(403, 404, OK, OK, OK, OK, 404, 403),
    ),
    Cell(
        "report.approve",
        "post",
        lambda w: reverse(R + "review-approve", args=[w.submitted.pk]),
        _expect(403, 404, OK, 403, 403, OK, 404, 403),
        data=lambda w: {"comment": ""},
    ),
    Cell(
        "report.unlock",
        "post",
        lambda w: reverse(R + "report-unlock", args=[w.approved.pk]),
        _expect(403, 404, 403, 403, 403, OK, 404, 403),
        data=lambda w: {"reason": "Koreksi"},
    ),
    # --- Dokumen pendukung ----------------------------------------------------------------------------
    Cell(
        "evidence.download",
        "get",
        lambda w: reverse(R + "evidence-download", args=[w.evidence.pk]),
        _expect(OK, 404, OK, OK, OK, OK, 404, OK),
    ),
    Cell(
        "evidence.delete",
        "post",
        lambda w: reverse(R + "evidence-delete", args=[w.evidence.pk]),
        _expect(OK, 404, 403, 403, 403, OK, 404, 403),
    ),
    # --- Impor data penerima --------------------------------------------------------------------------
    Cell(
        "recipient_import.view",
        "get",
        lambda w: reverse(R + "recipients-import-detail", args=[w.batch.pk]),
        _expect(OK, 404, OK, OK, OK, OK, 404, 404),
    ),
    Cell(
        "recipient_import.error_report",
        "get",
        lambda w: reverse(R + "recipients-import-report", args=[w.batch.pk]),
        _expect(OK, 404, OK, 403, 403, OK, 404, 404),
    ),
    Cell(
        "recipient_import.cancel",
        "post",
        lambda w: reverse(R + "recipients-import-cancel", args=[w.batch.pk]),
        _expect(OK, 404, 403, 403, 403, OK, 404, 404),
    ),
    Cell(
        "recipient_import.upload_page",
        "get",
        lambda w: reverse(R + "recipients-import"),
        _expect(OK, OK, 403, 403, 403, OK, 403, 403),
    ),
    # --- Daftar penerima ------------------------------------------------------------------------------
    Cell(
        "recipient_list.view",
        "get",
        lambda w: reverse(R + "recipients-list", args=["18.12", "1.02.K01", YEAR]),
        _expect(OK, 404, OK, OK, OK, OK, 404, 403),
    ),
    Cell(
        "recipient_list.export",
        "get",
        lambda w: reverse(R + "recipients-export", args=["18.12", "1.02.K01", YEAR]),
        _expect(OK, 404, OK, 403, 403, OK, 404, 403),
    ),
    Cell(
        "recipient.view",
        "get",
        lambda w: reverse(R + "recipient-detail", args=[w.recipient.pk]),
        _expect(OK, 404, OK, OK, OK, OK, 404, 404),
    ),
    Cell(
        "recipient.nik_search",
        "post",
        lambda w: reverse(R + "recipients-nik-search", args=["18.12", "1.02.K01", YEAR]),
        _expect(OK, 404, OK, 403, 403, OK, 404, 403),
        data=lambda w: {"nik": w.recipient.nik},
    ),
    # --- Log akses data pribadi -----------------------------------------------------------------------
    Cell(
        "personal_data_log.view",
        "get",
        lambda w: reverse(R + "personal-data-log"),
        _expect(OK, OK, OK, OK, OK, OK, OK, OK),
    ),
    Cell(
        "personal_data_log.view_others",
        "get",
        lambda w: reverse(R + "personal-data-log") + f"?pengguna={w.batch.created_by_id}",  # operator_a's
        _expect(OK, 403, 403, 403, 403, OK, 403, 403),
    ),
    # --- Target ---------------------------------------------------------------------------------------
    Cell(
        "target.view",
        "get",
        lambda w: reverse(T + "target-detail", args=[YEAR, "1.02.K01"]) + D,
        _expect(OK, 404, OK, OK, 403, OK, 404, 403),
    ),
    Cell(
        "target.review",
        "post",
        lambda w: reverse(T + "target-review", args=[w.revision.pk]),
        _expect(403, 404, OK, 403, 403, OK, 404, 403),
        data=lambda w: {"action": "approve"},
    ),
    Cell(
        "target.import_page",
        "get",
        lambda w: reverse(T + "target-import"),
        _expect(OK, OK, 403, 403, 403, OK, 403, 403),
    ),
    Cell(
        "target.edit",
        "post",
        lambda w: reverse(T + "target-detail", args=[YEAR, "1.02.K02"]) + D,
        _expect(OK, 404, 403, 403, 403, OK, 404, 403),
        data=lambda w: {"must_serve": 900, "note": ""},
    ),
    # --- Rencana aksi ---------------------------------------------------------------------------------
    Cell(
        "plan.view",
        "get",
        lambda w: reverse(T + "plan-detail", args=[w.plan.pk]),
        _expect(OK, OK, OK, OK, 403, OK, 404, 403),
    ),
    Cell(
        "plan.approve",
        "post",
        lambda w: reverse(T + "plan-transition", args=[w.plan.pk]),
        _expect(403, 403, OK, 403, 403, OK, 404, 403),
        data=lambda w: {"action": "approve"},
    ),
    Cell(
        "plan.export",
        "get",
        lambda w: reverse(T + "plan-export", args=[w.plan.pk, "xlsx"]),
        _expect(OK, OK, OK, OK, 403, OK, 404, 403),
    ),
    # --- Laporan resmi --------------------------------------------------------------------------------
    Cell(
        "official_report.view",
        "get",
        lambda w: reverse(T + "official-report") + D,
        _expect(403, 403, OK, OK, 403, OK, 404, 403),
    ),
    Cell(
        "official_report.write",
        "post",
        lambda w: reverse(T + "official-report") + D + f"&tahun={YEAR}&periode=0",
        _expect(403, 403, OK, 403, 403, OK, 404, 403),
        data=lambda w: {"action": "save", "introduction": "Pengantar"},
    ),
    Cell(
        "official_report.download",
        "get",
        lambda w: reverse(T + "generated-download", args=[w.generated.pk, "pdf"]),
        _expect(403, 403, OK, OK, 403, OK, 404, 403),
        extra=("generated",),
    ),
    # --- Tim Penerapan SPM ----------------------------------------------------------------------------------
    Cell(
        "team.view",
        "get",
        lambda w: reverse(T + "team") + D,
        _expect(403, 403, OK, OK, OK, OK, 404, 403),
    ),
    Cell(
        "team.manage",
        "post",
        lambda w: reverse(T + "team") + D,
        _expect(403, 403, OK, 403, 403, OK, 404, 403),
        data=lambda w: {"action": "save", "daerah": "18.12", "decree_number": "1/2026", "decree_date": "2026-01-02"},
    ),
    Cell(
        "team.daerah_page",
        "get",
        lambda w: reverse("region-detail", args=["18.12"]),
        _expect(OK, OK, OK, OK, OK, OK, 404, OK),
    ),
    # --- Capaian --------------------------------------------------------------------------------------
    Cell(
        "achievement.explain",
        "get",
        lambda w: reverse(R + "achievement-explain", args=[w.achievement.pk]),
        _expect(OK, 404, OK, OK, OK, OK, 404, OK),
    ),
    Cell("period.manage", "get", lambda w: reverse(R + "periods"), _expect(403, 403, 403, 403, 403, OK, 403, OK)),
    # --- Evaluasi provinsi (permintaan perbaikan, evaluasi tahunan) ---------------------------------------
    Cell(
        "provincial_evaluation.view",
        "get",
        lambda w: reverse(E + "province"),
        _expect(403, 403, 403, 403, 403, OK, 403, 403),
    ),
    Cell(
        "correction_request.list",
        "get",
        lambda w: reverse(E + "request-list"),
        _expect(403, 403, OK, OK, OK, OK, OK, 403),
    ),
    Cell(
        "correction_request.view",
        "get",
        lambda w: reverse(E + "request-detail", args=[w.correction.pk]),
        _expect(404, 404, OK, OK, OK, OK, 404, OK),
    ),
    Cell(
        "correction_request.create",
        "post",
        lambda w: reverse(E + "request-create") + Q,
        _expect(403, 403, 403, 403, 403, OK, 404, 403),
        data=lambda w: {"kind": "perbaikan", "message": "Lengkapi bukti."},
    ),
    Cell(
        "correction_request.answer",
        "post",
        lambda w: reverse(E + "request-answer", args=[w.correction.pk]),
        _expect(404, 404, OK, 403, 403, OK, 404, 403),
        data=lambda w: {"answer": "Sudah dilengkapi."},
    ),
    Cell(
        "correction_request.close",
        "post",
        lambda w: reverse(E + "request-close", args=[w.correction.pk]),
        _expect(404, 404, 403, 403, 403, OK, 404, 403),
        data=lambda w: {"comment": ""},
    ),
    Cell(
        "annual_evaluation.edit",
        "post",
        lambda w: reverse(E + "annual-edit", args=["18.12", YEAR]),
        _expect(403, 403, 403, 403, 403, OK, 404, 403),
        data=lambda w: {"achievements": "Baik", "obstacles": "", "follow_up": ""},
    ),
    # --- Pemantauan nasional (Kemendagri) ---------------------------------------------------------------
    Cell(
        "national_dashboard.view",
        "get",
        lambda w: reverse(R + "national-dashboard"),
        _expect(403, 403, 403, 403, 403, OK, 403, OK),
    ),
    Cell(
        "national_window.set",
        "post",
        lambda w: reverse(R + "national-windows"),
        _expect(403, 403, 403, 403, 403, OK, 403, OK),
        data=lambda w: {
            "action": "window",
            "jadwal-year": YEAR,
            "jadwal-quarter": 3,
            "jadwal-opens_on": f"{YEAR}-07-01",
            "jadwal-due_date": f"{YEAR}-10-20",
            "jadwal-closes_on": f"{YEAR}-10-31",
        },
    ),
    Cell("awards.view", "get", lambda w: reverse(R + "awards"), _expect(403, 403, 403, 403, 403, OK, 403, OK)),
    # --- API ------------------------------------------------------------------------------------------
    Cell(
        "api.report.view",
        "get",
        lambda w: f"/api/v1/laporan/{w.draft.pk}/",
        _expect(OK, 404, OK, OK, OK, OK, 404, OK),
        api=True,
    ),
    Cell(
        "api.report.approve",
        "post",
        lambda w: f"/api/v1/laporan/{w.submitted.pk}/approve/",
        _expect(403, 404, OK, 403, 403, OK, 404, 403),
        data=lambda w: {"comment": ""},
        api=True,
    ),
    Cell(
        "api.recipient_import.view",
        "get",
        lambda w: f"/api/v1/penerima-impor/{w.batch.pk}/",
        _expect(OK, 404, OK, OK, OK, OK, 404, 404),
        api=True,
    ),
    Cell(
        "api.recipient.view",
        "get",
        lambda w: f"/api/v1/penerima/{w.recipient.pk}/",
        _expect(OK, 404, OK, OK, OK, OK, 404, 404),
        api=True,
    ),
    Cell(
        "api.achievement.view",
        "get",
        lambda w: f"/api/v1/capaian/{w.achievement.pk}/",
        _expect(OK, 404, OK, OK, OK, OK, 404, OK),
        api=True,
    ),
    Cell(
        "api.espm.view",
        "get",
        lambda w: f"/api/v1/e-spm/{w.achievement.pk}/",
        _expect(OK, 404, OK, OK, OK, OK, 404, OK),
        api=True,
    ),
    Cell(
        "api.agency.view",
        "get",
        lambda w: f"/api/v1/opd/{w.draft.agency_id}/",
        _expect(OK, 404, OK, OK, OK, OK, 404, OK),
        api=True,
    ),
]


# The two evaluators' answers per cell: (Lampung's evaluator, Aceh's evaluator). Lampung's reads the kab/kota's
# reports, evidence, targets and achievements (read-only: 403 on every change), has no access to recipients'
# personal data, and alone sends, closes and records the provincial evaluation; for Aceh's, Lampung's kab/kota
# do not exist (404) — unless a page its role lacks refuses first (403, as for the Peninjau Provinsi: targets,
# rencana aksi, laporan resmi); its own pages (evaluation, requests) open on its own provinsi.
EVALUATOR_COLUMNS: dict[str, tuple] = {
    "national_dashboard.view": (403, 403),
    "national_window.set": (403, 403),
    "awards.view": (403, 403),
    "team.view": (403, 403),
    "team.manage": (403, 403),
    "team.daerah_page": (OK, 404),
    "report.view": (OK, 404),
    "report.edit": (403, 404),
    "report.review_page": (OK, 404),
    "report.approve": (403, 404),
    "report.unlock": (403, 404),
    "evidence.download": (OK, 404),
    "evidence.delete": (403, 404),
    "recipient_import.view": (OK, 404),
    "recipient_import.error_report": (403, 404),
    "recipient_import.cancel": (403, 404),
    "recipient_import.upload_page": (403, 403),
    "recipient_list.view": (OK, 404),
    "recipient_list.export": (403, 404),
    "recipient.view": (OK, 404),
    "recipient.nik_search": (403, 404),
    "personal_data_log.view": (OK, OK),
    "personal_data_log.view_others": (403, 403),
    "target.view": (403, 403),
    "target.edit": (403, 403),
    "target.review": (403, 404),
    "target.import_page": (403, 403),
    "plan.view": (403, 403),
    "plan.export": (403, 403),
    "plan.approve": (403, 404),
    "official_report.view": (403, 403),
    "official_report.write": (403, 403),
    "official_report.download": (403, 403),
    "achievement.explain": (OK, 404),
    "period.manage": (403, 403),
    "provincial_evaluation.view": (OK, OK),
    "correction_request.list": (OK, OK),
    "correction_request.view": (OK, 404),
    "correction_request.create": (OK, 404),
    "correction_request.answer": (403, 404),
    "correction_request.close": (OK, 404),
    "annual_evaluation.edit": (OK, 404),
    "api.report.view": (OK, 404),
    "api.report.approve": (403, 404),
    "api.recipient_import.view": (OK, 404),
    "api.recipient.view": (OK, 404),
    "api.achievement.view": (OK, 404),
    "api.espm.view": (OK, 404),
    "api.agency.view": (OK, 404),
}
for _cell in CELLS:
    _cell.expect.update(zip(EVALUATORS, EVALUATOR_COLUMNS[_cell.name], strict=True))


def _outcome(response, api: bool) -> str | int:
    status = response.status_code
    if status in (403, 404):
        return status
    if api and status == 401:
        return LOGIN
    if status in (301, 302) and "/akun/masuk/" in response.get("Location", ""):
        return LOGIN
    if status < 400:
        return OK
    return status


def _ask(cell: Cell, persona: str, world: World, request) -> str | int:
    client = Client()
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    url = cell.url(world)
    data = cell.data(world) if cell.data else {}
    if cell.method == "get":
        response = client.get(url)
    elif cell.api:
        response = client.post(url, data, content_type="application/json")
    else:
        response = client.post(url, data)
    if persona == "anonymous" and cell.api and response.status_code in (401, 403):
        return LOGIN  # the API answers an anonymous caller 401/403 (no login page to send it to)
    return _outcome(response, cell.api)


@pytest.mark.parametrize("cell", CELLS, ids=[c.name for c in CELLS])
def test_access_matrix(cell: Cell, world: World, request):
    """One row of the matrix: each persona asks in turn, and whatever it changed is rolled back before the
    next one asks (a savepoint), so every persona meets the same objects in the same state."""
    for name in cell.extra:
        setattr(world, name, request.getfixturevalue(name))
    answers = {}
    for persona in PERSONAS:
        with transaction.atomic():
            answers[persona] = _ask(cell, persona, world, request)
            transaction.set_rollback(True)
        for obj in vars(world).values():
            if obj is not None:
                obj.refresh_from_db()
    wrong = {p: (answers[p], cell.expect[p]) for p in PERSONAS if answers[p] != cell.expect[p]}
    assert not wrong, f"{cell.method.upper()} {cell.url(world)} — persona: (answered, expected): {wrong}"


def test_the_matrix_covers_every_persona_and_object_type():
    """A new persona or object type must come with its cells (the matrix is the contract)."""
    assert all(set(cell.expect) == set(PERSONAS) for cell in CELLS)
    objects = {cell.name.removeprefix("api.").split(".")[0] for cell in CELLS}
    assert objects >= {
        "report",
        "evidence",
        "recipient_import",
        "recipient_list",
        "recipient",
        "target",
        "plan",
        "official_report",
        "achievement",
        "agency",
        "personal_data_log",
        "provincial_evaluation",
        "correction_request",
        "annual_evaluation",
        "team",
        "national_dashboard",
        "national_window",
        "espm",
    }
    assert any(cell.api for cell in CELLS)


def test_scope_is_computed_once_and_reused(operator_a, world, django_assert_num_queries):
    """The scope (daerah, OPD, its jenis) costs at most one query per request (the OPD's jenis), however many
    checks a page makes, and none once that list is kept (under the data version, read once per request)."""
    from spm import access
    from spm.models import User

    user = User.objects.get(pk=operator_a.pk)  # a fresh object, as each request loads
    with django_assert_num_queries(2):  # the data version, the OPD's jenis
        for report in (world.draft, world.submitted, world.approved):
            assert access.can(user, "view", report)
        assert access.restrict(Recipient.objects.all(), user).query is not None
    again = User.objects.get(pk=operator_a.pk)  # the next request
    with django_assert_num_queries(1):  # the data version only
        assert access.can(again, "view", world.draft)


def test_no_stale_scope_after_an_assignment_moves(operator_a, operator_b, world, service_a, daerah):
    """A service moved to another OPD (a change of SOTK) moves its reports with it, in the same process."""
    from spm import access
    from spm.models import ServiceAssignment

    assert access.can(operator_a, "view", world.draft)
    assignment = ServiceAssignment.objects.get(region=daerah, service=service_a)
    assignment.agency = operator_b.agency
    assignment.save()
    assert not access.can(operator_a, "view", world.draft)
    assert access.can(operator_b, "view", world.draft)
