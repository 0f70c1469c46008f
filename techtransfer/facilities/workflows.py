"""The facility listing and booking workflow tables (facilities.choices) bound to their models, roles and services."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.permissions import OWNER_VERIFIED
from techtransfer.core.workflow import Workflow, register
from techtransfer.facilities.choices import BOOKING_STEPS, FACILITY_STEPS, BookingStatus, FacilityStatus
from techtransfer.facilities.models import Booking, BookingStatusChange, Facility, FacilityStatusChange
from techtransfer.facilities.permissions import BOOKER, FACILITY_MODERATOR, MANAGER, PROVIDER

FACILITY_FLOW = register(
    Workflow(
        kind="facility",
        label=_("shared facility"),
        model=Facility,
        history=FacilityStatusChange,
        states=FacilityStatus,
        steps=FACILITY_STEPS,
        roles={"manager": MANAGER, "moderator": FACILITY_MODERATOR},
        conditions={"verified": OWNER_VERIFIED},
        get_record="techtransfer.facilities.selectors.facility_get",
        detail_url=lambda facility: reverse("facilities:detail", args=[facility.pk]),
        services={name: f"techtransfer.facilities.services.facility_{name}" for name in ("publish", "unpublish")},
        insider="techtransfer.facilities.permissions.is_facility_insider",
    )
)

BOOKING_FLOW = register(
    Workflow(
        kind="booking",
        label=_("facility booking"),
        model=Booking,
        history=BookingStatusChange,
        states=BookingStatus,
        steps=BOOKING_STEPS,
        roles={"booker": BOOKER, "provider": PROVIDER},
        get_record="techtransfer.facilities.selectors.booking_get",
        detail_url=lambda booking: reverse("facilities:booking", args=[booking.pk]),
        services={
            name: f"techtransfer.facilities.services.booking_{name}" for name in ("confirm", "decline", "cancel")
        },
    )
)
