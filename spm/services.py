"""Write paths for the catalogue, the region tree and the organisation.

Reference data (catalogue and regions) are loaded from the project's copy in ``spm/data``; loading is
idempotent: a second run changes nothing, and a corrected file updates the rows in place.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from spm.choices import Confidence, GovernmentLevel, RegionLevel, Role, Severity
from spm.models import Affair, Agency, BasicService, QualityComponent, Region, ServiceAssignment, User

DATA_DIR = Path(__file__).resolve().parent / "data"
CATALOGUE_FILE = DATA_DIR / "catalogue.yaml"
REGIONS_FILE = DATA_DIR / "regions.csv"


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    unchanged: int

    def __str__(self) -> str:
        return f"{self.created} baru, {self.updated} diperbarui, {self.unchanged} tetap"


def _upsert(model, lookup: dict, values: dict) -> tuple[object, str]:
    """Create or update one row; report whether anything changed."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values), "created"
    changed = [field for field, value in values.items() if getattr(obj, field) != value]
    if changed:
        for field in changed:
            setattr(obj, field, values[field])
        obj.save(update_fields=changed)
        return obj, "updated"
    return obj, "unchanged"


def _eligibility_fields(raw: dict | None) -> dict:
    raw = raw or {}
    age = raw.get("age") or [None, None]
    age_days = raw.get("age_days") or [None, None]
    return {
        "min_age": age[0],
        "max_age": age[1],
        "min_age_days": age_days[0],
        "max_age_days": age_days[1],
        "sex": raw.get("sex") or "",
        "eligibility_severity": raw.get("severity") or Severity.ERROR,
        "eligibility_note": raw.get("note") or "",
    }


@transaction.atomic
def catalogue_load(*, path: Path = CATALOGUE_FILE) -> LoadResult:
    """Load the six urusan, their jenis pelayanan dasar and mutu components from ``catalogue.yaml``."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    component_names: dict[str, str] = data["mutu_components"]
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for affair_order, raw_affair in enumerate(data["urusan"], start=1):
        affair, outcome = _upsert(
            Affair,
            {"code": raw_affair["code"]},
            {"name": raw_affair["name"], "regulation": raw_affair.get("regulation", ""), "order": affair_order},
        )
        counts[outcome] += 1
        for service_order, raw in enumerate(raw_affair["services"], start=1):
            level = raw["level"]
            if level not in GovernmentLevel.values:
                raise ValidationError(
                    _("Tingkat '%(level)s' pada layanan %(code)s tidak dikenal.")
                    % {"level": level, "code": raw["code"]}
                )
            service, outcome = _upsert(
                BasicService,
                {"code": raw["code"]},
                {
                    "affair": affair,
                    "level": level,
                    "name": raw["name"],
                    "recipient": raw["recipient"],
                    "indicator": raw["indicator"],
                    "order": service_order,
                    "agency_hint": raw.get("agency_hint", ""),
                    "confidence": Confidence.ASSUMED if raw.get("confidence") == "assumed" else Confidence.REGULATION,
                    **_eligibility_fields(raw.get("eligibility")),
                },
            )
            counts[outcome] += 1
            for component_order, component_code in enumerate(raw["mutu"], start=1):
                _component, outcome = _upsert(
                    QualityComponent,
                    {"service": service, "code": component_code},
                    {"name": component_names[component_code], "order": component_order},
                )
                counts[outcome] += 1
            QualityComponent.objects.filter(service=service).exclude(code__in=raw["mutu"]).delete()
    return LoadResult(**counts)


@transaction.atomic
def regions_load(*, path: Path = REGIONS_FILE) -> LoadResult:
    """Load provinsi, kabupaten/kota and kecamatan from ``regions.csv`` (code, name, level, parent_code).

    Parents are loaded before children; rows are compared in memory so a re-run issues no writes.
    """
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    existing = {r.code: r for r in Region.objects.all()}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for level in (RegionLevel.PROVINCE, RegionLevel.REGENCY_CITY, RegionLevel.DISTRICT):
        to_create: list[Region] = []
        to_update: list[Region] = []
        for row in rows:
            if row["level"] != level:
                continue
            parent = existing.get(row["parent_code"]) if row["parent_code"] else None
            if row["parent_code"] and parent is None:
                raise ValidationError(
                    _("Induk %(parent)s untuk wilayah %(code)s tidak ditemukan.")
                    % {"parent": row["parent_code"], "code": row["code"]}
                )
            parent_id = parent.pk if parent else None
            current = existing.get(row["code"])
            if current is None:
                to_create.append(Region(code=row["code"], name=row["name"], level=level, parent_id=parent_id))
            elif (current.name, current.level, current.parent_id) != (row["name"], level, parent_id):
                current.name, current.level, current.parent_id = row["name"], level, parent_id
                to_update.append(current)
            else:
                counts["unchanged"] += 1
        for region in Region.objects.bulk_create(to_create, batch_size=1000):
            existing[region.code] = region
        if not all(r.pk for r in to_create):  # backends that do not return ids (none we support today)
            existing.update({r.code: r for r in Region.objects.filter(level=level)})
        Region.objects.bulk_update(to_update, ["name", "level", "parent"], batch_size=1000)
        counts["created"] += len(to_create)
        counts["updated"] += len(to_update)
    return LoadResult(**counts)


def assignment_validate(*, region: Region, service: BasicService, agency: Agency) -> None:
    """An OPD pengampu must belong to the daerah, and the service must be of the daerah's level."""
    errors: dict[str, str] = {}
    if not region.is_daerah:
        errors["region"] = _("Penugasan hanya untuk provinsi atau kabupaten/kota.")
    elif service.level != region.government_level:
        errors["service"] = _("Jenis pelayanan dasar %(code)s bukan kewenangan %(level)s.") % {
            "code": service.code,
            "level": region.get_level_display(),
        }
    if agency.region_id != region.pk:
        errors["agency"] = _("OPD %(agency)s bukan perangkat daerah %(region)s.") % {
            "agency": agency.name,
            "region": region.name,
        }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def service_assign(*, region: Region, service: BasicService, agency: Agency) -> ServiceAssignment:
    """Make ``agency`` the OPD pengampu of ``service`` in ``region`` (replacing any previous one)."""
    assignment_validate(region=region, service=service, agency=agency)
    assignment, _created = ServiceAssignment.objects.update_or_create(
        region=region, service=service, defaults={"agency": agency}
    )
    return assignment


@transaction.atomic
def agency_create(*, region: Region, name: str, short_name: str = "") -> Agency:
    agency = Agency(region=region, name=name, short_name=short_name)
    agency.full_clean()
    agency.save()
    return agency


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    role: str,
    region: Region | None = None,
    agency: Agency | None = None,
    **extra,
) -> User:
    """Create a user with a role and its scope; the role's group follows from the role."""
    if role not in Role.values:
        raise ValidationError({"role": _("Peran '%(role)s' tidak dikenal.") % {"role": role}})
    user = User(username=username, role=role, region=region, agency=agency, **extra)
    user.full_clean(exclude=["password"])
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


def user_language_set(*, user: User, language: str) -> None:
    """Keep the interface language a user picked (the switch), so that e-mails and files made for the user
    later, without a request, are in it too. An unknown code is ignored (the default stays)."""
    if language not in dict(settings.LANGUAGES) or user.language == language:
        return
    user.language = language
    user.save(update_fields=["language"])
