from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketConfig(AppConfig):
    name = "techtransfer.market"
    label = "market"
    verbose_name = _("Technology market")

    def ready(self) -> None:
        # What the market brings to the layers below: its workflow, audit labels and moderation queue.
        from techtransfer.accounts.permissions import is_moderator
        from techtransfer.core.audit import register_action_labels
        from techtransfer.core.workbench import Queue, register_queue
        from techtransfer.market import selectors, workflows  # noqa: F401  (registers the demand workflow)

        register_action_labels({"demand.create": _("created the demand"), "demand.update": _("edited the demand")})
        register_queue(
            Queue(
                key="demands_to_moderate",
                label=_("Technology demands to moderate"),
                url_name="market:review_queue",
                works=is_moderator,
                count=lambda user: selectors.demand_review_queue(user=user).count(),
                order=20,
            )
        )
