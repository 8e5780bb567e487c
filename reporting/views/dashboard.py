"""Achievement dashboards: the daerah (verifikator, pimpinan), the ranking (provinsi, national), the OPD view,
and the "explain" page behind every number. They read stored achievements only."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from reporting.achievements import dashboard
from reporting.achievements import formula as achievement
from reporting.models import Achievement, AchievementLevel
from reporting.services.periods import quarter_of, today
from spm import access
from spm.choices import RegionLevel
from spm.fragments import Fragment
from spm.models import Region, ServiceAssignment
from spm.roles import ScopeKind
from spm.xlsx import table_response

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def _int(value: str | None, default: int, allowed: range) -> int:
    try:
        number = int(value) if value else default
    except ValueError:
        return default
    return number if number in allowed else default


def _pct(value: Decimal | None) -> Decimal | None:
    return achievement.display(value)


def _chosen_region(request: HttpRequest) -> Region:
    """The daerah of the dashboard: the user's own, or one chosen (?daerah=) within scope."""
    code = request.GET.get("daerah")
    if code:
        return get_object_or_404(Region.objects.visible_to(request.user), code=code)
    scope = access.scope_of(request.user)
    if scope.kind == ScopeKind.DAERAH and scope.home_region_id:
        return request.user.region
    raise Http404


@login_required
def region_dashboard(request: HttpRequest) -> HttpResponse:
    scope = access.scope_of(request.user)
    if scope.is_agency:
        return redirect("reporting:my-achievements")
    if not request.GET.get("daerah") and scope.kind != ScopeKind.DAERAH:
        return redirect("reporting:ranking")
    region = _chosen_region(request)
    if request.GET.get("format") == "xlsx":
        return _dashboard_xlsx(region, *_dashboard_period(request, region))

    def compute() -> dict:
        year, quarter = _dashboard_period(request, region)
        return _dashboard_context(region, year, quarter)

    key = (region.pk, *(request.GET.get(name) for name in ("tahun", "triwulan", "daerah")))
    part = Fragment("region-dashboard", (*key, access.audience_key(request.user)), compute)
    return render(request, "reporting/dashboard.html", {"page_part": part})


def _dashboard_period(request: HttpRequest, region: Region) -> tuple[int, int]:
    """The triwulan shown: chosen (?tahun=&triwulan=), else the latest with approved reports, else today's."""
    latest = dashboard.latest_period(region) or quarter_of(today())
    year = _int(request.GET.get("tahun"), latest[0], range(2000, 2100))
    quarter = _int(request.GET.get("triwulan"), latest[1], range(1, 5))
    return year, quarter


def _dashboard_xlsx(region: Region, year: int, quarter: int) -> HttpResponse:
    data = dashboard.region_dashboard(region, year, quarter)
    rows = [
        (
            r.service.code,
            r.service.name,
            r.service.affair.name,
            data["must_serve"][r.service_id].value,
            r.served,
            r.missing_quarters_text,
            _pct(r.recipient_pct),
            _pct(r.quality_pct),
            _pct(r.index),
            dashboard.status_label(r.status),
            r.budget_allocated,
            r.budget_realised,
        )
        for r in data["service_rows"]
    ]
    headers = [
        "Kode",
        "Jenis pelayanan dasar",
        "Urusan",
        "Harus dilayani",
        "Terlayani (kumulatif)",
        "Triwulan belum dilaporkan",
        "%penerima",
        "%mutu",
        "Nilai",
        "Status",
        "Alokasi (Rp)",
        "Realisasi (Rp)",
    ]
    title = f"Capaian SPM {region.name} TW {ROMAN[quarter]} {year}"
    return table_response(f"capaian-{region.code}-{year}-tw{quarter}.xlsx", [("Capaian", headers, rows, title)])


def _dashboard_context(region: Region, year: int, quarter: int) -> dict:
    """What the dashboard shows (the cached part of the page): the stored achievements and the charts."""
    data = dashboard.region_dashboard(region, year, quarter)
    chart = {
        "affairs": {
            "labels": [a.name for a, _row in data["affair_rows"]],
            "values": [
                float(_pct(row.index)) if row and row.index is not None else None for _a, row in data["affair_rows"]
            ],
        },
        "trend": {
            "labels": [f"TW {ROMAN[q]}" for q, _v in data["trend"]],
            "values": [float(_pct(v)) if v is not None else None for _q, v in data["trend"]],
        },
    }
    return {**data, "region": region, "year": year, "quarter": quarter, "roman": ROMAN[quarter], "chart": chart}


@login_required
def achievement_explain(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(
        Achievement.objects.visible_to(request.user).select_related(
            "region", "service__affair", "affair", "rules", "report"
        ),
        pk=pk,
    )
    history = (
        Achievement.objects.filter(
            region=row.region,
            year=row.year,
            quarter=row.quarter,
            level=row.level,
            service=row.service,
            affair=row.affair,
        )
        .select_related("computed_by")
        .order_by("revision")
    )
    return render(
        request,
        "reporting/achievement_explain.html",
        {"row": row, "lines": dashboard.explain_lines(row), "history": history, "roman": ROMAN[row.quarter]},
    )


@login_required
def ranking(request: HttpRequest) -> HttpResponse:
    """Daerah ranked by IP-SPM: a provinsi's (viewer, verifikator, pimpinan) or every daerah (admin)."""
    user = request.user
    scope = access.scope_of(user)
    if scope.is_agency:
        return redirect("reporting:my-achievements")
    year, quarter = quarter_of(today())
    year = _int(request.GET.get("tahun"), year, range(2000, 2100))
    quarter = _int(request.GET.get("triwulan"), quarter, range(1, 5))
    if scope.covers_all:  # admin, Kemendagri: the nation or a chosen provinsi
        code = request.GET.get("provinsi")
        province = get_object_or_404(Region, code=code, level=RegionLevel.PROVINCE) if code else None
    elif scope.kind == ScopeKind.PROVINCE:
        province = user.region
    else:
        daerah = user.region
        province = daerah if daerah.level == RegionLevel.PROVINCE else daerah.parent
    if request.GET.get("format") == "xlsx":
        rows = dashboard.ranking(year=year, quarter=quarter, province=province)
        data = [
            (
                r.rank or "—",
                r.region.code,
                r.region.name,
                _pct(r.index),
                dashboard.status_label(r.status) if r.has_data else "Belum ada data",
                f"{r.achievement.services_counted}/{r.achievement.services_expected}"
                if r.has_data and r.achievement.services_expected
                else "—",
            )
            for r in rows
        ]
        scope = province.name if province else "Nasional"
        return table_response(
            f"peringkat-{year}-tw{quarter}.xlsx",
            [
                (
                    "Peringkat",
                    ["Peringkat", "Kode", "Daerah", "IP-SPM", "Status", "Cakupan jenis pelayanan"],
                    data,
                    f"Peringkat IP-SPM {scope} TW {ROMAN[quarter]} {year}",
                )
            ],
        )

    def compute() -> dict:
        rows = dashboard.ranking(year=year, quarter=quarter, province=province)
        return {
            "rows": rows,
            "paripurna": [r for r in rows if r.status == "tuntas_paripurna"],
            "province": province,
            "provinces": dashboard.provinces_in_scope(user) if scope.covers_all else [],
            "year": year,
            "quarter": quarter,
            "roman": ROMAN[quarter],
        }

    key = (province.pk if province else None, year, quarter, access.audience_key(user))
    return render(request, "reporting/ranking.html", {"page_part": Fragment("ranking", key, compute)})


@login_required
def my_achievements(request: HttpRequest) -> HttpResponse:
    """The OPD's own services: stored achievement and how many more citizens would reach the next band."""
    user = request.user
    if not access.scope_of(user).is_agency:
        raise Http404
    rows = list(
        Achievement.objects.visible_to(user)
        .filter(is_current=True, level=AchievementLevel.SERVICE)
        .select_related("service__affair", "rules")
        .order_by("-year", "-quarter", "service__affair__order", "service__order")
    )
    latest = {}
    for row in rows:
        latest.setdefault(row.service_id, row)
    items = []
    for row in latest.values():
        rules = achievement.RuleSet.from_dict(row.rules.rules)
        nxt = None
        if row.must_serve and row.served is not None:
            nxt = achievement.served_needed_for_next_band(row.served, row.must_serve, row.quality_pct, rules)
        items.append((row, nxt))
    assigned = ServiceAssignment.objects.filter(agency_id=user.agency_id).count()
    return render(request, "reporting/my_achievements.html", {"items": items, "assigned": assigned})
