"""Statuses and kinds of the provincial evaluation."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestKind(models.TextChoices):
    """What the provinsi sends a kab/kota: a note of its evaluation, or a request to correct the report."""

    CORRECTION = "perbaikan", _("Permintaan perbaikan")
    NOTE = "catatan", _("Catatan evaluasi")


class RequestStatus(models.TextChoices):
    """Terbuka (waiting for the verifikator) → dijawab (answered) → ditutup (closed by the evaluator)."""

    OPEN = "terbuka", _("Terbuka")
    ANSWERED = "dijawab", _("Dijawab")
    CLOSED = "ditutup", _("Ditutup")
