"""Pages of the spm app: home per role, the public catalogue, regions and the organisation (OPD)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from reporting.selectors import (
    admin_overview,
    index_overview,
    operator_worklist,
    province_overview,
    review_worklist,
)
from reporting.services.periods import quarter_of, today
from spm import access
from spm.choices import GovernmentLevel, RegionLevel
from spm.models import Affair, Agency, BasicService, QualityComponent, Region, ServiceAssignment
from spm.roles import ScopeKind
from targets.selectors import team_detail


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Landing page: what the user is responsible for, in its scope, and what to do next (issue 12): the
    operator's open tasks with returned reports first; for the daerah, the reports and targets waiting for
    verification and the late OPD; the latest IP-SPM with its coverage; for the provinsi viewer, each
    kabupaten/kota's reporting and IP-SPM; for the admin, periods closing, failed imports and kept tasks."""
    user = request.user
    scope = access.scope_of(user)
    context: dict = {"home": scope.kind}
    if scope.is_admin:
        context["counts"] = {
            "affairs": Affair.objects.count(),
            "services": BasicService.objects.count(),
            "daerah": Region.objects.daerah().count(),
            "agencies": Agency.objects.count(),
        }
        context.update(admin_overview())
    elif scope.kind == ScopeKind.AGENCY:
        context["agency"] = user.agency
        if access.can(user, "page.report_tasks"):
            year, quarter = quarter_of(today())
            context.update(operator_worklist(user, year=year, quarter=quarter))
        context["assignments"] = (
            ServiceAssignment.objects.visible_to(user)
            .select_related("service__affair")
            .order_by("service__affair__order", "service__order")
        )
    elif scope.kind == ScopeKind.DAERAH:
        context["daerah"] = user.region
        year, quarter = quarter_of(today())
        if access.can(user, "page.review_queue"):
            context.update(review_worklist(user, user.region, year=year, quarter=quarter))
            context["can_review"] = access.can(user, "report.review_any")
        if access.can(user, "page.dashboard"):
            context.update(index_overview(user.region))
        context["agencies"] = (
            Agency.objects.visible_to(user).annotate(service_count=Count("assignments")).order_by("name")
        )
        context["unassigned"] = (
            BasicService.objects.for_region(user.region)
            .exclude(assignments__region=user.region)
            .select_related("affair")
        )
    elif scope.kind == ScopeKind.PROVINCE:
        context["province"] = user.region
        year, quarter = quarter_of(today())
        context.update(province_overview(user, user.region, year=year, quarter=quarter))
    return render(request, "spm/home.html", context)


def catalogue(request: HttpRequest) -> HttpResponse:
    """Public catalogue: urusan → jenis pelayanan dasar, for provinsi and kabupaten/kota."""
    level = request.GET.get("tingkat") or ""
    services = BasicService.objects.active().order_by("level", "order")
    if level in GovernmentLevel.values:
        services = services.filter(level=level)
    affairs = Affair.objects.prefetch_related(Prefetch("services", queryset=services, to_attr="service_list"))
    return render(
        request,
        "spm/catalogue.html",
        {"affairs": affairs, "level": level, "levels": GovernmentLevel.choices, "total": services.count()},
    )


def dictionary(request: HttpRequest) -> HttpResponse:
    """Kamus SPM (public, like the catalogue): the official terms, the petunjuk pengisian of every report
    field, the definisi operasional per jenis and each jenis's mutu item list, searchable by a word."""
    from spm.selectors import dictionary as dictionary_of

    query = request.GET.get("q", "")[:100]
    return render(request, "spm/dictionary.html", dictionary_of(query))


def catalogue_service(request: HttpRequest, code: str) -> HttpResponse:
    """Public detail of one jenis pelayanan dasar: recipients, eligibility, mutu, regulation."""
    service = get_object_or_404(
        BasicService.objects.select_related("affair").prefetch_related(
            Prefetch("quality_components", queryset=QualityComponent.objects.order_by("order"))
        ),
        code=code,
    )
    return render(request, "spm/catalogue_service.html", {"service": service})


@login_required
def agency_list(request: HttpRequest) -> HttpResponse:
    """OPD in the user's scope, with how many jenis pelayanan dasar each carries."""
    if not access.can(request.user, "page.organisation"):
        return redirect("agency-mine")
    agencies = (
        Agency.objects.visible_to(request.user)
        .select_related("region")
        .annotate(service_count=Count("assignments"))
        .order_by("region__code", "name")
    )
    query = request.GET.get("q", "").strip()
    if query:
        agencies = agencies.filter(Q(name__icontains=query) | Q(region__name__icontains=query))
    page = Paginator(agencies, 50).get_page(request.GET.get("page"))
    return render(request, "spm/agency_list.html", {"page": page, "query": query})


@login_required
def agency_mine(request: HttpRequest) -> HttpResponse:
    if not request.user.agency_id:
        raise Http404
    return redirect("agency-detail", pk=request.user.agency_id)


@login_required
def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One OPD and the services it is pengampu of; outside the user's scope it does not exist (404)."""
    agency = get_object_or_404(Agency.objects.visible_to(request.user).select_related("region"), pk=pk)
    assignments = agency.assignments.select_related("service__affair").order_by(
        "service__affair__order", "service__order"
    )
    return render(request, "spm/agency_detail.html", {"agency": agency, "assignments": assignments})


@login_required
def region_list(request: HttpRequest) -> HttpResponse:
    """Daerah in scope (all provinsi for admins; a provinsi and its kabupaten/kota for its viewer)."""
    regions = Region.objects.visible_to(request.user).select_related("parent")
    query = request.GET.get("q", "").strip()
    if query:
        regions = regions.filter(Q(name__icontains=query) | Q(code__startswith=query))
    elif access.scope_of(request.user).is_admin:
        regions = regions.filter(level=RegionLevel.PROVINCE)
    regions = regions.annotate(
        child_count=Count("children", distinct=True), agency_count=Count("agencies", distinct=True)
    ).order_by("code")
    page = Paginator(regions, 60).get_page(request.GET.get("page"))
    return render(request, "spm/region_list.html", {"page": page, "query": query})


@login_required
def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A daerah: its kabupaten/kota or kecamatan, and its OPD."""
    region = get_object_or_404(Region.objects.visible_to(request.user).select_related("parent"), code=code)
    children = region.children.annotate(agency_count=Count("agencies")).order_by("code")
    agencies = (
        Agency.objects.visible_to(request.user)
        .filter(region=region)
        .annotate(service_count=Count("assignments"))
        .order_by("name")
    )
    context = {"region": region, "children": children, "agencies": agencies}
    if region.is_daerah:
        # The Tim Penerapan SPM of the daerah (read by everyone who sees the daerah; its page keeps it).
        team = team_detail(region)
        context.update(
            team=team,
            members=list(team.members.all()) if team else [],
            team_link=(
                f"{reverse('targets:team')}?daerah={region.code}"
                if access.can(request.user, "team.manage", region)
                else None
            ),
        )
    return render(request, "spm/region_detail.html", context)
