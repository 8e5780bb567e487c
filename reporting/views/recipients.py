"""Pages of recipient data (data penerima layanan dasar): per-service overview, template download, import
with an htmx-polled progress bar, the error report, the list with masked NIKs (searched by name; by exact
NIK through a POST form), one recipient's detail, and the xlsx export. Exports, full-NIK views and NIK
searches are recorded in ExportLog, the personal-data access log.

Thin function-based views: every read starts from ``visible_to(user)`` (out of scope answers 404), every
write is a service in ``reporting.recipients.services``.
"""

from __future__ import annotations

import os
from html import escape as html_escape
from pathlib import PurePath

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reporting.choices import ExportKind, RecipientStatus
from reporting.models import ExportLog, Recipient, RecipientImport
from reporting.recipients import personal_data, store
from reporting.recipients import services as service_layer
from reporting.recipients.forms import NikSearchForm, RecipientFilter, RecipientImportForm
from reporting.recipients.selectors import recipient_counts
from reporting.recipients.validation import mask_nik
from spm import access
from spm.fragments import Fragment, cached
from spm.models import BasicService, Region, User
from spm.roles import ScopeKind
from spm.templatetags.spm_format import triwulan

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50
ISSUES_SHOWN = 50


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("tahun", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _daerah(request: HttpRequest) -> Region | None:
    """The daerah of the page: fixed for users of one daerah, chosen (``?daerah=``) by the others."""
    user = request.user
    scope = access.scope_of(user)
    if scope.is_single_daerah:
        return user.region
    code = request.GET.get("daerah", "")
    if not code:
        # A provinsi's own lists only when its scope covers them (not the Evaluator Provinsi's: it evaluates the
        # kabupaten/kota); otherwise the page asks for a daerah.
        province = scope.kind == ScopeKind.PROVINCE and scope.covers_region(user.region_id)
        return user.region if province else None
    return get_object_or_404(Region.objects.visible_to(user), code=code)


def _list_visible(user, region: Region, service: BasicService) -> bool:
    """May the user open this daerah's list of this service at all (its content is scoped again)?"""
    return access.scope_of(user).covers(region.pk, service.pk)


@login_required
def recipients_home(request: HttpRequest) -> HttpResponse:
    """Data penerima: the daerah's services with the year's counts, links to lists, templates and import."""
    user = request.user
    access.require_page(user, "recipients")
    scope = access.scope_of(user)
    region, year = _daerah(request), _year(request)
    rows, imports = [], []
    if region is not None:
        services = BasicService.objects.active().for_region(region).select_related("affair")
        if scope.service_ids is not None:
            services = services.filter(pk__in=scope.service_ids)
        counts = {
            row["service_id"]: row
            for row in Recipient.objects.visible_to(user)
            .filter(region=region, year=year)
            .values("service_id")
            .annotate(total=Count("id"), served=Count("id", filter=Q(status=RecipientStatus.SERVED)))
        }
        importable = set(service_layer.importable_services(user, region).values_list("pk", flat=True))
        for service in services.order_by("affair__order", "order"):
            count = counts.get(service.pk, {})
            rows.append(
                {
                    "service": service,
                    "total": count.get("total", 0),
                    "served": count.get("served", 0),
                    "can_import": service.pk in importable,
                }
            )
        imports = list(
            RecipientImport.objects.visible_to(user)
            .filter(region=region)
            .select_related("service", "created_by")
            .order_by("-created_at", "-id")[:10]
        )
    regions = Region.objects.visible_to(user).order_by("code") if region is None or scope.is_admin else None
    return render(
        request,
        "reporting/recipients_home.html",
        {"region": region, "year": year, "rows": rows, "imports": imports, "regions": regions},
    )


@login_required
def recipients_template(request: HttpRequest, code: str) -> HttpResponse:
    """The xlsx template of one jenis pelayanan dasar (no personal data); with ``?daerah=``, its kecamatan."""
    service = get_object_or_404(BasicService.objects.active(), code=code)
    region = _daerah(request)
    year = _year(request)
    content = service_layer.recipients_template(service, region=region, year=year)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="templat-penerima-{service.code}-{year}.xlsx"'
    return response


@login_required
def recipients_import(request: HttpRequest) -> HttpResponse:
    """Upload a list: admins for any daerah, operators for the services of their OPD."""
    user = request.user
    access.require(
        user, "recipient_import.start", None, _("Hanya operator OPD pengampu dan admin yang dapat mengimpor.")
    )
    chooses = access.scope_of(user).is_admin
    region = _daerah(request) if chooses else user.region
    if chooses and request.method == "POST":
        chosen = request.POST.get("region", "")
        region = Region.objects.daerah().filter(pk=int(chosen)).first() if chosen.isdigit() else None
    form = RecipientImportForm(
        request.POST or None,
        request.FILES or None,
        user=user,
        region=region,
        initial={"service": _initial_service(request), "year": _year(request)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = service_layer.recipient_import_start(
                user=user,
                region=data["region"],
                service=data["service"],
                year=data["year"],
                mode=data["mode"],
                upload=data["file"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("service", str(exc))
        else:
            messages.success(
                request,
                _("Berkas diterima. Kemajuan dan hasil validasi tampil di bawah; belum ada data yang disimpan."),
            )
            return redirect(batch.get_absolute_url())
    return render(
        request, "reporting/recipients_import.html", {"form": form, "region": region, "choose_region": chooses}
    )


def _initial_service(request: HttpRequest) -> BasicService | None:
    code = request.GET.get("layanan")
    return BasicService.objects.filter(code=code).first() if code else None


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _import_context(request: HttpRequest, batch: RecipientImport) -> dict:
    user = request.user
    return {
        "batch": batch,
        "issues": batch.issues[:ISSUES_SHOWN],
        "more_issues": max(0, len(batch.issues) - ISSUES_SHOWN),
        "may_act": access.can(user, "recipient_import.commit", batch),
        "may_cancel": access.can(user, "recipient_import.cancel", batch),
        "may_download_report": access.can(user, "recipient_import.error_report", batch),
        "may_upload_again": access.can(user, "recipient_import.add", batch),
        "list_url": _list_url(batch.region, batch.service, batch.year),
        "report_has_every_row": batch.rows_read <= settings.RECIPIENT_IMPORT_FULL_REPORT_ROWS,
        "commit_stuck": store.commit_is_stuck(batch),
    }


def _list_url(region: Region, service: BasicService, year: int) -> str:
    from django.urls import reverse

    return reverse("reporting:recipients-list", kwargs={"region": region.code, "service": service.code, "year": year})


def _visible_import(request: HttpRequest, pk: int) -> RecipientImport:
    return access.get_object_for(
        request.user, RecipientImport.objects.select_related("region", "service", "created_by"), pk=pk
    )


@login_required
def recipients_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Status of an import: a progress bar polled by htmx while it runs, then the summary and issues."""
    batch = _visible_import(request, pk)
    context = _import_context(request, batch)
    if request.htmx:
        return render(request, "reporting/partials/_import_status.html", context)
    return render(request, "reporting/recipients_import_detail.html", context)


@login_required
def recipients_import_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The error report (every original row, with messages): personal data, so recorded as an export."""
    batch = _visible_import(request, pk)
    access.require(request.user, "recipient_import.error_report", batch, _("Laporan galat hanya untuk pengunggahnya."))
    if not batch.error_report:
        raise Http404
    service_layer.log_export(
        user=request.user,
        kind=ExportKind.ERROR_REPORT,
        region=batch.region,
        filters={"impor": batch.pk, "layanan": batch.service.code, "tahun": batch.year},
        row_count=batch.rows_read,
    )
    name = f"laporan-galat-{batch.service.code}-{batch.year}-{PurePath(batch.original_name).stem}.xlsx"
    return FileResponse(batch.error_report.open("rb"), as_attachment=True, filename=name, content_type=XLSX)


@login_required
@require_POST
def recipients_import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _visible_import(request, pk)
    try:
        store.recipient_import_confirm(user=request.user, batch=batch)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Penyimpanan data penerima dimulai; statusnya tampil di bawah."))
    return redirect(batch.get_absolute_url())


@login_required
@require_POST
def recipients_import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _visible_import(request, pk)
    try:
        service_layer.recipient_import_cancel(user=request.user, batch=batch)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.info(
            request, _("Impor dibatalkan; berkas yang diunggah telah dihapus dan tidak ada data yang disimpan.")
        )
    return redirect(batch.get_absolute_url())


def _list_scope(request: HttpRequest, region: str, service: str, year: int):
    region_obj = get_object_or_404(Region.objects.visible_to(request.user), code=region)
    # The named lists are for the roles that work with them (the "recipients" page); Kemendagri reads figures.
    access.require_page(request.user, "recipients")
    service_obj = get_object_or_404(BasicService, code=service)
    if not _list_visible(request.user, region_obj, service_obj):
        raise Http404
    queryset = Recipient.objects.visible_to(request.user).for_list(region_obj.pk, service_obj.pk, year)
    filters = RecipientFilter(request.GET or None, queryset=queryset, region=region_obj)
    return region_obj, service_obj, filters


@login_required
def recipients_list(request: HttpRequest, region: str, service: str, year: int) -> HttpResponse:
    """A daerah's list of one service and year: searchable by name, filterable, paginated, NIK masked."""
    region_obj, service_obj, filters = _list_scope(request, region, service, year)
    return _render_list(request, region_obj, service_obj, year, filters)


def _render_list(request, region_obj, service_obj, year, filters, nik_form=None, status=200) -> HttpResponse:
    # Only the shown columns, as plain rows: building 50 model instances was a third of the page.
    recipients = filters.qs.order_by("name", "id").values(*LIST_COLUMNS)
    query = request.GET.copy()
    query.pop("page", None)
    # A refused value (a NIK in the name box) is not carried into links. An unfiltered list builds no form here
    # (the cached head draws it).
    for name in filters.form.errors if filters.is_bound else ():
        query.pop(name, None)
    querystring = query.urlencode()
    audience = access.audience_key(request.user)
    paginator = Paginator(recipients, PAGE_SIZE)
    # How many rows the filter matches is a figure, not personal data: kept under the data version.
    paginator.count = cached(
        "recipients-count", (region_obj.pk, service_obj.pk, year, querystring, audience), recipients.count
    )
    page = paginator.get_page(request.GET.get("page"))

    def head() -> dict:
        can_search_nik = access.can(request.user, "recipient.view_nik")
        return {
            "filter": filters,
            "counts": recipient_counts(region_obj, service_obj, year),
            "can_export": access.can(request.user, "recipient.export"),
            "can_import": access.can(request.user, "recipient_import.add", access.ServiceIn(region_obj, service_obj)),
            "nik_form": (nik_form or NikSearchForm()) if can_search_nik else None,
        }

    # The page's head (figures, filter, buttons) holds no personal data and is cached under the data version,
    # unless it shows what the user typed (a name or village searched, an answer to a NIK search). The rows
    # are personal data: read and drawn on every request, never kept outside the database.
    typed = nik_form is not None or any(request.GET.get(name) for name in TYPED_FILTERS)
    context = {
        "region": region_obj,
        "service": service_obj,
        "year": year,
        "page": page,
        "rows": recipient_rows_html(page, region_obj),
        "querystring": querystring,
    }
    if typed:
        context.update(head())
    else:
        key = (region_obj.pk, service_obj.pk, year, querystring, audience)
        context["page_part"] = Fragment("recipients-head", key, head)
    return render(request, "reporting/recipients_list.html", context, status=status)


LIST_COLUMNS = ("id", "nik", "name", "sex", "village", "district_id", "service_date", "quarter", "status")
# The filter boxes whose values are typed (names, villages): a page with one filled is not cached.
TYPED_FILTERS = ("q", "desa")


def district_names(region: Region, ids: set[int]) -> dict[int, str]:
    """Names of the kecamatan ``ids``: the daerah's kecamatan (``districts_of``) from the shared cache (reference
    data), any other by one query. Joining them in the list's query made PostgreSQL hash the whole region table
    for 50 rows."""
    names = cached(
        "kecamatan-names",
        (region.pk,),
        lambda: dict(Region.objects.districts_of(region).values_list("id", "name")),
    )
    missing = ids - names.keys()
    if missing:
        names = {**names, **dict(Region.objects.filter(pk__in=missing).values_list("id", "name"))}
    return names


def _cell(value) -> str:
    """A cell's text, escaped: the standard library's escape (what Django's calls) without Django's check for a
    lazy string on every call; an empty value is an empty cell."""
    return "" if value is None else html_escape(str(value))


def recipient_rows_html(page, region: Region) -> str:
    """The rows of a recipients page (``LIST_COLUMNS`` of each, NIK masked, the kecamatan by name), drawn in
    Python: a template evaluating 8 cells of 50 rows was the page's largest cost. The same markup as the rest of
    the table (``recipients_list.html``); every value escaped."""
    statuses = {value: _cell(label) for value, label in RecipientStatus.choices}
    # One reverse for the page: the detail URL with a marker where each row's id goes.
    marker = "2147483647"
    before, after = (_cell(part) for part in Recipient(pk=int(marker)).get_absolute_url().split(marker))
    page_rows = list(page)
    districts = district_names(region, {row["district_id"] for row in page_rows if row["district_id"]})
    rows = [
        f'<tr><td class="font-monospace"><a href="{before}{row["id"]:d}{after}" data-testid="nik-tersamar">'
        f"{_cell(mask_nik(row['nik']))}</a></td><td>{_cell(row['name'])}</td><td>{_cell(row['sex'])}</td>"
        f"<td>{_cell(row['village'])}</td><td>{_cell(districts.get(row['district_id'], ''))}</td>"
        f"<td>{row['service_date'].strftime('%d-%m-%Y') if row['service_date'] else ''}</td>"
        f"<td>{_cell(triwulan(row['quarter']))}</td>"
        f"<td>{statuses.get(row['status'], _cell(row['status']))}</td></tr>"
        for row in page_rows
    ]
    return mark_safe("\n".join(rows))  # noqa: S308 - every value escaped above


@login_required
@require_POST
def recipients_nik_search(request: HttpRequest, region: str, service: str, year: int) -> HttpResponse:
    """Cari NIK: the exact 16-digit NIK, posted so it never reaches a URL or an access log; only for roles
    that see full NIKs; throttled and recorded (``reporting.recipients.personal_data``). One match opens the
    recipient's detail (by id)."""
    region_obj, service_obj, filters = _list_scope(request, region, service, year)  # 404 outside the scope
    access.require(request.user, "recipient.view_nik", None, _("Pencarian NIK hanya untuk peran yang berwenang."))
    form = NikSearchForm(request.POST)
    if not form.is_valid():
        return _render_list(request, region_obj, service_obj, year, filters, form)
    try:
        result = personal_data.recipient_nik_search(
            user=request.user, region=region_obj, service=service_obj, year=year, nik=form.cleaned_data["nik"]
        )
    except personal_data.NikSearchThrottled:
        form.add_error("nik", _("Terlalu banyak pencarian NIK dalam waktu singkat. Coba lagi beberapa menit lagi."))
        return _render_list(request, region_obj, service_obj, year, filters, form, status=429)
    except personal_data.NikSearchUnavailable:
        form.add_error("nik", _("Pencarian NIK sementara tidak tersedia. Coba lagi beberapa saat lagi."))
        return _render_list(request, region_obj, service_obj, year, filters, form, status=503)
    if not result.recipients:
        form.add_error("nik", _("NIK tersebut tidak ada pada daftar ini."))
        return _render_list(request, region_obj, service_obj, year, filters, form)
    return redirect(result.recipients[0].get_absolute_url())


@login_required
def recipients_export(request: HttpRequest, region: str, service: str, year: int) -> HttpResponse:
    """The filtered list as xlsx (full NIK), for roles allowed to export; every export is recorded."""
    region_obj, service_obj, filters = _list_scope(request, region, service, year)  # 404 outside the scope
    access.require(request.user, "recipient.export", None, _("Anda tidak berwenang mengekspor data penerima."))
    path = service_layer.recipients_export(
        user=request.user,
        queryset=filters.qs,
        region=region_obj,
        service=service_obj,
        year=year,
        filters=filters.active,
    )
    handle = open(path, "rb")  # noqa: SIM115 - closed by FileResponse
    os.unlink(path)  # the open handle keeps the content until the response is sent
    name = f"penerima-{region_obj.code}-{service_obj.code}-{year}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX)


@login_required
def recipient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One recipient; the full NIK only for roles that work with personal data, within scope."""
    recipient = access.get_object_for(
        request.user, Recipient.objects.select_related("region", "service", "district", "source_import"), pk=pk
    )
    show_nik = access.can(request.user, "recipient.view_nik", recipient)
    if show_nik:
        personal_data.log_full_view(user=request.user, recipient=recipient)
    return render(
        request,
        "reporting/recipients_detail.html",
        {
            "recipient": recipient,
            "nik": recipient.nik if show_nik else mask_nik(recipient.nik),
            "show_nik": show_nik,
            "list_url": _list_url(recipient.region, recipient.service, recipient.year),
            "status_served": recipient.status == RecipientStatus.SERVED,
        },
    )


@login_required
def personal_data_log(request: HttpRequest) -> HttpResponse:
    """Data pribadi yang saya akses: the user's own rows of the personal-data access log (exports, error
    reports, full-NIK views, NIK searches). Admins read anyone's, chosen with ``?pengguna=<id>``."""
    user = request.user
    access.require_page(user, "personal_data_log")
    chosen = request.GET.get("pengguna", "")
    subject, users = user, None
    if chosen and chosen != str(user.pk):
        access.require(user, "personal_data_log.view_others", None, _("Anda hanya dapat melihat akses Anda sendiri."))
    if access.can(user, "personal_data_log.view_others"):
        users = User.objects.filter(pk__in=ExportLog.objects.values("user_id")).order_by("username")
        if chosen == "semua":
            subject = None
        elif chosen.isdigit():
            subject = get_object_or_404(User, pk=int(chosen))
    rows = ExportLog.objects.visible_to(user).select_related("user", "region").order_by("-created_at", "-id")
    if subject is not None:
        rows = rows.filter(user=subject)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reporting/personal_data_log.html",
        {
            "page": page,
            "subject": subject,
            "users": users,
            "chosen": chosen,
            "querystring": query.urlencode(),
        },
    )
