"""django-import-export resources: the xlsx layout of targets (export, and the columns an import reads).

Columns: kode_daerah, nama_daerah, kode_layanan, jenis_pelayanan_dasar, tahun, harus_dilayani, one
``mutu_<kode komponen>`` column per mutu component code of the catalogue, keterangan, status (export only).
An import reads the cells through the same fields and widgets, reports errors per row and column, and hands
the rows to :func:`targets.services.targets_import`, which validates everything and saves all or nothing.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from import_export import fields, resources, widgets

from spm.models import QualityComponent
from spm.xlsx import SafeXLSX, formula_cells
from spm.zipcheck import PackageError
from targets.models import Target
from targets.services import ImportRow, TargetInput

READ_ONLY_COLUMNS = ("nama_daerah", "jenis_pelayanan_dasar", "status")


def component_codes() -> list[str]:
    """Every mutu component code of the catalogue, in a stable order (one column each)."""
    return sorted(set(QualityComponent.objects.values_list("code", flat=True)))


class WholeNumberWidget(widgets.IntegerWidget):
    """An integer cell; a fraction (1,5) is an error, not silently truncated."""

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        try:
            number = Decimal(str(value).strip().replace(" ", ""))
        except InvalidOperation:
            raise ValueError(f"'{value}' bukan bilangan bulat.") from None
        if number != number.to_integral_value():
            raise ValueError(f"'{value}' bukan bilangan bulat.")
        return int(number)


class TargetResource(resources.Resource):
    """A target row: the values of the revision in force (or the open one, when asked)."""

    kode_daerah = fields.Field(column_name="kode_daerah", widget=widgets.CharWidget())
    nama_daerah = fields.Field(column_name="nama_daerah", readonly=True)
    kode_layanan = fields.Field(column_name="kode_layanan", widget=widgets.CharWidget())
    jenis_pelayanan_dasar = fields.Field(column_name="jenis_pelayanan_dasar", readonly=True)
    tahun = fields.Field(column_name="tahun", widget=WholeNumberWidget())
    harus_dilayani = fields.Field(column_name="harus_dilayani", widget=WholeNumberWidget())
    keterangan = fields.Field(column_name="keterangan", widget=widgets.CharWidget())
    status = fields.Field(column_name="status", readonly=True)

    def __init__(self, codes: list[str] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.codes = codes if codes is not None else component_codes()
        for code in self.codes:
            self.fields[f"mutu_{code}"] = fields.Field(column_name=f"mutu_{code}", widget=WholeNumberWidget())

    def get_export_order(self):
        base = ["kode_daerah", "nama_daerah", "kode_layanan", "jenis_pelayanan_dasar", "tahun", "harus_dilayani"]
        return (*base, *[f"mutu_{c}" for c in self.codes], "keterangan", "status")

    # --- export -------------------------------------------------------------------------------------
    @staticmethod
    def _revision(target: Target):
        return getattr(target, "shown_revision", None) or target.approved_revision

    def dehydrate_kode_daerah(self, target):
        return target.region.code

    def dehydrate_nama_daerah(self, target):
        return target.region.name

    def dehydrate_kode_layanan(self, target):
        return target.service.code

    def dehydrate_jenis_pelayanan_dasar(self, target):
        return target.service.name

    def dehydrate_tahun(self, target):
        return target.year

    def dehydrate_harus_dilayani(self, target):
        revision = self._revision(target)
        return revision.must_serve if revision else None

    def dehydrate_keterangan(self, target):
        revision = self._revision(target)
        return revision.note if revision else ""

    def dehydrate_status(self, target):
        revision = self._revision(target)
        return str(revision.get_status_display()) if revision else ""

    def export_field(self, field, instance, **kwargs):
        name = field.column_name
        if name.startswith("mutu_"):
            revision = self._revision(instance)
            if revision is None:
                return ""
            values = {q.component.code: q.required for q in revision.quality.all()}
            value = values.get(name.removeprefix("mutu_"))
            return "" if value is None else value
        return super().export_field(field, instance, **kwargs)

    # --- import -------------------------------------------------------------------------------------
    def parse(self, content: bytes) -> tuple[list[ImportRow], list[tuple[int, str, str]]]:
        """Read an xlsx into rows; cell-level errors are kept on each row, sheet-level ones returned."""
        try:
            dataset = SafeXLSX().create_dataset(content)
        except PackageError as exc:  # a zip bomb or a corrupt package, refused before openpyxl reads it
            return [], [(0, "berkas", str(exc))]
        except Exception:  # noqa: BLE001 - any unreadable workbook is the same error to the user
            return [], [(0, "berkas", "Berkas bukan xlsx yang dapat dibaca.")]
        formulas = formula_cells(content)
        if formulas:
            return [], [
                (
                    row,
                    column,
                    f"Baris {row} kolom {column}: rumus tidak diperbolehkan; ketik nilainya (salin sel, "
                    "lalu Tempel Khusus > Nilai).",
                )
                for row, column in formulas
            ]
        headers = [str(h or "").strip() for h in (dataset.headers or [])]
        missing = [c for c in ("kode_daerah", "kode_layanan", "tahun", "harus_dilayani") if c not in headers]
        if missing:
            return [], [(1, c, f"Kolom '{c}' tidak ada pada baris judul.") for c in missing]
        rows = []
        for index, values in enumerate(dataset, start=2):
            raw = dict(zip(headers, values, strict=False))
            if all(v in (None, "") for v in raw.values()):
                continue
            rows.append(self._parse_row(index, raw))
        if not rows:
            return [], [(0, "berkas", "Berkas tidak berisi baris target.")]
        return rows, []

    def _parse_row(self, number: int, raw: dict) -> ImportRow:
        errors: list[tuple[str, str]] = []

        def clean(column: str):
            if column not in raw:
                return None
            try:
                return self.fields[column].clean(raw) if column in self.fields else raw[column]
            except ValueError as exc:
                errors.append((column, f"Kolom {column}: {exc}"))
                return None

        quality = {}
        for code in self.codes:
            column = f"mutu_{code}"
            if raw.get(column) not in (None, ""):
                quality[code] = clean(column)
        return ImportRow(
            number=number,
            region_code=str(raw.get("kode_daerah") or "").strip(),
            service_code=str(raw.get("kode_layanan") or "").strip(),
            year=clean("tahun"),
            data=TargetInput(
                must_serve=clean("harus_dilayani"), quality=quality, note=str(raw.get("keterangan") or "")
            ),
            errors=tuple(errors),
        )
