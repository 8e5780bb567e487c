"""Tim Penerapan SPM page: the daerah's team (SK and members), kept by its verifikator; its SK file."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.timezone import localdate
from django.utils.translation import gettext as _

from spm import access
from spm.validation import parse_id
from targets import selectors, services
from targets.forms import MemberForm, TeamForm
from targets.models import ImplementationTeam, ImplementationTeamMember
from targets.views.common import chosen_region, needs_region_choice, region_choice, region_query


def _apply(form, error: ValidationError) -> None:
    """Service errors onto the form, by field when the form has it."""
    for field, messages_ in error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]:
        for message in messages_:
            form.add_error(field if field in form.fields else None, message)


@login_required
def team(request: HttpRequest) -> HttpResponse:
    """The Tim Penerapan SPM of a daerah: read by every role that has the page; kept by its verifikator."""
    access.require_page(request.user, "implementation_team")
    if needs_region_choice(request):
        return region_choice(request)
    region = chosen_region(request)
    if not region.is_daerah:
        raise Http404
    may_manage = access.can(request.user, "team.manage", region)
    current = selectors.team_detail(region)
    team_form = TeamForm(
        initial={"decree_number": current.decree_number, "decree_date": current.decree_date} if current else None
    )
    member_form = MemberForm(region=region)
    here = reverse("targets:team") + (f"?{region_query(request, region)}" if region_query(request, region) else "")
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied(_("Tim Penerapan SPM hanya dapat diubah verifikator daerah ini."))
        action = request.POST.get("action")
        try:
            if action == "save":
                team_form = TeamForm(request.POST, request.FILES)
                if team_form.is_valid():
                    services.team_save(
                        user=request.user,
                        region=region,
                        decree_number=team_form.cleaned_data["decree_number"],
                        decree_date=team_form.cleaned_data["decree_date"],
                        decree_upload=team_form.cleaned_data["decree_file"],
                    )
                    messages.success(request, _("SK Tim Penerapan SPM disimpan."))
                    return redirect(here)
            elif action == "add_member":
                member_form = MemberForm(request.POST, region=region)
                if current is None:
                    member_form.add_error(None, _("Simpan SK tim lebih dahulu, lalu tambahkan anggotanya."))
                elif member_form.is_valid():
                    services.team_member_add(user=request.user, team=current, data=member_form.to_input())
                    messages.success(request, _("Anggota tim ditambahkan."))
                    return redirect(here)
            elif action == "remove_member":
                member_id = parse_id(request.POST.get("member"), ImplementationTeamMember)
                member = access.get_object_for(
                    request.user, ImplementationTeamMember.objects.filter(team__region=region), pk=member_id
                )
                services.team_member_remove(user=request.user, member=member)
                messages.success(request, _("Anggota tim dihapus."))
                return redirect(here)
            else:
                raise Http404
        except ValidationError as error:
            _apply(member_form if action == "add_member" else team_form, error)
    return render(
        request,
        "targets/team.html",
        {
            "region": region,
            "team": current,
            "members": list(current.members.all()) if current else [],
            "may_manage": may_manage,
            "team_form": team_form,
            "member_form": member_form,
            "region_query": region_query(request, region),
            "year": localdate().year,
            "in_place": bool(current) and selectors.implementation_team_in_place(region, localdate().year),
        },
    )


@login_required
def team_decree(request: HttpRequest, code: str) -> FileResponse:
    """The signed SK of a daerah's team, streamed from the file storage, for anyone who may see the team."""
    team = access.get_object_for(request.user, ImplementationTeam.objects.all(), region__code=code)
    if not team.decree_file:
        raise Http404
    try:
        handle = team.decree_file.open("rb")
    except FileNotFoundError as error:
        raise Http404("Berkas tidak ditemukan di penyimpanan.") from error
    return FileResponse(
        handle, as_attachment=True, filename=team.decree_name or "sk-tim.pdf", content_type=team.decree_content_type
    )
