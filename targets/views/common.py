"""Helpers shared by the pages of the targets app."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.timezone import localdate

from spm import access
from spm.models import Region
from spm.roles import ScopeKind


def chosen_region(request: HttpRequest) -> Region:
    """The daerah of the page: ?daerah= within the user's scope, else the user's own daerah (404 outside)."""
    code = request.GET.get("daerah") or request.POST.get("daerah")
    if code:
        return get_object_or_404(Region.objects.visible_to(request.user), code=code)
    region = request.user.daerah
    if region is None or not region.is_daerah:
        raise Http404
    return region


def needs_region_choice(request: HttpRequest) -> bool:
    """Admins and provincial viewers have no own daerah: they pick one first (?daerah=)."""
    if request.GET.get("daerah") or request.POST.get("daerah"):
        return False
    return request.user.daerah is None or access.scope_of(request.user).kind == ScopeKind.PROVINCE


def region_choice(request: HttpRequest) -> HttpResponse:
    regions = Region.objects.visible_to(request.user).only("code", "name").order_by("code")
    return render(request, "targets/choose_region.html", {"regions": regions})


def int_param(value: str | None, default: int, allowed: range) -> int:
    try:
        number = int(value) if value else default
    except ValueError:
        return default
    return number if number in allowed else default


def year_param(request: HttpRequest, default: int | None = None) -> int:
    return int_param(request.GET.get("tahun"), default or localdate().year, range(2000, 2101))


def region_query(request: HttpRequest, region: Region) -> str:
    """The ?daerah= to keep in links when the daerah was chosen (admins, provincial viewers)."""
    return f"daerah={region.code}" if request.GET.get("daerah") or request.POST.get("daerah") else ""
