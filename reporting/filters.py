"""FilterSets shared by the reporting lists and API (strict: a value the filter cannot read is refused)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from reporting.models import Achievement, QuarterlyReport, Recipient, RecipientImport
from spm.filters import StrictBooleanFilter, YearFilter


class QuarterlyReportFilter(django_filters.FilterSet):
    year = YearFilter(field_name="period__year")
    quarter = django_filters.TypedChoiceFilter(
        field_name="period__quarter", choices=[(q, str(q)) for q in (1, 2, 3, 4)], coerce=int
    )
    service = django_filters.CharFilter(field_name="service__code")
    region = django_filters.CharFilter(field_name="region__code")
    is_late = StrictBooleanFilter()

    class Meta:
        model = QuarterlyReport
        fields = ["year", "quarter", "status", "service", "region", "is_late"]


class AchievementFilter(django_filters.FilterSet):
    """Capaian in scope; the current revision of each figure unless ``revisi=semua`` asks for the history."""

    year = YearFilter()
    region = django_filters.CharFilter(field_name="region__code")
    service = django_filters.CharFilter(field_name="service__code")
    affair = django_filters.CharFilter(field_name="affair__code")
    revisi = django_filters.ChoiceFilter(
        label=_("Revisi"), choices=[("semua", _("semua revisi"))], method="filter_revision"
    )

    class Meta:
        model = Achievement
        fields = ["year", "quarter", "level", "region", "service", "affair", "status", "revisi"]

    def filter_queryset(self, queryset):
        if self.form.cleaned_data.get("revisi") != "semua":
            queryset = queryset.filter(is_current=True)
        return super().filter_queryset(queryset)

    def filter_revision(self, queryset, name, value):
        return queryset  # the choice is read in filter_queryset, which also applies its absence


class RecipientImportFilter(django_filters.FilterSet):
    year = YearFilter()

    class Meta:
        model = RecipientImport
        fields = ["year", "status"]


class RecipientFilter(django_filters.FilterSet):
    """Named recipients by daerah, jenis pelayanan dasar, year, quarter and status (never by NIK here)."""

    year = YearFilter()
    region = django_filters.CharFilter(field_name="region__code")
    service = django_filters.CharFilter(field_name="service__code")

    class Meta:
        model = Recipient
        fields = ["region", "service", "year", "quarter", "status"]
