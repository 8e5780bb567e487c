"""The demo daerah used by ``make run``: Kabupaten Tulang Bawang Barat (18.12) with its OPD and one user per role.

Idempotent: running it again changes nothing and never resets a password someone has changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

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
    DemoAccount("admin", Role.ADMIN, "Admin Sistem"),
    DemoAccount("kemendagri", Role.NATIONAL, "Sekber SPM Kemendagri (pemantauan nasional)"),
]


@transaction.atomic
def demo_setup() -> list[tuple[DemoAccount, bool]]:
    """Create the demo OPD, assign every kabupaten/kota service to its OPD, and create the demo users.

    Returns each demo account with whether it was created in this run.
    """
    region = Region.objects.get(code=DEMO_REGION_CODE)
    agencies: dict[str, Agency] = {}
    for name, short_name in DEMO_AGENCIES:
        agencies[name], _created = Agency.objects.get_or_create(
            region=region, name=name, defaults={"short_name": short_name}
        )
    for service in BasicService.objects.for_region(region).select_related("affair"):
        agency = agencies.get(service.agency_hint)
        if agency is not None:
            service_assign(region=region, service=service, agency=agency)

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
