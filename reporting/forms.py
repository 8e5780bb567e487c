"""Forms of the reporting app: they check the shape of what is typed (whole numbers, lengths) and build the
plain input of the services. Domain rules (served ≤ must-serve unless justified, completeness …) stay in
``reporting.checks`` and ``reporting.services``.

Every message is in Bahasa Indonesia and names the field, as the operator sees it on the form.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reporting import anchors
from reporting.choices import EvidenceKind, ImplementationStage, Quarter, StageStatus
from reporting.models import Evidence, QuarterlyReport
from reporting.services import ReportInput
from reporting.services.reports import SCALAR_FIELDS
from spm.validation import max_length

MAX_INT = 2_147_483_647  # PositiveIntegerField
MAX_RUPIAH = 9_223_372_036_854_775_807  # PositiveBigIntegerField

_PLAIN_DIGITS = re.compile(r"^\d+$")
_GROUPED_DIGITS = re.compile(r"^\d{1,3}(\.\d{3})+$")  # 150.000.000 — dots as thousands separators


def format_thousands(value: int | None) -> str:
    """150000000 → "150.000.000" (Indonesian thousands separators); None → ""."""
    return "" if value is None else f"{value:,}".replace(",", ".")


class WholeNumberField(forms.CharField):
    """A non-negative whole number, typed plain (150000000) or with dots as thousands separators (150.000.000).

    Decimals ("1,5", "150.000,50") and negative numbers are refused with a message naming the field.
    """

    def __init__(self, *, label: str, max_value: int = MAX_INT, rupiah: bool = False, **kwargs) -> None:
        kwargs.setdefault("required", False)
        super().__init__(label=label, strip=True, **kwargs)
        self.max_value = max_value
        self.rupiah = rupiah

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        text = text.replace(" ", "")
        if self.rupiah:
            text = re.sub(r"^(?i:rp\.?)", "", text)
        if text.startswith("-"):
            raise ValidationError(_("%(label)s tidak boleh negatif.") % {"label": self.label}, code="negative")
        if "," in text or not (_PLAIN_DIGITS.match(text) or _GROUPED_DIGITS.match(text)):
            message = (
                _("%(label)s harus berupa bilangan bulat Rupiah tanpa sen, misalnya 150.000.000.")
                if self.rupiah
                else _("%(label)s harus berupa bilangan bulat tanpa desimal, misalnya 1.250.")
            )
            raise ValidationError(message % {"label": self.label}, code="invalid")
        number = int(text.replace(".", ""))
        if number > self.max_value:
            raise ValidationError(_("%(label)s terlalu besar.") % {"label": self.label}, code="max_value")
        return number

    def prepare_value(self, value):
        return format_thousands(value) if isinstance(value, int) else value


def _text(label: str, max_length: int, *, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "max_length": format_lazy(
                "{} {}", label, gettext_lazy("paling banyak %(limit_value)d karakter (sekarang %(show_value)d).")
            ),
        },
    )


TEXT_LIMITS = {
    "served_justification": 2000,
    "budget_justification": 2000,
    "problems": 5000,
    "solutions": 5000,
    "flag_note": 2000,
}
STAGE_NOTE_LIMIT = 500
NOT_APPLICABLE_REASON_LIMIT = 500


class ReportForm(forms.Form):
    """The entry form of one quarterly report: sections A–E as one form (F, evidence, has its own).

    Field names: the scalar fields of the model; ``quality-<code>-required`` / ``quality-<code>-met`` per mutu
    component, with ``quality-<code>-not_applicable`` / ``quality-<code>-reason`` (tidak berlaku and why);
    ``stage-<code>-status`` / ``stage-<code>-note`` per tahapan; ``version`` for optimistic locking.
    """

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            "required": gettext_lazy("Versi laporan tidak terbaca; muat ulang halaman."),
            "invalid": gettext_lazy("Versi laporan tidak terbaca; muat ulang halaman."),
        },
    )

    def __init__(self, *args, report: QuarterlyReport, **kwargs) -> None:
        kwargs.setdefault("initial", initial_for(report))
        super().__init__(*args, **kwargs)
        self.report = report
        labels = SCALAR_FIELDS
        self.fields["must_serve"] = WholeNumberField(label=labels["must_serve"])
        self.fields["served"] = WholeNumberField(label=labels["served"])
        self.fields["served_justification"] = _text(labels["served_justification"], TEXT_LIMITS["served_justification"])
        self.fields["budget_allocated"] = WholeNumberField(
            label=_("Alokasi anggaran"), max_value=MAX_RUPIAH, rupiah=True
        )
        self.fields["budget_realised"] = WholeNumberField(
            label=_("Realisasi anggaran"), max_value=MAX_RUPIAH, rupiah=True
        )
        self.fields["budget_justification"] = _text(labels["budget_justification"], TEXT_LIMITS["budget_justification"])
        self.fields["problems"] = _text(labels["problems"], TEXT_LIMITS["problems"], rows=4)
        self.fields["solutions"] = _text(labels["solutions"], TEXT_LIMITS["solutions"], rows=4)
        self.fields["flag_note"] = _text(labels["flag_note"], TEXT_LIMITS["flag_note"], rows=2)
        self.quality_codes: list[str] = []
        self.item_entries = list(report.item_entries.all()) if report.quality_item_list_id else []
        self.item_components = {e.item.component_id for e in self.item_entries}
        for entry in self.item_entries:
            anchor = anchors.item(entry.item_id)
            unit = f" ({entry.item.unit})" if entry.item.unit else ""
            self.fields[anchors.form_field(anchor, "required")] = WholeNumberField(
                label=_("%(name)s: dibutuhkan") % {"name": f"{entry.item.name}{unit}"}
            )
            self.fields[anchors.form_field(anchor, "met")] = WholeNumberField(
                label=_("%(name)s: tersedia") % {"name": f"{entry.item.name}{unit}"}
            )
        for entry in report.quality_entries.all():
            code, name = entry.component.code, entry.component.name
            self.quality_codes.append(code)
            anchor = anchors.quality(code)
            if entry.component_id not in self.item_components:  # entered per component; else from its items
                self.fields[anchors.form_field(anchor, "required")] = WholeNumberField(
                    label=_("%(name)s: harus dipenuhi") % {"name": name}
                )
                self.fields[anchors.form_field(anchor, "met")] = WholeNumberField(
                    label=_("%(name)s: terpenuhi") % {"name": name}
                )
            self.fields[anchors.form_field(anchor, "not_applicable")] = forms.BooleanField(
                label=_("%(name)s: tidak berlaku") % {"name": name}, required=False
            )
            self.fields[anchors.form_field(anchor, "reason")] = forms.CharField(
                label=_("%(name)s: alasan tidak berlaku") % {"name": name},
                required=False,
                max_length=NOT_APPLICABLE_REASON_LIMIT,
                error_messages={
                    "max_length": _("Alasan tidak berlaku %(name)s") % {"name": name}
                    + " "
                    + _("paling banyak %(limit_value)d karakter (sekarang %(show_value)d).")
                },
            )
        for stage in ImplementationStage:
            self.fields[anchors.form_field(anchors.stage(stage.value), "status")] = forms.ChoiceField(
                label=_("%(stage)s: status") % {"stage": stage.label},
                required=False,
                choices=[("", _("— pilih status —")), *StageStatus.choices],
                error_messages={
                    "invalid_choice": _("Status tahapan %(stage)s tidak dikenal.") % {"stage": stage.label}
                },
            )
            self.fields[anchors.form_field(anchors.stage(stage.value), "note")] = forms.CharField(
                label=_("%(stage)s: keterangan") % {"stage": stage.label},
                required=False,
                max_length=STAGE_NOTE_LIMIT,
                error_messages={
                    "max_length": _("Keterangan tahapan %(stage)s") % {"stage": stage.label}
                    + " "
                    + _("paling banyak %(limit_value)d karakter (sekarang %(show_value)d).")
                },
            )

    def to_input(self) -> ReportInput:
        """The cleaned form as the services' :class:`~reporting.services.ReportInput`.

        On a form with errors (the live completeness meter reads it while the user types) a refused input
        reads as blank; its error is shown beside it.
        """
        data = _Cleaned(self.cleaned_data, self.fields)
        return ReportInput(
            scalars={name: data[name] for name in SCALAR_FIELDS},
            quality={
                code: (
                    data.get(anchors.form_field(anchors.quality(code), "required")),
                    data.get(anchors.form_field(anchors.quality(code), "met")),
                )
                for code in self.quality_codes
            },
            items={
                e.item_id: (
                    data[anchors.form_field(anchors.item(e.item_id), "required")],
                    data[anchors.form_field(anchors.item(e.item_id), "met")],
                )
                for e in self.item_entries
            },
            not_applicable={
                code: data[anchors.form_field(anchors.quality(code), "reason")].strip()
                for code in self.quality_codes
                if data[anchors.form_field(anchors.quality(code), "not_applicable")]
            },
            stages={
                stage: (
                    data[anchors.form_field(anchors.stage(stage), "status")],
                    data[anchors.form_field(anchors.stage(stage), "note")],
                )
                for stage in ImplementationStage.values
            },
        )


class _Cleaned(dict):
    """``cleaned_data`` where an input the form refused reads as blank (None, "" or False by its field)."""

    def __init__(self, cleaned: dict, fields: dict) -> None:
        super().__init__(cleaned)
        self.fields = fields

    def __missing__(self, name: str):
        field = self.fields[name]
        if isinstance(field, forms.BooleanField):
            return False
        return None if isinstance(field, WholeNumberField) else ""


def initial_for(report: QuarterlyReport) -> dict:
    """The stored values of a report, as the entry form's initial data."""
    initial: dict = {name: getattr(report, name) for name in SCALAR_FIELDS}
    initial["version"] = report.version
    for entry in report.quality_entries.all():
        anchor = anchors.quality(entry.component.code)
        initial[anchors.form_field(anchor, "required")] = entry.required
        initial[anchors.form_field(anchor, "met")] = entry.met
        initial[anchors.form_field(anchor, "not_applicable")] = entry.not_applicable
        initial[anchors.form_field(anchor, "reason")] = entry.not_applicable_reason
    for entry in report.item_entries.all() if report.quality_item_list_id else ():
        initial[anchors.form_field(anchors.item(entry.item_id), "required")] = entry.required
        initial[anchors.form_field(anchors.item(entry.item_id), "met")] = entry.met
    for stage in report.stages.all():
        initial[anchors.form_field(anchors.stage(stage.stage), "status")] = stage.status
        initial[anchors.form_field(anchors.stage(stage.stage), "note")] = stage.note
    return initial


class EvidenceForm(forms.Form):
    """Section F: one dokumen pendukung with a short description (type and size are checked by the service)."""

    file = forms.FileField(
        label=gettext_lazy("Berkas"),
        error_messages={
            "required": gettext_lazy("Berkas: pilih berkas yang akan diunggah."),
            "empty": gettext_lazy("Berkas: berkas yang dipilih kosong."),
            "invalid": gettext_lazy("Berkas: tidak ada berkas yang terkirim; periksa jenis isian formulir."),
        },
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Jenis dokumen"),
        choices=EvidenceKind.choices,
        required=False,  # left out: "lainnya", as for files uploaded before the types existed
        error_messages={"invalid_choice": gettext_lazy("Jenis dokumen: pilih salah satu dari daftar.")},
    )
    description = forms.CharField(
        label=gettext_lazy("Keterangan"),
        required=False,
        max_length=max_length(Evidence, "description"),
        error_messages={
            "max_length": gettext_lazy("Keterangan paling banyak %(limit_value)d karakter (sekarang %(show_value)d).")
        },
    )


class PeriodChoiceForm(forms.Form):
    """The year and triwulan selector of "Tugas saya"; bad values fall back to the current triwulan."""

    tahun = forms.IntegerField(min_value=2019, max_value=2100, required=False)
    triwulan = forms.TypedChoiceField(choices=Quarter.choices, coerce=int, required=False)

    def period(self, default: tuple[int, int]) -> tuple[int, int]:
        if not self.is_valid():
            return default
        year = self.cleaned_data.get("tahun") or default[0]
        quarter = self.cleaned_data.get("triwulan") or default[1]
        return year, quarter


class OpenReportForm(PeriodChoiceForm):
    """Start the report of one of the operator's services (by the service's id) for a triwulan."""

    service = forms.IntegerField(min_value=1)
