"""Laporan Penerapan SPM pages: the edition (narrative, generate), progress polled with htmx, downloads."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reporting.models import Achievement
from spm import access
from targets import official_report as report_content
from targets import services
from targets.choices import ANNUAL
from targets.forms import EditionForm
from targets.models import GeneratedReport, ReportEdition
from targets.views.common import chosen_region, int_param, needs_region_choice, region_choice, region_query, year_param

PERIOD_CHOICES = [(0, gettext_lazy("Tahunan")), (1, "TW I"), (2, "TW II"), (3, "TW III"), (4, "TW IV")]


def _require_view(user) -> None:
    access.require_page(user, "official_report")


@login_required
def official_report(request: HttpRequest) -> HttpResponse:
    _require_view(request.user)
    if needs_region_choice(request):
        return region_choice(request)
    region = chosen_region(request)
    year = year_param(request, default=None)
    quarter = int_param(request.GET.get("periode"), ANNUAL, range(0, 5))
    can_write = access.can(request.user, "official_report.write", region)
    edition = ReportEdition.objects.visible_to(request.user).filter(region=region, year=year, quarter=quarter).first()
    query = f"tahun={year}&periode={quarter}" + (
        f"&{region_query(request, region)}" if region_query(request, region) else ""
    )
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        try:
            if request.POST.get("action") == "generate":
                services.official_report_request(user=request.user, region=region, year=year, quarter=quarter)
                messages.success(request, _("Laporan sedang dibuat; tautan unduh muncul setelah selesai."))
            else:
                form = EditionForm(request.POST)
                if not form.is_valid():
                    raise ValidationError([e for errors in form.errors.values() for e in errors])
                services.edition_save(
                    user=request.user, region=region, year=year, quarter=quarter, data=form.to_input()
                )
                messages.success(request, _("Narasi laporan disimpan."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(f"{reverse('targets:official-report')}?{query}")
    region_row = (
        Achievement.objects.filter(
            region=region, year=year, quarter=4 if quarter == ANNUAL else quarter, level="daerah", is_current=True
        )
        .select_related("rules")
        .first()
    )
    generated = (
        GeneratedReport.objects.visible_to(request.user).filter(edition=edition).select_related("requested_by")[:10]
        if edition
        else []
    )
    form = None
    if can_write:
        # An empty part starts from its default drawn from the data, so the verifikator edits rather than types.
        defaults = report_content.narrative_defaults(region, year, quarter, region_row=region_row)
        initial = {name: (getattr(edition, name, "") or defaults[name]) for name in report_content.NARRATIVE_FIELDS}
        initial["signer_name"] = edition.signer_name if edition else ""
        initial["due_date"] = (
            edition.due_date if edition else (report_content.annual_due_date(year) if quarter == ANNUAL else None)
        )
        initial["submitted_on"] = edition.submitted_on if edition else None
        form = EditionForm(initial=initial, head_title=region.head_title)
    return render(
        request,
        "targets/official_report.html",
        {
            "region": region,
            "year": year,
            "quarter": quarter,
            "periods": PERIOD_CHOICES,
            "edition": edition,
            "region_row": region_row,
            "generated": generated,
            "can_write": can_write,
            "form": form,
            "query": query,
            "region_query": region_query(request, region),
        },
    )


@login_required
def generated_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The row of one generation: polled by htmx every second until it is finished."""
    _require_view(request.user)
    item = get_object_or_404(GeneratedReport.objects.visible_to(request.user).select_related("requested_by"), pk=pk)
    return render(request, "targets/partials/_generated.html", {"item": item})


@login_required
def generated_download(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    _require_view(request.user)
    item = get_object_or_404(GeneratedReport.objects.visible_to(request.user), pk=pk)
    file = {"xlsx": item.xlsx_file, "pdf": item.pdf_file, "docx": item.docx_file}.get(fmt)
    if not file:
        raise Http404
    return FileResponse(file.open("rb"), as_attachment=True, filename=file.name.rsplit("/", 1)[-1])
