"""The default rule set and the eligibility note of two health services were named in developer terms ("Bawaan
formula.md", "sex P is certain; …"); users see both, so they get Indonesian wording (issue 12)."""

from django.db import migrations

RULE_SET_LABELS = ("Bawaan formula.md (Permendagri 59/2021)", "Aturan bawaan Permendagri 59/2021")
ELIGIBILITY_NOTES = (
    "sex P is certain; the age band is conventional",
    "Jenis kelamin P (perempuan) pasti; rentang usia 10–55 tahun hanya kelaziman, di luar rentang itu diberi "
    "peringatan, tidak ditolak.",
)


def _rename(apps, old_label: str, new_label: str, old_note: str, new_note: str) -> None:
    apps.get_model("reporting", "AchievementRuleSet").objects.filter(label=old_label).update(label=new_label)
    apps.get_model("spm", "BasicService").objects.filter(eligibility_note=old_note).update(eligibility_note=new_note)


def forwards(apps, schema_editor):
    _rename(apps, *RULE_SET_LABELS, *ELIGIBILITY_NOTES)


def backwards(apps, schema_editor):
    _rename(apps, RULE_SET_LABELS[1], RULE_SET_LABELS[0], ELIGIBILITY_NOTES[1], ELIGIBILITY_NOTES[0])


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0005_add_import_heartbeat"),
        ("spm", "0003_add_pending_task"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
