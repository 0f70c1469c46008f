from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VouchersConfig(AppConfig):
    name = "techtransfer.vouchers"
    label = "vouchers"
    verbose_name = _("Innovation vouchers")

    def ready(self) -> None:
        # A booking paid with a voucher that is declined or cancelled gives the voucher back (same transaction).
        from techtransfer.core.audit import register_action_labels
        from techtransfer.facilities.signals import booking_released
        from techtransfer.vouchers import services, workflows  # noqa: F401  (registers the voucher workflow)

        booking_released.connect(services.on_booking_released, dispatch_uid="vouchers.release_on_booking")
        register_action_labels(
            {
                "voucher_programme.create": _("set up the voucher programme"),
                "voucher_programme.update": _("changed the voucher programme"),
                "voucher_provider.add": _("listed a provider"),
                "voucher_provider.update": _("changed a provider's listing"),
            }
        )
        from techtransfer.vouchers import setup  # noqa: F401  (queues, shortcuts, panels)
