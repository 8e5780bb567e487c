"""Template side of the access rules: links and buttons come from the same ``spm.access.can`` the views and
services use, so no page offers what the server then refuses.

    {% load access %}
    {% can "report.edit" report as may_edit %}{% if may_edit %}…{% endif %}
    {% if user|may_open:"review_queue" %}…{% endif %}
"""

from __future__ import annotations

from django import template

from spm import access

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, action: str, obj=None) -> bool:
    """``{% can "action" obj as name %}``: may the signed-in user do this?"""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return user is not None and access.can(user, action, obj)


@register.simple_tag(takes_context=True)
def can_for_service(context, action: str, region, service) -> bool:
    """``{% can_for_service "recipient_import.add" region service as name %}``: actions on a jenis in a
    daerah before any object exists."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return user is not None and access.can(user, action, access.ServiceIn(region, service))


@register.filter
def may_open(user, page: str) -> bool:
    """``user|may_open:"review_queue"``: a page of the role table."""
    return access.can(user, f"page.{page}")
