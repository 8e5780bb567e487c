"""Reads of recipient lists that other parts of the application use (the quarterly report, targets).

This is the read interface of the recipient lists: the quarterly report and the targets call it, never the
import services.
"""

from __future__ import annotations

from django.db.models import Count, Q

from reporting.choices import RecipientStatus
from reporting.models import Recipient
from spm.models import BasicService, Region


def recipient_counts(region: Region | int, service: BasicService | int, year: int) -> dict:
    """Section A figures from the named list, in one aggregate query.

    ``must_serve`` (jumlah yang harus dilayani): every recipient on the year's list, whatever its status.
    ``served[q]`` (jumlah terlayani in triwulan q): recipients whose service date falls in triwulan q and
    whose status is "sesuai standar"; a recipient served but not (yet) to standard is still to be served.
    """
    region_id = getattr(region, "pk", region)
    service_id = getattr(service, "pk", service)
    served = Q(status=RecipientStatus.SERVED)
    totals = Recipient.objects.for_list(region_id, service_id, year).aggregate(
        must_serve=Count("id"),
        q1=Count("id", filter=served & Q(quarter=1)),
        q2=Count("id", filter=served & Q(quarter=2)),
        q3=Count("id", filter=served & Q(quarter=3)),
        q4=Count("id", filter=served & Q(quarter=4)),
    )
    return {"must_serve": totals["must_serve"], "served": {q: totals[f"q{q}"] for q in (1, 2, 3, 4)}}


def named_counts_by_service(region: Region | int, year: int) -> dict[int, int]:
    """Recipients on each service's list of a daerah for a year (the list's "harus dilayani"), one query."""
    region_id = getattr(region, "pk", region)
    rows = Recipient.objects.filter(region_id=region_id, year=year).values("service_id").annotate(n=Count("id"))
    return {row["service_id"]: row["n"] for row in rows.order_by()}
