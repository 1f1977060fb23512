"""Rule matches filed by day and hour: an ``hour`` column (the UTC hour of ``matched_at``)
follows the day in the index, so that storing a batch's matches writes into the current
hour's part only, not across the whole day's part (ADR 0149). Existing matches get their hour
from ``matched_at``."""

from datetime import UTC

from django.db import migrations, models
from django.db.models.functions import ExtractHour


def fill_hours(apps, schema_editor):
    RuleMatch = apps.get_model("understanding", "RuleMatch")
    RuleMatch.objects.filter(hour__isnull=True).update(
        hour=ExtractHour("matched_at", tzinfo=UTC))


class Migration(migrations.Migration):

    dependencies = [
        ("understanding", "0003_rulematch_day_index"),
    ]

    # The old index goes first: the fill and (on SQLite) the table copy of AlterField would
    # otherwise keep it up to date only to drop it.
    operations = [
        migrations.RemoveIndex(
            model_name="rulematch",
            name="rulematch_day_rule_time",
        ),
        migrations.AddField(
            model_name="rulematch",
            name="hour",
            field=models.PositiveSmallIntegerField(null=True),
        ),
        migrations.RunPython(fill_hours, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="rulematch",
            name="hour",
            field=models.PositiveSmallIntegerField(),
        ),
        migrations.AddIndex(
            model_name="rulematch",
            index=models.Index(fields=["day", "hour", "rule", "matched_at"],
                               name="rulematch_day_hour_rule"),
        ),
    ]
