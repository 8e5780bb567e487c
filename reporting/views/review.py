"""Pages of the verifikator (Bagian Pemerintahan) and the admin: review queue, review, matrix, periods.

Thin views: they check the role, load what the user may see (``visible_to``; anything else is 404), let a
form validate the input and a service in ``reporting.services`` make every change.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from reporting.choices import PeriodStatus, Quarter, ReportStatus
from reporting.exports import XLSX_CONTENT_TYPE, matrix_filename, matrix_workbook
from reporting.models import PeriodEvent, QuarterlyReport, ReportingPeriod
from reporting.review import forms as rf
from reporting.review.selectors import (
    QUEUE_TABS,
    compare_sections,
    default_quarter,
    matrix_totals,
    parse_year_quarter,
    queue_reports,
    queue_rows,
    queue_years,
    regions_to_choose,
)
from reporting.selectors import MATRIX_STATUSES, completeness_matrix, report_detail, report_queryset
from reporting.services import (
    CommentInput,
    period_close,
    period_get_or_create,
    period_reopen,
    period_set_due_date,
    report_approve,
    report_return,
    report_unlock,
    report_values,
)
from spm import access
from spm.fragments import Fragment
from spm.models import Region

QUEUE_PAGE_SIZE = 50
MATRIX_STATUS_LABELS = {"not_started": gettext_lazy("Belum dimulai"), **{s.value: s.label for s in ReportStatus}}


def _require_reader(user) -> None:
    """Operators have their own pages; the review pages are for the verifikator and read-only roles."""
    access.require_page(user, "review_queue", _("Halaman ini untuk verifikator, pimpinan dan admin."))


def _require_reviewer(user) -> None:
    access.require(user, "report.review_any", None, _("Hanya verifikator yang dapat memverifikasi laporan."))


def _require_admin(user) -> None:
    access.require_page(user, "periods", _("Halaman ini hanya untuk admin sistem."))


def _visible_report(request: HttpRequest, pk: int) -> QuarterlyReport:
    return access.get_object_for(request.user, report_queryset(), pk=pk)


# --- Review queue ------------------------------------------------------------------------------------


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    """Antrean verifikasi: submitted reports of the daerah, oldest first; tabs for returned and approved."""
    _require_reader(request.user)
    status = request.GET.get("status")
    if status not in QUEUE_TABS:
        status = ReportStatus.SUBMITTED
    year, quarter = parse_year_quarter(request.GET.get("tahun"), request.GET.get("triwulan"))
    reports, counts = queue_reports(request.user, status=status, year=year, quarter=quarter)
    page = Paginator(reports, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reporting/review_queue.html",
        {
            "page": page,
            "rows": queue_rows(page.object_list),
            "status": status,
            "tabs": [(s, ReportStatus(s).label, counts[s]) for s in QUEUE_TABS],
            "year": year,
            "quarter": quarter,
            "years": queue_years(request.user),
            "quarters": Quarter.choices,
            "many_daerah": access.scope_of(request.user).chooses_daerah,
        },
    )


# --- Review of one report ------------------------------------------------------------------------------


def _render_review(request: HttpRequest, report: QuarterlyReport, **forms) -> HttpResponse:
    """The review page re-drawn whole with the decision forms given (bound, with their errors): not cached."""
    return render(request, "reporting/review.html", _review_context(request, report, **forms))


def _review_context(
    request: HttpRequest,
    report: QuarterlyReport,
    *,
    approve_form: rf.ApproveForm | None = None,
    return_form: rf.ReturnForm | None = None,
    comments: rf.BaseCommentFormSet | None = None,
    unlock_form: rf.UnlockForm | None = None,
) -> dict:
    """The review page: ``report_detail`` beside the previous triwulan, the history and the decision forms."""
    context = report_detail(report, request.user)
    previous = context["previous"]
    rules = context["values"].rules
    context["compare"] = compare_sections(
        context["values"], report_values(previous, with_previous=False, rules=rules) if previous else None
    )
    by_transition: dict[int, list] = {}
    for comment in context["comments"]:
        by_transition.setdefault(comment.transition_id, []).append(comment)
    for transition in context["transitions"]:
        transition.review_comments = by_transition.get(transition.pk, [])
    last_return = next((t for t in reversed(context["transitions"]) if t.to_status == ReportStatus.RETURNED), None)
    context.update(
        last_return=last_return,
        evidence=list(report.evidence.all()),
        is_reviewer=access.can(request.user, "report.review_any"),
        approve_form=approve_form or rf.ApproveForm(),
        return_form=return_form or rf.ReturnForm(),
        comment_formset=comments or rf.comment_formset(report),
        comment_prefix=rf.COMMENT_PREFIX,
        can_unlock=access.can(request.user, "report.unlock", report),
        unlock_form=unlock_form or rf.UnlockForm(),
    )
    return context


@login_required
@require_GET
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """The report beside the previous triwulan's, what changed since the last review, and the decision."""
    # 404 outside the scope before any 403 inside it. The report alone (title, breadcrumbs): its rows are read
    # only when the page's cached part must be computed.
    report = access.get_object_for(request.user, QuarterlyReport.objects.select_related("period", "service"), pk=pk)
    _require_reader(request.user)
    part = Fragment(
        "review-page",
        (report.pk, access.audience_key(request.user)),
        lambda: _review_context(request, _visible_report(request, pk)),
    )
    return render(request, "reporting/review.html", {"report": report, "page_part": part})


def _no_longer_reviewable(request: HttpRequest, report: QuarterlyReport) -> HttpResponse:
    messages.error(
        request,
        (
            _("Laporan ini tidak dapat diverifikasi: statusnya %(status)s dan periodenya sudah ditutup.")
            if report.period.is_closed
            else _("Laporan ini tidak dapat diverifikasi: statusnya %(status)s.")
        )
        % {"status": report.get_status_display()},
    )
    return redirect("reporting:review", pk=report.pk)


@login_required
@require_POST
def review_approve(request: HttpRequest, pk: int) -> HttpResponse:
    report = _visible_report(request, pk)  # 404 outside the scope before any 403 inside it
    _require_reviewer(request.user)
    form = rf.ApproveForm(request.POST)
    if not form.is_valid():
        return _render_review(request, report, approve_form=form)
    try:
        report_approve(report=report, user=request.user, comment=form.cleaned_data["comment"])
    except PermissionDenied:
        return _no_longer_reviewable(request, report)
    messages.success(
        request,
        _("Laporan %(service)s (%(agency)s) disetujui dan kini terkunci untuk perubahan.")
        % {"service": report.service.name, "agency": report.agency.name},
    )
    return redirect("reporting:review-queue")


@login_required
@require_POST
def review_return(request: HttpRequest, pk: int) -> HttpResponse:
    report = _visible_report(request, pk)  # 404 outside the scope before any 403 inside it
    _require_reviewer(request.user)
    form = rf.ReturnForm(request.POST)
    comments = rf.comment_formset(report, request.POST)
    if not (form.is_valid() and comments.is_valid()):
        return _render_review(request, report, return_form=form, comments=comments)
    try:
        report_return(
            report=report,
            user=request.user,
            comments=[CommentInput(anchor, text) for anchor, text in comments.comments()],
            summary=form.cleaned_data["summary"],
        )
    except PermissionDenied:
        return _no_longer_reviewable(request, report)
    except ValidationError as error:
        form.add_error(None, error.messages)
        return _render_review(request, report, return_form=form, comments=comments)
    messages.success(
        request,
        ngettext(
            "Laporan %(service)s (%(agency)s) dikembalikan ke OPD dengan %(count)d catatan.",
            "Laporan %(service)s (%(agency)s) dikembalikan ke OPD dengan %(count)d catatan.",
            len(comments.comments()),
        )
        % {"service": report.service.name, "agency": report.agency.name, "count": len(comments.comments())},
    )
    return redirect("reporting:review-queue")


@login_required
@require_GET
def review_comment_row(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: one more comment row for the return form (and the formset's new total, out of band)."""
    report = _visible_report(request, pk)  # 404 outside the scope before any 403 inside it
    _require_reviewer(request.user)
    if not access.can(request.user, "report.review", report):
        raise Http404
    total = request.GET.get(f"{rf.COMMENT_PREFIX}-TOTAL_FORMS", "")
    index = int(total) if total.isdigit() else rf.COMMENT_ROWS
    if index >= rf.MAX_COMMENT_ROWS:
        return HttpResponse("")
    form = rf.CommentRowForm(prefix=f"{rf.COMMENT_PREFIX}-{index}", anchors=rf.anchor_choices(report))
    return render(
        request,
        "reporting/partials/_review_comment_row.html",
        {"form": form, "number": index + 1, "total": index + 1, "comment_prefix": rf.COMMENT_PREFIX, "oob": True},
    )


@login_required
@require_POST
def report_unlock_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Buka kunci: an approved report goes back to the OPD as a draft (admins, with a reason, logged)."""
    report = access.get_object_for(
        request.user,
        report_queryset(),
        "report.unlock",
        _("Hanya admin sistem yang dapat membuka kunci laporan yang disetujui dan belum ditutup."),
        pk=pk,
    )
    form = rf.UnlockForm(request.POST)
    if form.is_valid():
        try:
            report_unlock(report=report, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Kunci laporan dibuka; laporan kembali menjadi draf OPD."))
            return redirect("reporting:review", pk=report.pk)
    return _render_review(request, report, unlock_form=form)


# --- Completeness and timeliness matrix ------------------------------------------------------------------


def _matrix_region(request: HttpRequest) -> tuple[Region | None, list | None]:
    """The daerah of the matrix: one's own, or (admin, provincial viewer) the one chosen with ?daerah=."""
    choices = regions_to_choose(request.user)
    if choices is None:
        if request.user.region is None or not request.user.region.is_daerah:
            raise Http404
        return request.user.region, None
    code = request.GET.get("daerah", "").strip()
    region = get_object_or_404(choices, code=code) if code else None
    return region, list(choices.values_list("code", "name"))


def _matrix_data(request: HttpRequest, region: Region):
    year, quarter = parse_year_quarter(request.GET.get("tahun"), request.GET.get("triwulan"))
    if year is None or quarter is None:
        default_year, default_q = default_quarter(region)
        year, quarter = year or default_year, quarter or default_q
    return completeness_matrix(region, year=year, quarter=quarter)


@login_required
@require_GET
def matrix(request: HttpRequest) -> HttpResponse:
    """Matriks keterisian dan ketepatan waktu: OPD × jenis pelayanan dasar for a period."""
    if request.GET.get("format") == "xlsx":
        return matrix_export(request)
    _require_reader(request.user)
    region, region_choices = _matrix_region(request)

    def compute() -> dict:
        context: dict = {
            "region": region,
            "region_choices": region_choices,
            "quarters": Quarter.choices,
            "statuses": [(s, MATRIX_STATUS_LABELS[s]) for s in MATRIX_STATUSES],
        }
        if region is not None:
            period, rows = _matrix_data(request, region)
            totals = matrix_totals(rows)
            context.update(
                period=period,
                table=[(row, [(s, row.count(s)) for s in MATRIX_STATUSES]) for row in rows],
                totals=totals,
                total_counts=[(s, totals.counts[s]) for s in MATRIX_STATUSES],
                documents_missing=sum(row.documents_missing for row in rows),
                years=queue_years(request.user),
            )
        return context

    key = (
        region.pk if region else None,
        *(request.GET.get(name) for name in ("tahun", "triwulan")),
        access.audience_key(request.user),
    )
    return render(request, "reporting/matrix.html", {"page_part": Fragment("matrix", key, compute)})


@login_required
@require_GET
def matrix_export(request: HttpRequest) -> HttpResponse:
    """The matrix as an xlsx workbook (statuses and counts only, no personal data)."""
    _require_reader(request.user)
    region, _choices = _matrix_region(request)
    if region is None:
        raise Http404
    period, rows = _matrix_data(request, region)
    response = HttpResponse(matrix_workbook(period, rows), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{matrix_filename(period)}"'
    return response


# --- Reporting periods (admins) ----------------------------------------------------------------------------


def _periods_url(region: Region) -> str:
    return f"{reverse('reporting:periods')}?daerah={region.code}"


def _render_periods(
    request: HttpRequest,
    region: Region | None,
    *,
    bound: tuple[int, str, object] | None = None,
    create_form: rf.PeriodCreateForm | None = None,
) -> HttpResponse:
    context: dict = {"region": region, "create_form": create_form or rf.PeriodCreateForm()}
    if region is not None:
        periods = list(
            ReportingPeriod.objects.filter(region=region)
            .annotate(
                report_count=Count("reports"),
                approved_count=Count("reports", filter=Q(reports__status=ReportStatus.APPROVED)),
            )
            .order_by("-year", "-quarter")
        )
        for period in periods:
            period.due_form = rf.DueDateForm(initial={"due_date": period.due_date}, prefix=f"due-{period.pk}")
            period.close_form = rf.PeriodCloseForm(prefix=f"close-{period.pk}")
            period.reopen_form = rf.PeriodReopenForm(prefix=f"reopen-{period.pk}")
            period.open_panel = ""
            if bound and bound[0] == period.pk:
                setattr(period, bound[1], bound[2])
                period.open_panel = bound[1]
        context.update(
            periods=periods,
            events=PeriodEvent.objects.filter(period__region=region).select_related("actor", "period")[:100],
            closed=PeriodStatus.CLOSED,
        )
    return render(request, "reporting/periods.html", context)


@login_required
@require_GET
def periods(request: HttpRequest) -> HttpResponse:
    """Periode pelaporan of a daerah: due dates, closing and reopening, with their log."""
    _require_admin(request.user)
    code = request.GET.get("daerah", "").strip()
    region = get_object_or_404(Region.objects.daerah(), code=code) if code else None
    return _render_periods(request, region)


def _admin_period(request: HttpRequest, pk: int) -> ReportingPeriod:
    _require_admin(request.user)
    return get_object_or_404(ReportingPeriod.objects.visible_to(request.user).select_related("region"), pk=pk)


@login_required
@require_POST
def period_create(request: HttpRequest) -> HttpResponse:
    _require_admin(request.user)
    region = get_object_or_404(Region.objects.daerah(), code=request.POST.get("daerah", ""))
    form = rf.PeriodCreateForm(request.POST)
    if not form.is_valid():
        return _render_periods(request, region, create_form=form)
    period = period_get_or_create(region=region, year=form.cleaned_data["year"], quarter=form.cleaned_data["quarter"])
    messages.success(
        request,
        _("Periode %(label)s tersedia; batas waktu %(due)s.")
        % {"label": period.label, "due": f"{period.due_date:%d-%m-%Y}"},
    )
    return redirect(_periods_url(region))


def _period_action(request: HttpRequest, pk: int, *, form_class, key: str, act, success) -> HttpResponse:
    """One admin action on a period: validate its form, call the service, report back (shared by the three)."""
    period = _admin_period(request, pk)
    form = form_class(request.POST, prefix=f"{key.removesuffix('_form').replace('_', '-')}-{period.pk}")
    if form.is_valid():
        try:
            act(period, form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, success(period))
            return redirect(_periods_url(period.region))
    return _render_periods(request, period.region, bound=(period.pk, key, form))


@login_required
@require_POST
def period_due_date(request: HttpRequest, pk: int) -> HttpResponse:
    return _period_action(
        request,
        pk,
        form_class=rf.DueDateForm,
        key="due_form",
        act=lambda period, data: period_set_due_date(
            period=period, user=request.user, due_date=data["due_date"], reason=data["reason"]
        ),
        success=lambda period: (
            _("Batas waktu %(label)s diubah menjadi %(due)s.")
            % {"label": period.label, "due": f"{period.due_date:%d-%m-%Y}"}
        ),
    )


@login_required
@require_POST
def period_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _period_action(
        request,
        pk,
        form_class=rf.PeriodCloseForm,
        key="close_form",
        act=lambda period, data: period_close(period=period, user=request.user, reason=data["reason"]),
        success=lambda period: (
            _("Periode %(label)s ditutup; laporannya kini hanya dapat dibaca.") % {"label": period.label}
        ),
    )


@login_required
@require_POST
def period_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _period_action(
        request,
        pk,
        form_class=rf.PeriodReopenForm,
        key="reopen_form",
        act=lambda period, data: period_reopen(period=period, user=request.user, reason=data["reason"]),
        success=lambda period: _("Periode %(label)s dibuka kembali.") % {"label": period.label},
    )
