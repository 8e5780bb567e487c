"""Band labels of a rule set (Tuntas Paripurna … Belum Tuntas) are read once per process for a few seconds, not once
per row from the shared cache, and a changed rule set shows its new labels on the next read."""

from __future__ import annotations

import pytest

from reporting.achievements import formula
from reporting.models import AchievementRuleSet
from reporting.models import achievements as achievement_models

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule_set():
    rules = formula.DEFAULT_RULES.to_dict()
    return AchievementRuleSet.objects.create(version="uji-label", label="Uji", rules=rules, is_active=False)


def test_a_page_of_rows_asks_the_shared_cache_once(rule_set, monkeypatch):
    asked = []
    real_get = achievement_models.cache.get
    monkeypatch.setattr(achievement_models.cache, "get", lambda key, *a: asked.append(key) or real_get(key, *a))
    labels = [achievement_models.band_labels(rule_set.pk) for _row in range(50)]
    assert len(asked) == 1
    assert labels[0] == labels[-1] and labels[0]


def test_a_changed_rule_set_shows_its_new_labels_at_once(rule_set):
    code = rule_set.rules["bands"][0][1]
    before = achievement_models.band_labels(rule_set.pk)[code]
    rules = rule_set.rules
    rules["bands"][0][2] = "Label baru"
    rule_set.rules = rules
    rule_set.save()
    assert before != "Label baru"
    assert achievement_models.band_labels(rule_set.pk)[code] == "Label baru"
