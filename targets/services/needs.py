"""Kebutuhan pemenuhan (tahap 2, Permendagri 59/2021): the need lines of a service per year."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from spm import access
from spm.models import BasicService, Region, User
from spm.validation import field_errors
from targets.choices import NeedBasis
from targets.models import Need

# --- Kebutuhan pemenuhan (stage 2) ---------------------------------------------------------------------


@dataclass
class NeedInput:
    component_code: str
    item: str
    basis: str
    quantity: Decimal
    available: int
    unit_cost: int


@transaction.atomic
def need_save(*, user: User, region: Region, service: BasicService, year: int, data: NeedInput):
    """Enter or update one need line (the OPD pengampu); the gap and cost are computed, not stored."""

    access.require(
        user, "need.edit", access.ServiceIn(region, service), _("Kebutuhan layanan ini tidak dapat diubah oleh Anda.")
    )
    # What the columns cannot hold (too long, past their range, NaN) first; the domain's own message wins
    # where both apply. A NaN is never compared (it would raise).
    errors = field_errors(
        Need,
        {
            "item": data.item.strip(),
            "quantity": data.quantity,
            "available": data.available,
            "unit_cost": data.unit_cost,
        },
    )
    component = service.quality_components.filter(code=data.component_code).first()
    if component is None:
        errors["component"] = [
            _("Komponen mutu '%(component)s' tidak ada pada %(service)s.")
            % {"component": data.component_code, "service": service.code}
        ]
    if not data.item.strip():
        errors["item"] = [_("Nama barang/jasa/SDM yang dibutuhkan wajib diisi.")]
    if data.basis not in NeedBasis.values:
        errors["basis"] = [_("Dasar kebutuhan harus per penerima atau per daerah.")]
    if data.quantity.is_finite() and data.quantity < 0:
        errors["quantity"] = [_("Jumlah dibutuhkan tidak boleh negatif.")]
    if data.available < 0:
        errors["available"] = [_("Jumlah tersedia tidak boleh negatif.")]
    if data.unit_cost < 0:
        errors["unit_cost"] = [_("Harga satuan (Rp) tidak boleh negatif.")]
    if errors:
        raise ValidationError(errors)
    need, _created = Need.objects.update_or_create(
        region=region,
        service=service,
        year=year,
        component=component,
        item=data.item.strip(),
        defaults={
            "basis": data.basis,
            "quantity": data.quantity,
            "available": data.available,
            "unit_cost": data.unit_cost,
            "updated_by": user,
        },
    )
    return need
