"""Rule matches filed by day: a ``day`` column (the UTC date of ``matched_at``) leads the index
that served "posts of a rule", so that storing a batch's matches writes into today's part of
it only (ADR 0147). Existing matches get their day from ``matched_at``."""

from datetime import UTC

from django.db import migrations, models
from django.db.models.functions import TruncDate


def fill_days(apps, schema_editor):
    RuleMatch = apps.get_model("understanding", "RuleMatch")
    RuleMatch.objects.filter(day__isnull=True).update(
        day=TruncDate("matched_at", tzinfo=UTC))


class Migration(migrations.Migration):

    dependencies = [
        ("understanding", "0002_rulematch_no_single_column_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="rulematch",
            name="day",
            field=models.DateField(null=True),
        ),
        migrations.RunPython(fill_days, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="rulematch",
            name="day",
            field=models.DateField(),
        ),
        migrations.RemoveIndex(
            model_name="rulematch",
            name="rulematch_rule_time",
        ),
        migrations.AddIndex(
            model_name="rulematch",
            index=models.Index(fields=["day", "rule", "matched_at"],
                               name="rulematch_day_rule_time"),
        ),
    ]
