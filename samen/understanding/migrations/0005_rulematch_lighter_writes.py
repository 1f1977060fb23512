"""Storing a rule match without per-row checks (ADR 0150): no foreign-key constraints on
``post`` and ``rule``, and on SQLite an id taken from the row id without ``AUTOINCREMENT``.
Django's cascade still removes a post's matches; ``actions.do_delete_rule`` removes a rule's
through the index (``on_delete`` only changes Django's side).

On SQLite each changed column copies the table. The index goes first and comes back last, so
it is built once, not kept up to date through every copy. PostgreSQL changes no table (it
drops two constraints) and keeps its index meanwhile. Going back deletes the matches whose
post or rule is gone (no page shows them), or the constraints could not be put back."""

import django.db.models.deletion
from django.db import migrations, models

import samen.understanding.models


class SQLiteOnly:
    """An operation whose database side runs on SQLite only; the model state changes on every
    database as usual."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "sqlite":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "sqlite":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class RemoveIndexOnSQLite(SQLiteOnly, migrations.RemoveIndex):
    """Without the index in the state, SQLite's table copies below do not build it each time."""


class AddIndexOnSQLite(SQLiteOnly, migrations.AddIndex):
    """The index back, built once; on PostgreSQL it never left."""


def delete_stray_matches(apps, schema_editor):
    RuleMatch = apps.get_model("understanding", "RuleMatch")
    Post = apps.get_model("sources", "Post")
    ListeningRule = apps.get_model("understanding", "ListeningRule")
    RuleMatch.objects.exclude(rule_id__in=ListeningRule.objects.values("pk")).delete()
    RuleMatch.objects.exclude(post_id__in=Post.objects.values("pk")).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("sources", "0003_author_identity"),
        ("understanding", "0004_rulematch_hour_index"),
    ]

    operations = [
        RemoveIndexOnSQLite(
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
        migrations.RunPython(migrations.RunPython.noop, delete_stray_matches, elidable=True),
        AddIndexOnSQLite(
            model_name="rulematch",
            index=models.Index(fields=["day", "hour", "rule", "matched_at"],
                               name="rulematch_day_hour_rule"),
        ),
    ]
