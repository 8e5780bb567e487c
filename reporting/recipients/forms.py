"""Forms and filters of the recipient pages (data penerima): the import form and the list's FilterSet."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reporting.choices import ImportMode, Quarter, RecipientStatus
from reporting.models import Recipient
from reporting.recipients.personal_data import clean_nik_query
from reporting.recipients.services import importable_services
from spm import access
from spm.models import BasicService, Region


class RecipientImportForm(forms.Form):
    """Upload a recipient list: daerah (chosen by admins, fixed for operators), service, year, mode, file."""

    region = forms.ModelChoiceField(label=_("Daerah"), queryset=Region.objects.none(), empty_label=None)
    service = forms.ModelChoiceField(label=_("Jenis pelayanan dasar"), queryset=BasicService.objects.none())
    year = forms.IntegerField(label=_("Tahun"), min_value=2000)
    mode = forms.ChoiceField(
        label=_("Cara impor"), choices=ImportMode.choices, initial=ImportMode.APPEND, widget=forms.RadioSelect
    )
    file = forms.FileField(
        label=_("Berkas xlsx"),
        help_text=_("Gunakan templat jenis pelayanan dasar ini; satu baris satu penerima."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args, user, region: Region | None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["year"].initial = timezone.localdate().year
        self.fields["year"].max_value = timezone.localdate().year + 1
        if access.scope_of(user).is_admin:
            self.fields["region"].queryset = Region.objects.daerah().order_by("code")
        else:
            self.fields["region"].queryset = Region.objects.filter(pk=user.region_id)
            self.fields["region"].disabled = True
            region = user.region
        self.fields["region"].initial = region
        services = importable_services(user, region) if region is not None else BasicService.objects.none()
        self.fields["service"].queryset = services.order_by("affair__order", "order")
        self.fields["service"].label_from_instance = lambda service: f"{service.code} — {service.name}"
        for name, field in self.fields.items():
            if name != "mode":
                field.widget.attrs.setdefault(
                    "class", "form-select" if name in ("region", "service") else "form-control"
                )


def _not_a_number(value: str) -> None:
    """The list's search box is for names: a number typed there would travel in the URL (and into access
    logs) and looks for a NIK, so a value with six digits or more is refused; a NIK is searched with the
    "Cari NIK" form (POST)."""
    if sum(char.isdigit() for char in value) >= 6:
        raise forms.ValidationError(_('Kotak ini hanya untuk mencari nama. Cari NIK lengkap dengan kotak "Cari NIK".'))


class RecipientFilter(django_filters.FilterSet):
    """Search and filters of a list: name, kecamatan, desa, status, triwulan served. There is no search by
    NIK here (GET): see :mod:`reporting.recipients.personal_data`."""

    q = django_filters.CharFilter(label=_("Cari nama"), method="search", max_length=100, validators=[_not_a_number])
    kecamatan = django_filters.ModelChoiceFilter(
        label=_("Kecamatan"), field_name="district", queryset=Region.objects.none(), empty_label=_("Semua kecamatan")
    )
    desa = django_filters.CharFilter(label=_("Desa/kelurahan"), field_name="village", lookup_expr="iexact")
    status = django_filters.ChoiceFilter(
        label=_("Status layanan"), choices=RecipientStatus.choices, empty_label=_("Semua")
    )
    triwulan = django_filters.ChoiceFilter(
        label=_("Triwulan"), field_name="quarter", choices=Quarter.choices, empty_label=_("Semua")
    )

    class Meta:
        model = Recipient
        fields: list[str] = []

    def __init__(self, *args, region: Region, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["kecamatan"].queryset = Region.objects.districts_of(region).order_by("name")

    @property
    def form(self):
        # Built when first asked for (validation, drawing the filter), not for every list: an unfiltered
        # list filters nothing and its drawn filter comes from the cache.
        built = hasattr(self, "_form")
        form = super().form
        if not built:
            for name in self.filters:
                css = (
                    "form-select form-select-sm"
                    if name in ("kecamatan", "status", "triwulan")
                    else "form-control form-control-sm"
                )
                form.fields[name].widget.attrs["class"] = css
        return form

    def search(self, queryset, _name, value: str):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value))

    @property
    def active(self) -> dict[str, str]:
        """The filters in use, for the export record and links (never a NIK: ``q`` refuses numbers)."""
        data = self.form.cleaned_data if self.form.is_valid() else {}
        active = {}
        for key, value in data.items():
            if value in (None, ""):
                continue
            active[key] = value.code if isinstance(value, Region) else str(value)
        return active


class NikSearchForm(forms.Form):
    """Cari NIK: the whole 16-digit NIK, posted (never in a URL), for roles that may see full NIKs."""

    nik = forms.CharField(
        label=_("Cari NIK (16 digit, sama persis)"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"class": "form-control form-control-sm", "inputmode": "numeric", "autocomplete": "off"}
        ),
    )

    def clean_nik(self) -> str:
        return clean_nik_query(self.cleaned_data["nik"])
