"""The demo daerah used by ``make run``: Kabupaten Tulang Bawang Barat (18.12), Kota Metro (18.72) and their provinsi,
Lampung (18), each with its OPD, and one user per role (the provinsi with its own operator and verifikator); on
request (``setup_demo --laporan``) reports of the last two triwulan.

Idempotent: running it again changes nothing and never resets a password someone has changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from spm.choices import Role
from spm.models import Agency, BasicService, Region, User
from spm.roles import ScopeKind, role_spec
from spm.services import service_assign, user_create

DEMO_REGION_CODE = "18.12"
DEMO_PROVINCE_CODE = "18"
DEMO_PASSWORD = "demo-spm-2026"

# OPD of the demo kabupaten, with the usual abbreviation (the catalogue's agency_hint names them).
DEMO_AGENCIES: list[tuple[str, str]] = [
    ("Dinas Pendidikan", "Disdik"),
    ("Dinas Kesehatan", "Dinkes"),
    ("Dinas Pekerjaan Umum dan Penataan Ruang", "DPUPR"),
    ("Dinas Perumahan dan Kawasan Permukiman", "Disperkim"),
    ("Satuan Polisi Pamong Praja", "Satpol PP"),
    ("Badan Penanggulangan Bencana Daerah", "BPBD"),
    ("Dinas Pemadam Kebakaran dan Penyelamatan", "Damkar"),
    ("Dinas Sosial", "Dinsos"),
]


# OPD of Provinsi Lampung, pengampu of the 14 provincial jenis (named as the catalogue's agency_hint).
DEMO_PROVINCE_AGENCIES: list[tuple[str, str]] = [
    ("Dinas Pendidikan Provinsi", "Disdik Prov"),
    ("Dinas Kesehatan Provinsi", "Dinkes Prov"),
    ("Dinas PUPR Provinsi", "DPUPR Prov"),
    ("Dinas Perumahan dan Kawasan Permukiman Provinsi", "Disperkim Prov"),
    ("Satuan Polisi Pamong Praja Provinsi", "Satpol PP Prov"),
    ("Dinas Sosial Provinsi", "Dinsos Prov"),
]
# A second kabupaten/kota of Lampung with its OPD (no accounts), so the provincial matrix compares daerah.
DEMO_SECOND_REGION_CODE = "18.72"  # Kota Metro


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    description: str
    agency: str | None = None
    region_code: str | None = None


DEMO_ACCOUNTS: list[DemoAccount] = [
    DemoAccount("operator.dinkes", Role.OPERATOR, "Operator OPD Dinas Kesehatan", agency="Dinas Kesehatan"),
    DemoAccount("operator.disdik", Role.OPERATOR, "Operator OPD Dinas Pendidikan", agency="Dinas Pendidikan"),
    DemoAccount("verifikator", Role.REVIEWER, "Verifikator, Bagian Pemerintahan Setda", region_code=DEMO_REGION_CODE),
    DemoAccount("pimpinan", Role.LEADER, "Pimpinan (Bupati/Sekda), baca saja", region_code=DEMO_REGION_CODE),
    DemoAccount("provinsi", Role.PROVINCIAL_VIEWER, "Peninjau Provinsi Lampung", region_code=DEMO_PROVINCE_CODE),
    DemoAccount(
        "evaluator.provinsi",
        Role.PROVINCIAL_EVALUATOR,
        "Evaluator Provinsi, Biro Pemerintahan Setda Lampung",
        region_code=DEMO_PROVINCE_CODE,
    ),
    DemoAccount(
        "operator.dinsos.provinsi",
        Role.OPERATOR,
        "Operator OPD Dinas Sosial Provinsi Lampung",
        agency="Dinas Sosial Provinsi",
        region_code=DEMO_PROVINCE_CODE,
    ),
    DemoAccount(
        "verifikator.provinsi",
        Role.REVIEWER,
        "Verifikator Provinsi Lampung, Biro Pemerintahan Setda",
        region_code=DEMO_PROVINCE_CODE,
    ),
    DemoAccount("admin", Role.ADMIN, "Admin Sistem"),
    DemoAccount("kemendagri", Role.NATIONAL, "Sekber SPM Kemendagri (pemantauan nasional)"),
]


def _demo_agencies(region: Region, names: list[tuple[str, str]]) -> dict[str, Agency]:
    """The daerah's demo OPD, each pengampu of the jenis whose catalogue agency_hint names it."""
    agencies: dict[str, Agency] = {}
    for name, short_name in names:
        agencies[name], _created = Agency.objects.get_or_create(
            region=region, name=name, defaults={"short_name": short_name}
        )
    for service in BasicService.objects.for_region(region).select_related("affair"):
        agency = agencies.get(service.agency_hint)
        if agency is not None:
            service_assign(region=region, service=service, agency=agency)
    return agencies


@transaction.atomic
def demo_setup() -> list[tuple[DemoAccount, bool]]:
    """Create the demo OPD of the kabupaten, of Kota Metro and of the provinsi, assign every service of their level
    to its OPD, and create the demo users.

    Returns each demo account with whether it was created in this run.
    """
    agencies = {
        **_demo_agencies(Region.objects.get(code=DEMO_REGION_CODE), DEMO_AGENCIES),
        **_demo_agencies(Region.objects.get(code=DEMO_PROVINCE_CODE), DEMO_PROVINCE_AGENCIES),
    }
    _demo_agencies(Region.objects.get(code=DEMO_SECOND_REGION_CODE), DEMO_AGENCIES)

    results: list[tuple[DemoAccount, bool]] = []
    for account in DEMO_ACCOUNTS:
        if User.objects.filter(username=account.username).exists():
            results.append((account, False))
            continue
        user_create(
            username=account.username,
            password=DEMO_PASSWORD,
            role=account.role,
            agency=agencies[account.agency] if account.agency else None,
            region=Region.objects.get(code=account.region_code) if account.region_code else None,
            first_name=account.description,
            is_superuser=role_spec(account.role).scope == ScopeKind.ALL,
        )
        results.append((account, True))
    return results


# --- Demo reports (setup_demo --laporan) ---------------------------------------------------------------------

# How far each demo daerah got in the triwulan being reported now (the earlier one is complete): the share of its
# jenis approved, then submitted; the rest stay drafts. Kota Metro reports only part of its jenis, late.
DEMO_PROGRESS = {DEMO_REGION_CODE: (0.7, 0.2), DEMO_PROVINCE_CODE: (0.5, 0.3), DEMO_SECOND_REGION_CODE: (0.3, 0.1)}


def _demo_pdf() -> bytes:
    """A one-page PDF as bukti dukung (evidence is opened with pypdf: a bare header would be refused)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _demo_input(service: BasicService, quarter: int):
    """Plausible figures for a jenis, the same on every run (derived from its code, not random)."""
    from reporting.choices import ImplementationStage
    from reporting.services import ReportInput

    seed = sum(ord(c) for c in service.code)
    must_serve = 400 + (seed * 37) % 1600
    served = must_serve * (15 + seed % 9) // 100  # at most 23 % a triwulan: never above the sasaran by TW IV
    allocated = (50 + seed % 200) * 1_000_000
    quality = {}
    for component in service.quality_components.all():
        required = 5 + (seed + len(component.code)) % 40
        quality[component.code] = (required, required - (seed % 3))
    stages = dict.fromkeys(ImplementationStage.values[:2], ("selesai", "")) | dict.fromkeys(
        ImplementationStage.values[2:], ("proses", "")
    )
    return ReportInput(
        scalars={
            "must_serve": must_serve,
            "served": served,
            "budget_allocated": allocated,
            "budget_realised": allocated * min(95, 20 * quarter + seed % 15) // 100,
            "problems": "Data sasaran belum seluruhnya dimutakhirkan dengan Dukcapil.",
            "solutions": "Pemadanan data sasaran dengan Dinas Dukcapil setiap triwulan.",
            "flag_note": "Data sudah diperiksa OPD.",
        },
        quality=quality,
        stages=stages,
    )


def demo_reports(*, on=None, region_codes=None) -> int:
    """Reports of the last two ended triwulan for the demo daerah, written through the reporting services as
    the OPD's demo operator (else the admin) and approved by the daerah's verifikator (else the admin): the
    earlier triwulan complete and approved, the later one partly approved, submitted or draft. Submission
    times are then set before the due date (demo data only: the services stamp "now"), but for Kota Metro,
    which reports late. Reports that exist already are left as they are, so a second run changes nothing.
    ``region_codes`` limits it to some of the demo daerah. Returns the number of reports created."""
    import datetime as dt

    from django.core.files.uploadedfile import SimpleUploadedFile

    from reporting import checks
    from reporting.choices import ReportStatus
    from reporting.models import QuarterlyReport
    from reporting.services import (
        evidence_add,
        period_get_or_create,
        quarter_of,
        report_approve,
        report_open,
        report_save,
        report_submit,
    )
    from reporting.services.periods import today
    from reporting.services.reports import report_values
    from spm.models import ServiceAssignment

    on = on or today()
    year, quarter = quarter_of(on)
    latest = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    earlier = (latest[0] - 1, 4) if latest[1] == 1 else (latest[0], latest[1] - 1)
    admin = User.objects.filter(username="admin").first()
    pdf = _demo_pdf()
    created = 0
    for code, (approved_share, submitted_share) in DEMO_PROGRESS.items():
        if region_codes is not None and code not in region_codes:
            continue
        region = Region.objects.get(code=code)
        reviewer = User.objects.filter(role=Role.REVIEWER, region=region, is_active=True).first() or admin
        assignments = list(
            ServiceAssignment.objects.filter(region=region)
            .select_related("service", "agency")
            .order_by("service__affair__order", "service__order")
        )
        operators = {u.agency_id: u for u in User.objects.filter(role=Role.OPERATOR, agency__region=region)}
        for year_, quarter_ in (earlier, latest):
            period = period_get_or_create(region=region, year=year_, quarter=quarter_)
            done = set(QuarterlyReport.objects.filter(period=period).values_list("service_id", flat=True))
            final = (year_, quarter_) == latest
            for i, assignment in enumerate(assignments):
                if assignment.service_id in done:
                    continue
                share = i / len(assignments)
                target = (
                    ReportStatus.APPROVED
                    if not final or share < approved_share
                    else ReportStatus.SUBMITTED
                    if share < approved_share + submitted_share
                    else ReportStatus.DRAFT
                )
                if code == DEMO_SECOND_REGION_CODE and final and share >= 0.6:
                    continue  # Kota Metro has not started these jenis yet: "belum dimulai" in the matrix
                operator = operators.get(assignment.agency_id) or admin
                with transaction.atomic():
                    report = report_open(user=operator, period=period, service=assignment.service)
                    report = report_save(
                        report=report,
                        user=operator,
                        data=_demo_input(assignment.service, quarter_),
                        expected_version=report.version,
                    )
                    evidence_add(
                        report=report,
                        user=operator,
                        upload=SimpleUploadedFile("bukti-dukung.pdf", pdf, content_type="application/pdf"),
                        description="Rekap capaian triwulan",
                    )
                    # One file of each jenis dokumen the demo's tahapan need (reporting/data/stage_documents.yaml).
                    fresh = QuarterlyReport.objects.prefetch_related("stages", "evidence").get(pk=report.pk)
                    for needed in checks.documents_missing(
                        report_values(fresh, with_previous=False, served_before_total=0)
                    ):
                        evidence_add(
                            report=report,
                            user=operator,
                            upload=SimpleUploadedFile(f"{needed.kind}.pdf", pdf, content_type="application/pdf"),
                            kind=needed.kind,
                        )
                    report.refresh_from_db()
                    if target != ReportStatus.DRAFT:
                        report_submit(report=report, user=operator, expected_version=report.version)
                        on_time = code != DEMO_SECOND_REGION_CODE
                        sent = dt.datetime.combine(
                            period.due_date - dt.timedelta(days=3 + i % 10) if on_time else period.due_date,
                            dt.time(10),
                        ) + (dt.timedelta() if on_time else dt.timedelta(days=2 + i % 5))
                        QuarterlyReport.objects.filter(pk=report.pk).update(
                            submitted_at=timezone.make_aware(sent), is_late=not on_time
                        )
                    if target == ReportStatus.APPROVED:
                        report_approve(report=report, user=reviewer)
                created += 1
    return created
