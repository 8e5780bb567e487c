"""FilterSets of the targets app's API (strict: a value the filter cannot read is refused)."""

import django_filters

from reporting.models import Achievement
from spm.filters import YearFilter


class EspmFilter(django_filters.FilterSet):
    """The e-SPM rows by daerah (kode wilayah), year, triwulan, jenis pelayanan dasar and urusan."""

    region = django_filters.CharFilter(field_name="region__code")
    year = YearFilter()
    quarter = django_filters.TypedChoiceFilter(choices=[(q, str(q)) for q in (1, 2, 3, 4)], coerce=int)
    service = django_filters.CharFilter(field_name="service__code")
    affair = django_filters.CharFilter(field_name="service__affair__code")

    class Meta:
        model = Achievement
        fields = ["region", "year", "quarter", "service", "affair"]
