"""Signal handlers of the reporting app: cached reference data is dropped when its rows change."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from reporting.models import AchievementRuleSet
from reporting.models.achievements import forget_band_labels


@receiver([post_save, post_delete], sender=AchievementRuleSet, dispatch_uid="reporting-rule-set-bands")
def rule_set_changed(sender, instance: AchievementRuleSet, **kwargs) -> None:
    """A rule set's band labels are cached (``band_labels``); a change must show on the next page."""
    forget_band_labels(instance.pk)
