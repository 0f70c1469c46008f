"""Kinds and states of shared facilities (首都科技条件平台, 中试基地) and their bookings, and both workflow tables."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from techtransfer.core.workflow import INITIAL, Reason, Step


class FacilityKind(models.TextChoices):
    INSTRUMENT = "instrument", _("Research instrument")
    PILOT_LINE = "pilot_line", _("Pilot / scale-up line")
    TEST_PLATFORM = "test_platform", _("Testing platform")


class FacilityStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    UNPUBLISHED = "unpublished", _("Unpublished")


class BookingStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the provider")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Used")


# Bookings that hold their time range: no other booking of the same facility may overlap one of these.
HOLDING_STATUSES = (BookingStatus.PENDING, BookingStatus.CONFIRMED)
# Bookings that count as booked hours in the open-sharing statistics.
BOOKED_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.COMPLETED)

# The facility's listing. Roles: manager (the owning unit's TTO officer / organisation admin), moderator
# (commission administrators and the region's reviewers, who may take a listing down).
FACILITY_STEPS = (
    Step(
        "publish",
        (FacilityStatus.DRAFT, FacilityStatus.UNPUBLISHED),
        FacilityStatus.PUBLISHED,
        who=("manager",),
        when=("verified",),
        label=_("Publish"),
        help=_("List the facility on the public platform so that users can book it."),
        done=_("Published: the facility is listed and can be booked."),
        audit_label=_("published the facility"),
    ),
    Step(
        "unpublish",
        FacilityStatus.PUBLISHED,
        FacilityStatus.UNPUBLISHED,
        who=("manager", "moderator"),
        label=_("Unpublish"),
        help=_("Take the facility off the public list; existing bookings stay as they are."),
        reason=Reason.OPTIONAL,
        done=_("Unpublished: the facility is no longer listed."),
        audit_label=_("unpublished the facility"),
        notify=("manager",),
        notice=_("%(actor)s took the facility “%(title)s” off the public list."),
        style="secondary",
    ),
)

# A booking. Roles: booker (the person who booked and the editors of their unit), provider (the facility's
# managers). "request" is taken by the booking form, "record_usage" by its own form (hours and fee).
BOOKING_STEPS = (
    Step(
        "request",
        INITIAL,
        BookingStatus.PENDING,
        who=("booker",),
        own_page=True,
        label=_("Book"),
        audit_label=_("booked the facility"),
        notify=("provider",),
        notice=_("%(actor)s asked to book “%(title)s”."),
    ),
    Step(
        "confirm",
        BookingStatus.PENDING,
        BookingStatus.CONFIRMED,
        who=("provider",),
        label=_("Confirm the booking"),
        help=_("The provider confirms the time range for the user."),
        done=_("Confirmed: the user has been told."),
        audit_label=_("confirmed the booking"),
        notify=("booker",),
        notice=_("%(actor)s confirmed your booking “%(title)s”."),
    ),
    Step(
        "decline",
        (BookingStatus.PENDING, BookingStatus.CONFIRMED),
        BookingStatus.DECLINED,
        who=("provider",),
        label=_("Decline"),
        help=_("The provider declines the booking, saying why."),
        reason=Reason.REQUIRED,
        reason_label=_("Why the booking is declined"),
        reason_missing=_("Say why the booking is declined; the user reads it."),
        done=_("Declined: the user has been told why."),
        audit_label=_("declined the booking"),
        notify=("booker",),
        notice=_("%(actor)s declined your booking “%(title)s”."),
        style="contrast",
    ),
    Step(
        "cancel",
        (BookingStatus.PENDING, BookingStatus.CONFIRMED),
        BookingStatus.CANCELLED,
        who=("booker",),
        label=_("Cancel the booking"),
        help=_("The user withdraws the booking; the time range becomes free again."),
        reason=Reason.OPTIONAL,
        irreversible=True,
        confirm=_("Cancel this booking? The time range becomes free for others."),
        done=_("The booking is cancelled."),
        audit_label=_("cancelled the booking"),
        notify=("provider",),
        notice=_("%(actor)s cancelled the booking “%(title)s”."),
        style="secondary",
    ),
    Step(
        "record_usage",
        BookingStatus.CONFIRMED,
        BookingStatus.COMPLETED,
        who=("provider",),
        own_page=True,
        label=_("Record the usage"),
        help=_("After the session: the hours used and the fee charged."),
        audit_label=_("recorded the usage"),
        notify=("booker",),
        notice=_("%(actor)s recorded the usage of “%(title)s”."),
    ),
)
