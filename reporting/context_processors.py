"""Template context of the reporting app: the unread-notification count shown in the navbar."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from reporting.models import Notification
from spm.fragments import cached


def notifications(request) -> dict:
    """``unread_notifications``: counted lazily, in one query, only when a template shows it, and kept in the
    shared cache until the data changes."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        # Kept under the data version (spm.fragments): a new or read notification is a write.
        return cached(
            "unread-notifications",
            (user.pk,),
            lambda: Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count(),
        )

    return {"unread_notifications": SimpleLazyObject(count)}
