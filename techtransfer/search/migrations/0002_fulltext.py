"""The full-text structures over search_searchdocument, which depend on the database vendor.

SQLite: an FTS5 external-content table and the triggers that keep it in sync. PostgreSQL: a generated,
weighted tsvector column with a GIN index. See techtransfer/search/backends/.
"""

from django.db import migrations


def install(apps, schema_editor):
    from techtransfer.search.backends import get_backend

    get_backend(schema_editor.connection).install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from techtransfer.search.backends import get_backend

    get_backend(schema_editor.connection).uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_search_document")]

    operations = [migrations.RunPython(install, uninstall)]
