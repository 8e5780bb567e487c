"""Target pages: the list per daerah and year, the target of one service (sources side by side, entry,
review, history), and the xlsx export and import (dry run, then confirm)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from spm import access
from spm.models import BasicService
from spm.validation import parse_id
from spm.xlsx import XLSX_TYPE, dataset_xlsx
from targets import selectors, services
from targets.forms import ImportForm, ReviewForm, TargetForm
from targets.models import Target, TargetImport, TargetQuality, TargetRevision
from targets.resources import TargetResource
from targets.views.common import chosen_region, needs_region_choice, region_choice, region_query, year_param


def _services_for(user, region):
    """The services whose targets the user sees on the list: an operator's own, otherwise the daerah's."""
    qs = BasicService.objects.for_region(region).active()
    scope = access.scope_of(user)
    if scope.service_ids is not None:
        qs = qs.filter(pk__in=scope.service_ids)
    return qs.order_by("affair__order", "order")


def _require_view(user) -> None:
    access.require_page(user, "targets")


@login_required
def target_list(request: HttpRequest) -> HttpResponse:
    _require_view(request.user)
    if needs_region_choice(request):
        return region_choice(request)
    region = chosen_region(request)
    year = year_param(request)
    rows = selectors.target_rows(region, year, _services_for(request.user, region))
    return render(
        request,
        "targets/target_list.html",
        {
            "region": region,
            "year": year,
            "rows": rows,
            "region_query": region_query(request, region),
            "can_import": access.can(request.user, "target.import"),
        },
    )


def _visible_service(request: HttpRequest, region, code: str) -> BasicService:
    service = get_object_or_404(BasicService.objects.for_region(region).select_related("affair"), code=code)
    if not access.scope_of(request.user).covers(region.pk, service.pk):
        raise Http404
    return service


def _detail_url(request, region, service, year) -> str:
    url = reverse("targets:target-detail", kwargs={"year": year, "code": service.code})
    query = region_query(request, region)
    return f"{url}?{query}" if query else url


@login_required
def target_detail(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """The target of one service and year: sources, the entry form (OPD), the review (verifikator), history."""
    _require_view(request.user)
    region = chosen_region(request)
    service = _visible_service(request, region, code)
    quality = Prefetch("quality", queryset=TargetQuality.objects.select_related("component"))
    target = (
        Target.objects.visible_to(request.user)
        .filter(region=region, service=service, year=year)
        .select_related("approved_revision")
        .first()
    )
    revisions = (
        list(
            target.revisions.select_related("created_by")
            .prefetch_related(quality, "transitions__actor")
            .order_by("-number")
        )
        if target
        else []
    )
    open_revision = next((r for r in revisions if r.is_open), None)
    approved = next((r for r in revisions if target and r.pk == target.approved_revision_id), None)
    can_edit = access.can(request.user, "target.edit", access.ServiceIn(region, service)) and (
        open_revision is None or open_revision.status != "submitted"
    )
    form = TargetForm(service=service, revision=open_revision or approved)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = TargetForm(request.POST, service=service)
        if form.is_valid():
            try:
                revision = services.target_save(
                    user=request.user, region=region, service=service, year=year, data=form.to_input()
                )
                if request.POST.get("action") == "submit":
                    services.target_submit(revision=revision, user=request.user)
                    messages.success(request, _("Target diajukan ke verifikator."))
                else:
                    messages.success(request, _("Target disimpan sebagai draf."))
                return redirect(_detail_url(request, region, service, year))
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    form.apply_errors(exc.message_dict)
                else:
                    for message in exc.messages:
                        form.add_error(None, message)
    sources = selectors.target_sources(region, service, year, open_revision)
    return render(
        request,
        "targets/target_detail.html",
        {
            "region": region,
            "service": service,
            "year": year,
            "target": target,
            "revisions": revisions,
            "open_revision": open_revision,
            "approved": approved,
            "sources": sources,
            "form": form,
            "can_edit": can_edit,
            "can_review": open_revision is not None and access.can(request.user, "target.review", open_revision),
            "review_form": ReviewForm(),
            "region_query": region_query(request, region),
        },
    )


@login_required
@require_POST
def target_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or return a submitted target revision (verifikator)."""
    revision = access.get_object_for(
        request.user, TargetRevision.objects.select_related("target__region", "target__service"), pk=pk
    )
    target = revision.target
    form = ReviewForm(request.POST)
    form.is_valid()
    comment = form.cleaned_data.get("comment", "")
    try:
        if request.POST.get("action") == "approve":
            services.target_approve(revision=revision, user=request.user, comment=comment)
            messages.success(request, _("Target disetujui dan berlaku sebagai jumlah yang harus dilayani."))
        else:
            services.target_return(revision=revision, user=request.user, comment=comment)
            messages.warning(request, _("Target dikembalikan ke OPD."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    url = reverse("targets:target-detail", kwargs={"year": target.year, "code": target.service.code})
    if request.user.daerah != target.region:
        url += f"?daerah={target.region.code}"
    return redirect(url)


@login_required
def target_export(request: HttpRequest) -> HttpResponse:
    """The daerah's targets of a year as xlsx (the layout the import reads)."""
    _require_view(request.user)
    region = chosen_region(request)
    year = year_param(request)
    quality = Prefetch("quality", queryset=TargetQuality.objects.select_related("component"))
    targets = (
        Target.objects.visible_to(request.user)
        .filter(region=region, year=year)
        .select_related("region", "service", "approved_revision")
        .prefetch_related(
            Prefetch("approved_revision__quality", queryset=TargetQuality.objects.select_related("component")),
            Prefetch("revisions", queryset=TargetRevision.objects.prefetch_related(quality)),
        )
    )
    for target in targets:
        # Show the values being worked on (open revision) when there is one, else the approved ones.
        open_ = [r for r in target.revisions.all() if r.is_open]
        target.shown_revision = open_[0] if open_ else None
    dataset = TargetResource().export(list(targets))
    response = HttpResponse(dataset_xlsx(dataset), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="target-{region.code}-{year}.xlsx"'
    return response


@login_required
def target_import(request: HttpRequest) -> HttpResponse:
    """Upload → dry run (every row checked, errors with row number and column) → confirm (all or nothing)."""
    user = request.user
    access.require(user, "target.import", None, _("Hanya operator OPD pengampu dan admin yang dapat mengimpor target."))
    context: dict = {"form": ImportForm()}
    if request.method == "POST" and request.POST.get("action") == "confirm":
        waiting = TargetImport.objects.filter(status=TargetImport.Status.CHECKED).exclude(file="")
        # An id that is not one (text, past the key's range) is an upload that does not exist: 404.
        batch = access.get_object_for(user, waiting, pk=parse_id(request.POST.get("import"), TargetImport))
        with batch.file.open("rb") as handle:
            rows, sheet_errors = TargetResource().parse(handle.read())
        try:
            result = services.target_import_confirm(user=user, batch=batch, rows=rows) if not sheet_errors else None
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("targets:target-import")
        if result is None or not result.ok:
            context.update(result=result, sheet_errors=sheet_errors)
            return render(request, "targets/target_import.html", context)
        messages.success(request, _("%(n)s target diimpor sebagai draf.") % {"n": result.saved})
        return redirect("targets:target-list")
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            rows, sheet_errors = TargetResource().parse(upload.read())
            result = services.targets_import(user=user, rows=rows, dry_run=True) if not sheet_errors else None
            if result is not None and result.ok:
                context["batch"] = services.target_import_store(user=user, upload=upload, rows=rows)
            context.update(result=result, sheet_errors=sheet_errors, dry_run=True)
    return render(request, "targets/target_import.html", context)
