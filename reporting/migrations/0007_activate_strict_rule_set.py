"""Close the zero-mutu loophole in deployments still on the first reading of the IP-SPM rules.

If the active rule set is the untouched first default (version 2021.1), add version 2026.1 (the same values
with mutu required to be declared, each component capped at its requirement) and make it active. A rule set
an admin chose is left as it is. Figures already stored keep naming the version that produced them.
"""

from django.db import migrations

OLD, NEW = "2021.1", "2026.1"
NEW_LABEL = "Aturan bawaan Permendagri 59/2021, mutu wajib dinyatakan"
STRICT = {"quality_declaration": "strict", "quality_not_applicable": "exclude", "cap_each_component": True}


def forwards(apps, schema_editor):
    RuleSet = apps.get_model("reporting", "AchievementRuleSet")
    active = RuleSet.objects.filter(is_active=True, version=OLD).first()
    if active is None or RuleSet.objects.filter(version=NEW).exists():
        return
    rules = {**active.rules, **STRICT, "version": NEW, "label": NEW_LABEL}
    active.is_active = False
    active.save(update_fields=["is_active"])
    RuleSet.objects.create(version=NEW, label=NEW_LABEL, rules=rules, is_active=True)


def backwards(apps, schema_editor):
    RuleSet = apps.get_model("reporting", "AchievementRuleSet")
    new = RuleSet.objects.filter(version=NEW, is_active=True).first()
    old = RuleSet.objects.filter(version=OLD).first()
    if new is None or old is None:
        return
    new.is_active = False
    new.save(update_fields=["is_active"])
    old.is_active = True
    old.save(update_fields=["is_active"])


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0006_quality_entry_not_applicable"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
