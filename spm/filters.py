"""FilterSets shared by the HTML lists and the API."""

import django_filters

from spm.models import Agency, BasicService, Region


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

    class Meta:
        model = Agency
        fields = ["region", "is_active"]
