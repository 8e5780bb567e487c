"""The one table of roles: for each role its group, its scope, its model permissions and the pages it uses.

This is data, read by :mod:`spm.access` (the only module that decides who may do what) and by the user
model's validation. Adding a role is adding a row here (and a row in the access matrix test).

The groups themselves are created by a migration (``0002_create_role_groups``); their permissions are
(re)applied after every ``migrate`` by :func:`sync_role_permissions`, so permissions of models added by
later apps attach to the roles without another hand-written migration.
"""

from __future__ import annotations

from dataclasses import dataclass

from spm.choices import Role


class ScopeKind:
    """Which data a role's scope covers (see :class:`spm.access.Scope`)."""

    ALL = "all"  # every daerah, every action (admin)
    NATIONAL = "national"  # every daerah, read-only but for the reporting windows (Kemendagri)
    # one provinsi and its kabupaten/kota (``User.region`` is a provinsi); without the provinsi itself when the
    # role's ``covers_own_region`` is False (the Evaluator Provinsi evaluates the kab/kota, not its own reports)
    PROVINCE = "province"
    DAERAH = "daerah"  # one daerah (``User.region``)
    AGENCY = "agency"  # one OPD (``User.agency``): the services it is pengampu of in its daerah


@dataclass(frozen=True)
class RoleSpec:
    """One role: its group name, the scope it implies, its model permissions and the pages it uses.

    ``pages`` are the page-level capabilities (``spm.access.can(user, "page.<name>")``): they decide the
    navigation and the page gates; what a user may do to one object is decided per object in ``spm.access``.
    ``covers_own_region``: for a provinsi-scoped role, whether the provinsi's own data (its OPD's reports) is in
    the scope besides its kabupaten/kota.
    """

    group_name: str
    scope: str
    permissions: tuple[str, ...]
    pages: frozenset[str]
    covers_own_region: bool = True


_CATALOGUE_VIEW = (
    "spm.view_affair",
    "spm.view_basicservice",
    "spm.view_qualitycomponent",
    "spm.view_region",
    "spm.view_agency",
    "spm.view_serviceassignment",
)
_REPORT_VIEW = ("reporting.view_quarterlyreport", "reporting.view_reportingperiod", "reporting.view_evidence")
_TARGET_VIEW = ("targets.view_target", "targets.view_targetrevision", "targets.view_actionplan")
_OFFICIAL_VIEW = ("targets.view_reportedition", "targets.view_generatedreport")
# Tim Penerapan SPM: every role of the daerah reads it; its verifikator (the team's secretariat) keeps it.
_TEAM_VIEW = ("targets.view_implementationteam", "targets.view_implementationteammember")
_TEAM_MANAGE = (
    "targets.add_implementationteam",
    "targets.change_implementationteam",
    "targets.add_implementationteammember",
    "targets.change_implementationteammember",
    "targets.delete_implementationteammember",
)
# Recipient lists (data penerima): everyone in scope sees counts and masked lists; full NIK and exports are
# for the roles that work with the lists (UU 27/2022 data minimisation).
_RECIPIENT_VIEW = ("reporting.view_recipient", "reporting.view_recipientimport")
_RECIPIENT_PERSONAL_DATA = ("reporting.view_recipient_nik", "reporting.export_recipient")
# Provincial evaluation (evaluasi oleh Gubernur sebagai wakil Pemerintah Pusat): everyone in the daerah's scope
# reads the requests for correction addressed to it; the verifikator answers them.
_EVALUATION_VIEW = ("evaluation.view_correctionrequest", "evaluation.view_annualevaluation")
# Pages every role has: "Data pribadi yang saya akses" (the user's own rows of the personal-data access log).
_COMMON_PAGES = frozenset({"personal_data_log"})

ROLES: dict[str, RoleSpec] = {
    Role.OPERATOR: RoleSpec(
        group_name="Operator OPD",
        scope=ScopeKind.AGENCY,
        permissions=(
            *_CATALOGUE_VIEW,
            *_REPORT_VIEW,
            "reporting.add_quarterlyreport",
            "reporting.change_quarterlyreport",
            "reporting.add_evidence",
            "reporting.delete_evidence",
            *_TARGET_VIEW,
            *_TEAM_VIEW,
            "targets.add_targetrevision",
            "targets.change_targetrevision",
            *_RECIPIENT_VIEW,
            *_RECIPIENT_PERSONAL_DATA,
            "reporting.add_recipientimport",
        ),
        pages=_COMMON_PAGES | {"my_agency", "report_tasks", "my_achievements", "targets", "recipients"},
    ),
    Role.REVIEWER: RoleSpec(
        group_name="Verifikator",
        scope=ScopeKind.DAERAH,
        permissions=(
            *_CATALOGUE_VIEW,
            *_REPORT_VIEW,
            "reporting.review_quarterlyreport",
            *_TARGET_VIEW,
            "targets.review_targetrevision",
            *_OFFICIAL_VIEW,
            "targets.change_reportedition",
            "targets.add_generatedreport",
            "targets.approve_actionplan",
            *_TEAM_VIEW,
            *_TEAM_MANAGE,
            *_RECIPIENT_VIEW,
            *_RECIPIENT_PERSONAL_DATA,
            *_EVALUATION_VIEW,
            "evaluation.answer_correctionrequest",
        ),
        pages=_COMMON_PAGES
        | {
            "organisation",
            "review_queue",
            "matrix",
            "dashboard",
            "targets",
            "official_report",
            "recipients",
            "correction_requests",
            "implementation_team",
        },
    ),
    Role.LEADER: RoleSpec(
        group_name="Pimpinan",
        scope=ScopeKind.DAERAH,
        permissions=(
            *_CATALOGUE_VIEW,
            *_REPORT_VIEW,
            *_TARGET_VIEW,
            *_OFFICIAL_VIEW,
            *_TEAM_VIEW,
            *_RECIPIENT_VIEW,
            *_EVALUATION_VIEW,
        ),
        pages=_COMMON_PAGES
        | {
            "organisation",
            "review_queue",
            "matrix",
            "dashboard",
            "targets",
            "official_report",
            "recipients",
            "correction_requests",
            "implementation_team",
        },
    ),
    Role.PROVINCIAL_VIEWER: RoleSpec(
        group_name="Peninjau Provinsi",
        scope=ScopeKind.PROVINCE,
        permissions=(*_CATALOGUE_VIEW, *_REPORT_VIEW, *_TARGET_VIEW, *_TEAM_VIEW, *_RECIPIENT_VIEW, *_EVALUATION_VIEW),
        pages=_COMMON_PAGES
        | {
            "organisation",
            "regions",
            "review_queue",
            "matrix",
            "ranking",
            "recipients",
            "correction_requests",
            "implementation_team",
        },
    ),
    # Biro Pemerintahan of the provinsi: evaluates its kabupaten/kota (pembinaan dan pengawasan by the Gubernur,
    # see evaluation.models) — reads their reports, sends requests for correction, keeps the annual evaluation.
    # Not the provinsi's own reports (those are its own verifikator's). Recipient lists as the Peninjau Provinsi
    # reads them (counts, masked lists: the completeness of the named data is part of the evaluation); never
    # full NIKs nor exports (UU 27/2022 data minimisation).
    Role.PROVINCIAL_EVALUATOR: RoleSpec(
        group_name="Evaluator Provinsi",
        scope=ScopeKind.PROVINCE,
        permissions=(
            *_CATALOGUE_VIEW,
            *_REPORT_VIEW,
            *_TARGET_VIEW,
            *_RECIPIENT_VIEW,
            *_EVALUATION_VIEW,
            "evaluation.add_correctionrequest",
            "evaluation.close_correctionrequest",
            "evaluation.add_annualevaluation",
            "evaluation.change_annualevaluation",
        ),
        pages=_COMMON_PAGES
        | {
            "regions",
            "review_queue",
            "matrix",
            "ranking",
            "recipients",
            "provincial_evaluation",
            "correction_requests",
        },
        covers_own_region=False,
    ),
    Role.ADMIN: RoleSpec(
        group_name="Admin Sistem",
        scope=ScopeKind.ALL,
        permissions=("*",),
        pages=_COMMON_PAGES
        | frozenset(
            {
                "organisation",
                "regions",
                "review_queue",
                "matrix",
                "periods",
                "national_windows",
                "national_dashboard",
                "awards",
                "ranking",
                "targets",
                "official_report",
                "recipients",
                "provincial_evaluation",
                "correction_requests",
                "implementation_team",
            }
        ),
    ),
    # Kemendagri's SPM secretariat (Sekber SPM, Ditjen Bina Pembangunan Daerah): monitors every daerah and sets
    # the quarterly input windows (Permendagri 59/2021, article not confirmed here: the Minister receives the
    # reports and monitors the application of SPM); it changes no daerah's figures.
    Role.NATIONAL: RoleSpec(
        group_name="Kemendagri",
        scope=ScopeKind.NATIONAL,
        permissions=(
            *_CATALOGUE_VIEW,
            *_REPORT_VIEW,
            *_TARGET_VIEW,
            "reporting.view_achievement",
            "reporting.add_reportingperiod",
            "reporting.change_reportingperiod",
            "reporting.view_nationalwindow",
            "reporting.add_nationalwindow",
        ),
        pages=_COMMON_PAGES | {"national_dashboard", "national_windows", "periods", "awards", "ranking", "regions"},
    ),
}

# Kept for the migration that creates the groups and for the admin.
GROUP_NAMES: dict[str, str] = {role: spec.group_name for role, spec in ROLES.items()}
ROLE_PERMISSIONS: dict[str, list[str]] = {role: list(spec.permissions) for role, spec in ROLES.items()}


def role_spec(role: str) -> RoleSpec:
    return ROLES[role]


def roles_with_scope(*kinds: str) -> list[str]:
    """The roles whose scope is one of ``kinds``, in the table's order: for the database constraints on users
    (an OPD role needs its OPD, a daerah or provinsi role its region), read from the table, not listed again."""
    return [role for role, spec in ROLES.items() if spec.scope in kinds]


def sync_role_permissions(**_kwargs) -> None:
    """Give each role group exactly the permissions declared above (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    all_perms = Permission.objects.select_related("content_type")
    by_key = {f"{p.content_type.app_label}.{p.codename}": p for p in all_perms}
    for spec in ROLES.values():
        group, _created = Group.objects.get_or_create(name=spec.group_name)
        if spec.permissions == ("*",):
            perms = list(by_key.values())
        else:
            perms = [by_key[key] for key in spec.permissions if key in by_key]
        group.permissions.set(perms)
