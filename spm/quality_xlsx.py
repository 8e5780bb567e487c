"""The mutu item lists as xlsx: export of one version, and the reading of an upload (checked, row-numbered
errors in Bahasa Indonesia, formula cells refused) before :func:`spm.services.quality_item_list_import`
stores it as a new version.

One sheet, one header row; the columns are :data:`COLUMNS`. ``komponen`` is a mutu component code of the
jenis (``barang_jasa``, ``sdm``, ``tata_cara`` …) or its name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spm.choices import SourceConfidence
from spm.models import BasicService, QualityItem, QualityItemList
from spm.services import ItemRow
from spm.validation import max_length
from spm.xlsx import SafeXLSX, formula_cells, table_response
from spm.zipcheck import PackageError

COLUMNS = ("komponen", "nama_item", "satuan", "sumber", "keyakinan", "catatan")
REQUIRED_COLUMNS = ("komponen", "nama_item")
MAX_ROWS = 500


@dataclass
class ParsedList:
    """An uploaded item list: the rows that read well and every problem found, by row and column."""

    rows: list[ItemRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def export_response(item_lists: list[QualityItemList]):
    """One sheet per list version, importable again as it is (user text written as text, never a formula)."""
    sheets = []
    for item_list in item_lists:
        rows = [
            (i.component.code, i.name, i.unit, i.source, i.confidence, i.note)
            for i in item_list.items.select_related("component").order_by("component__order", "order", "id")
        ]
        sheets.append((f"{item_list.service.code} {item_list.year} v{item_list.version}", COLUMNS, rows, None))
    first = item_lists[0]
    name = (
        f"item-mutu-{first.service.code}-{first.year}-v{first.version}.xlsx"
        if len(item_lists) == 1
        else "item-mutu.xlsx"
    )
    return table_response(name, sheets)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_upload(content: bytes, *, service: BasicService) -> ParsedList:
    """Read an xlsx of items for ``service``; nothing is stored here."""
    result = ParsedList()
    try:
        dataset = SafeXLSX().create_dataset(content)
    except PackageError as exc:
        result.errors.append(str(exc))
        return result
    except Exception:  # noqa: BLE001 - any unreadable workbook is the same message to the user
        result.errors.append("Berkas bukan xlsx yang dapat dibaca.")
        return result
    formulas = formula_cells(content)
    if formulas:
        result.errors.extend(
            f"Baris {row} kolom {column}: rumus tidak diperbolehkan; ketik nilainya (salin sel, lalu Tempel "
            "Khusus > Nilai)."
            for row, column in formulas
        )
        return result
    headers = [_text(h).lower() for h in (dataset.headers or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in headers]
    if missing:
        result.errors.extend(f"Baris 1: kolom '{c}' tidak ada pada baris judul." for c in missing)
        return result
    components = {}
    for component in service.quality_components.all():
        components[component.code.lower()] = component.code
        components[component.name.strip().lower()] = component.code
    limits = {
        "nama_item": max_length(QualityItem, "name"),
        "satuan": max_length(QualityItem, "unit"),
    }
    seen: dict[tuple[str, str], int] = {}
    for number, values in enumerate(dataset, start=2):
        raw = {h: _text(v) for h, v in zip(headers, values, strict=False)}
        if not any(raw.values()):
            continue
        if len(result.rows) + len(result.errors) >= MAX_ROWS:
            result.errors.append(f"Baris {number}: lebih dari {MAX_ROWS} item; pecah berkasnya.")
            break
        problems = []
        component = components.get(raw.get("komponen", "").lower())
        if component is None:
            known = ", ".join(c.code for c in service.quality_components.all())
            problems.append(
                f"Baris {number} kolom komponen: '{raw.get('komponen', '')}' bukan komponen mutu {service.code} "
                f"(pilihan: {known})."
            )
        name = raw.get("nama_item", "")
        if not name:
            problems.append(f"Baris {number} kolom nama_item: wajib diisi.")
        for column, limit in limits.items():
            if len(raw.get(column, "")) > limit:
                problems.append(f"Baris {number} kolom {column}: paling banyak {limit} karakter.")
        confidence = raw.get("keyakinan", "").lower()
        if confidence and confidence not in SourceConfidence.values:
            problems.append(
                f"Baris {number} kolom keyakinan: '{raw.get('keyakinan')}' tidak dikenal "
                f"(pilihan: {', '.join(SourceConfidence.values)})."
            )
        if component and name:
            key = (component, name.lower())
            if key in seen:
                problems.append(f"Baris {number} kolom nama_item: '{name}' sudah ada pada baris {seen[key]}.")
            seen.setdefault(key, number)
        if problems:
            result.errors.extend(problems)
            continue
        result.rows.append(
            ItemRow(
                component=component,
                name=name,
                unit=raw.get("satuan", ""),
                source=raw.get("sumber", ""),
                confidence=confidence,
                note=raw.get("catatan", ""),
            )
        )
    if not result.rows and not result.errors:
        result.errors.append("Berkas tidak berisi baris item.")
    return result
