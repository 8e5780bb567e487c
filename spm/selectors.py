"""Reads of the SPM reference data composed for pages: the juknis beside each report field, the Kamus SPM."""

from __future__ import annotations

from django.db.models import Q

from spm.models import BasicService, FieldGuide, GlossaryTerm, QualityItemList


def field_guides_for(service: BasicService | None) -> dict[str, FieldGuide]:
    """The petunjuk pengisian of every report field for a jenis (its own text where it has one, else the
    general one), keyed by field; one query."""
    guides: dict[str, FieldGuide] = {}
    condition = Q(service__isnull=True) | Q(service=service) if service is not None else Q(service__isnull=True)
    for guide in FieldGuide.objects.filter(condition).order_by("service_id"):  # NULL (general) first
        if guide.service_id is None and guide.field in guides:
            continue
        guides[guide.field] = guide
    return guides


def dictionary(query: str = "") -> dict:
    """The Kamus SPM: terms and, per jenis, its definisi operasional and its current mutu item list; filtered by
    ``query`` (any word of the term, definition, jenis or text). A fixed number of queries."""
    query = query.strip()
    terms = GlossaryTerm.objects.all()
    guides = FieldGuide.objects.select_related("service").order_by("service__code", "field")
    lists = (
        QualityItemList.objects.select_related("service")
        .prefetch_related("items__component")
        .order_by("service__code", "-year", "-version")
    )
    if query:
        terms = terms.filter(Q(term__icontains=query) | Q(definition__icontains=query))
        guides = guides.filter(
            Q(label__icontains=query)
            | Q(text__icontains=query)
            | Q(service__name__icontains=query)
            | Q(service__code__icontains=query)
        )
        lists = lists.filter(
            Q(service__name__icontains=query) | Q(service__code__icontains=query) | Q(items__name__icontains=query)
        ).distinct()
    current: dict[int, QualityItemList] = {}
    for item_list in lists:
        current.setdefault(item_list.service_id, item_list)  # highest year and version first
    return {
        "query": query,
        "terms": list(terms),
        "general_guides": [g for g in guides if g.service_id is None],
        "service_guides": [g for g in guides if g.service_id is not None],
        "item_lists": list(current.values()),
    }
