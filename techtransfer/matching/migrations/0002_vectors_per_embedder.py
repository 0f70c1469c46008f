"""One vector per document *and embedder*: the vectors of another embedder can be prepared beside the ones in
use (an embedder change no longer empties the semantic side until everything is embedded again).

The table is rebuilt: a new one is created, the rows are copied over in one INSERT … SELECT, the old one goes
and the new one takes its name."""

import django.db.models.deletion
from django.db import migrations, models


COLUMNS = "document_id, kind, embedder, text_hash, vector, source_updated, embedded_at"


def _tables(apps, schema_editor):  # type: ignore[no-untyped-def]
    quote = schema_editor.quote_name
    return tuple(
        quote(apps.get_model("matching", name)._meta.db_table) for name in ("DocumentVector", "EmbedderVector")
    )


def copy_rows(apps, schema_editor):  # type: ignore[no-untyped-def]
    one_per_document, per_embedder = _tables(apps, schema_editor)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {per_embedder} ({COLUMNS}) SELECT {COLUMNS} FROM {one_per_document}")


def copy_rows_back(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Back to one vector per document: its newest row."""
    one_per_document, per_embedder = _tables(apps, schema_editor)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {one_per_document} ({COLUMNS}) SELECT {COLUMNS} FROM {per_embedder} WHERE id IN "
            f"(SELECT MAX(id) FROM {per_embedder} GROUP BY document_id)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0001_vectors_experts"),
        ("search", "0002_fulltext"),
    ]

    operations = [
        migrations.CreateModel(
            name="EmbedderVector",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "document",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="vectors",
                        to="search.searchdocument",
                    ),
                ),
                ("kind", models.CharField(max_length=32, verbose_name="kind")),
                ("embedder", models.CharField(max_length=16, verbose_name="embedder")),
                ("text_hash", models.CharField(max_length=32, verbose_name="text hash")),
                ("vector", models.BinaryField(verbose_name="vector")),
                ("source_updated", models.DateTimeField(verbose_name="source version")),
                ("embedded_at", models.DateTimeField(auto_now=True, verbose_name="embedded at")),
            ],
            options={
                "verbose_name": "document vector",
                "verbose_name_plural": "document vectors",
                "indexes": [
                    models.Index(fields=["kind", "embedder", "embedded_at"], name="docvector_kind_embedder_at")
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("document", "embedder"), name="docvector_one_per_embedder")
                ],
            },
        ),
        migrations.RunPython(copy_rows, copy_rows_back),
        migrations.DeleteModel(name="DocumentVector"),
        migrations.RenameModel(old_name="EmbedderVector", new_name="DocumentVector"),
    ]
