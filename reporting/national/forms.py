"""Forms of the national pages: the national window and a daerah's perpanjangan (shape only; the rules are in
``reporting.services.periods``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reporting.choices import Quarter
from reporting.review.forms import BootstrapForm


def _date(label) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Tanggal wajib diisi."), "invalid": _("Tanggal tidak valid.")},
    )


class NationalWindowForm(BootstrapForm):
    year = forms.IntegerField(
        label=_("Tahun"), min_value=2020, max_value=2100, error_messages={"required": _("Tahun wajib diisi.")}
    )
    quarter = forms.TypedChoiceField(
        label=_("Triwulan"),
        choices=Quarter.choices,
        coerce=int,
        error_messages={"required": _("Triwulan wajib dipilih.")},
    )
    opens_on = _date(_("Mulai pengisian"))
    due_date = _date(_("Batas waktu"))
    closes_on = _date(_("Penutupan pengisian"))
    reason = forms.CharField(label=_("Keterangan (opsional)"), required=False, max_length=2000)


class ExtensionForm(BootstrapForm):
    daerah = forms.CharField(
        label=_("Kode wilayah daerah"), max_length=13, error_messages={"required": _("Kode wilayah wajib diisi.")}
    )
    year = forms.IntegerField(
        label=_("Tahun"), min_value=2020, max_value=2100, error_messages={"required": _("Tahun wajib diisi.")}
    )
    quarter = forms.TypedChoiceField(
        label=_("Triwulan"),
        choices=Quarter.choices,
        coerce=int,
        error_messages={"required": _("Triwulan wajib dipilih.")},
    )
    due_date = _date(_("Batas waktu baru"))
    reason = forms.CharField(
        label=_("Alasan perpanjangan"),
        max_length=2000,
        error_messages={"required": _("Alasan perpanjangan wajib diisi.")},
    )
