"""Navigation per role for the base layout: each item is a page of the role table (``spm.roles``), shown
only to users who may open it (``spm.access.can(user, "page.<name>")``), so no link leads to a refusal."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spm import access


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    page: str | None = None  # None = every signed-in user

    @property
    def url(self) -> str:
        return reverse(self.url_name)


NAV_ITEMS: list[NavItem] = [
    NavItem(_("Beranda"), "home"),
    NavItem(_("Organisasi & OPD"), "agency-list", "organisation"),
    NavItem(_("OPD saya"), "agency-mine", "my_agency"),
    NavItem(_("Laporan triwulan"), "reporting:tasks", "report_tasks"),
    NavItem(_("Daerah"), "region-list", "regions"),
    NavItem(_("Verifikasi"), "reporting:review-queue", "review_queue"),
    NavItem(_("Matriks keterisian"), "reporting:matrix", "matrix"),
    NavItem(_("Periode"), "reporting:periods", "periods"),
    NavItem(_("Dasbor capaian"), "reporting:dashboard", "dashboard"),
    NavItem(_("Capaian OPD"), "reporting:my-achievements", "my_achievements"),
    NavItem(_("Peringkat IP-SPM"), "reporting:ranking", "ranking"),
    NavItem(_("Target & rencana aksi"), "targets:target-list", "targets"),
    NavItem(_("Laporan resmi"), "targets:official-report", "official_report"),
    NavItem(_("Katalog SPM"), "catalogue"),
    NavItem(_("Data penerima"), "reporting:recipients-home", "recipients"),
]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [item for item in NAV_ITEMS if item.page is None or access.can(user, f"page.{item.page}")]
    return {"nav_items": items, "user_role_label": access.role_label(user)}
