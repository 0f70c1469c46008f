"""Writes to shared facilities and their bookings: listing (create, edit, opening hours, publish), booking
(request, confirm, decline, cancel) and the usage recorded afterwards.

No double booking: every booking of a facility is made while holding the facility's row lock
(`SELECT … FOR UPDATE`), and the overlap check runs under that lock, so two people asking for the same time
at the same moment are served one after the other and the second is told the time is taken. (A PostgreSQL
exclusion constraint would say the same in the database, but only on PostgreSQL; the row lock holds on both.)

Every service checks permission (403), state (409) and content (400) in that order, writes history and
audit, and queues the search index update on commit.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techtransfer.accounts.models import Organisation, User
from techtransfer.accounts.permissions import EDITOR_ROLES, org_ids, require_verified
from techtransfer.accounts.services import user_require_confirmed
from techtransfer.core.audit import audit_record, diff, snapshot
from techtransfer.core.codetables import code_table_key
from techtransfer.core.exceptions import ApplicationError, ErrorCollector
from techtransfer.core.workflow import INITIAL, transition
from techtransfer.facilities import permissions as perms
from techtransfer.facilities.choices import HOLDING_STATUSES, BookingStatus, FacilityStatus
from techtransfer.facilities.models import Booking, Facility, OpeningHours
from techtransfer.facilities.signals import booking_released
from techtransfer.facilities.tasks import enqueue_reindex
from techtransfer.facilities.workflows import BOOKING_FLOW, FACILITY_FLOW
from techtransfer.lib.validators import NOTE_MAX_LENGTH

# Fields the unit fills on the listing form, in form order.
FORM_FIELDS = [
    "name",
    "name_en",
    "kind",
    "field",
    "specifications",
    "model_number",
    "maker",
    "address",
    "district",
    "fee_inside",
    "fee_outside",
    "sharing_rules",
    "contact_name",
    "contact_phone",
    "contact_email",
]
CODE_FIELDS = {"field": "high_tech_field", "district": "region"}
REQUIRED_TO_PUBLISH = ["name", "kind", "field", "district", "address", "contact_name"]
# How far ahead a booking may be made (a practical limit, not a rule of the platform's regulation).
BOOKING_HORIZON_DAYS = 366
HOUR = Decimal(3600)
CENT = Decimal("0.01")

NOT_A_MEMBER = gettext_lazy("Only members of an organisation can book a facility; join your unit first.")
NOT_YOUR_UNIT = gettext_lazy("You can book only for an organisation you belong to.")
NOT_OPEN = gettext_lazy("This facility is not open for booking: it is not published.")
SLOT_TAKEN = gettext_lazy(
    "This time overlaps another booking of the facility (waiting or confirmed); choose another time."
)
START_MISSING = gettext_lazy("Give the start of the booking.")
END_MISSING = gettext_lazy("Give the end of the booking.")
END_BEFORE_START = gettext_lazy("The end must be after the start.")
START_PASSED = gettext_lazy("The booking must start in the future.")
TOO_FAR_AHEAD = gettext_lazy("A booking can be made at most %(days)d days ahead.")
NO_OPENING_HOURS = gettext_lazy("The facility has no opening hours yet; its unit must set them before it is booked.")
OUTSIDE_HOURS = gettext_lazy(
    "The time is outside the opening hours; on %(weekday)s the facility is open %(hours)s."
)
CLOSED_THAT_DAY = gettext_lazy("The facility is closed on %(weekday)s.")
ONE_DAY_ONLY = gettext_lazy("A booking lies within one day's opening hours; book each day separately.")
USAGE_TOO_EARLY = gettext_lazy("The usage can be recorded once the booked time has begun.")
HOURS_RANGE = gettext_lazy("Give the hours used: more than 0 and at most the %(hours)s hours booked.")
FEE_NEGATIVE = gettext_lazy("The fee cannot be negative.")
HOURS_ORDER = gettext_lazy("%(weekday)s: the closing time must be after the opening time.")
HOURS_OVERLAP = gettext_lazy("%(weekday)s: the opening windows overlap.")
PURPOSE_TOO_LONG = gettext_lazy("At most %(n)d characters.")
FILL_TO_PUBLISH = gettext_lazy("Fill in the %(field)s before the facility is published.")
HOURS_TO_PUBLISH = gettext_lazy("Set the opening hours before the facility is published.")


@dataclass(frozen=True)
class Window:
    """One opening window of a weekday (0 = Monday), as the forms and the API give it."""

    weekday: int
    opens: datetime.time
    closes: datetime.time


# ---- the listing


def _locked(facility: Facility) -> Facility:
    return Facility.objects.select_for_update(of=("self",)).select_related("owner__region").get(pk=facility.pk)


def _apply(facility: Facility, data: dict[str, Any]) -> None:
    for name, value in data.items():
        if name not in FORM_FIELDS:
            raise ValidationError({name: [_("This field cannot be set here.")]})
        if isinstance(value, str):
            value = value.strip()
        setattr(facility, name, value)


def _clean(facility: Facility) -> None:
    errors: dict[str, list[str]] = {}
    for name, table in CODE_FIELDS.items():
        item = getattr(facility, name)
        if item is not None and code_table_key(item.table_id) != table:
            errors.setdefault(name, []).append(_("This value belongs to another code table."))
    try:
        facility.full_clean(exclude=["owner", "created_by", *CODE_FIELDS], validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _weekday_label(weekday: int) -> str:
    from techtransfer.facilities.models import WEEKDAYS

    return str(dict(WEEKDAYS).get(weekday, weekday))


def _check_windows(windows: Iterable[Window]) -> list[Window]:
    windows = sorted(windows, key=lambda w: (w.weekday, w.opens))
    errors: list[str] = []
    for i, window in enumerate(windows):
        if not 0 <= window.weekday <= 6:
            errors.append(_("A weekday is a number from 0 (Monday) to 6 (Sunday)."))
            continue
        if window.opens >= window.closes:
            errors.append(str(HOURS_ORDER) % {"weekday": _weekday_label(window.weekday)})
        if i and windows[i - 1].weekday == window.weekday and windows[i - 1].closes > window.opens:
            errors.append(str(HOURS_OVERLAP) % {"weekday": _weekday_label(window.weekday)})
    if errors:
        raise ValidationError({"opening_hours": errors})
    return windows


def _set_windows(facility: Facility, windows: list[Window]) -> list[str]:
    facility.opening_hours.all().delete()
    OpeningHours.objects.bulk_create(
        OpeningHours(facility=facility, weekday=w.weekday, opens=w.opens, closes=w.closes) for w in windows
    )
    return [f"{w.weekday}:{w.opens:%H:%M}-{w.closes:%H:%M}" for w in windows]


def facility_validate(*, data: dict[str, Any], opening_hours: Iterable[Window] | None = None) -> None:
    """Every content check of `facility_create` / `facility_update` on `data`, without saving (the form page
    shows all problems at once)."""
    errors = ErrorCollector()
    target = Facility()
    with errors.collect():
        _apply(target, data)
        _clean(target)
    if opening_hours is not None:
        with errors.collect():
            _check_windows(opening_hours)
    errors.raise_if_any()


@transaction.atomic
def facility_create(
    *, by: User, owner: Organisation, data: dict[str, Any], opening_hours: Iterable[Window] | None = None
) -> Facility:
    """List a new facility of `owner` as a draft (its TTO officer / organisation admin does)."""
    user_require_confirmed(by)
    if not perms.manages(by, owner.pk):
        raise PermissionDenied(perms.NOT_A_MANAGER)
    facility = Facility(owner=owner, created_by=by)
    errors = ErrorCollector()
    with errors.collect():
        _apply(facility, data)
        _clean(facility)
    windows: list[Window] = []
    with errors.collect():
        windows = _check_windows(opening_hours or [])
    errors.raise_if_any()
    facility.save()
    changes = snapshot(facility, FORM_FIELDS)
    changes["opening_hours"] = _set_windows(facility, windows)
    audit_record(actor=by, action="facility.create", obj=facility, changes=changes)
    enqueue_reindex(facility.pk)
    return facility


@transaction.atomic
def facility_update(
    *, facility: Facility, by: User, data: dict[str, Any], opening_hours: Iterable[Window] | None = None
) -> Facility:
    """Edit the listing (fees, rules, hours...) in any state; bookings already made keep their rate."""
    facility = _locked(facility)
    if not perms.can_edit_facility(by, facility):
        raise PermissionDenied(perms.NOT_A_MANAGER)
    before = snapshot(facility, FORM_FIELDS)
    errors = ErrorCollector()
    with errors.collect():
        _apply(facility, data)
        _clean(facility)
    windows: list[Window] | None = None
    if opening_hours is not None:
        with errors.collect():
            windows = _check_windows(opening_hours)
    errors.raise_if_any()
    facility.save()
    changes = diff(before, snapshot(facility, FORM_FIELDS))
    if windows is not None:
        old = [f"{w.weekday}:{w.opens:%H:%M}-{w.closes:%H:%M}" for w in facility.opening_hours.all()]
        new = _set_windows(facility, windows)
        if old != new:
            changes["opening_hours"] = [old, new]
    audit_record(actor=by, action="facility.update", obj=facility, changes=changes)
    enqueue_reindex(facility.pk)
    return facility


def publication_problems(facility: Facility) -> dict[str, list[str]]:
    """What stops the facility from being published, by field (empty when it may be)."""
    problems: dict[str, list[str]] = {}
    for name in REQUIRED_TO_PUBLISH:
        if getattr(facility, name) in (None, ""):
            field = Facility._meta.get_field(name)
            assert isinstance(field, models.Field)  # the facility's own fields, not reverse relations
            problems[name] = [str(FILL_TO_PUBLISH) % {"field": field.verbose_name}]
    if not facility.opening_hours.exists():
        problems["opening_hours"] = [str(HOURS_TO_PUBLISH)]
    return problems


@transaction.atomic
def facility_publish(*, facility: Facility, by: User) -> Facility:
    """List the facility publicly: it can be found and booked."""
    facility = _locked(facility)
    FACILITY_FLOW.check(facility, "publish", by)
    problems = publication_problems(facility)
    if problems:
        raise ValidationError(problems)
    transition(facility, "publish", by=by)
    facility.published_at = timezone.now()
    facility.save()
    enqueue_reindex(facility.pk)
    return facility


@transaction.atomic
def facility_unpublish(*, facility: Facility, by: User, reason: str = "") -> Facility:
    """Take the facility off the public list (its unit, or a moderator)."""
    facility = _locked(facility)
    transition(facility, "unpublish", by=by, reason=reason)
    facility.save()
    enqueue_reindex(facility.pk)
    return facility


# ---- bookings


def _booking_locked(booking: Booking) -> Booking:
    # The booking row only: the facility row is the lock of new bookings (booking_create).
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("facility__owner", "organisation", "booked_by")
        .get(pk=booking.pk)
    )


def _local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment)


def _window_text(windows: list[OpeningHours]) -> str:
    return ", ".join(f"{w.opens:%H:%M}–{w.closes:%H:%M}" for w in windows)


def booking_problems(
    *, facility: Facility, start: datetime.datetime | None, end: datetime.datetime | None,
    purpose: str = "", now: datetime.datetime | None = None,
) -> dict[str, list[str]]:
    """What is wrong with the time range (and purpose) asked for, by field: times given, in order, in the
    future, not too far ahead, and inside one opening window of the facility. Overlaps are not checked here
    (that needs the facility's lock: `booking_create`)."""
    now = now or timezone.now()
    problems: dict[str, list[str]] = {}
    if len(purpose or "") > NOTE_MAX_LENGTH:
        problems["purpose"] = [str(PURPOSE_TOO_LONG) % {"n": NOTE_MAX_LENGTH}]
    if start is None:
        problems["start"] = [str(START_MISSING)]
    if end is None:
        problems["end"] = [str(END_MISSING)]
    if start is None or end is None:
        return problems
    if end <= start:
        problems["end"] = [str(END_BEFORE_START)]
        return problems
    if start <= now:
        problems["start"] = [str(START_PASSED)]
        return problems
    if start > now + datetime.timedelta(days=BOOKING_HORIZON_DAYS):
        problems["start"] = [str(TOO_FAR_AHEAD) % {"days": BOOKING_HORIZON_DAYS}]
        return problems
    local_start, local_end = _local(start), _local(end)
    windows = list(facility.opening_hours.all())
    if not windows:
        problems["start"] = [str(NO_OPENING_HOURS)]
    elif local_start.date() != local_end.date():
        problems["end"] = [str(ONE_DAY_ONLY)]
    elif not any(w.covers(local_start, local_end) for w in windows):
        that_day = [w for w in windows if w.weekday == local_start.weekday()]
        weekday = _weekday_label(local_start.weekday())
        if that_day:
            problems["start"] = [str(OUTSIDE_HOURS) % {"weekday": weekday, "hours": _window_text(that_day)}]
        else:
            problems["start"] = [str(CLOSED_THAT_DAY) % {"weekday": weekday}]
    return problems


def _hours_between(start: datetime.datetime, end: datetime.datetime) -> Decimal:
    seconds = Decimal(int((end - start).total_seconds()))
    return (seconds / HOUR).quantize(CENT, rounding=ROUND_HALF_UP)


def overlapping(facility: Facility, start: datetime.datetime, end: datetime.datetime) -> bool:
    """Whether a waiting or confirmed booking of the facility overlaps [start, end)."""
    return Booking.objects.filter(
        facility=facility, status__in=HOLDING_STATUSES, start__lt=end, end__gt=start
    ).exists()


@transaction.atomic
def booking_create(
    *,
    by: User,
    facility: Facility,
    start: datetime.datetime | None,
    end: datetime.datetime | None,
    purpose: str = "",
    organisation: Organisation | None = None,
) -> Booking:
    """Book a published facility for a time range, for one of the user's units (default: the first).

    Waits for the facility's row lock, then refuses a range that overlaps a waiting or confirmed booking:
    of two simultaneous requests for the same time, exactly one is made.
    """
    user_require_confirmed(by)
    units = org_ids(by, EDITOR_ROLES)
    if not units:
        raise PermissionDenied(NOT_A_MEMBER)
    if organisation is None:
        organisation = perms.booking_organisations(by).first()
    if organisation is None or organisation.pk not in units:
        raise PermissionDenied(NOT_YOUR_UNIT)
    require_verified(organisation)  # booking is acting towards another unit
    facility = Facility.objects.select_for_update(of=("self",)).get(pk=facility.pk)  # serialises bookings
    if facility.status != FacilityStatus.PUBLISHED:
        raise ApplicationError(NOT_OPEN)
    purpose = (purpose or "").strip()
    problems = booking_problems(facility=facility, start=start, end=end, purpose=purpose)
    if problems:
        raise ValidationError(problems)
    assert start is not None and end is not None  # booking_problems refuses a missing time
    if overlapping(facility, start, end):
        raise ApplicationError(SLOT_TAKEN)
    booking = Booking.objects.create(
        facility=facility,
        booked_by=by,
        organisation=organisation,
        start=start,
        end=end,
        hours=_hours_between(start, end),
        purpose=purpose,
        status=BookingStatus.PENDING,
        outside=organisation.pk != facility.owner_id,
        rate=facility.rate_for(organisation.pk),
    )
    BOOKING_FLOW.record(booking, BOOKING_FLOW.step("request"), by=by, from_state=INITIAL, at=booking.created)
    return booking


@transaction.atomic
def booking_confirm(*, booking: Booking, by: User) -> Booking:
    """The provider confirms the booking."""
    booking = _booking_locked(booking)
    transition(booking, "confirm", by=by)
    booking.save()
    return booking


@transaction.atomic
def booking_decline(*, booking: Booking, by: User, reason: str) -> Booking:
    """The provider declines the booking, saying why; the time is free again and whatever paid for it (a
    voucher) is given back in the same transaction (facilities.signals.booking_released)."""
    booking = _booking_locked(booking)
    transition(booking, "decline", by=by, reason=reason)
    booking.save()
    booking_released.send(sender=Booking, booking=booking, by=by)
    return booking


@transaction.atomic
def booking_cancel(*, booking: Booking, by: User, reason: str = "") -> Booking:
    """The user withdraws the booking (see booking_decline for what is given back)."""
    booking = _booking_locked(booking)
    transition(booking, "cancel", by=by, reason=reason)
    booking.save()
    booking_released.send(sender=Booking, booking=booking, by=by)
    return booking


@transaction.atomic
def booking_record_usage(
    *, booking: Booking, by: User, hours_used: Decimal | None, fee: Decimal | None = None, note: str = ""
) -> Booking:
    """After the session the provider records the hours used and the fee; without a fee, hours × the
    booking's rate. These feed the unit's open-sharing statistics."""
    booking = _booking_locked(booking)
    BOOKING_FLOW.check(booking, "record_usage", by)
    if timezone.now() < booking.start:
        raise ApplicationError(USAGE_TOO_EARLY)
    errors: dict[str, list[str]] = {}
    if hours_used is None or not Decimal(0) < hours_used <= booking.hours:
        errors["hours_used"] = [str(HOURS_RANGE) % {"hours": booking.hours}]
    if fee is not None and fee < 0:
        errors["fee"] = [str(FEE_NEGATIVE)]
    if errors:
        raise ValidationError(errors)
    assert hours_used is not None
    booking.hours_used = hours_used.quantize(CENT)
    booking.fee = (fee if fee is not None else hours_used * booking.rate).quantize(CENT, rounding=ROUND_HALF_UP)
    booking.used_at = timezone.now()
    transition(booking, "record_usage", by=by, reason=note)
    booking.save()
    return booking
