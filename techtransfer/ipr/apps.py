from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IprConfig(AppConfig):
    name = "techtransfer.ipr"
    label = "ipr"
    verbose_name = _("IP services")

    def ready(self) -> None:
        # What IP records bring to the layers below: the workflow, the import format, audit labels, the
        # workbench's fee queue and shortcut.
        from techtransfer.core.audit import register_action_labels
        from techtransfer.core.workbench import Queue, Shortcut, register_queue, register_shortcut
        from techtransfer.ipr import importing, permissions, selectors, workflows  # noqa: F401  (registers)

        register_action_labels({
            "ip_record.create": _("recorded the IP right"),
            "ip_record.update": _("edited the IP record"),
            "ip_record.links": _("changed what the IP record is linked to"),
            "ip_record.fee_add": _("recorded a fee of the IP right"),
            "ip_record.fee_pay": _("recorded a fee payment of the IP right"),
            "ip_record.import": _("imported IP records"),
        })
        register_queue(
            Queue(
                key="ip_fees_due",
                label=_("IP fees due within 90 days"),
                url_name="ipr:fees",
                works=lambda user: bool(permissions.managed_units(user)),
                count=lambda user: selectors.ip_fees_due(user=user).count(),
                order=60,
            )
        )
        register_shortcut(
            Shortcut(
                key="ip_records",
                label=_("The unit's IP records"),
                url_name="ipr:mine",
                shows=lambda user: bool(permissions.managed_units(user)),
                order=60,
            )
        )
