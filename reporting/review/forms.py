"""Forms of the verifikator's and admin's pages; they validate input, the services decide (STYLE.md).

Messages in Bahasa Indonesia, naming the field with its official term.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reporting import anchors
from reporting.choices import ImplementationStage, Quarter, Section
from reporting.models import QuarterlyReport
from reporting.services.reports import FIELD_SECTION, SCALAR_FIELDS

COMMENT_PREFIX = "catatan"
COMMENT_ROWS = 3
MAX_COMMENT_ROWS = 30


def anchor_choices(report: QuarterlyReport) -> list:
    """Sections A–F, then the fields of each section (scalars, each mutu component, each stage), grouped."""
    choices: list = [("", _("— pilih bagian atau isian —"))]
    choices.append((_("Bagian laporan"), [(s.value, s.label) for s in Section]))
    for section in Section:
        fields = [(name, label) for name, label in SCALAR_FIELDS.items() if FIELD_SECTION[name] == section]
        if section == Section.QUALITY:
            fields += [
                (anchors.quality(e.component.code), e.component.name)
                for e in sorted(report.quality_entries.all(), key=lambda e: e.component.order)
            ]
        if section == Section.STAGES:
            fields += [(anchors.stage(s.value), s.label) for s in ImplementationStage]
        if fields:
            choices.append((section.label, fields))
    return choices


class BootstrapForm(forms.Form):
    """Bootstrap 5 classes on the widgets, and ``is-invalid`` on those whose field has an error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            base = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", base)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class CommentRowForm(BootstrapForm):
    """One comment of a return: the section or field it is about, and what the OPD must fix."""

    anchor = forms.ChoiceField(label=_("Bagian/isian"), required=False)
    text = forms.CharField(
        label=_("Catatan"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, anchors: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["anchor"].choices = anchors

    def clean(self):
        data = super().clean()
        anchor, text = data.get("anchor"), (data.get("text") or "").strip()
        if text and not anchor:
            self.add_error("anchor", _("Pilih bagian atau isian yang dikomentari."))
        if anchor and not text:
            self.add_error("text", _("Tuliskan catatan untuk bagian atau isian ini."))
        data["text"] = text
        return data


class BaseCommentFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        if not self.comments():
            raise forms.ValidationError(_("Tuliskan minimal satu catatan untuk OPD sebelum mengembalikan laporan."))

    def comments(self) -> list[tuple[str, str]]:
        """(anchor, text) of every filled row; blank rows are ignored."""
        return [
            (f.cleaned_data["anchor"], f.cleaned_data["text"])
            for f in self.forms
            if f.cleaned_data.get("anchor") and f.cleaned_data.get("text")
        ]


CommentFormSet = forms.formset_factory(
    CommentRowForm,
    formset=BaseCommentFormSet,
    extra=COMMENT_ROWS,
    max_num=MAX_COMMENT_ROWS,
    validate_max=True,
    absolute_max=MAX_COMMENT_ROWS,
)


def comment_formset(report: QuarterlyReport, data=None) -> BaseCommentFormSet:
    return CommentFormSet(data, prefix=COMMENT_PREFIX, form_kwargs={"anchors": anchor_choices(report)})


class ReturnForm(BootstrapForm):
    summary = forms.CharField(
        label=_("Ringkasan untuk OPD (opsional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ApproveForm(BootstrapForm):
    comment = forms.CharField(
        label=_("Komentar persetujuan (opsional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class UnlockForm(BootstrapForm):
    reason = forms.CharField(
        label=_("Alasan membuka kunci"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Alasan membuka kunci wajib diisi.")},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Alasan membuka kunci wajib diisi."))
        return reason


# --- Periods (admins) --------------------------------------------------------------------------------------


class PeriodCreateForm(BootstrapForm):
    year = forms.IntegerField(
        label=_("Tahun"),
        min_value=2020,
        max_value=2100,
        error_messages={"required": _("Tahun wajib diisi.")},
    )
    quarter = forms.TypedChoiceField(
        label=_("Triwulan"),
        choices=Quarter.choices,
        coerce=int,
        error_messages={"required": _("Triwulan wajib dipilih.")},
    )


class DueDateForm(BootstrapForm):
    due_date = forms.DateField(
        label=_("Batas waktu baru"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Batas waktu wajib diisi."), "invalid": _("Tanggal tidak valid.")},
    )
    reason = forms.CharField(label=_("Alasan (opsional)"), required=False, max_length=2000)


class PeriodCloseForm(BootstrapForm):
    reason = forms.CharField(label=_("Alasan (opsional)"), required=False, max_length=2000)


class PeriodReopenForm(BootstrapForm):
    reason = forms.CharField(
        label=_("Alasan membuka kembali"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Alasan membuka kembali periode wajib diisi.")},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Alasan membuka kembali periode wajib diisi."))
        return reason
