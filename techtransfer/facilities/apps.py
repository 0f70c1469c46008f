from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitiesConfig(AppConfig):
    name = "techtransfer.facilities"
    label = "facilities"
    verbose_name = _("Shared instruments and pilot platforms")

    def ready(self) -> None:
        # What the app brings to the layers below: its workflows, audit labels, workbench queue and shortcuts.
        from techtransfer.core.audit import register_action_labels
        from techtransfer.core.workbench import Queue, Shortcut, register_queue, register_shortcut
        from techtransfer.facilities import permissions, selectors, workflows  # noqa: F401  (registers the flows)

        register_action_labels(
            {"facility.create": _("listed the facility"), "facility.update": _("edited the facility")}
        )
        register_queue(
            Queue(
                key="facility_bookings",
                label=_("Facility bookings to confirm"),
                url_name="facilities:bookings",
                query="side=provider&status=pending",
                works=lambda user: selectors.manages_facilities(user=user),
                count=lambda user: selectors.provider_waiting_count(user=user),
                help=_("Bookings of your unit's shared instruments and pilot lines waiting for your answer."),
                order=60,
            )
        )
        for shortcut in (
            Shortcut(key="facilities_mine", label=_("Our shared facilities"), url_name="facilities:mine",
                     shows=lambda user: bool(permissions.managed_ids(user)), order=60),
            Shortcut(key="facility_sharing", label=_("Open-sharing statistics"), url_name="facilities:sharing",
                     shows=lambda user: selectors.manages_facilities(user=user), order=61),
            Shortcut(key="facility_bookings_mine", label=_("My facility bookings"), url_name="facilities:bookings",
                     shows=permissions.can_book, order=62),
        ):
            register_shortcut(shortcut)
