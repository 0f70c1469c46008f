"""Make the audit trail append-only in the database itself, not only in the ORM."""

from typing import Any

from django.db import migrations

from techtransfer.core.audit_guard import audit_guard_off, audit_guard_on


def forwards(apps: Any, schema_editor: Any) -> None:
    audit_guard_on(schema_editor.connection)


def backwards(apps: Any, schema_editor: Any) -> None:
    audit_guard_off(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
