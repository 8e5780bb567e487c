"""One audit shape for every review workflow (riwayat status): who moved what from which status to which,
when, with which comment and a snapshot of the values at that moment.

Reports (laporan triwulan), targets and rencana aksi each keep their transitions in a model built on
:class:`TransitionLog`, written only through :func:`record_transition` by the service making the change
(STYLE.md: audit every review transition).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TransitionLog(models.Model):
    """A status change of a workflow object. Subclasses add the foreign key to their object (with
    ``related_name="transitions"``) and give ``from_status``/``to_status`` their choices."""

    from_status = models.CharField(_("dari"), max_length=10)
    to_status = models.CharField(_("ke"), max_length=10)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("oleh"), on_delete=models.PROTECT)
    comment = models.TextField(_("komentar"), blank=True)
    snapshot = models.JSONField(_("potret isian"), default=dict)
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


def record_transition(subject: models.Model, *, user, to_status: str, comment: str = "", snapshot: dict | None = None):
    """Record ``subject``'s move to ``to_status`` in its transition log and set its status (the caller saves
    it). ``subject`` is any workflow object with a ``status`` and a ``transitions`` log."""
    log_model = subject.transitions.model
    link = subject.transitions.field.name
    log = log_model.objects.create(
        **{link: subject},
        from_status=subject.status,
        to_status=to_status,
        actor=user,
        comment=comment,
        snapshot=snapshot or {},
    )
    subject.status = to_status
    return log
