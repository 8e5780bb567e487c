"""Access to recipients' personal data (data pribadi penerima, UU 27/2022 on personal data protection):
the search by NIK and the log of every look at a full NIK.

A masked NIK (``1812******0001``) must stay masked: a search that matched NIK prefixes let anyone who sees
the list probe the hidden digits one request at a time (25 requests recovered a full NIK) and wrote full NIKs
into the web server's access log (``?q=…``). So:

- the list's search box (``q``) searches names only;
- a search by NIK is a separate **POST** form (the number travels in the body, which no access log records)
  for the roles that may see the full number (``recipient.view_nik`` in :mod:`spm.access`), matches the
  whole 16 digits exactly, is throttled per user, and is recorded in :class:`~reporting.models.ExportLog`
  (kind "cari_nik", with the ids found, never the number searched);
- a recipient's detail page showing the full NIK is recorded the same way (kind "lihat_nik").

We chose POST over a keyed hash in the URL: a hash of a 16-digit NIK with a known structure (region code,
birth date, serial) is cheap to brute-force for anyone who learns the key, and a POST needs no key at all.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from reporting.choices import ExportKind
from reporting.models import ExportLog, Recipient
from spm import access
from spm.models import BasicService, Region

NIK_LENGTH = 16


@dataclass(frozen=True)
class NikSearchResult:
    """The recipients whose NIK is exactly the one searched (at most one per list: NIKs are unique)."""

    recipients: list[Recipient]


def clean_nik_query(value: str) -> str:
    """The searched NIK: exactly 16 digits (spaces and dots people type are dropped), else a message."""
    digits = "".join(char for char in str(value) if char not in " .-")
    if len(digits) != NIK_LENGTH or not digits.isdigit():
        raise ValidationError(_("Masukkan NIK lengkap 16 digit angka; pencarian NIK hanya untuk NIK yang sama persis."))
    return digits


def _throttle_key(user_id: int) -> str:
    window = int(time.time() // settings.RECIPIENT_NIK_SEARCH_WINDOW_SECONDS)
    return f"espm:nik-search:{user_id}:{window}"


def nik_search_allowed(user) -> bool:
    """Count one search by ``user`` in the current window; False once the window's limit is used up."""
    key = _throttle_key(user.pk)
    cache.add(key, 0, timeout=settings.RECIPIENT_NIK_SEARCH_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except RedisError:
        # The shared cache does not answer: the limit cannot be counted, so no search (spm.cache).
        raise NikSearchUnavailable from None
    except ValueError:  # expired between add and incr: a new window starts
        cache.set(key, 1, timeout=settings.RECIPIENT_NIK_SEARCH_WINDOW_SECONDS)
        count = 1
    return count <= settings.RECIPIENT_NIK_SEARCH_LIMIT


class NikSearchThrottled(Exception):
    """The user searched by NIK too often in the current window."""


class NikSearchUnavailable(Exception):
    """The search limit cannot be counted (the shared cache does not answer): searching waits until it can."""


def recipient_nik_search(*, user, region: Region, service: BasicService, year: int, nik: str) -> NikSearchResult:
    """Search one list (daerah, jenis, tahun) for a recipient by the exact NIK, for roles that may see full
    NIKs; throttled per user and recorded as an access to personal data."""
    if not access.can(user, "recipient.view_nik"):
        raise PermissionDenied(_("Pencarian NIK hanya untuk peran yang berwenang melihat NIK lengkap."))
    number = clean_nik_query(nik)
    if not nik_search_allowed(user):
        raise NikSearchThrottled
    found = list(
        Recipient.objects.visible_to(user).for_list(region.pk, service.pk, year).filter(nik=number).order_by("id")
    )
    log_access(
        user=user,
        kind=ExportKind.NIK_SEARCH,
        region=region,
        filters={"layanan": service.code, "tahun": year, "penerima": [r.pk for r in found]},
        row_count=len(found),
    )
    return NikSearchResult(recipients=found)


def log_full_view(*, user, recipient: Recipient) -> ExportLog:
    """Record that ``user`` was shown the full NIK of ``recipient`` (its detail page)."""
    return log_access(
        user=user,
        kind=ExportKind.FULL_VIEW,
        region=recipient.region,
        filters={"penerima": recipient.pk, "layanan": recipient.service.code, "tahun": recipient.year},
        row_count=1,
    )


def log_access(*, user, kind: str, region: Region | None, filters: dict, row_count: int) -> ExportLog:
    """One row of the personal-data access log."""
    return ExportLog.objects.create(user=user, kind=kind, region=region, filters=filters, row_count=row_count)
