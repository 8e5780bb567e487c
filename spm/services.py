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

from spm.choices import Confidence, GovernmentLevel, ItemListOrigin, RegionLevel, Role, Severity, SourceConfidence
from spm.models import (
    Affair,
    Agency,
    BasicService,
    FieldGuide,
    GlossaryTerm,
    QualityComponent,
    QualityItem,
    QualityItemList,
    Region,
    ServiceAssignment,
    User,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
CATALOGUE_FILE = DATA_DIR / "catalogue.yaml"
REGIONS_FILE = DATA_DIR / "regions.csv"
MUTU_ITEMS_FILE = DATA_DIR / "mutu_items.yaml"
JUKNIS_FILE = DATA_DIR / "juknis.yaml"
GLOSSARY_FILE = DATA_DIR / "glossary.yaml"


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
    component_sources: dict[str, str] = data.get("mutu_component_sources") or {}
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
                    {
                        "name": component_names[component_code],
                        "order": component_order,
                        "source": component_sources.get(component_code, ""),
                    },
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


# --- Mutu items (standar teknis) -----------------------------------------------------------------------

COMPONENT_KEYS = ("barang", "jasa", "barang_jasa", "sdm", "tata_cara")


@dataclass(frozen=True)
class ItemRow:
    """One item of a list as read from the reference file or an xlsx import (plain values)."""

    component: str
    name: str
    unit: str = ""
    source: str = ""
    confidence: str = ""
    note: str = ""

    def key(self) -> tuple:
        return (self.component, self.name, self.unit, self.source, self.confidence, self.note)


def quality_item_list_in_force(*, service: BasicService, year: int) -> QualityItemList | None:
    """The version of the jenis's item list in force for a report of ``year``: the highest version of the
    latest list whose first year is not after ``year`` (None when the jenis has no list)."""
    return (
        QualityItemList.objects.filter(service=service, year__lte=year)
        .order_by("-year", "-version")
        .select_related("service")
        .first()
    )


def _confidence(value: object, default: str = SourceConfidence.LOW) -> str:
    text = str(value or "").strip().lower()
    return text if text in SourceConfidence.values else default


def _list_rows(item_list: QualityItemList) -> list[tuple]:
    return [
        ItemRow(i.component.code, i.name, i.unit, i.source, i.confidence, i.note).key()
        for i in item_list.items.select_related("component").order_by("component__order", "order", "id")
    ]


def _store_items(item_list: QualityItemList, rows: list[ItemRow]) -> None:
    components = {c.code: c for c in item_list.service.quality_components.all()}
    item_list.items.all().delete()
    QualityItem.objects.bulk_create(
        QualityItem(
            item_list=item_list,
            component=components[row.component],
            name=row.name,
            unit=row.unit,
            source=row.source,
            confidence=_confidence(row.confidence, item_list.confidence),
            note=row.note,
            order=order,
        )
        for order, row in enumerate(rows, start=1)
    )


def _file_rows(raw: dict, service: BasicService) -> list[ItemRow]:
    known = set(service.quality_components.values_list("code", flat=True))
    rows: list[ItemRow] = []
    for component in COMPONENT_KEYS:
        entries = raw.get(component) or []
        if entries and component not in known:
            raise ValidationError(
                _("Komponen %(component)s pada daftar item %(code)s tidak ada di katalog jenis pelayanan itu.")
                % {"component": component, "code": service.code}
            )
        for entry in entries:
            rows.append(
                ItemRow(
                    component=component,
                    name=str(entry["item"]).strip(),
                    unit=str(entry.get("unit") or "").strip(),
                    source=str(entry.get("source") or raw.get("source") or "").strip(),  # the list's, unless its own
                    confidence=_confidence(entry.get("confidence"), _confidence(raw.get("confidence"))),
                    note=str(entry.get("note") or "").strip(),
                )
            )
    return rows


@transaction.atomic
def quality_items_load(*, path: Path = MUTU_ITEMS_FILE) -> LoadResult:
    """Load the mutu item lists of ``mutu_items.yaml`` (per jenis: items per component, source, confidence,
    what is missing), idempotently.

    The file seeds the reference version of each jenis and year. A corrected file updates that version in
    place while no report is bound to it, and otherwise adds a new version, so a filed report keeps the list
    it was filed under; once an admin has added a newer version, the file no longer touches the jenis.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    services = {s.code: s for s in BasicService.objects.all()}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for code, raw in data.items():
        service = services.get(code)
        if service is None:
            raise ValidationError(
                _("Kode jenis pelayanan dasar '%(code)s' pada daftar item mutu tidak dikenal.") % {"code": code}
            )
        year = int(raw.get("year") or 2019)
        rows = _file_rows(raw, service)
        header = {
            "source": str(raw.get("source") or ""),
            "regulation_version": str(raw.get("regulation_version") or ""),
            "confidence": _confidence(raw.get("confidence")),
            "missing": str(raw.get("missing") or ""),
        }
        latest = QualityItemList.objects.filter(service=service, year=year).order_by("-version").first()
        if latest is not None and latest.origin != ItemListOrigin.REFERENCE_FILE:
            counts["unchanged"] += 1  # an admin's version is newer: the file no longer decides
            continue
        if latest is not None:
            same = all(getattr(latest, k) == v for k, v in header.items()) and _list_rows(latest) == [
                r.key() for r in rows
            ]
            if same:
                counts["unchanged"] += 1
                continue
            if not latest.reports.exists():
                for key, value in header.items():
                    setattr(latest, key, value)
                latest.save()
                _store_items(latest, rows)
                counts["updated"] += 1
                continue
        item_list = QualityItemList.objects.create(
            service=service,
            year=year,
            version=(latest.version + 1) if latest else 1,
            origin=ItemListOrigin.REFERENCE_FILE,
            **header,
        )
        _store_items(item_list, rows)
        counts["created"] += 1
    return LoadResult(**counts)


@transaction.atomic
def quality_item_list_copy(*, item_list: QualityItemList, origin: str = ItemListOrigin.ADMIN) -> QualityItemList:
    """A new version of a list (same jenis and year) with the same items, to be edited: a version a report is
    bound to never changes."""
    latest = (
        QualityItemList.objects.select_for_update()
        .filter(service=item_list.service, year=item_list.year)
        .order_by("-version")
        .first()
    )
    copy = QualityItemList.objects.create(
        service=item_list.service,
        year=item_list.year,
        version=latest.version + 1,
        origin=origin,
        source=item_list.source,
        regulation_version=item_list.regulation_version,
        confidence=item_list.confidence,
        missing=item_list.missing,
    )
    QualityItem.objects.bulk_create(
        QualityItem(
            item_list=copy,
            component_id=i.component_id,
            name=i.name,
            unit=i.unit,
            source=i.source,
            confidence=i.confidence,
            note=i.note,
            order=i.order,
        )
        for i in item_list.items.all()
    )
    return copy


@transaction.atomic
def quality_item_list_import(
    *, service: BasicService, year: int, rows: list[ItemRow], source: str, confidence: str
) -> QualityItemList:
    """Store an imported (already validated) item list as a new version of the jenis and year."""
    if not rows:
        raise ValidationError(_("Daftar item kosong: tidak ada yang disimpan."))
    latest = QualityItemList.objects.select_for_update().filter(service=service, year=year).order_by("-version").first()
    item_list = QualityItemList.objects.create(
        service=service,
        year=year,
        version=(latest.version + 1) if latest else 1,
        origin=ItemListOrigin.IMPORT,
        source=source,
        confidence=_confidence(confidence),
        missing="",
    )
    _store_items(item_list, rows)
    return item_list


# --- Juknis (petunjuk pengisian) and the Kamus SPM ----------------------------------------------------


@transaction.atomic
def field_guides_load(*, path: Path = JUKNIS_FILE) -> LoadResult:
    """Add the petunjuk pengisian of ``juknis.yaml`` that the database lacks; an existing row is never
    overwritten (an admin's correction stays)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    services = {s.code: s for s in BasicService.objects.all()}
    existing = {(g.service_id, g.field) for g in FieldGuide.objects.all()}
    entries = [(None, name, raw) for name, raw in (data.get("general") or {}).items()]
    for code, fields_ in (data.get("services") or {}).items():
        if code not in services:
            raise ValidationError(
                _("Kode jenis pelayanan dasar '%(code)s' pada juknis tidak dikenal.") % {"code": code}
            )
        entries.extend((services[code], name, raw) for name, raw in fields_.items())
    created = unchanged = 0
    for service, name, raw in entries:
        if ((service.pk if service else None), name) in existing:
            unchanged += 1
            continue
        FieldGuide.objects.create(
            service=service,
            field=name,
            label=raw["label"],
            text=raw["text"],
            example=raw.get("example") or "",
            source=raw["source"],
            confidence=_confidence(raw.get("confidence"), SourceConfidence.ASSUMED),
        )
        created += 1
    return LoadResult(created=created, updated=0, unchanged=unchanged)


@transaction.atomic
def glossary_load(*, path: Path = GLOSSARY_FILE) -> LoadResult:
    """Add the Kamus SPM terms of ``glossary.yaml`` that the database lacks (admins' edits stay)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    existing = set(GlossaryTerm.objects.values_list("term", flat=True))
    created = unchanged = 0
    for order, raw in enumerate(data.get("terms") or [], start=1):
        if raw["term"] in existing:
            unchanged += 1
            continue
        GlossaryTerm.objects.create(term=raw["term"], definition=raw["definition"], source=raw["source"], order=order)
        created += 1
    return LoadResult(created=created, updated=0, unchanged=unchanged)


def reference_data_load() -> dict[str, LoadResult]:
    """Every reference data set of the project, in dependency order (``manage.py load_reference_data``)."""
    return {
        "Katalog SPM": catalogue_load(),
        "Wilayah": regions_load(),
        "Daftar item mutu": quality_items_load(),
        "Petunjuk pengisian": field_guides_load(),
        "Kamus SPM": glossary_load(),
    }


def user_language_set(*, user: User, language: str) -> None:
    """Keep the interface language a user picked (the switch), so that e-mails and files made for the user
    later, without a request, are in it too. An unknown code is ignored (the default stays)."""
    if language not in dict(settings.LANGUAGES) or user.language == language:
        return
    user.language = language
    user.save(update_fields=["language"])
