"""FilterSets shared by the reporting lists and API."""

import django_filters

from reporting.models import Achievement, QuarterlyReport


class QuarterlyReportFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="period__year")
    quarter = django_filters.NumberFilter(field_name="period__quarter")
    service = django_filters.CharFilter(field_name="service__code")
    region = django_filters.CharFilter(field_name="region__code")

    class Meta:
        model = QuarterlyReport
        fields = ["year", "quarter", "status", "service", "region", "is_late"]


class AchievementFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="region__code")
    service = django_filters.CharFilter(field_name="service__code")
    affair = django_filters.CharFilter(field_name="affair__code")

    class Meta:
        model = Achievement
        fields = ["year", "quarter", "level", "region", "service", "affair", "status"]
