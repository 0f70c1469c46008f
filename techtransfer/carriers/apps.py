from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CarriersConfig(AppConfig):
    name = "techtransfer.carriers"
    label = "carriers"
    verbose_name = _("Transformation carriers")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from techtransfer.carriers.targets import targets_load

        # The plan's target is dated data loaded like the code tables, so that a flushed test database has it too.
        post_migrate.connect(lambda sender, **kwargs: targets_load(), sender=self, weak=False,
                             dispatch_uid="carriers_targets_load")
        # What carriers bring to the layers below: the workflow, the import format, audit labels, the review
        # queue and the operator's shortcut.
        from techtransfer.accounts.permissions import EDITOR_ROLES, is_moderator, org_ids
        from techtransfer.carriers import importing, selectors, workflows  # noqa: F401  (registers)
        from techtransfer.carriers.models import Carrier
        from techtransfer.core.audit import register_action_labels
        from techtransfer.core.workbench import Queue, Shortcut, register_queue, register_shortcut

        register_action_labels({
            "carrier.create": _("registered the carrier"),
            "carrier.update": _("edited the carrier"),
            "carrier.firm_create": _("added an incubated firm"),
            "carrier.firm_update": _("changed an incubated firm"),
            "carrier.firm_import": _("imported incubated firms"),
        })
        register_queue(
            Queue(
                key="carriers_to_review",
                label=_("Transformation carriers to review"),
                url_name="carriers:review_queue",
                works=is_moderator,
                count=lambda user: selectors.carrier_review_queue(user=user).count(),
                order=70,
            )
        )
        register_shortcut(
            Shortcut(
                key="carriers",
                label=_("Our transformation carriers"),
                url_name="carriers:mine",
                shows=lambda user: Carrier.objects.filter(owner_id__in=org_ids(user, EDITOR_ROLES)).exists(),
                order=70,
            )
        )
