"""Pages of the provincial evaluation (evaluasi penerapan SPM kab/kota oleh provinsi).

Thin function-based views: the page gate and every object through ``spm.access`` (404 outside the scope,
403 inside when the action is refused), reads from ``evaluation.selectors``, writes through
``evaluation.services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from evaluation import selectors
from evaluation.choices import RequestStatus
from evaluation.exports import recap_response
from evaluation.forms import AnnualEvaluationForm, AnswerForm, CloseForm, CorrectionRequestForm
from evaluation.models import AnnualEvaluation, quarter_label
from evaluation.services import (
    annual_evaluation_save,
    correction_request_answer,
    correction_request_close,
    correction_request_create,
)
from reporting.choices import Quarter, ReportStatus
from reporting.models import QuarterlyReport
from reporting.review.selectors import FIRST_YEAR, parse_year_quarter
from reporting.services.periods import quarter_of, today
from spm import access
from spm.choices import RegionLevel
from spm.models import Region

REQUEST_PAGE_SIZE = 30


def _province(request: HttpRequest) -> tuple[Region | None, list | None]:
    """The provinsi of the page: the evaluator's own, or (admin) the one chosen with ?provinsi=."""
    choices = selectors.provinces_to_choose(request.user)
    if choices is None:
        region = request.user.region
        if region is None or region.level != RegionLevel.PROVINCE:
            raise Http404
        return region, None
    code = request.GET.get("provinsi", "").strip()
    province = get_object_or_404(choices, code=code) if code else None
    return province, list(choices.values_list("code", "name"))


def _last_quarter() -> tuple[int, int]:
    """The triwulan being reported now: the one before today's (its due date falls in today's triwulan)."""
    year, quarter = quarter_of(today())
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def _year_quarter(request: HttpRequest) -> tuple[int, int]:
    year, quarter = parse_year_quarter(request.GET.get("tahun"), request.GET.get("triwulan"))
    default_year, default_quarter = _last_quarter()
    return year or default_year, quarter or default_quarter


def _years() -> list[int]:
    return list(range(today().year + 1, FIRST_YEAR - 1, -1))


def _form_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError beside the field it names (or above the form)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --- The provincial matrix and recap -----------------------------------------------------------------------


@login_required
@require_GET
def province(request: HttpRequest) -> HttpResponse:
    """Evaluasi provinsi: completeness and timeliness of every kab/kota per urusan for a triwulan, with their
    IP-SPM, the requests for correction sent to them and the year's annual evaluation."""
    access.require_page(request.user, "provincial_evaluation", _("Halaman ini untuk evaluator provinsi."))
    province, province_choices = _province(request)
    year, quarter = _year_quarter(request)
    context: dict = {
        "province": province,
        "province_choices": province_choices,
        "year": year,
        "quarter": quarter,
        "quarter_label": quarter_label(year, quarter),
        "years": _years(),
        "quarters": Quarter.choices,
    }
    if province is not None:
        affairs, rows = selectors.province_recap(request.user, province, year=year, quarter=quarter)
        if request.GET.get("format") == "xlsx":
            return recap_response(province, year, quarter, affairs, rows)
        context.update(
            affairs=affairs,
            rows=rows,
            totals={
                "expected": sum(r.matrix.expected for r in rows),
                "sent": sum(r.matrix.sent for r in rows),
                "approved": sum(r.matrix.count(ReportStatus.APPROVED) for r in rows),
                "late": sum(r.matrix.late for r in rows),
                "open": sum(r.open_requests for r in rows),
            },
            may_request=access.can(request.user, "correction.create", rows[0].region) if rows else False,
        )
    return render(request, "evaluation/province.html", context)


# --- Requests for correction ----------------------------------------------------------------------------------


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    """Permintaan perbaikan: the evaluator's requests to its kab/kota, or those sent to the verifikator's daerah."""
    access.require_page(request.user, "correction_requests")
    status = request.GET.get("status") or ""
    page = Paginator(selectors.request_list(request.user, status=status), REQUEST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "evaluation/request_list.html",
        {"page": page, "status": status if status in RequestStatus.values else "", "statuses": RequestStatus.choices},
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest) -> HttpResponse:
    """Send a note or a request for correction to a kab/kota (?daerah=&tahun=&triwulan=[&laporan=])."""
    user = request.user
    region = access.get_object_for(
        user,
        Region.objects.filter(level=RegionLevel.REGENCY_CITY),
        "correction.create",
        _("Hanya evaluator provinsi dari daerah ini yang dapat mengirim permintaan."),
        code=request.GET.get("daerah", "").strip(),
    )
    year, quarter = _year_quarter(request)
    reports = (
        QuarterlyReport.objects.visible_to(user)
        .filter(region=region, period__year=year, period__quarter=quarter)
        .select_related("service")
        .order_by("service__affair__order", "service__order")
    )
    initial = {}
    if request.GET.get("laporan", "").isdigit():
        initial["report"] = reports.filter(pk=int(request.GET["laporan"])).first()
    form = CorrectionRequestForm(request.POST or None, reports=reports, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            created = correction_request_create(
                user=user,
                region=region,
                year=year,
                quarter=quarter,
                kind=form.cleaned_data["kind"],
                report=form.cleaned_data["report"],
                message=form.cleaned_data["message"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Permintaan dikirim kepada verifikator %(daerah)s.") % {"daerah": region.name})
            return redirect(created)
    return render(
        request,
        "evaluation/request_form.html",
        {
            "form": form,
            "region": region,
            "year": year,
            "quarter": quarter,
            "quarter_label": quarter_label(year, quarter),
        },
        status=400 if form.errors else 200,
    )


def _render_detail(request: HttpRequest, obj, *, answer_form=None, close_form=None, status: int = 200):
    return render(
        request,
        "evaluation/request_detail.html",
        {
            "obj": obj,
            "answer_form": answer_form or AnswerForm(),
            "close_form": close_form or CloseForm(),
            "may_answer": access.can(request.user, "correction.answer", obj),
            "may_close": access.can(request.user, "correction.close", obj),
            "may_open_report": obj.report_id is not None and access.can(request.user, "view", obj.report),
        },
        status=status,
    )


@login_required
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    obj = access.get_object_for(request.user, selectors.request_detail_queryset(), pk=pk)
    return _render_detail(request, obj)


def _request_action(request: HttpRequest, pk: int, *, action: str, refusal, form_class, form_key: str, act, success):
    """One action on a correction request (answer, close): fetch it for the action (404 outside the scope, 403
    inside), validate the form, call the service, and report back or show the form again with its errors."""
    obj = access.get_object_for(request.user, selectors.request_detail_queryset(), action, refusal, pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(obj, form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect(obj)
    return _render_detail(request, obj, status=400, **{form_key: form})


@login_required
@require_POST
def request_answer(request: HttpRequest, pk: int) -> HttpResponse:
    return _request_action(
        request,
        pk,
        action="correction.answer",
        refusal=_("Hanya verifikator daerah ini yang dapat menjawab permintaan yang masih terbuka."),
        form_class=AnswerForm,
        form_key="answer_form",
        act=lambda obj, data: correction_request_answer(request=obj, user=request.user, answer=data["answer"]),
        success=_("Jawaban dikirim kepada evaluator provinsi."),
    )


@login_required
@require_POST
def request_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _request_action(
        request,
        pk,
        action="correction.close",
        refusal=_("Hanya evaluator provinsi yang dapat menutup permintaan ini."),
        form_class=CloseForm,
        form_key="close_form",
        act=lambda obj, data: correction_request_close(request=obj, user=request.user, comment=data["comment"]),
        success=_("Permintaan ditutup."),
    )


# --- Annual evaluation record ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def annual_edit(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """Evaluasi tahunan of one kab/kota: capaian, kendala, tindak lanjut for a year (Evaluator Provinsi)."""
    region = access.get_object_for(
        request.user,
        Region.objects.filter(level=RegionLevel.REGENCY_CITY),
        "annual_evaluation.edit",
        _("Hanya evaluator provinsi dari daerah ini yang dapat mengisi evaluasi tahunan."),
        code=code,
    )
    if not FIRST_YEAR <= year <= today().year + 1:
        raise Http404
    record = AnnualEvaluation.objects.visible_to(request.user).filter(region=region, year=year).first()
    initial = (
        {"achievements": record.achievements, "obstacles": record.obstacles, "follow_up": record.follow_up}
        if record
        else {}
    )
    form = AnnualEvaluationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            annual_evaluation_save(user=request.user, region=region, year=year, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, _("Evaluasi tahunan %(daerah)s %(year)s disimpan.") % {"daerah": region.name, "year": year}
            )
            return redirect(f"{reverse('evaluation:province')}?tahun={year}")
    return render(
        request,
        "evaluation/annual_form.html",
        {"form": form, "region": region, "year": year, "record": record},
        status=400 if form.errors else 200,
    )
