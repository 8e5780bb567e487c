"""Reporting periods: default due dates, the active triwulan, closing and reopening (admins, logged)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reporting.choices import PeriodAction, PeriodStatus
from reporting.models import PeriodEvent, ReportingPeriod
from spm import access
from spm.models import Region

DUE_DAY = 20  # national e-SPM practice: the 20th of the month after the quarter


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_start(year: int, quarter: int) -> dt.date:
    return dt.date(year, 3 * (quarter - 1) + 1, 1)


def default_due_date(year: int, quarter: int) -> dt.date:
    """TW I → 20 April, TW II → 20 July, TW III → 20 October, TW IV → 20 January of the next year."""
    month = 3 * quarter + 1
    return dt.date(year + 1, 1, DUE_DAY) if month > 12 else dt.date(year, month, DUE_DAY)


def today() -> dt.date:
    """Today in the project's time zone (Asia/Jakarta)."""
    return timezone.localdate()


def period_get_or_create(*, region: Region, year: int, quarter: int) -> ReportingPeriod:
    """The period of a daerah for a triwulan, created with the default input window and due date."""
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": _("Triwulan harus 1 sampai 4.")})
    if not region.is_daerah:
        raise ValidationError({"region": _("Periode pelaporan hanya untuk provinsi atau kabupaten/kota.")})
    period, _created = ReportingPeriod.objects.get_or_create(
        region=region,
        year=year,
        quarter=quarter,
        defaults={"opens_on": quarter_start(year, quarter), "due_date": default_due_date(year, quarter)},
    )
    return period


def _require_admin(user) -> None:
    access.require(user, "period.manage", None, _("Hanya admin sistem yang dapat mengubah periode pelaporan."))


@transaction.atomic
def period_set_due_date(*, period: ReportingPeriod, user, due_date: dt.date, reason: str = "") -> ReportingPeriod:
    """Change a daerah's due date for a triwulan (admins); logged with the old and new dates."""
    _require_admin(user)
    if due_date < period.opens_on:
        raise ValidationError({"due_date": _("Batas waktu tidak boleh sebelum mulai pengisian.")})
    old = period.due_date
    period.due_date = due_date
    period.save(update_fields=["due_date"])
    PeriodEvent.objects.create(
        period=period,
        action=PeriodAction.DUE_DATE,
        actor=user,
        reason=reason,
        detail={"old": old.isoformat(), "new": due_date.isoformat()},
    )
    return period


@transaction.atomic
def period_close(*, period: ReportingPeriod, user, reason: str = "") -> ReportingPeriod:
    """Close a period: its reports become read-only."""
    _require_admin(user)
    if period.is_closed:
        raise ValidationError(_("Periode ini sudah ditutup."))
    period.status = PeriodStatus.CLOSED
    period.save(update_fields=["status"])
    PeriodEvent.objects.create(period=period, action=PeriodAction.CLOSE, actor=user, reason=reason)
    return period


@transaction.atomic
def period_reopen(*, period: ReportingPeriod, user, reason: str) -> ReportingPeriod:
    """Reopen a closed period: an admin only, with a written reason, logged."""
    _require_admin(user)
    if not period.is_closed:
        raise ValidationError(_("Periode ini tidak dalam keadaan ditutup."))
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("Alasan membuka kembali periode wajib diisi.")})
    period.status = PeriodStatus.OPEN
    period.save(update_fields=["status"])
    PeriodEvent.objects.create(period=period, action=PeriodAction.REOPEN, actor=user, reason=reason.strip())
    return period
