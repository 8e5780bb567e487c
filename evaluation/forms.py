"""Input validation at the edge of the provincial evaluation pages; the rules are in ``evaluation.services``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluation.choices import RequestKind
from evaluation.services import MAX_TEXT


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "class": "form-control", "maxlength": MAX_TEXT})


class MarkedErrorsForm(forms.Form):
    """A form whose fields with an error carry ``is-invalid`` and point to their message (WCAG 3.3.1), whether
    the error comes from the form or from a service."""

    def add_error(self, field, error) -> None:
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs.update({"aria-invalid": "true", "aria-describedby": f"id_{name}_galat"})


class CorrectionRequestForm(MarkedErrorsForm):
    kind = forms.ChoiceField(
        label=_("Jenis"),
        choices=RequestKind.choices,
        initial=RequestKind.CORRECTION,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    report = forms.ModelChoiceField(
        label=_("Laporan triwulan (boleh dikosongkan untuk seluruh laporan daerah)"),
        queryset=None,
        required=False,
        empty_label=_("— seluruh laporan triwulan ini —"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    message = forms.CharField(label=_("Isi permintaan"), max_length=MAX_TEXT, widget=_textarea(5))

    def __init__(self, *args, reports, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["report"].queryset = reports
        self.fields["report"].label_from_instance = lambda r: (
            f"{r.service.code} {r.service.name} ({r.get_status_display()})"
        )


class AnswerForm(MarkedErrorsForm):
    answer = forms.CharField(label=_("Jawaban"), max_length=MAX_TEXT, widget=_textarea(4))


class CloseForm(MarkedErrorsForm):
    comment = forms.CharField(
        label=_("Komentar penutup (opsional)"), max_length=MAX_TEXT, required=False, widget=_textarea(2)
    )


class AnnualEvaluationForm(MarkedErrorsForm):
    achievements = forms.CharField(label=_("Capaian"), max_length=MAX_TEXT, required=False, widget=_textarea(4))
    obstacles = forms.CharField(label=_("Kendala"), max_length=MAX_TEXT, required=False, widget=_textarea(4))
    follow_up = forms.CharField(label=_("Tindak lanjut"), max_length=MAX_TEXT, required=False, widget=_textarea(4))
