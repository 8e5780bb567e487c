"""Navigation per role for the base layout: each item is a page of the role table (``spm.roles``), shown
only to users who may open it (``spm.access.can(user, "page.<name>")``), so no link leads to a refusal.

Items are grouped (``NavItem.group``) into a few headings of the side menu, so that the widest role's menu fits
an office laptop (1280 px) without sideways scrolling; a group none of whose pages the user may open is not shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _

from spm import access


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    page: str | None = None  # None = every signed-in user
    group: str = ""  # key of NAV_GROUPS; "" = at the top, outside any group

    @property
    def url(self) -> str:
        return reverse(self.url_name)


# The headings of the side menu, in their order.
NAV_GROUPS: dict[str, str] = {
    "reporting": _("Pelaporan"),
    "achievement": _("Capaian"),
    "planning": _("Perencanaan"),
    "reference": _("Data rujukan"),
}

NAV_ITEMS: list[NavItem] = [
    NavItem(_("Beranda"), "home"),
    NavItem(_("Laporan triwulan"), "reporting:tasks", "report_tasks", "reporting"),
    NavItem(_("Verifikasi"), "reporting:review-queue", "review_queue", "reporting"),
    NavItem(_("Matriks keterisian"), "reporting:matrix", "matrix", "reporting"),
    NavItem(_("Periode"), "reporting:periods", "periods", "reporting"),
    NavItem(_("Evaluasi provinsi"), "evaluation:province", "provincial_evaluation", "reporting"),
    NavItem(_("Permintaan perbaikan"), "evaluation:request-list", "correction_requests", "reporting"),
    NavItem(_("Jadwal nasional"), "reporting:national-windows", "national_windows", "reporting"),
    NavItem(_("Data penerima"), "reporting:recipients-home", "recipients", "reporting"),
    NavItem(_("Dasbor capaian"), "reporting:dashboard", "dashboard", "achievement"),
    NavItem(_("Capaian OPD"), "reporting:my-achievements", "my_achievements", "achievement"),
    NavItem(_("Dasbor nasional"), "reporting:national-dashboard", "national_dashboard", "achievement"),
    NavItem(_("Peringkat IP-SPM"), "reporting:ranking", "ranking", "achievement"),
    NavItem(_("SPM Awards"), "reporting:awards", "awards", "achievement"),
    NavItem(_("Target & rencana aksi"), "targets:target-list", "targets", "planning"),
    NavItem(_("Laporan resmi"), "targets:official-report", "official_report", "planning"),
    NavItem(_("Tim Penerapan SPM"), "targets:team", "implementation_team", "planning"),
    NavItem(_("Organisasi & OPD"), "agency-list", "organisation", "reference"),
    NavItem(_("OPD saya"), "agency-mine", "my_agency", "reference"),
    NavItem(_("Daerah"), "region-list", "regions", "reference"),
    NavItem(_("Katalog SPM"), "catalogue", None, "reference"),
    NavItem(_("Kamus SPM"), "dictionary", None, "reference"),
]


@dataclass(frozen=True)
class NavGroup:
    """One heading of the side menu with the items the user may open under it."""

    key: str
    label: str
    items: list[NavItem]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    allowed = frozenset(item.page for item in NAV_ITEMS if item.page and access.can(user, f"page.{item.page}"))
    match = getattr(request, "resolver_match", None)
    return {
        "nav_items": [item for item in NAV_ITEMS if _offered(item, allowed)],
        "sidebar": sidebar(allowed, bool(user.is_staff), get_language(), match.view_name if match else ""),
        "user_role_label": access.role_label(user),
    }


@lru_cache(maxsize=1024)
def sidebar(allowed: frozenset[str], is_staff: bool, language: str, active: str) -> str:
    """The side menu as HTML, drawn once per process for each (role's pages, staff, language, current page):
    it depends on nothing else (``NAV_ITEMS`` and the URLs are fixed), and drawing its twenty links was a
    large share of every page."""
    groups = [NavGroup("", "", [item for item in NAV_ITEMS if not item.group and _offered(item, allowed)])]
    for key, label in NAV_GROUPS.items():
        members = [item for item in NAV_ITEMS if item.group == key and _offered(item, allowed)]
        if members:
            groups.append(NavGroup(key, label, members))
    with override(language):
        return render_to_string(
            "partials/_sidebar.html", {"nav_groups": groups, "is_staff": is_staff, "active": active}
        )


def _offered(item: NavItem, allowed: frozenset[str]) -> bool:
    """Shown to every signed-in user, or a page ``access.can`` allowed (``allowed``)."""
    return item.page is None or item.page in allowed
