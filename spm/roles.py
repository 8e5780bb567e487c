"""Roles as Django groups, and the model permissions each role holds.

The groups themselves are created by a migration (``0002_create_role_groups``); their permissions are
(re)applied after every ``migrate`` by :func:`sync_role_permissions`, so permissions of models added by
later apps attach to the roles without another hand-written migration. Scope (which daerah, which OPD) is
not a permission: it is enforced by the ``visible_to(user)`` querysets.
"""

from __future__ import annotations

from spm.choices import Role

GROUP_NAMES: dict[str, str] = {
    Role.OPERATOR: "Operator OPD",
    Role.REVIEWER: "Verifikator",
    Role.LEADER: "Pimpinan",
    Role.PROVINCIAL_VIEWER: "Peninjau Provinsi",
    Role.ADMIN: "Admin Sistem",
}

_CATALOGUE_VIEW = [
    "spm.view_affair",
    "spm.view_basicservice",
    "spm.view_qualitycomponent",
    "spm.view_region",
    "spm.view_agency",
    "spm.view_serviceassignment",
]

_REPORT_VIEW = ["reporting.view_quarterlyreport", "reporting.view_reportingperiod", "reporting.view_evidence"]

_TARGET_VIEW = ["targets.view_target", "targets.view_targetrevision", "targets.view_actionplan"]
_OFFICIAL_VIEW = ["targets.view_reportedition", "targets.view_generatedreport"]
# Recipient lists (data penerima): everyone in scope sees counts and masked lists; full NIK and exports are
# for the roles that work with the lists (UU 27/2022 data minimisation).
_RECIPIENT_VIEW = ["reporting.view_recipient", "reporting.view_recipientimport"]
_RECIPIENT_PERSONAL_DATA = ["reporting.view_recipient_nik", "reporting.export_recipient"]

# Permissions per role, as "app_label.codename". "*" means every permission of the project.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.OPERATOR: [
        *_CATALOGUE_VIEW,
        *_REPORT_VIEW,
        "reporting.add_quarterlyreport",
        "reporting.change_quarterlyreport",
        "reporting.add_evidence",
        "reporting.delete_evidence",
        *_TARGET_VIEW,
        "targets.add_targetrevision",
        "targets.change_targetrevision",
        *_RECIPIENT_VIEW,
        *_RECIPIENT_PERSONAL_DATA,
        "reporting.add_recipientimport",
    ],
    Role.REVIEWER: [
        *_CATALOGUE_VIEW,
        *_REPORT_VIEW,
        "reporting.review_quarterlyreport",
        *_TARGET_VIEW,
        "targets.review_targetrevision",
        *_OFFICIAL_VIEW,
        "targets.change_reportedition",
        "targets.add_generatedreport",
        "targets.approve_actionplan",
        *_RECIPIENT_VIEW,
        *_RECIPIENT_PERSONAL_DATA,
    ],
    Role.LEADER: [*_CATALOGUE_VIEW, *_REPORT_VIEW, *_TARGET_VIEW, *_OFFICIAL_VIEW, *_RECIPIENT_VIEW],
    Role.PROVINCIAL_VIEWER: [*_CATALOGUE_VIEW, *_REPORT_VIEW, *_TARGET_VIEW, *_RECIPIENT_VIEW],
    Role.ADMIN: ["*"],
}


def sync_role_permissions(**_kwargs) -> None:
    """Give each role group exactly the permissions declared above (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    all_perms = Permission.objects.select_related("content_type")
    by_key = {f"{p.content_type.app_label}.{p.codename}": p for p in all_perms}
    for role, group_name in GROUP_NAMES.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        wanted = ROLE_PERMISSIONS[role]
        if wanted == ["*"]:
            perms = list(by_key.values())
        else:
            perms = [by_key[key] for key in wanted if key in by_key]
        group.permissions.set(perms)
