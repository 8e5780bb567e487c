"""In-app notifications, also sent by e-mail (console backend by default), and due-date reminders."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import ngettext

from reporting.choices import NotificationKind, ReportStatus
from reporting.models import Notification, QuarterlyReport, ReportingPeriod
from spm.access import operators_of
from spm.language import user_language
from spm.models import ServiceAssignment, User

logger = logging.getLogger(__name__)

REMINDER_DAYS = (7, 1)


def notify(
    users: Iterable[User],
    *,
    kind: str,
    message: Callable[[], str],
    report: QuarterlyReport | None = None,
    dedupe_key: str = "",
) -> int:
    """Create one notification per user (skipping those already sent under ``dedupe_key``) and e-mail it.

    ``message`` builds the text with ``gettext``; it is called once per user in that user's language
    (``User.language``), so the stored notification and the e-mail read in the language the user picked,
    whoever triggered them and whether or not a request is running (reminders come from Celery beat).
    """
    sent = 0
    for user in users:
        with translation.override(user_language(user)):
            text = message()
            subject = f"[e-SPM] {NotificationKind(kind).label}"
        try:
            with transaction.atomic():
                Notification.objects.create(user=user, kind=kind, report=report, message=text, dedupe_key=dedupe_key)
        except IntegrityError:
            continue  # already notified under this key: reminders stay idempotent
        sent += 1
        if user.email:
            body = text + (f"\n\n{settings.SITE_URL}{report.get_absolute_url()}" if report else "")
            transaction.on_commit(
                lambda s=subject, b=body, to=user.email: send_mail(s, b, None, [to], fail_silently=True)
            )
    logger.info("notifications kind=%s report=%s sent=%d", kind, getattr(report, "pk", None), sent)
    return sent


def reminders_send(*, on: dt.date) -> int:
    """Remind operators with unfinished reports 7 days and 1 day before the due date (idempotent)."""
    sent = 0
    due_dates = [on + dt.timedelta(days=d) for d in REMINDER_DAYS]
    periods = ReportingPeriod.objects.filter(status="open", due_date__in=due_dates).select_related("region")
    for period in periods:
        days_left = (period.due_date - on).days
        finished = set(
            QuarterlyReport.objects.filter(
                period=period, status__in=[ReportStatus.SUBMITTED, ReportStatus.APPROVED]
            ).values_list("service_id", flat=True)
        )
        assignments = ServiceAssignment.objects.filter(region=period.region).select_related("service")
        pending: dict[int, list[str]] = {}
        for assignment in assignments:
            if assignment.service_id not in finished:
                pending.setdefault(assignment.agency_id, []).append(assignment.service.name)
        for agency_id, services in pending.items():

            def message(period=period, days_left=days_left, services=services) -> str:
                return ngettext(
                    "Batas waktu laporan %(period)s tinggal %(n)s hari (%(due)s). Belum diajukan: %(services)s.",
                    "Batas waktu laporan %(period)s tinggal %(n)s hari (%(due)s). Belum diajukan: %(services)s.",
                    days_left,
                ) % {
                    "period": period.label,
                    "n": days_left,
                    "due": f"{period.due_date:%d-%m-%Y}",
                    "services": "; ".join(services),
                }

            sent += notify(
                operators_of(agency_id),
                kind=NotificationKind.REMINDER,
                message=message,
                dedupe_key=f"reminder:{period.pk}:{agency_id}:{days_left}",
            )
    return sent


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications as read (all of them, or only ``ids``); returns how many."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
