"""Navigation per role for the base layout."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spm.choices import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str] | None = None  # None = every signed-in user

    @property
    def url(self) -> str:
        return reverse(self.url_name)


ALL_ROLES = frozenset(Role.values)
NAV_ITEMS: list[NavItem] = [
    NavItem(_("Beranda"), "home"),
    NavItem(
        _("Organisasi & OPD"),
        "agency-list",
        frozenset({Role.REVIEWER, Role.LEADER, Role.PROVINCIAL_VIEWER, Role.ADMIN}),
    ),
    NavItem(_("OPD saya"), "agency-mine", frozenset({Role.OPERATOR})),
    NavItem(_("Laporan triwulan"), "reporting:tasks", frozenset({Role.OPERATOR})),
    NavItem(_("Daerah"), "region-list", frozenset({Role.PROVINCIAL_VIEWER, Role.ADMIN})),
    NavItem(_("Verifikasi"), "reporting:review-queue", frozenset({Role.REVIEWER, Role.LEADER, Role.ADMIN})),
    NavItem(_("Matriks keterisian"), "reporting:matrix", frozenset({Role.REVIEWER, Role.LEADER, Role.ADMIN})),
    NavItem(_("Periode"), "reporting:periods", frozenset({Role.ADMIN})),
    NavItem(_("Dasbor capaian"), "reporting:dashboard", frozenset({Role.REVIEWER, Role.LEADER})),
    NavItem(_("Capaian OPD"), "reporting:my-achievements", frozenset({Role.OPERATOR})),
    NavItem(_("Peringkat IP-SPM"), "reporting:ranking", frozenset({Role.PROVINCIAL_VIEWER, Role.ADMIN})),
    NavItem(
        _("Target & rencana aksi"),
        "targets:target-list",
        frozenset({Role.OPERATOR, Role.REVIEWER, Role.LEADER, Role.ADMIN}),
    ),
    NavItem(_("Laporan resmi"), "targets:official-report", frozenset({Role.REVIEWER, Role.LEADER, Role.ADMIN})),
    NavItem(_("Katalog SPM"), "catalogue"),
    NavItem(
        _("Data penerima"),
        "reporting:recipients-home",
        frozenset({Role.OPERATOR, Role.REVIEWER, Role.LEADER, Role.ADMIN}),
    ),
]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    role = Role.ADMIN if user.is_admin else user.role
    items = [item for item in NAV_ITEMS if item.roles is None or role in item.roles]
    return {"nav_items": items, "user_role_label": Role(role).label}
