from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchmakingConfig(AppConfig):
    name = "techtransfer.matchmaking"
    label = "matchmaking"
    verbose_name = _("Matchmaking")

    def ready(self) -> None:
        # What this app brings to the layers below: its workflow, audit labels and the queue of requests
        # waiting for the user.
        from techtransfer.core.audit import register_action_labels
        from techtransfer.core.workbench import Queue, register_queue
        from techtransfer.matchmaking import permissions, selectors, workflows  # noqa: F401  (registers)

        register_action_labels(
            {
                "contact_request.note": _("added a note"),
                "contact_request.link_contract": _("linked the technology contract"),
                "contact_request.demand_not_marked": _("the demand could not be marked as matched"),
            }
        )
        register_queue(
            Queue(
                key="contact_requests_waiting",
                label=_("Contact requests waiting for you"),
                url_name="matchmaking:list",
                query="waiting=1",
                works=lambda user: bool(permissions.acting_org_ids(user)),
                count=lambda user: selectors.contact_request_list(user=user, waiting=True).count(),
                order=40,
            )
        )
