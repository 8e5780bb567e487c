"""The e-SPM hand-off: a daerah's triwulan as an xlsx in the layout of the Ministry's form (``targets.espm``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from spm import access
from spm.xlsx import XLSX_TYPE
from targets import espm
from targets.views.common import chosen_region, int_param, needs_region_choice, region_choice, year_param


@login_required
@require_GET
def espm_export(request: HttpRequest) -> HttpResponse:
    """Unduh format e-SPM (?daerah=, tahun=, triwulan=): for the roles of the official report (the verifikator
    who sends it, pimpinan, admin), within their scope."""
    access.require_page(request.user, "official_report")
    if needs_region_choice(request):
        return region_choice(request)
    region = chosen_region(request)
    if not region.is_daerah:
        raise Http404
    year = year_param(request)
    quarter = int_param(request.GET.get("triwulan"), 0, range(1, 5))
    if not quarter:
        raise Http404("Pilih triwulan I–IV.")
    response = HttpResponse(espm.workbook(region, year, quarter), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{espm.filename(region, year, quarter)}"'
    return response
