"""Rencana Aksi Penerapan SPM pages: list and create, detail with items, approve, enact, exports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from spm import access
from targets import exports, services
from targets.models import ActionPlan, ActionPlanItem
from targets.views.common import chosen_region, needs_region_choice, region_choice, region_query


def _require_view(user) -> None:
    access.require_page(user, "targets")


def _int(value: str | None) -> int | None:
    value = (value or "").strip().replace(".", "")
    return int(value) if value.lstrip("-").isdigit() else None


def _decimal(value: str | None) -> Decimal | None:
    try:
        return Decimal((value or "").strip().replace(",", ".")) if (value or "").strip() else None
    except InvalidOperation:
        return None


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    _require_view(request.user)
    if needs_region_choice(request):
        return region_choice(request)
    region = chosen_region(request)
    can_manage = access.can(request.user, "plan.manage", region)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        try:
            plan = services.plan_create(
                user=request.user,
                region=region,
                start_year=_int(request.POST.get("start_year")) or 2026,
                end_year=_int(request.POST.get("end_year")) or 2030,
                references={k: request.POST.get(k, "") for k in ("rpjmd_ref", "renstra_ref", "renja_ref")},
            )
            return redirect("targets:plan-detail", pk=plan.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    plans = ActionPlan.objects.visible_to(request.user).filter(region=region).select_related("region")
    return render(
        request,
        "targets/plan_list.html",
        {"region": region, "plans": plans, "can_manage": can_manage, "region_query": region_query(request, region)},
    )


def _plan(request, pk) -> ActionPlan:
    return access.get_object_for(request.user, ActionPlan.objects.select_related("region"), pk=pk)


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_view(request.user)
    plan = _plan(request, pk)
    items = exports.plan_items(plan)
    for item in items:
        item.plan = plan  # the rule reads the plan's status and daerah: no query per line
    editable = {item.pk for item in items if access.can(request.user, "plan.item_edit", item)}
    return render(
        request,
        "targets/plan_detail.html",
        {
            "plan": plan,
            "items": items,
            "editable": editable,
            "can_manage": access.can(request.user, "plan.manage", plan),
            "transitions": plan.transitions.select_related("actor"),
        },
    )


@login_required
@require_POST
def plan_item_save(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(ActionPlanItem.objects.select_related("plan__region", "service"), pk=pk)
    _plan(request, item.plan_id)  # 404 outside scope
    years = {
        y: (
            _int(request.POST.get(f"citizens_{y}")),
            _decimal(request.POST.get(f"pct_{y}")),
            _int(request.POST.get(f"cost_{y}")),
        )
        for y in item.plan.years
    }
    data = services.PlanItemInput(
        nomenclature={k: request.POST.get(k, "") for k in services.NOMENCLATURE_FIELDS}, years=years
    )
    try:
        services.plan_item_save(user=request.user, item=item, data=data)
        messages.success(request, _("%(code)s disimpan.") % {"code": item.service.code})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("targets:plan-detail", pk=item.plan_id)


@login_required
@require_POST
def plan_transition(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    try:
        if request.POST.get("action") == "enact":
            try:
                date = dt.date.fromisoformat(request.POST.get("perkada_date", ""))
            except ValueError:
                date = None
            services.plan_enact(
                user=request.user,
                plan=plan,
                perkada_number=request.POST.get("perkada_number", ""),
                perkada_date=date,
                document=request.FILES.get("signed_document"),
            )
            messages.success(request, _("Rencana aksi ditetapkan."))
        else:
            services.plan_approve(user=request.user, plan=plan, comment=request.POST.get("comment", ""))
            messages.success(request, _("Rencana aksi disetujui."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("targets:plan-detail", pk=plan.pk)


@login_required
def plan_signed_document(request: HttpRequest, pk: int) -> FileResponse:
    """The signed Perkada of an enacted plan, streamed from the file storage (never a public link), for anyone
    who may see the plan."""
    _require_view(request.user)
    plan = _plan(request, pk)
    if not plan.signed_document:
        raise Http404
    try:
        handle = plan.signed_document.open("rb")
    except FileNotFoundError as error:
        raise Http404("Berkas tidak ditemukan di penyimpanan.") from error
    name = f"perkada-rencana-aksi-{plan.region.code}-{plan.start_year}-{plan.end_year}.pdf"
    return FileResponse(handle, as_attachment=True, filename=name, content_type="application/pdf")


@login_required
def plan_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    _require_view(request.user)
    plan = _plan(request, pk)
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    if fmt == "xlsx":
        return exports.plan_xlsx(plan)
    response = HttpResponse(exports.plan_pdf(plan), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="rencana-aksi-{plan.region.code}.pdf"'
    return response
