from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "techtransfer.stats"
    label = "stats"
    verbose_name = _("Market statistics")

    def ready(self) -> None:
        # A registered contract refreshes its month of the statistics store (a job after commit).
        from techtransfer.contracts.signals import contracts_changed
        from techtransfer.core.workflow import step_taken
        from techtransfer.stats.engine import on_contracts_changed, on_step_taken

        step_taken.connect(on_step_taken, dispatch_uid="stats.refresh_on_register")
        # Contracts imported or generated in bulk refresh their months.
        contracts_changed.connect(on_contracts_changed, dispatch_uid="stats.refresh_on_bulk_change")
