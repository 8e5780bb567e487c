"""Reporting periods: default due dates, the active triwulan, closing and reopening (admins, logged), and the
national windows Kemendagri sets for every daerah at once, with extensions per daerah."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reporting.choices import PeriodAction, PeriodStatus
from reporting.models import NationalWindow, PeriodEvent, ReportingPeriod
from spm import access
from spm.models import Region

logger = logging.getLogger(__name__)

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


def _check_period_key(region: Region, quarter: int) -> None:
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": _("Triwulan harus 1 sampai 4.")})
    if not region.is_daerah:
        raise ValidationError({"region": _("Periode pelaporan hanya untuk provinsi atau kabupaten/kota.")})


def period_or_default(*, region: Region, year: int, quarter: int) -> ReportingPeriod:
    """The stored period of a daerah for a triwulan, or, when none is stored yet, an unsaved one with the default
    input window and due date: for pages that only read (the matrix), which must not create it."""
    _check_period_key(region, quarter)
    stored = ReportingPeriod.objects.filter(region=region, year=year, quarter=quarter).first()
    if stored is not None:
        return stored
    return ReportingPeriod(
        region=region,
        year=year,
        quarter=quarter,
        opens_on=quarter_start(year, quarter),
        due_date=default_due_date(year, quarter),
    )


def period_get_or_create(*, region: Region, year: int, quarter: int) -> ReportingPeriod:
    """The period of a daerah for a triwulan, created with the default input window and due date."""
    _check_period_key(region, quarter)
    period, _created = ReportingPeriod.objects.get_or_create(
        region=region,
        year=year,
        quarter=quarter,
        defaults={"opens_on": quarter_start(year, quarter), "due_date": default_due_date(year, quarter)},
    )
    return period


def _require_admin(user) -> None:
    access.require(
        user, "period.manage", None, _("Hanya admin sistem atau Kemendagri yang dapat mengubah periode pelaporan.")
    )


@transaction.atomic
def period_set_due_date(*, period: ReportingPeriod, user, due_date: dt.date, reason: str = "") -> ReportingPeriod:
    """Change a daerah's due date for a triwulan (admins); logged with the old and new dates."""
    _require_admin(user)
    if due_date < period.opens_on:
        raise ValidationError({"due_date": _("Batas waktu tidak boleh sebelum mulai pengisian.")})
    old = period.due_date
    period.due_date = due_date
    detail = {"old": old.isoformat(), "new": due_date.isoformat()}
    if period.closes_on is not None and period.closes_on < due_date:
        # The close of input never comes before the due date (the national window's order): it moves along.
        detail["closes_on"] = {"old": period.closes_on.isoformat(), "new": due_date.isoformat()}
        period.closes_on = due_date
    period.save(update_fields=["due_date", "closes_on"])
    PeriodEvent.objects.create(period=period, action=PeriodAction.DUE_DATE, actor=user, reason=reason, detail=detail)
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
    detail = {"closes_on": period.closes_on.isoformat()} if period.closes_on else {}
    period.status = PeriodStatus.OPEN
    # Reopened by hand, it stays open until closed by hand: the daily job would close it again otherwise.
    period.closes_on = None
    period.save(update_fields=["status", "closes_on"])
    PeriodEvent.objects.create(
        period=period, action=PeriodAction.REOPEN, actor=user, reason=reason.strip(), detail=detail
    )
    return period


# --- National windows (Kemendagri, every daerah at once) ----------------------------------------------------


@dataclass(frozen=True)
class NationalWindowResult:
    """What setting a national window did: periods created, changed, kept (closed or extended), and the log row
    (None when nothing changed: setting the same window twice is a no-op)."""

    created: int
    changed: int
    kept: int
    window: NationalWindow | None


def _national_dates(*, opens_on: dt.date, due_date: dt.date, closes_on: dt.date) -> None:
    errors = {}
    if due_date < opens_on:
        errors["due_date"] = _("Batas waktu tidak boleh sebelum mulai pengisian.")
    if closes_on < due_date:
        errors["closes_on"] = _("Penutupan pengisian tidak boleh sebelum batas waktu.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def national_window_set(
    *,
    user,
    year: int,
    quarter: int,
    opens_on: dt.date,
    due_date: dt.date,
    closes_on: dt.date,
    reason: str = "",
) -> NationalWindowResult:
    """Set the input window of one triwulan for every daerah (552 provinsi and kabupaten/kota) at once.

    Kemendagri's Sekber SPM opens and closes the quarterly e-SPM input nationally (Permendagri 59/2021 Pasal
    43-44: the reports reach the Minister). Bulk: a fixed number of queries whatever the number of daerah
    (missing periods created in one ``bulk_create``, changed ones in ``bulk_update``, one :class:`PeriodEvent`
    per changed period in one insert). Idempotent: the same window again changes nothing and logs nothing.
    A closed period is not reopened (that needs a reason per daerah: :func:`period_reopen`), and a daerah
    with a perpanjangan keeps its later due date and close.
    """
    _require_admin(user)
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": _("Triwulan harus 1 sampai 4.")})
    _national_dates(opens_on=opens_on, due_date=due_date, closes_on=closes_on)
    region_ids = list(Region.objects.daerah().order_by("pk").values_list("pk", flat=True))
    existing = {
        p.region_id: p
        for p in ReportingPeriod.objects.select_for_update().filter(
            year=year, quarter=quarter, region_id__in=region_ids
        )
    }
    new = [
        ReportingPeriod(
            region_id=region_id,
            year=year,
            quarter=quarter,
            opens_on=opens_on,
            due_date=due_date,
            closes_on=closes_on,
        )
        for region_id in region_ids
        if region_id not in existing
    ]
    changed, kept, events = [], 0, []
    for period in existing.values():
        if period.is_closed:
            kept += 1
            continue
        wanted_due = max(due_date, period.due_date) if period.is_extended else due_date
        wanted_close = max(closes_on, period.closes_on or closes_on, wanted_due) if period.is_extended else closes_on
        if wanted_due != due_date:
            kept += 1  # keeps its perpanjangan
        if (period.opens_on, period.due_date, period.closes_on) == (opens_on, wanted_due, wanted_close):
            continue
        old = {"opens_on": period.opens_on, "due_date": period.due_date, "closes_on": period.closes_on}
        period.opens_on, period.due_date, period.closes_on = opens_on, wanted_due, wanted_close
        changed.append(period)
        events.append((period, {k: v.isoformat() if v else None for k, v in old.items()}))
    if not new and not changed:
        return NationalWindowResult(created=0, changed=0, kept=kept, window=None)
    ReportingPeriod.objects.bulk_create(new, batch_size=1000)
    ReportingPeriod.objects.bulk_update(changed, ["opens_on", "due_date", "closes_on"], batch_size=1000)
    window = NationalWindow.objects.create(
        year=year,
        quarter=quarter,
        opens_on=opens_on,
        due_date=due_date,
        closes_on=closes_on,
        reason=reason.strip(),
        periods_created=len(new),
        periods_changed=len(changed),
        periods_kept=kept,
        set_by=user,
    )
    # The periods created by the insert above: read back by their key (bulk_create returns no ids on every
    # backend), in one query.
    created_ids = (
        [
            pk
            for pk, region_id in ReportingPeriod.objects.filter(year=year, quarter=quarter).values_list(
                "pk", "region_id"
            )
            if region_id not in existing
        ]
        if new
        else []
    )
    detail = {"jadwal_nasional": window.pk, "opens_on": opens_on.isoformat(), "due_date": due_date.isoformat()}
    detail["closes_on"] = closes_on.isoformat()
    PeriodEvent.objects.bulk_create(
        [
            *(
                PeriodEvent(period_id=pk, action=PeriodAction.WINDOW, actor=user, reason=reason, detail=detail)
                for pk in created_ids
            ),
            *(
                PeriodEvent(
                    period=p, action=PeriodAction.WINDOW, actor=user, reason=reason, detail={**detail, "old": old}
                )
                for p, old in events
            ),
        ],
        batch_size=1000,
    )
    logger.info(
        "national window year=%s quarter=%s created=%s changed=%s kept=%s by user=%s",
        year,
        quarter,
        len(new),
        len(changed),
        kept,
        user.pk,
    )
    return NationalWindowResult(created=len(new), changed=len(changed), kept=kept, window=window)


@transaction.atomic
def period_extend(*, period: ReportingPeriod, user, due_date: dt.date, reason: str) -> ReportingPeriod:
    """Give one daerah a perpanjangan (extension) of its due date for a triwulan, with a written reason, logged.

    The close of input moves with it when the new due date passes it, and a later national window never
    shortens it (``is_extended``).
    """
    _require_admin(user)
    if period.is_closed:
        raise ValidationError(_("Periode ini sudah ditutup; buka kembali dahulu dengan alasan."))
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("Alasan perpanjangan wajib diisi.")})
    if due_date <= period.due_date:
        raise ValidationError(
            {
                "due_date": _("Perpanjangan harus setelah batas waktu sekarang (%(due)s).")
                % {"due": f"{period.due_date:%d-%m-%Y}"}
            }
        )
    old = {"due_date": period.due_date.isoformat(), "closes_on": period.closes_on and period.closes_on.isoformat()}
    period.due_date = due_date
    if period.closes_on is not None and period.closes_on < due_date:
        period.closes_on = due_date
    period.is_extended = True
    period.save(update_fields=["due_date", "closes_on", "is_extended"])
    PeriodEvent.objects.create(
        period=period,
        action=PeriodAction.EXTENSION,
        actor=user,
        reason=reason.strip(),
        detail={
            "old": old,
            "due_date": due_date.isoformat(),
            "closes_on": period.closes_on and period.closes_on.isoformat(),
        },
    )
    return period


@transaction.atomic
def periods_close_expired(*, on: dt.date | None = None) -> int:
    """Close every open period whose close of input (``closes_on``) has passed (the daily job); logged per period
    with the user who set the national window as the actor. Idempotent: closed periods are left alone."""
    on = on or today()
    expired = list(
        ReportingPeriod.objects.select_for_update()
        .filter(status=PeriodStatus.OPEN, closes_on__lt=on)
        .values_list("pk", "year", "quarter")
    )
    if not expired:
        return 0
    setters = {
        (w.year, w.quarter): w.set_by_id
        for w in NationalWindow.objects.filter(year__in={y for _pk, y, _q in expired}).order_by("created_at", "id")
    }
    events = [
        PeriodEvent(
            period_id=pk,
            action=PeriodAction.CLOSE,
            actor_id=setters[(year, quarter)],
            reason="Ditutup otomatis sesuai jadwal pengisian nasional.",
        )
        for pk, year, quarter in expired
        if (year, quarter) in setters
    ]
    closing = [e.period_id for e in events]
    ReportingPeriod.objects.filter(pk__in=closing).update(status=PeriodStatus.CLOSED)
    PeriodEvent.objects.bulk_create(events, batch_size=1000)
    return len(closing)
