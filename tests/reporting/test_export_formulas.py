"""No live formula leaves the system: every xlsx and CSV export writes user text that starts with ``=``, ``+``,
``-`` or ``@`` as text (CSV/formula injection), and keeps what was typed."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest
import tablib
from django.urls import reverse

from reporting.models import Recipient
from reporting.recipients import xlsx as recipient_xlsx
from spm.models import Agency, BasicService
from spm.xlsx import SafeCSV, SafeXLSX, csv_text, dataset_xlsx, is_formula_like
from targets import official_report
from targets.services import PlanItemInput, plan_create, plan_item_save, target_save
from tests.reporting.recipients_support import YEAR, person
from tests.targets.conftest import target_input

pytestmark = pytest.mark.django_db

PAYLOADS = ['=HYPERLINK("http://x","klik")', "+1", "-1", "@SUM(1)"]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def assert_no_formula(content: bytes, payload: str) -> None:
    """No cell of the workbook is a formula, and the payload is there as typed."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    values = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                values.append(cell.value)
    assert payload in values


def assert_csv_escaped(content: bytes, payload: str) -> None:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    fields = [field for row in rows for field in row]
    assert not [field for field in fields if field.startswith(TRIGGERS) and field != "-"]
    assert "'" + payload in fields


@pytest.fixture
def recipient_named(daerah, service_a):
    def make(name: str) -> Recipient:
        row = person(1)
        return Recipient.objects.create(
            region=daerah,
            service=service_a,
            year=YEAR,
            nik=row[0],
            name=name,
            sex="P",
            birth_date=row[3],
            address=name,
            village="",
            service_date=row[7],
            quarter=1,
            note=name,
        )

    return make


# --- each export path ----------------------------------------------------------------------------------


def recipient_export(payload, request):
    daerah, service_a = request.getfixturevalue("daerah"), request.getfixturevalue("service_a")
    request.getfixturevalue("recipient_named")(payload)
    client = request.getfixturevalue("client_for")(request.getfixturevalue("operator_a"))
    url = reverse(
        "reporting:recipients-export", kwargs={"region": daerah.code, "service": service_a.code, "year": YEAR}
    )
    return "xlsx", b"".join(client.get(url).streaming_content)


def admin_recipient_export(fmt):
    def export(payload, request):
        request.getfixturevalue("recipient_named")(payload)
        client = request.getfixturevalue("client_for")(request.getfixturevalue("admin_user"))
        fields = {f"recipientresource_{name}": "on" for name in ("nik", "name", "address", "note")}
        response = client.post(reverse("admin:reporting_recipient_export"), {"format": fmt, "resource": "0", **fields})
        assert response.status_code == 200
        return ("csv" if fmt == "0" else "xlsx"), response.content

    return export


def admin_agency_export(payload, request):
    agency = request.getfixturevalue("agency_a")
    Agency.objects.filter(pk=agency.pk).update(name=payload)
    client = request.getfixturevalue("client_for")(request.getfixturevalue("admin_user"))
    response = client.post(
        reverse("admin:spm_agency_export"), {"format": "1", "resource": "0", "agencyresource_name": "on"}
    )
    return "xlsx", response.content


def error_report(payload, request):
    destination = request.getfixturevalue("tmp_path") / "laporan.xlsx"
    rows = [(1, ["NIK", "Nama Lengkap"]), (2, ["1812014101900001", payload]), (3, [payload, "Sri"])]
    messages = iter([(2, f"Baris 2: GALAT [Nama] {payload}", True)])
    recipient_xlsx.write_error_report(destination, iter(rows), messages, header_row=1, report_column=None)
    return "xlsx", destination.read_bytes()


def error_report_of_issues_only(payload, request):
    destination = request.getfixturevalue("tmp_path") / "laporan.xlsx"
    rows = [(1, ["NIK", "Nama Lengkap"]), (2, ["1812014101900001", payload])]
    messages = iter([(2, "Baris 2: GALAT", True)])
    recipient_xlsx.write_error_report(
        destination, iter(rows), messages, header_row=1, report_column=None, only_issues=True
    )
    return "xlsx", destination.read_bytes()


def action_plan(payload, request):
    reviewer, daerah = request.getfixturevalue("reviewer"), request.getfixturevalue("daerah")
    request.getfixturevalue("agency_a")
    plan = plan_create(user=reviewer, region=daerah, references={})
    for item in plan.items.all():
        years = {y: (1000, Decimal("90.00"), 10_000_000) for y in plan.years}
        nomenclature = {"program_code": "1.02.02", "program_name": payload, "activity_name": payload}
        plan_item_save(user=reviewer, item=item, data=PlanItemInput(nomenclature=nomenclature, years=years))
    client = request.getfixturevalue("client_for")(reviewer)
    return "xlsx", client.get(reverse("targets:plan-export", args=[plan.pk, "xlsx"])).content


def targets_export(payload, request):
    operator_a, daerah = request.getfixturevalue("operator_a"), request.getfixturevalue("daerah")
    service = request.getfixturevalue("service_a")
    data = target_input(1000)
    data.note = payload
    target_save(user=operator_a, region=daerah, service=service, year=2026, data=data)
    client = request.getfixturevalue("client_for")(request.getfixturevalue("reviewer"))
    return "xlsx", client.get(reverse("targets:target-export"), {"tahun": 2026}).content


def dashboard(payload, request):
    request.getfixturevalue("worked_example")
    BasicService.objects.filter(code="1.02.K01").update(name=payload)
    client = request.getfixturevalue("client_for")(request.getfixturevalue("reviewer"))
    return "xlsx", client.get(reverse("reporting:dashboard"), {"tahun": 2025, "triwulan": 4, "format": "xlsx"}).content


def completeness_matrix(payload, request):
    from reporting.exports import matrix_workbook
    from reporting.selectors import MatrixCell, MatrixRow

    region = SimpleNamespace(code="18.12", name=payload)
    period = SimpleNamespace(region=region, label="2026 TW 1", due_date=dt.date(2026, 4, 15))
    cell = MatrixCell(service_code="1.02.K01", service_name=payload, status="draft", is_late=False, report_id=None)
    rows = [MatrixRow(agency=SimpleNamespace(name=payload), cells=[cell])]
    return "xlsx", matrix_workbook(period, rows)


def official_report_xlsx(payload, request):
    row = SimpleNamespace(
        service=SimpleNamespace(code="1.02.K01", name=payload),
        must_serve=10,
        served=5,
        recipient_pct=None,
        quality_pct=None,
        index=None,
        budget_allocated=1,
        budget_realised=1,
        get_status_label=lambda: payload,
    )
    line = official_report.ServiceLine(
        service=row.service, row=row, quality_required=1, quality_met=1, problems=payload, solutions=payload
    )
    section = official_report.AffairSection(
        affair=SimpleNamespace(name="Kesehatan"), row=None, letter="A", services=[line]
    )
    report = official_report.OfficialReport(
        edition=SimpleNamespace(region=SimpleNamespace(name=payload), label=payload),
        region_row=None,
        affairs=[section],
        stages=[official_report.StageSummary(payload, {})],
        generated_at=None,
    )
    return "xlsx", official_report.render_xlsx(report)


def import_export_formats(fmt):
    def export(payload, request):
        dataset = tablib.Dataset([payload, 3, payload], headers=["nama", "angka", "catatan"])
        return (
            ("csv", SafeCSV().export_data(dataset).encode())
            if fmt == "csv"
            else ("xlsx", SafeXLSX().export_data(dataset))
        )

    return export


EXPORTS = {
    "recipient-export": recipient_export,
    "admin-recipients-csv": admin_recipient_export("0"),
    "admin-recipients-xlsx": admin_recipient_export("1"),
    "admin-agencies-xlsx": admin_agency_export,
    "recipient-error-report": error_report,
    "recipient-error-report-issues-only": error_report_of_issues_only,
    "rencana-aksi-xlsx": action_plan,
    "targets-export": targets_export,
    "dashboard-xlsx": dashboard,
    "completeness-matrix-xlsx": completeness_matrix,
    "official-report-xlsx": official_report_xlsx,
    "import-export-csv": import_export_formats("csv"),
    "import-export-xlsx": import_export_formats("xlsx"),
}


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("export", EXPORTS.values(), ids=EXPORTS.keys())
def test_no_export_writes_user_text_as_a_live_formula(export, payload, request):
    kind, content = export(payload, request)
    if kind == "csv":
        assert_csv_escaped(content, payload)
    else:
        assert_no_formula(content, payload)


def test_only_formula_like_text_is_escaped():
    assert [is_formula_like(v) for v in ["=1", "+62", "-", "-5", "@a", "\t", "Budi", "", 5, None]] == [
        True,
        True,
        False,
        True,
        True,
        True,
        False,
        False,
        False,
        False,
    ]
    assert csv_text("=1+1") == "'=1+1" and csv_text("Budi") == "Budi" and csv_text(-1) == -1


def test_numbers_and_dates_keep_their_types_in_xlsx():
    content = dataset_xlsx(tablib.Dataset([-1, dt.date(2026, 1, 2), "=1"], headers=["a", "b", "c"]))
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert [cell.data_type for cell in sheet[2]] == ["n", "d", "s"]


def test_the_setting_for_django_import_export_is_on(settings):
    assert settings.IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT is True
