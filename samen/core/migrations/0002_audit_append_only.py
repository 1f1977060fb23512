"""Make the audit log append-only in the database itself, not only in Python."""

from django.db import migrations

from samen.core.migrations import _audit_guard


def forwards(apps, schema_editor):
    _audit_guard.install(schema_editor.connection)


def backwards(apps, schema_editor):
    _audit_guard.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
