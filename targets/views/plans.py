"""Rencana Aksi Penerapan SPM pages: list and create, detail with items, approve, enact, exports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
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


def _thousands(value) -> str:
    return "" if value is None else f"{value:,}".replace(",", ".")


def _percent(value) -> str:
    if value is None:
        return ""
    return f"{value.quantize(Decimal('0.01'))}".replace(".", ",")


def item_block(item: ActionPlanItem, *, editable: bool, posted=None, errors=None, saved_at=None) -> dict:
    """The context of one service's block (``targets/partials/_plan_item.html``): the stored values, or what
    was typed when the save was refused, with the errors beside their inputs."""
    posted = posted if errors else None

    def shown(name: str, stored: str) -> str:
        return posted.get(name, "") if posted is not None else stored

    labels = {"citizens": _("Target warga"), "pct": _("Target capaian"), "cost": _("Biaya")}
    inputs = {*services.NOMENCLATURE_FIELDS, *(f"{k}_{y}" for k in labels for y in item.plan.years)}
    return {
        "item_other_errors": [m for key, ms in (errors or {}).items() if key not in inputs for m in ms],
        "item": item,
        "item_editable": editable,
        "item_errors": errors or {},
        "item_saved_at": saved_at,
        "item_nomenclature": [
            (name, label, shown(name, getattr(item, name))) for name, label in services.NOMENCLATURE_FIELDS.items()
        ],
        "item_years": [
            {
                "year": row.year,
                "cells": [
                    {
                        "name": f"{kind}_{row.year}",
                        "label": labels[kind],
                        "mode": "decimal" if kind == "pct" else "numeric",
                        "value": shown(f"{kind}_{row.year}", text),
                    }
                    for kind, text in (
                        ("citizens", _thousands(row.target_citizens)),
                        ("pct", _percent(row.target_pct)),
                        ("cost", _thousands(row.cost)),
                    )
                ],
            }
            for row in item.years.all()
        ],
    }


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_view(request.user)
    plan = _plan(request, pk)
    items = exports.plan_items(plan)
    for item in items:
        item.plan = plan  # the rule reads the plan's status and daerah: no query per line
    blocks = [item_block(item, editable=access.can(request.user, "plan.item_edit", item)) for item in items]
    return render(
        request,
        "targets/plan_detail.html",
        {
            "plan": plan,
            "blocks": blocks,
            "can_manage": access.can(request.user, "plan.manage", plan),
            "transitions": plan.transitions.select_related("actor"),
        },
    )


def _typed_numbers(post, years) -> tuple[dict, dict[str, list[str]]]:
    """The yearly figures as typed ("1.250", "95,5"), and a message for each that is not a number."""
    values, errors = {}, {}
    for year in years:
        citizens, pct, cost = (post.get(f"{kind}_{year}", "").strip() for kind in ("citizens", "pct", "cost"))
        parsed = (_int(citizens), _decimal(pct), _int(cost))
        for name, text, value, message in (
            (f"citizens_{year}", citizens, parsed[0], _("Target warga terlayani %(year)s harus bilangan bulat.")),
            (f"pct_{year}", pct, parsed[1], _("Target capaian %(year)s harus berupa angka, misalnya 95,5.")),
            (f"cost_{year}", cost, parsed[2], _("Kebutuhan biaya %(year)s harus bilangan bulat Rupiah.")),
        ):
            if text and value is None:
                errors[name] = [message % {"year": year}]
        values[year] = parsed
    return values, errors


@login_required
@require_POST
def plan_item_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Save one service of a draft plan through ``services.plan_item_save``. With htmx the answer is the block
    alone, swapped in place ("tersimpan pukul …", or the errors beside the inputs); nothing is half-saved."""
    item = get_object_or_404(ActionPlanItem.objects.select_related("plan__region", "service", "agency"), pk=pk)
    _plan(request, item.plan_id)  # 404 outside scope
    years, errors = _typed_numbers(request.POST, item.plan.years)
    data = services.PlanItemInput(
        nomenclature={k: request.POST.get(k, "") for k in services.NOMENCLATURE_FIELDS}, years=years
    )
    saved_at = None
    try:
        if errors:
            raise ValidationError(errors)
        services.plan_item_save(user=request.user, item=item, data=data)
        saved_at = timezone.localtime()
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    if request.htmx:
        item = get_object_or_404(
            ActionPlanItem.objects.select_related("plan__region", "service", "agency").prefetch_related("years"), pk=pk
        )
        block = item_block(
            item,
            editable=access.can(request.user, "plan.item_edit", item),
            posted=request.POST,
            errors=errors,
            saved_at=saved_at,
        )
        return render(request, "targets/partials/_plan_item.html", block)
    if errors:
        messages.error(request, " ".join(m for ms in errors.values() for m in ms))
    else:
        messages.success(request, _("%(code)s disimpan.") % {"code": item.service.code})
    return redirect(f"{reverse('targets:plan-detail', args=[item.plan_id])}#rencana-{item.service.code}")


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
