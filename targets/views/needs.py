"""Kebutuhan pemenuhan page: need lines per service with the computed gap and cost, totals per urusan/daerah."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from spm import access
from spm.models import BasicService
from targets import selectors, services
from targets.choices import NeedBasis
from targets.models import Need
from targets.views.common import chosen_region, needs_region_choice, region_choice, region_query, year_param


def _int(value: str | None) -> int:
    value = (value or "0").strip().replace(".", "")
    return int(value) if value.lstrip("-").isdigit() else -1


@login_required
def need_list(request: HttpRequest) -> HttpResponse:
    access.require_page(request.user, "targets")
    if needs_region_choice(request):
        return region_choice(request)
    region = chosen_region(request)
    year = year_param(request)
    editable = list(
        access.services_allowed(
            request.user, "need.edit", region, BasicService.objects.for_region(region).active()
        ).order_by("affair__order", "order")
    )
    if request.method == "POST":
        service = next((s for s in editable if s.code == request.POST.get("service")), None)
        if service is None:
            raise PermissionDenied
        try:
            quantity = Decimal((request.POST.get("quantity") or "").replace(",", "."))
        except InvalidOperation:
            quantity = Decimal(-1)
        try:
            services.need_save(
                user=request.user,
                region=region,
                service=service,
                year=year,
                data=services.NeedInput(
                    component_code=request.POST.get("component", ""),
                    item=request.POST.get("item", ""),
                    basis=request.POST.get("basis", ""),
                    quantity=quantity,
                    available=_int(request.POST.get("available")),
                    unit_cost=_int(request.POST.get("unit_cost")),
                ),
            )
            messages.success(request, _("Kebutuhan disimpan."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        query = region_query(request, region)
        return redirect(f"{request.path}?tahun={year}" + (f"&{query}" if query else ""))
    summary = selectors.needs_summary(region, year, Need.objects.visible_to(request.user))
    return render(
        request,
        "targets/need_list.html",
        {
            **summary,
            "region": region,
            "year": year,
            "editable": editable,
            "bases": NeedBasis.choices,
            "region_query": region_query(request, region),
        },
    )
