"""Template context of the reporting app: the unread-notification count shown in the navbar."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from reporting.models import Notification


def notifications(request) -> dict:
    """``unread_notifications``: counted lazily, in one query, only when a template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()
        )
    }
