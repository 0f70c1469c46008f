from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvestmentConfig(AppConfig):
    name = "techtransfer.investment"
    label = "investment"
    verbose_name = _("Investment matching")

    def ready(self) -> None:
        # What investment matching brings to the layers below: its workflows and audit labels.
        from techtransfer.core.audit import register_action_labels
        from techtransfer.investment import workflows  # noqa: F401  (registers)

        register_action_labels({
            "investor.create": _("listed an investor profile"),
            "investor.update": _("edited the investor profile"),
            "funding_project.create": _("created a funding project"),
            "funding_project.update": _("edited the funding project"),
        })
