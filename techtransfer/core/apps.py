from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _load_code_tables(sender: AppConfig, **kwargs: Any) -> None:
    from techtransfer.core.codetables import code_tables_load_all

    code_tables_load_all()


class CoreConfig(AppConfig):
    name = "techtransfer.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Code tables ship with the code, so every database (tests included) has the current versions.
        post_migrate.connect(_load_code_tables, sender=self, dispatch_uid="core_load_code_tables")
