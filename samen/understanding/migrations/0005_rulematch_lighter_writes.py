"""Storing a rule match without per-row checks (ADR 0150): no foreign-key constraints on
``post`` and ``rule``, and on SQLite an id taken from the row id without ``AUTOINCREMENT``.
Django's cascade still removes a post's matches; ``actions.do_delete_rule`` removes a rule's
through the index (``on_delete`` only changes Django's side). On SQLite each change copies
the table; the index goes first and comes back last, so it is built once, not kept up to date
through every copy."""

import django.db.models.deletion
from django.db import migrations, models

import samen.understanding.models


class Migration(migrations.Migration):

    dependencies = [
        ("sources", "0003_author_identity"),
        ("understanding", "0004_rulematch_hour_index"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="rulematch",
            name="rulematch_day_hour_rule",
        ),
        migrations.AlterField(
            model_name="rulematch",
            name="id",
            field=samen.understanding.models.RowIdField(primary_key=True, serialize=False,
                                                        verbose_name="ID"),
        ),
        migrations.AlterField(
            model_name="rulematch",
            name="post",
            field=models.ForeignKey(db_constraint=False, db_index=False,
                                    on_delete=django.db.models.deletion.CASCADE,
                                    related_name="+", to="sources.post"),
        ),
        migrations.AlterField(
            model_name="rulematch",
            name="rule",
            field=models.ForeignKey(db_constraint=False, db_index=False,
                                    on_delete=django.db.models.deletion.DO_NOTHING,
                                    related_name="matches", to="understanding.listeningrule"),
        ),
        migrations.AddIndex(
            model_name="rulematch",
            index=models.Index(fields=["day", "hour", "rule", "matched_at"],
                               name="rulematch_day_hour_rule"),
        ),
    ]
