"""Who may see and do what: the one home of the access rules of e-SPM.

Three questions, three functions (NetBox's ``RestrictedQuerySet.restrict(user, action)`` is the model):

- :func:`scope_of` — the data a user covers, computed once per request (admin? the daerah it covers, its
  OPD, the jenis pelayanan dasar its OPD is pengampu of). Read from the role table (:mod:`spm.roles`).
- :func:`restrict` — a queryset cut down to the user's scope; every ``visible_to(user)`` is a one-line
  call into it, and every list, detail, export and API starts from it.
- :func:`can` — may this user do this action to this object (``can(user, "report.edit", report)``)? Every
  workflow rule lives here; services :func:`require` it, templates ask the ``{% can %}`` tag, and views fetch
  objects through :func:`get_object_for` (404 outside the scope, 403 inside it when the action is refused).

**Operators are scoped by the current service assignment** (OPD pengampu, ``ServiceAssignment``): an
operator covers the (daerah, jenis) pairs its OPD is pengampu of now, for every object — reports (whatever
OPD opened them), recipient lists, targets, needs and achievements alike. When a service moves to another
OPD (a change of SOTK), the new OPD takes over its history and the old one no longer sees it. See
docs/ARCHITECTURE.md, "Roles and scope".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from spm.choices import Role
from spm.roles import ROLES, ScopeKind

if TYPE_CHECKING:
    from spm.models import BasicService, Region, User

SCOPE_CACHE_ATTR = "_spm_access_scope"
# Bumped whenever something a scope is computed from changes (a user's role, daerah or OPD, an OPD's
# assignments): a scope cached on a user object that outlives the change is recomputed.
_generation = 0


# --- Scope ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The data one user covers. ``region_ids`` is None for "every daerah"; ``service_ids`` is None unless
    the user is limited to some jenis pelayanan dasar (an OPD's operators)."""

    authenticated: bool
    user_id: int | None = None
    role: str | None = None
    kind: str | None = None
    region_ids: frozenset[int] | None = frozenset()
    home_region_id: int | None = None
    agency_id: int | None = None
    service_ids: frozenset[int] | None = None
    pages: frozenset[str] = frozenset()

    @property
    def is_admin(self) -> bool:
        return self.kind == ScopeKind.ALL

    @property
    def is_national(self) -> bool:
        """Every daerah, read-only but for the reporting windows (Kemendagri)."""
        return self.kind == ScopeKind.NATIONAL

    @property
    def covers_all(self) -> bool:
        """Covers every daerah (admin, Kemendagri): national pages, any provinsi's ranking."""
        return self.authenticated and self.region_ids is None

    @property
    def is_agency(self) -> bool:
        """Limited to one OPD's services (the OPD pages: tasks, my achievements)."""
        return self.kind == ScopeKind.AGENCY

    @property
    def is_single_daerah(self) -> bool:
        """Works for one daerah (verifikator, pimpinan, operator): pages need no choice of daerah."""
        return self.kind in (ScopeKind.DAERAH, ScopeKind.AGENCY)

    @property
    def chooses_daerah(self) -> bool:
        """Covers several daerah (admin, Kemendagri, provinsi) and picks one on daerah pages."""
        return self.kind in (ScopeKind.ALL, ScopeKind.NATIONAL, ScopeKind.PROVINCE)

    def covers_region(self, region_id: int | None) -> bool:
        if not self.authenticated:
            return False
        return self.region_ids is None or region_id in self.region_ids

    def covers(self, region_id: int | None, service_id: int | None = None) -> bool:
        """Does the scope include this daerah (and, when given, this jenis in it)?"""
        if not self.covers_region(region_id):
            return False
        if self.service_ids is None or service_id is None:
            return True
        return service_id in self.service_ids


ANONYMOUS = Scope(authenticated=False)


def scope_of(user: User | Any) -> Scope:
    """The user's scope, computed once and kept on the user object (one object per request)."""
    if not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, SCOPE_CACHE_ATTR, None)
    if cached is not None and cached[0] == _generation:
        return cached[1]
    scope = _compute_scope(user)
    setattr(user, SCOPE_CACHE_ATTR, (_generation, scope))
    return scope


def audience_key(user) -> tuple:
    """Everything the access rules read about a user but who the user is: two users with the same key are
    allowed and refused the same things on the same objects, so a page part computed for one of them
    (``spm.fragments``) may be shown to the other. The scope (role, kind, daerah, OPD, jenis, pages), the
    superuser flag and the model permissions of the user's groups and its own. The few rules that name the
    user (own uploads, own export log, the user list) are not in it: a part showing those adds ``user.pk``."""
    scope = scope_of(user)
    if not scope.authenticated:
        return ("anonymous",)
    return (
        str(scope.role),
        str(scope.kind),
        tuple(sorted(scope.region_ids)) if scope.region_ids is not None else None,
        scope.home_region_id,
        scope.agency_id,
        tuple(sorted(scope.service_ids)) if scope.service_ids is not None else None,
        tuple(sorted(scope.pages)),
        bool(user.is_superuser),
        permissions_of(user),
    )


def permissions_of(user) -> tuple[str, ...]:
    """The user's model permissions (its groups' and its own), sorted. Kept in the shared cache under the data
    version (a change of groups or permissions is a write, ``spm.freshness``) and handed to Django's
    permission backend for the rest of the request, so a page served from the cache asks no query for them."""
    from django.core.cache import cache

    from spm import freshness

    version, uncommitted = freshness.current()
    key = f"espm:permissions:{user.pk}:{version}.{uncommitted}"
    cached = cache.get(key)
    if cached is None:
        cached = tuple(sorted(user.get_all_permissions()))
        cache.set(key, cached, 3600)
    elif user.is_active and not user.is_superuser:
        # ModelBackend's own per-request memo: has_perm() reads it instead of the database.
        user._perm_cache = set(cached)
    return cached


def scopes_changed(**_kwargs) -> None:
    """Signal receiver: a user or an assignment changed, so every cached scope is stale."""
    global _generation
    _generation += 1


def connect_signals() -> None:
    """Called once from ``SpmConfig.ready``."""
    from django.db.models.signals import post_delete, post_save

    from spm.models import ServiceAssignment, User

    for model in (User, ServiceAssignment):
        post_save.connect(scopes_changed, sender=model, dispatch_uid=f"access-scope-{model.__name__}-save")
        post_delete.connect(scopes_changed, sender=model, dispatch_uid=f"access-scope-{model.__name__}-delete")


def _compute_scope(user) -> Scope:
    from spm.fragments import cached
    from spm.models import Region, ServiceAssignment

    spec = ROLES[user.role]
    kind = ScopeKind.ALL if user.is_superuser else spec.scope
    base = {"authenticated": True, "user_id": user.pk, "role": user.role, "kind": kind, "pages": spec.pages}
    if kind == ScopeKind.ALL:
        return Scope(**{**base, "pages": ROLES[Role.ADMIN].pages}, region_ids=None)
    if kind == ScopeKind.NATIONAL:
        return Scope(**base, region_ids=None)
    if kind == ScopeKind.AGENCY:
        if not user.agency_id:
            return Scope(**base)
        # User.save keeps an operator's daerah equal to its OPD's daerah: no query for the OPD.
        region_id = user.region_id
        services = ServiceAssignment.objects.filter(agency_id=user.agency_id, region_id=region_id)
        return Scope(
            **base,
            region_ids=frozenset({region_id}),
            home_region_id=region_id,
            agency_id=user.agency_id,
            # Kept in the shared cache under the data version (an assignment changed is a write, spm.freshness):
            # no query on an operator's every page.
            service_ids=cached(
                "agency-services",
                (user.agency_id, region_id),
                lambda: frozenset(services.order_by().values_list("service_id", flat=True)),
            ),
        )
    if not user.region_id:
        return Scope(**base)
    if kind == ScopeKind.PROVINCE:
        children = Region.objects.filter(parent_id=user.region_id).values_list("pk", flat=True)
        own = {user.region_id} if spec.covers_own_region else set()
        return Scope(**base, region_ids=frozenset({*own, *children}), home_region_id=user.region_id)
    return Scope(**base, region_ids=frozenset({user.region_id}), home_region_id=user.region_id)


# --- Which objects are in scope -------------------------------------------------------------------------


@dataclass(frozen=True)
class ScopeRule:
    """Where a model keeps its daerah and jenis, and what an OPD's operators see of it.

    ``operator``: "services" (the pairs the OPD is pengampu of), "daerah" (everything of the OPD's daerah),
    "agency" (the OPD itself, at ``agency``), "none" (a daerah-level document, not the OPD's).
    ``custom`` replaces the whole rule (users, export logs). ``personal_data``: rows naming citizens (NIK, name,
    address), which the national scope never reads — Kemendagri monitors figures (UU 27/2022 data minimisation).
    """

    region: str | None = "region"
    service: str | None = None
    operator: str = "services"
    agency: str | None = None
    custom: Callable[[QuerySet, Scope], QuerySet] | None = None
    personal_data: bool = False


def _path(prefix: str | None, leaf: str) -> str:
    return f"{prefix}__{leaf}" if prefix else leaf


def _export_logs(queryset: QuerySet, scope: Scope) -> QuerySet:
    """Admins see every export; a verifikator its daerah's (it answers for them); anyone else its own."""
    if scope.is_admin:
        return queryset
    if scope.role == Role.REVIEWER and scope.home_region_id:
        return queryset.filter(region_id=scope.home_region_id)
    return queryset.filter(user_id=scope.user_id)


def _own_uploads(queryset: QuerySet, scope: Scope) -> QuerySet:
    """An upload waiting for confirmation belongs to who uploaded it (admins see all)."""
    return queryset if scope.is_admin else queryset.filter(created_by_id=scope.user_id)


def _users(queryset: QuerySet, scope: Scope) -> QuerySet:
    """Admins manage every user; a verifikator sees its daerah's users (to know whom to contact)."""
    if scope.is_admin:
        return queryset
    if scope.role == Role.REVIEWER and scope.home_region_id:
        return queryset.filter(Q(region_id=scope.home_region_id) | Q(agency__region_id=scope.home_region_id))
    return queryset.filter(pk=scope.user_id)


# model label -> rule. A model missing here cannot be restricted: restrict() raises, so none is forgotten.
SCOPE_RULES: dict[str, ScopeRule] = {
    "spm.region": ScopeRule(region=None, operator="daerah"),
    "spm.agency": ScopeRule(operator="agency", agency="pk"),
    "spm.serviceassignment": ScopeRule(operator="agency", agency="agency_id"),
    "spm.user": ScopeRule(custom=_users),
    "reporting.reportingperiod": ScopeRule(operator="daerah"),
    "reporting.quarterlyreport": ScopeRule(service="service"),
    "reporting.evidence": ScopeRule(region="report__region", service="report__service"),
    "reporting.achievement": ScopeRule(service="service"),
    "reporting.recipientimport": ScopeRule(service="service", personal_data=True),
    "reporting.recipient": ScopeRule(service="service", personal_data=True),
    "reporting.exportlog": ScopeRule(custom=_export_logs),
    "targets.target": ScopeRule(service="service"),
    "targets.targetimport": ScopeRule(custom=_own_uploads),
    "targets.targetrevision": ScopeRule(region="target__region", service="target__service"),
    "targets.need": ScopeRule(service="service"),
    "targets.actionplan": ScopeRule(operator="daerah"),
    "targets.reportedition": ScopeRule(operator="none"),
    "targets.generatedreport": ScopeRule(region="edition__region", operator="none"),
    # Provincial evaluation: addressed to a daerah (its verifikator answers), not to an OPD.
    "evaluation.correctionrequest": ScopeRule(operator="none"),
    "evaluation.annualevaluation": ScopeRule(operator="none"),
    "targets.implementationteam": ScopeRule(operator="daerah"),
    "targets.implementationteammember": ScopeRule(region="team__region", operator="daerah"),
}


def scope_q(model: type[Model], scope: Scope) -> Q | None:
    """The filter selecting the rows of ``model`` in ``scope`` (None: every row)."""
    rule = SCOPE_RULES[model._meta.label_lower]
    if not scope.authenticated:
        return Q(pk__in=[])
    if scope.is_admin:
        return None
    if scope.is_national and rule.personal_data:
        return Q(pk__in=[])
    region_field = _path(rule.region, "id")
    if scope.region_ids is None:
        return None
    in_regions = Q(**{f"{region_field}__in": scope.region_ids})
    if rule.region is None:  # the Region model itself: only daerah levels are listed (see RegionQuerySet)
        in_regions = Q(pk__in=scope.region_ids)
    if not scope.is_agency:
        return in_regions
    if rule.operator == "daerah":
        return in_regions
    if rule.operator == "agency":
        return Q(**{rule.agency: scope.agency_id}) if scope.agency_id else Q(pk__in=[])
    if rule.operator == "services" and rule.service and scope.service_ids:
        # The assignments of an OPD are all in its own daerah: (daerah, jenis) pairs need no subquery.
        return in_regions & Q(**{f"{_path(rule.service, 'id')}__in": scope.service_ids})
    return Q(pk__in=[])


def restrict(queryset: QuerySet, user, action: str = "view") -> QuerySet:
    """``queryset`` cut down to what ``user`` may see; for an action other than "view", also to users who
    hold the model permission for it (``app.<action>_<model>``)."""
    model = queryset.model
    rule = SCOPE_RULES[model._meta.label_lower]
    scope = scope_of(user)
    if not scope.authenticated:
        return queryset.none()
    permission = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
    if action != "view" and not scope.is_admin and not user.has_perm(permission):
        return queryset.none()
    if rule.custom is not None:
        return rule.custom(queryset, scope)
    q = scope_q(model, scope)
    return queryset if q is None else queryset.filter(q)


def _attr_id(obj: Any, path: str | None) -> int | None:
    """Follow ``report__region`` on an instance to the region's id without loading the region."""
    if path is None:
        return None
    *parents, leaf = path.split("__")
    for name in parents:
        obj = getattr(obj, name)
        if obj is None:
            return None
    return getattr(obj, f"{leaf}_id", None)


def in_scope(user, obj: Model) -> bool:
    """Is this object inside the user's scope? The same rule as :func:`restrict`, on one instance."""
    scope = scope_of(user)
    if not scope.authenticated:
        return False
    if scope.is_admin:
        return True
    label = obj._meta.label_lower
    rule = SCOPE_RULES[label]
    if rule.custom is not None:
        return rule.custom(type(obj)._default_manager.filter(pk=obj.pk), scope).exists()
    if scope.is_national and rule.personal_data:
        return False
    region_id = obj.pk if rule.region is None else _attr_id(obj, rule.region)
    if scope.is_agency:
        if rule.operator == "agency":
            return getattr(obj, rule.agency) == scope.agency_id
        if rule.operator == "none":
            return False
        if rule.operator == "services":
            return scope.covers(region_id, _attr_id(obj, rule.service) if rule.service else -1)
    return scope.covers_region(region_id)


# --- Actions -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceIn:
    """A jenis pelayanan dasar in a daerah: the subject of actions that precede any object (import a list,
    enter a target, open a report)."""

    region: Region
    service: BasicService

    @property
    def region_id(self) -> int:
        return self.region.pk

    @property
    def service_id(self) -> int:
        return self.service.pk


def _perm(user, perm: str) -> bool:
    return user.has_perm(perm)


def _covers_pair(user, subject) -> bool:
    return scope_of(user).covers(subject.region_id, subject.service_id)


def _opd_operator_of(user, subject, perm: str) -> bool:
    """An operator of the OPD pengampu of the subject's jenis in its daerah, with the permission."""
    scope = scope_of(user)
    return scope.is_agency and scope.covers(subject.region_id, subject.service_id) and _perm(user, perm)


def _reviewer_of(user, region_id: int, perm: str) -> bool:
    """The verifikator (Bagian Pemerintahan) of the daerah, with the permission."""
    scope = scope_of(user)
    return scope.kind == ScopeKind.DAERAH and scope.home_region_id == region_id and _perm(user, perm)


def _evaluator_of(user, region_id: int, perm: str) -> bool:
    """The Evaluator Provinsi (Biro Pemerintahan) of the kab/kota's provinsi, with the permission: a provinsi
    evaluates its kabupaten/kota, never its own reports."""
    scope = scope_of(user)
    return (
        scope.kind == ScopeKind.PROVINCE
        and region_id != scope.home_region_id
        and scope.covers_region(region_id)
        and _perm(user, perm)
    )


def _correction_create(user, region) -> bool:
    return scope_of(user).is_admin or _evaluator_of(user, region.pk, "evaluation.add_correctionrequest")


def _correction_answer(user, request) -> bool:
    from evaluation.choices import RequestStatus

    if request.status != RequestStatus.OPEN:
        return False
    return scope_of(user).is_admin or _reviewer_of(user, request.region_id, "evaluation.answer_correctionrequest")


def _correction_close(user, request) -> bool:
    from evaluation.choices import RequestStatus

    if request.status == RequestStatus.CLOSED:
        return False
    return scope_of(user).is_admin or _evaluator_of(user, request.region_id, "evaluation.close_correctionrequest")


def _annual_evaluation_edit(user, region) -> bool:
    return scope_of(user).is_admin or _evaluator_of(user, region.pk, "evaluation.change_annualevaluation")


def _report_edit(user, report) -> bool:
    from reporting.choices import EDITABLE_STATUSES

    if report.status not in EDITABLE_STATUSES or report.period.is_closed:
        return False
    return scope_of(user).is_admin or _opd_operator_of(user, report, "reporting.change_quarterlyreport")


def _report_review(user, report) -> bool:
    from reporting.choices import ReportStatus

    if report.status != ReportStatus.SUBMITTED or report.period.is_closed:
        return False
    return scope_of(user).is_admin or _reviewer_of(user, report.region_id, "reporting.review_quarterlyreport")


def _report_review_any(user, _obj=None) -> bool:
    """Reviews reports at all (the verifikator's actions on the review page); each report is decided by
    "report.review"."""
    return scope_of(user).is_admin or _perm(user, "reporting.review_quarterlyreport")


def _report_unlock(user, report) -> bool:
    from reporting.choices import ReportStatus

    if report.status != ReportStatus.APPROVED or report.period.is_closed:
        return False
    return scope_of(user).is_admin or _perm(user, "reporting.unlock_quarterlyreport")


def _report_open(user, subject: ServiceIn) -> bool:
    return scope_of(user).is_admin or _opd_operator_of(user, subject, "reporting.add_quarterlyreport")


def _import_add(user, subject: ServiceIn) -> bool:
    return scope_of(user).is_admin or _opd_operator_of(user, subject, "reporting.add_recipientimport")


def _import_start(user, _obj=None) -> bool:
    """Opens the upload page at all (admins for any daerah, OPD operators for their jenis)."""
    scope = scope_of(user)
    return scope.is_admin or (scope.is_agency and _perm(user, "reporting.add_recipientimport"))


def _import_cancel(user, batch) -> bool:
    return batch.created_by_id == user.pk or _import_add(user, batch)


def _import_error_report(user, batch) -> bool:
    """The error workbook copies the uploaded rows (personal data): its uploader, or who may see NIKs."""
    return batch.created_by_id == user.pk or _personal_data(user)


def _personal_data(user, _obj=None) -> bool:
    return scope_of(user).is_admin or _perm(user, "reporting.view_recipient_nik")


def _export(user, _obj=None) -> bool:
    return scope_of(user).is_admin or _perm(user, "reporting.export_recipient")


def _target_edit(user, subject) -> bool:
    return scope_of(user).is_admin or _opd_operator_of(user, subject, "targets.change_targetrevision")


def _target_review(user, revision) -> bool:
    from targets.choices import TargetStatus

    if revision.status != TargetStatus.SUBMITTED:
        return False
    target = revision.target
    return scope_of(user).is_admin or _reviewer_of(user, target.region_id, "targets.review_targetrevision")


def _target_import(user, _obj=None) -> bool:
    scope = scope_of(user)
    return scope.is_admin or (scope.is_agency and _perm(user, "targets.change_targetrevision"))


def _official_write(user, region) -> bool:
    region_id = getattr(region, "region_id", None) or region.pk
    return scope_of(user).is_admin or (
        _reviewer_of(user, region_id, "targets.change_reportedition") and _perm(user, "targets.add_generatedreport")
    )


def _plan_manage(user, region) -> bool:
    region_id = getattr(region, "region_id", None) or region.pk
    return scope_of(user).is_admin or _reviewer_of(user, region_id, "targets.approve_actionplan")


def _team_manage(user, region) -> bool:
    """The Tim Penerapan SPM of a daerah (or one of its members): its verifikator (Bagian Pemerintahan, the
    team's secretariat) or an admin."""
    region_id = getattr(region, "region_id", None)
    if region_id is None and hasattr(region, "team"):
        region_id = region.team.region_id
    region_id = region_id or region.pk
    return scope_of(user).is_admin or _reviewer_of(user, region_id, "targets.change_implementationteam")


def _plan_item_edit(user, item) -> bool:
    """A draft plan's line: the plan's manager, or the OPD pengampu of the line's jenis."""
    from targets.choices import PlanStatus

    plan = item.plan
    if plan.status != PlanStatus.DRAFT:
        return False
    return _plan_manage(user, plan) or _target_edit(user, ServiceIn(plan.region, item.service))


def _admin_only(user, _obj=None) -> bool:
    return scope_of(user).is_admin


def _period_manage(user, _obj=None) -> bool:
    """The reporting windows (open, due date, close, extension): admins, and Kemendagri for every daerah at
    once or one daerah's extension (Permendagri 59/2021: the reports go to the Minister; article not confirmed here)."""
    scope = scope_of(user)
    return scope.is_admin or (scope.is_national and _perm(user, "reporting.change_reportingperiod"))


def _view(user, obj=None) -> bool:
    return obj is None or in_scope(user, obj)


# action -> rule(user, obj). Scope is checked first for model instances (see can()).
RULES: dict[str, Callable[..., bool]] = {
    "view": _view,
    "report.open": _report_open,
    "report.edit": _report_edit,
    "report.review": _report_review,
    "report.review_any": _report_review_any,
    "report.unlock": _report_unlock,
    "evidence.add": _report_edit,
    "evidence.delete": lambda user, evidence: _report_edit(user, evidence.report),
    "recipient_import.start": _import_start,
    "recipient_import.add": _import_add,
    "recipient_import.commit": _import_add,
    "recipient_import.cancel": _import_cancel,
    "recipient_import.error_report": _import_error_report,
    "recipient.view_nik": _personal_data,
    "recipient.export": _export,
    "target.edit": _target_edit,
    "target.review": _target_review,
    "target.import": _target_import,
    "need.edit": _target_edit,
    "plan.manage": _plan_manage,
    "plan.item_edit": _plan_item_edit,
    "official_report.write": _official_write,
    "team.manage": _team_manage,
    "period.manage": _period_manage,
    # Provincial evaluation of kab/kota (subject: the kab/kota Region, or the request)
    "correction.create": _correction_create,
    "correction.answer": _correction_answer,
    "correction.close": _correction_close,
    "annual_evaluation.edit": _annual_evaluation_edit,
    # The personal-data access log: everyone reads their own (page "personal_data_log"); only admins read
    # another user's (an audit under UU 27/2022).
    "personal_data_log.view_others": _admin_only,
}


def can(user, action: str, obj: Any = None) -> bool:
    """May ``user`` do ``action`` (to ``obj``)? ``page.<name>`` asks for a page of the role table.

    An object outside the user's scope is never allowed; the rule of the action decides inside it.
    """
    scope = scope_of(user)
    if not scope.authenticated:
        return False
    if action.startswith("page."):
        return action[5:] in scope.pages
    rule = RULES[action]
    if isinstance(obj, Model) and obj._meta.label_lower in SCOPE_RULES and not in_scope(user, obj):
        return False
    if isinstance(obj, ServiceIn) and not _covers_pair(user, obj):
        return False
    return bool(rule(user, obj) if obj is not None else rule(user))


def require(user, action: str, obj: Any = None, message: str | None = None) -> None:
    """Raise PermissionDenied (with an Indonesian message) unless :func:`can` allows the action."""
    if not can(user, action, obj):
        raise PermissionDenied(message or _("Anda tidak berwenang melakukan tindakan ini."))


def require_page(user, page: str, message: str | None = None) -> None:
    require(user, f"page.{page}", None, message or _("Halaman ini tidak tersedia untuk peran Anda."))


def get_object_for(user, queryset: QuerySet, action: str = "view", message: str | None = None, **lookup) -> Any:
    """The object a view works on: 404 when it is outside the user's scope (it does not exist for them),
    403 when it is inside but the action is not allowed."""
    try:
        obj = restrict(queryset, user).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None
    if action != "view":
        require(user, action, obj, message)
    return obj


def role_label(user) -> str:
    """The role shown beside the user's name (a superuser reads as Admin Sistem)."""
    scope = scope_of(user)
    return str(Role(Role.ADMIN if scope.is_admin else user.role).label) if scope.authenticated else ""


# --- People to notify (the same rules, read the other way) --------------------------------------------


def operators_of(agency_id: int | None) -> QuerySet:
    """The active operators of an OPD (they hear about their reports)."""
    from spm.models import User

    roles = [role for role, spec in ROLES.items() if spec.scope == ScopeKind.AGENCY]
    return User.objects.filter(role__in=roles, agency_id=agency_id, is_active=True)


def reviewers_of(region_id: int | None) -> QuerySet:
    """The active verifikator of a daerah (they hear about submissions): daerah-scoped users who may review."""
    from spm.models import User

    roles = [
        role
        for role, spec in ROLES.items()
        if spec.scope == ScopeKind.DAERAH and "reporting.review_quarterlyreport" in spec.permissions
    ]
    return User.objects.filter(role__in=roles, region_id=region_id, is_active=True)


def evaluators_of(region_id: int | None) -> QuerySet:
    """The active Evaluator Provinsi of a kab/kota's provinsi (they hear the answers to their requests)."""
    from spm.models import Region, User

    roles = [
        role
        for role, spec in ROLES.items()
        if spec.scope == ScopeKind.PROVINCE and "evaluation.close_correctionrequest" in spec.permissions
    ]
    province = Region.objects.filter(pk=region_id).values("parent_id")
    return User.objects.filter(role__in=roles, region_id__in=province, is_active=True)


def services_allowed(user, action: str, region: Region, services: QuerySet) -> QuerySet:
    """The jenis of ``services`` for which ``user`` may do ``action`` in ``region`` (e.g. the import form's
    choices). At most 29 jenis per daerah, each decided by :func:`can` from the cached scope."""
    if scope_of(user).is_admin:
        return services
    allowed = [service.pk for service in services if can(user, action, ServiceIn(region, service))]
    return services.filter(pk__in=allowed)
