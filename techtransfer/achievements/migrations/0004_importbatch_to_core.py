"""Import batches move to core (core.ImportBatch), which every app's imports share.

The rows are copied with one INSERT … SELECT into the table core's migration created, keeping their ids
(so the links to import result pages still work), times and reports; the unit becomes the batch's scope,
referenced as the audit trail references objects. Copying rather than renaming the table keeps the
migration graph pointing one way (achievements → core): core's own later migrations of the table can never
run before the table exists.
"""

from django.core.management.color import no_style
from django.db import migrations


def _columns(schema_editor, model, names):
    quote = schema_editor.quote_name
    return ", ".join(quote(model._meta.get_field(name).column) for name in names)


COMMON = ["id", "created", "updated", "kind", "by", "file_name", "sha256", "total_rows", "created_count",
          "unchanged_count", "error_count", "errors"]


def forwards(apps, schema_editor):
    old = apps.get_model("achievements", "ImportBatch")
    new = apps.get_model("core", "ImportBatch")
    organisation = apps.get_model("accounts", "Organisation")
    quote = schema_editor.quote_name
    label = organisation._meta.label_lower
    schema_editor.execute(
        f"INSERT INTO {quote(new._meta.db_table)} ({_columns(schema_editor, new, COMMON)}, "
        f"{_columns(schema_editor, new, ['scope_type', 'scope_id', 'scope_repr', 'mode'])}) "
        f"SELECT {', '.join('b.' + quote(old._meta.get_field(n).column) for n in COMMON)}, "
        f"CASE WHEN b.organisation_id IS NULL THEN '' ELSE %s END, "
        f"COALESCE(CAST(b.organisation_id AS varchar(64)), ''), COALESCE(o.name, ''), 'good_rows' "
        f"FROM {quote(old._meta.db_table)} b LEFT JOIN {quote(organisation._meta.db_table)} o "
        f"ON o.id = b.organisation_id",
        [label],
    )
    # New rows continue after the copied ids (PostgreSQL; SQLite's AUTOINCREMENT counter follows by itself).
    for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), [new]):
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    old = apps.get_model("achievements", "ImportBatch")
    new = apps.get_model("core", "ImportBatch")
    organisation = apps.get_model("accounts", "Organisation")
    quote = schema_editor.quote_name
    schema_editor.execute(
        f"INSERT INTO {quote(old._meta.db_table)} ({_columns(schema_editor, old, COMMON)}, organisation_id) "
        f"SELECT {', '.join('b.' + quote(new._meta.get_field(n).column) for n in COMMON)}, "
        f"CASE WHEN b.scope_type = %s THEN CAST(b.scope_id AS integer) END "
        f"FROM {quote(new._meta.db_table)} b",
        [organisation._meta.label_lower],
    )
    for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), [old]):
        schema_editor.execute(sql)
    new.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("achievements", "0003_contact_phone_validated"),
        ("accounts", "0002_initial"),
        ("core", "0004_importbatch"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="ImportBatch"),
    ]
