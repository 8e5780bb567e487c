"""FilterSets shared by the HTML lists and the API, and the strict filter types they are built from.

A filter value the filter cannot read is refused (the API answers 400 naming the parameter) rather than
silently ignored: an integrator who sends ``is_active=ya`` must learn that the list was not filtered. An empty
value means "no filter", as in the HTML forms, and the schema says so (``allowEmptyValue``).
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from spm.models import Agency, BasicService, Region

# Tahun anggaran the system can hold a figure for; outside it a filter is a mistake, not an empty list.
YEAR_MIN = 2000
YEAR_MAX = 2100


@extend_schema_field({"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX})
class YearFilter(django_filters.NumberFilter):
    """A tahun anggaran (a whole number between YEAR_MIN and YEAR_MAX)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Tahun"))
        kwargs.setdefault("min_value", YEAR_MIN)
        kwargs.setdefault("max_value", YEAR_MAX)
        super().__init__(*args, **kwargs)


BOOLEAN_CHOICES = [("true", _("ya")), ("false", _("tidak"))]


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.TypedChoiceFilter):
    """A yes/no filter that accepts only ``true`` or ``false`` and refuses anything else."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", BOOLEAN_CHOICES)
        kwargs.setdefault("coerce", lambda value: value == "true")
        super().__init__(*args, **kwargs)


class BasicServiceFilter(django_filters.FilterSet):
    affair = django_filters.CharFilter(field_name="affair__code")

    class Meta:
        model = BasicService
        fields = ["level", "affair"]


class RegionFilter(django_filters.FilterSet):
    parent = django_filters.CharFilter(field_name="parent__code")
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Region
        fields = ["level", "parent", "q"]


class AgencyFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="region__code")
    is_active = StrictBooleanFilter()

    class Meta:
        model = Agency
        fields = ["region", "is_active"]
