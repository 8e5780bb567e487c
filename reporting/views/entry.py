"""Pages of the OPD operator: "Tugas saya triwulan ini", the report page (entry form, or read-only for everyone
else in scope), evidence files, and the in-app notifications.

Thin views: reads start from ``visible_to(user)`` (out of scope → 404), writes go through
``reporting.services``, and the page context comes from ``reporting.selectors.report_detail``. With htmx
(django-htmx's ``request.htmx``) saving returns small partials; without it every POST redirects back.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from reporting import anchors, checks, selectors
from reporting.achievements import formula as achievement
from reporting.achievements.services import active_rule_set
from reporting.choices import EvidenceKind, ImplementationStage, Quarter, ReportStatus, Section
from reporting.forms import EvidenceForm, OpenReportForm, PeriodChoiceForm, ReportForm
from reporting.models import Evidence, Notification, QuarterlyReport
from reporting.querysets import quality_with_component
from reporting.recipients.services import report_prefill_from_recipients
from reporting.services import (
    ConcurrentEditError,
    evidence_add,
    evidence_remove,
    notifications_mark_read,
    period_get_or_create,
    quarter_of,
    report_open,
    report_prefill_from_previous,
    report_save,
    report_save_and_submit,
)
from reporting.services.periods import today
from reporting.services.reports import previous_report
from spm import access
from spm.fragments import Fragment
from spm.models import ServiceAssignment
from spm.validation import parse_id
from targets.selectors import approved_must_serve

# --- Tugas saya triwulan ini ----------------------------------------------------------------------------


def _is_operator(user) -> bool:
    """The OPD's own pages (tasks to fill, reports to open) are for users scoped to one OPD."""
    return access.scope_of(user).is_agency


@login_required
def tasks(request: HttpRequest) -> HttpResponse:
    """The operator's services for a triwulan with their status; everyone else a read-only list in scope."""
    user = request.user
    current = quarter_of(today())
    year, quarter = PeriodChoiceForm(request.GET).period(current) if request.GET else current
    operator = _is_operator(user)
    base: dict = {
        "year": year,
        "quarter": quarter,
        "quarter_choices": Quarter.choices,
        "year_choices": range(max(current[0], year) + 1, 2018, -1),
        "is_current": (year, quarter) == current,
    }

    def compute() -> dict:
        if operator:
            period, task_list = selectors.operator_tasks(user, year=year, quarter=quarter)
            counts: dict[str, int] = {}
            for task in task_list:
                counts[task.status] = counts.get(task.status, 0) + 1
            return {**base, "agency": user.agency, "period": period, "tasks": task_list, "counts": counts}
        reports = (
            QuarterlyReport.objects.visible_to(user)
            .for_period(year, quarter)
            .with_related()
            .prefetch_related(quality_with_component(), "stages", "evidence")
            .order_by("region__code", "agency__name", "service__affair__order", "service__order")
        )
        page = Paginator(reports, 50).get_page(request.GET.get("page"))
        rules = active_rule_set()
        rows = [(report, selectors.completeness_pct_of(report, rules)) for report in page]
        return {**base, "page": page, "rows": rows, "show_region": access.scope_of(user).chooses_daerah}

    mode = "operator" if operator else "readonly"
    key = (mode, year, quarter, request.GET.get("page"), access.audience_key(user))
    return render(request, "reporting/tasks.html", {"mode": mode, "page_part": Fragment("tasks", key, compute)})


@login_required
@require_POST
def report_open_view(request: HttpRequest) -> HttpResponse:
    """Start (or reopen) the report of one of the operator's services for a triwulan."""
    user = request.user
    if not _is_operator(user):
        raise Http404
    form = OpenReportForm(request.POST)
    if not form.is_valid():
        raise Http404
    assignment = get_object_or_404(
        ServiceAssignment.objects.visible_to(user).select_related("service", "region"),
        service_id=form.cleaned_data["service"],
    )
    year, quarter = form.period(quarter_of(today()))
    try:
        period = period_get_or_create(region=assignment.region, year=year, quarter=quarter)
        report = report_open(user=user, period=period, service=assignment.service)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_tasks_url(year, quarter))
    return redirect(report)


def _tasks_url(year: int, quarter: int) -> str:
    return f"{reverse('reporting:tasks')}?tahun={year}&triwulan={quarter}"


# --- The report page ------------------------------------------------------------------------------------


def _report_for(request: HttpRequest, pk: int) -> QuarterlyReport:
    """The report if the user may see it; otherwise 404 (never 403)."""
    return access.get_object_for(request.user, selectors.report_queryset(), pk=pk)


def _require_edit(request: HttpRequest, report: QuarterlyReport) -> None:
    """Refuse early who may see but not change the report (verifikator, pimpinan, a locked report)."""
    access.require(request.user, "report.edit", report, _("Laporan ini tidak dapat diubah oleh Anda."))


def anchor_section(anchor: str) -> str:
    """The section (A–F) a review comment's anchor belongs to."""
    return anchors.section_of(anchor) or Section.RECIPIENTS


def anchor_dom_id(anchor: str) -> str:
    return f"section-{anchor}" if anchor in Section.values else f"field-{anchor}"


def _page_context(
    request: HttpRequest,
    report: QuarterlyReport,
    *,
    form: ReportForm | None = None,
    evidence_form: EvidenceForm | None = None,
    anchor_errors: dict[str, list[str]] | None = None,
    submit_errors: list[str] | None = None,
) -> dict:
    """The report page: ``selectors.report_detail`` plus the forms, the errors per field and the comments."""
    context = selectors.report_detail(report, request.user)
    if context["can_edit"]:
        form = form or ReportForm(report=report)
        evidence_form = evidence_form or EvidenceForm()
    else:
        form = evidence_form = None
    field_errors: dict[str, list[str]] = {}
    if form is not None and form.is_bound:
        for name, errors in form.errors.items():
            field_errors.setdefault(name, []).extend(errors)
    for key, errors in (anchor_errors or {}).items():
        if key != "__all__":
            field_errors.setdefault(key, []).extend(errors)
    comments_by_anchor: dict[str, list] = {}
    section_comments: dict[str, int] = {}
    todo = []
    for comment in context["open_comments"]:
        comments_by_anchor.setdefault(comment.anchor, []).append(comment)
        section = anchor_section(comment.anchor)
        section_comments[section] = section_comments.get(section, 0) + 1
        todo.append({"comment": comment, "section": section, "href": f"#{anchor_dom_id(comment.anchor)}"})
    values, figures = context["values"], context["figures"]
    items_of: dict[int, list[dict]] = {}
    for item_entry in report.item_entries.all() if report.quality_item_list_id else ():
        anchor = anchors.item(item_entry.item_id)
        items_of.setdefault(item_entry.item.component_id, []).append(
            {
                "entry": item_entry,
                "anchor": anchor,
                "pct": checks.percent(item_entry.met, item_entry.required),
                "required": form[anchors.form_field(anchor, "required")] if form else None,
                "met": form[anchors.form_field(anchor, "met")] if form else None,
            }
        )
    for rows in items_of.values():
        rows.sort(key=lambda r: (r["entry"].item.order, r["entry"].item_id))
    quality_rows = [
        {
            "entry": entry,
            "anchor": anchors.quality(entry.component.code),
            "pct": checks.percent(entry.met, entry.required),
            "items": items_of.get(entry.component_id, []),
            "required": (
                form[anchors.form_field(anchors.quality(entry.component.code), "required")]
                if form and entry.component_id not in items_of
                else None
            ),
            "met": (
                form[anchors.form_field(anchors.quality(entry.component.code), "met")]
                if form and entry.component_id not in items_of
                else None
            ),
            "not_applicable": (
                form[anchors.form_field(anchors.quality(entry.component.code), "not_applicable")] if form else None
            ),
            "reason": form[anchors.form_field(anchors.quality(entry.component.code), "reason")] if form else None,
        }
        for entry in report.quality_entries.all()
    ]
    order = list(ImplementationStage.values)
    stage_rows = [
        {
            "stage": stage,
            "anchor": anchors.stage(stage.stage),
            "status": form[anchors.form_field(anchors.stage(stage.stage), "status")] if form else None,
            "note": form[anchors.form_field(anchors.stage(stage.stage), "note")] if form else None,
        }
        for stage in sorted(report.stages.all(), key=lambda s: order.index(s.stage))
    ]
    context.update(
        form=form,
        evidence_form=evidence_form,
        field_errors=field_errors,
        submit_errors=submit_errors or [],
        has_errors=bool(field_errors or submit_errors or (form is not None and form.non_field_errors())),
        comments_by_anchor=comments_by_anchor,
        section_comments=section_comments,
        todo=todo,
        quality_rows=quality_rows,
        stage_rows=stage_rows,
        served_before=values.served_before,
        figures=figures,
        evidence_list=list(report.evidence.all()),
        evidence_max_mb=settings.EVIDENCE_MAX_BYTES // 1_048_576,
        evidence_accept=".pdf,.png,.jpg,.jpeg,.xlsx",
        section_state={s.code: s for s in context["sections"]},
        return_summary=next(
            (t.comment for t in reversed(context["transitions"]) if t.to_status == ReportStatus.RETURNED), ""
        ),
        index_status=_index_status(values),
    )
    return context


def _index_status(values: checks.ReportValues) -> str | None:
    """The status the live index would get, by the active rule set (as submission and the stored index)."""
    result = checks.current_result(values)
    return achievement.status_label(result.status, values.rules) if result else None


def _render_page(request: HttpRequest, report: QuarterlyReport, **kwargs) -> HttpResponse:
    """The whole page; for htmx, the page's main block swapped in place of the current one."""
    context = _page_context(request, report, **kwargs)
    if request.htmx:
        response = render(request, "reporting/partials/_report_main.html", context)
        return reswap(retarget(response, "#report-main"), "outerHTML show:window:top")
    return render(request, "reporting/report_detail.html", context)


def _stale(request: HttpRequest, report: QuarterlyReport, error: ConcurrentEditError) -> HttpResponse:
    """Someone saved in between: say so and keep nothing (the page must be reloaded)."""
    message = " ".join(error.messages)
    if request.htmx:
        return render(request, "reporting/partials/_stale.html", {"message": message, "report": report})
    messages.error(request, message)
    return redirect(report)


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The report: the entry form for its OPD's operator while editable, read-only for everyone else."""
    if request.htmx:
        return _render_page(request, _report_for(request, pk))
    # 404 outside the scope. The report alone (the title): its rows are read only when the page's cached part
    # must be computed.
    report = access.get_object_for(request.user, QuarterlyReport.objects.select_related("period", "service"), pk=pk)
    part = Fragment(
        "report-page",
        (report.pk, access.audience_key(request.user)),
        lambda: _page_context(request, _report_for(request, pk)),
    )
    return render(request, "reporting/report_detail.html", {"report": report, "page_part": part})


@login_required
@require_POST
def report_save_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the draft (partial figures allowed); every change is recorded by the service."""
    report = _report_for(request, pk)
    _require_edit(request, report)
    form = ReportForm(request.POST, report=report)
    if not form.is_valid():
        return _render_page(request, report, form=form)
    try:
        report_save(
            report=report, user=request.user, data=form.to_input(), expected_version=form.cleaned_data["version"]
        )
    except ConcurrentEditError as error:
        return _stale(request, report, error)
    except ValidationError as error:
        return _render_page(request, _report_for(request, pk), form=form, anchor_errors=error.message_dict)
    if request.htmx:
        fresh = _report_for(request, pk)
        context = _page_context(request, fresh)
        context["saved_at"] = timezone.localtime()
        if request.POST.get("had_errors"):
            # The page still shows the errors of the previous attempt: redraw it whole, where it is.
            response = render(request, "reporting/partials/_report_main.html", context)
            return reswap(retarget(response, "#report-main"), "outerHTML")
        return render(request, "reporting/partials/_saved.html", context)
    messages.success(request, _("Draf laporan tersimpan."))
    return redirect(report)


def _form_blockers(form: ReportForm) -> list[checks.Blocker]:
    """Inputs the form itself refuses (not a whole number, too long …), as blockers beside their field."""
    found = []
    for name, errors in form.errors.items():
        if name in ("__all__", "version"):
            continue
        kind, _code = anchors.parse(name)
        anchor = name.rsplit("-", 1)[0] if kind else name
        found.append(checks.Blocker(anchor_section(anchor), anchor, name, errors[0]))
    return found


@login_required
@require_POST
def report_check_view(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx, while the operator types: the completeness meter, the derived figures and the flags of what is on
    the form, without saving it. The meter reads ``checks.blockers`` over the values ``report_submit`` reads,
    so it shows 100 % only when the submission would be accepted."""
    report = _report_for(request, pk)
    _require_edit(request, report)
    form = ReportForm(request.POST, report=report)
    form.is_valid()
    approved = approved_must_serve(region=report.region, service=report.service, year=report.period.year)
    context = selectors.report_check(
        report,
        previous=previous_report(report),
        approved=approved,
        data=form.to_input(),
        extra=_form_blockers(form),
    )
    context.update(
        report=report,
        can_edit=True,
        served_before=context["values"].served_before,
        index_status=_index_status(context["values"]),
    )
    return render(request, "reporting/partials/_checked.html", context)


@login_required
@require_POST
def report_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Save what is on the form, then submit the report to the verifikator (blocked until complete)."""
    report = _report_for(request, pk)
    _require_edit(request, report)
    form = ReportForm(request.POST, report=report)
    if not form.is_valid():
        return _render_page(request, report, form=form)
    try:
        report = report_save_and_submit(
            report=report, user=request.user, data=form.to_input(), expected_version=form.cleaned_data["version"]
        )
    except ConcurrentEditError as error:
        return _stale(request, report, error)
    except ValidationError as error:
        # Nothing was saved: the page shows what the user typed, with the reasons beside the fields.
        errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        return _render_page(
            request, _report_for(request, pk), form=form, anchor_errors=errors, submit_errors=errors.get("__all__", [])
        )
    messages.success(request, _("Laporan diajukan ke verifikator. Anda akan diberi tahu bila laporan diverifikasi."))
    if request.htmx:
        return HttpResponseClientRedirect(report.get_absolute_url())
    return redirect(report)


@login_required
@require_POST
def report_prefill_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Copy the must-serve figure, mutu targets and stages from the previous triwulan's report."""
    return _prefill(
        request,
        pk,
        report_prefill_from_previous,
        _("Isian disalin dari triwulan sebelumnya: jumlah yang harus dilayani, target mutu dan tahapan."),
    )


@login_required
@require_POST
def report_prefill_recipients_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Fill section A from the named recipient list (data penerima): one source of truth for the counts."""
    return _prefill(
        request,
        pk,
        report_prefill_from_recipients,
        _("Bagian A diisi dari data penerima: jumlah yang harus dilayani dan yang terlayani triwulan ini."),
    )


def _prefill(request: HttpRequest, pk: int, service, success: str) -> HttpResponse:
    report = _report_for(request, pk)
    _require_edit(request, report)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = 0
    try:
        service(report=report, user=request.user, expected_version=version)
    except ConcurrentEditError as error:
        return _stale(request, report, error)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    if request.htmx:
        return HttpResponseClientRedirect(report.get_absolute_url())
    return redirect(report)


# --- Evidence (section F) -----------------------------------------------------------------------------


def _evidence_for(request: HttpRequest, pk: int) -> Evidence:
    """An evidence file of a report the user may see; otherwise 404."""
    reports = QuarterlyReport.objects.visible_to(request.user)
    return get_object_or_404(Evidence.objects.filter(report__in=reports).select_related("report__period"), pk=pk)


@login_required
@require_POST
def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for(request, pk)
    _require_edit(request, report)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            evidence = evidence_add(
                report=report,
                user=request.user,
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
                kind=form.cleaned_data["kind"] or EvidenceKind.OTHER,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            message = _("Dokumen pendukung “%(name)s” diunggah.") % {"name": evidence.original_name}
            if request.htmx:
                return _evidence_changed(request, pk, message)
            messages.success(request, message)
            return redirect(f"{report.get_absolute_url()}#section-F")
    if request.htmx:
        context = _page_context(request, _report_for(request, pk), evidence_form=form)
        return render(request, "reporting/partials/_evidence.html", context)
    return _render_page(request, _report_for(request, pk), evidence_form=form)


def _evidence_changed(request: HttpRequest, pk: int, message: str) -> HttpResponse:
    """htmx: the evidence panel again, with the completeness meter and history refreshed out of band."""
    context = _page_context(request, _report_for(request, pk))
    context["evidence_message"] = message
    return render(request, "reporting/partials/_evidence_changed.html", context)


@login_required
@require_POST
def evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = _evidence_for(request, pk)
    report = evidence.report
    _require_edit(request, report)
    name = evidence.original_name
    evidence_remove(evidence=evidence, user=request.user)
    message = _("Dokumen pendukung “%(name)s” dihapus.") % {"name": name}
    if request.htmx:
        return _evidence_changed(request, report.pk, message)
    messages.success(request, message)
    return redirect(f"{report.get_absolute_url()}#section-F")


@login_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    """The file itself, as an attachment, for anyone who may see the report."""
    evidence = _evidence_for(request, pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("Berkas tidak ditemukan di penyimpanan.") from error
    return FileResponse(handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type)


# --- Notifications --------------------------------------------------------------------------------------


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's in-app notifications, newest first."""
    items = Notification.objects.filter(user=request.user).select_related("report__service", "report__period")
    page = Paginator(items, 30).get_page(request.GET.get("page"))
    return render(request, "reporting/notifications.html", {"page": page})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification (``id``) or all of them as read."""
    raw = request.POST.get("id")
    if raw and parse_id(raw, Notification) is None:
        messages.error(request, _("Notifikasi tidak ditemukan."))
        return redirect("reporting:notifications")
    ids = [parse_id(raw, Notification)] if raw else None
    count = notifications_mark_read(user=request.user, ids=ids)
    if ids is None:
        messages.success(request, _("%(n)s notifikasi ditandai sudah dibaca.") % {"n": count})
    return redirect("reporting:notifications")
