from typing import Any

from django.apps import AppConfig
from django.db import connection
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


def _load_code_tables(sender: AppConfig, **kwargs: Any) -> None:
    from techtransfer.core.codetables import code_tables_load_all

    code_tables_load_all()


def _load_calendar(sender: AppConfig, **kwargs: Any) -> None:
    from techtransfer.core.calendar import calendar_load
    from techtransfer.core.models import CalendarDay

    # Not after `migrate core` back to before the table existed.
    if CalendarDay._meta.db_table in connection.introspection.table_names():
        calendar_load()


class CoreConfig(AppConfig):
    name = "techtransfer.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Code tables ship with the code, so every database (tests included) has the current versions.
        post_migrate.connect(_load_code_tables, sender=self, dispatch_uid="core_load_code_tables")
        # Likewise the public holidays of the working-day calendar; an administrator's edit takes effect at once.
        from techtransfer.core.calendar import calendar_cache_clear
        from techtransfer.core.models import CalendarDay

        post_migrate.connect(_load_calendar, sender=self, dispatch_uid="core_load_calendar")
        post_save.connect(calendar_cache_clear, sender=CalendarDay, dispatch_uid="core_calendar_saved")
        post_delete.connect(calendar_cache_clear, sender=CalendarDay, dispatch_uid="core_calendar_deleted")
