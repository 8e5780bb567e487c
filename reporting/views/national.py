"""National pages (Kemendagri, Sekber SPM; admins too): the national dashboard, the national input windows with
extensions per daerah, and the SPM Awards scorecard. Thin: reads in ``reporting.national``, writes in
``reporting.services.periods``."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from reporting.achievements import formula as achievement
from reporting.models import ROMAN, NationalWindow, ReportingPeriod
from reporting.national.awards import awards_ranking
from reporting.national.dashboard import national_dashboard as dashboard_data
from reporting.national.forms import ExtensionForm, NationalWindowForm
from reporting.services.periods import national_window_set, period_extend, quarter_of, today
from reporting.views.dashboard import _int
from spm import access
from spm.choices import RegionLevel
from spm.models import Region


def _chart_value(value: Decimal | None) -> float | None:
    shown = achievement.display(value)
    return None if shown is None else float(shown)


@login_required
@require_GET
def national_dashboard(request: HttpRequest) -> HttpResponse:
    """Dasbor nasional: reporting rate, IP-SPM per provinsi and urusan, bands, Paripurna, late and missing."""
    access.require_page(request.user, "national_dashboard")
    year, quarter = quarter_of(today())
    year = _int(request.GET.get("tahun"), year, range(2000, 2100))
    quarter = _int(request.GET.get("triwulan"), quarter, range(1, 5))
    data = dashboard_data(year=year, quarter=quarter, on=today())
    chart = {
        "rate": {
            "labels": [p.name for p in data.provinces],
            "values": [_chart_value(p.rate.pct) for p in data.provinces],
        },
        "provinces": {
            "labels": [p.name for p in data.provinces],
            "values": [_chart_value(p.index.value) for p in data.provinces],
        },
        "affairs": {
            "labels": [a.name for a, _m in data.affairs],
            "values": [_chart_value(m.value) for _a, m in data.affairs],
        },
        "bands": {"labels": [label for _c, label, _n in data.bands], "values": [n for _c, _l, n in data.bands]},
    }
    # Province × urusan: one row per provinsi, its means in the urusan order of the header.
    province_affairs = [(p, [p.affairs[a.pk] for a, _m in data.affairs]) for p in data.provinces]
    return render(
        request,
        "reporting/national_dashboard.html",
        {
            "d": data,
            "year": year,
            "quarter": quarter,
            "chart": chart,
            "today": today(),
            "province_affairs": province_affairs,
        },
    )


def _windows_context(window_form, extension_form) -> dict:
    return {
        "window_form": window_form,
        "extension_form": extension_form,
        "windows": NationalWindow.objects.select_related("set_by")[:20],
    }


@login_required
@require_http_methods(["GET", "POST"])
def national_windows(request: HttpRequest) -> HttpResponse:
    """Jadwal pengisian nasional: set a triwulan's window for every daerah at once, or extend one daerah's."""
    user = request.user
    access.require_page(user, "national_windows")
    year, quarter = quarter_of(today())
    window_form = NationalWindowForm(prefix="jadwal", initial={"year": year, "quarter": quarter})
    extension_form = ExtensionForm(prefix="perpanjangan", initial={"year": year, "quarter": quarter})
    if request.method == "POST" and request.POST.get("action") == "window":
        window_form = NationalWindowForm(request.POST, prefix="jadwal")
        if window_form.is_valid():
            data = window_form.cleaned_data
            try:
                result = national_window_set(
                    user=user,
                    year=data["year"],
                    quarter=data["quarter"],
                    opens_on=data["opens_on"],
                    due_date=data["due_date"],
                    closes_on=data["closes_on"],
                    reason=data["reason"],
                )
            except ValidationError as error:
                _attach(window_form, error)
            else:
                label = f"TW {ROMAN[data['quarter']]} {data['year']}"
                if result.window is None:
                    messages.info(
                        request, _("Jadwal %(label)s sudah berlaku; tidak ada yang diubah.") % {"label": label}
                    )
                else:
                    messages.success(
                        request,
                        _(
                            "Jadwal %(label)s diterapkan: %(created)s periode dibuat, %(changed)s diubah, "
                            "%(kept)s dipertahankan."
                        )
                        % {"label": label, "created": result.created, "changed": result.changed, "kept": result.kept},
                    )
                return redirect("reporting:national-windows")
    elif request.method == "POST" and request.POST.get("action") == "extension":
        extension_form = ExtensionForm(request.POST, prefix="perpanjangan")
        if extension_form.is_valid():
            data = extension_form.cleaned_data
            region = Region.objects.visible_to(user).daerah().filter(code=data["daerah"].strip()).first()
            period = (
                ReportingPeriod.objects.visible_to(user)
                .filter(region=region, year=data["year"], quarter=data["quarter"])
                .select_related("region")
                .first()
                if region
                else None
            )
            if period is None:
                extension_form.add_error(
                    "daerah",
                    _("Periode daerah ini untuk triwulan tersebut belum ada; terapkan jadwal nasional dahulu."),
                )
            else:
                try:
                    period_extend(period=period, user=user, due_date=data["due_date"], reason=data["reason"])
                except ValidationError as error:
                    _attach(extension_form, error)
                else:
                    messages.success(
                        request,
                        _("Batas waktu %(label)s %(daerah)s diperpanjang sampai %(due)s.")
                        % {"label": period.label, "daerah": period.region.name, "due": f"{period.due_date:%d-%m-%Y}"},
                    )
                    return redirect("reporting:national-windows")
    return render(request, "reporting/national_windows.html", _windows_context(window_form, extension_form))


def _attach(form, error: ValidationError) -> None:
    """A service's error beside its field when the form has it, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, [e.message for e in errors])
    else:
        form.add_error(None, error.messages)


@login_required
@require_GET
def awards(request: HttpRequest) -> HttpResponse:
    """SPM Awards: every daerah's scorecard for a year, ranked by score and by IP-SPM (optionally one provinsi)."""
    access.require_page(request.user, "awards")
    year = _int(request.GET.get("tahun"), today().year, range(2000, 2100))
    code = request.GET.get("provinsi")
    province = get_object_or_404(Region, code=code, level=RegionLevel.PROVINCE) if code else None
    order = "ipspm" if request.GET.get("urut") == "ipspm" else "skor"
    data = awards_ranking(year=year, on=today(), province=province)
    cards = data["cards"]
    if order == "ipspm":
        cards = sorted(cards, key=lambda c: (c.index_rank is None, c.index_rank or 0, c.inputs.code))
    return render(
        request,
        "reporting/awards.html",
        {
            **data,
            "rows": [(card, card.cells(data["criteria"])) for card in cards],
            "year": year,
            "province": province,
            "provinces": Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code"),
            "order": order,
        },
    )
