from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _repair_fulltext(sender: AppConfig, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    from techtransfer.search.backends import TABLE, get_backend

    connection = connections[using]
    if TABLE in connection.introspection.table_names():
        get_backend(connection).repair(connection)


class SearchConfig(AppConfig):
    name = "techtransfer.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        # A later migration that alters search_searchdocument on SQLite copies the table and loses the
        # full-text triggers; checking after every migrate puts them back.
        post_migrate.connect(_repair_fulltext, sender=self, dispatch_uid="search_repair_fulltext")
        if getattr(settings, "SEARCH_ENGINE", "database") == "tantivy":
            # The embedded engine keeps its own index: it follows every write through the job runner.
            from techtransfer.search.tasks import connect_signals

            connect_signals()
