"""Reads of shared facilities and bookings, always through the permission filters of facilities.permissions;
the availability calendar and the provider's open-sharing statistics."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from techtransfer.accounts.models import Organisation
from techtransfer.accounts.permissions import EDITOR_ROLES, AnyUser, is_signed_in, org_ids
from techtransfer.facilities.choices import BOOKED_STATUSES, HOLDING_STATUSES, BookingStatus, FacilityStatus
from techtransfer.facilities.models import Booking, Facility, OpeningHours
from techtransfer.facilities.permissions import booking_visible_q, facility_visible_q, managed_ids

CALENDAR_DAYS = 14
CALENDAR_MAX_DAYS = 62


def _facilities(user: AnyUser) -> QuerySet[Facility]:
    return (
        Facility.objects.filter(facility_visible_q(user))
        .select_related("owner", "owner__region", "field", "district")
        .prefetch_related(Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens")))
    )


def facility_get(*, user: AnyUser, pk: Any) -> Facility:
    """One facility; 404 when it does not exist or the user may not see it."""
    try:
        return _facilities(user).get(pk=pk)
    except (Facility.DoesNotExist, ValueError, TypeError):
        raise Http404("No such facility") from None


def facility_list(*, user: AnyUser, filters: dict[str, Any] | None = None) -> QuerySet[Facility]:
    """Facilities the user may see (filters: owner id, kind, field code, district code, status), by name."""
    qs = _facilities(user)
    filters = filters or {}
    if filters.get("owner"):
        qs = qs.filter(owner_id=filters["owner"])
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("field"):
        qs = qs.filter(field__code=filters["field"])
    if filters.get("district"):
        qs = qs.filter(district__code=filters["district"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    return qs.order_by("name", "id")


def facility_list_mine(*, user: AnyUser) -> QuerySet[Facility]:
    """The facilities of the units the user manages, in every state."""
    return _facilities(user).filter(owner_id__in=managed_ids(user)).order_by("owner__name", "name", "id")


def facility_published_for_owners(*, owner_ids: set[int]) -> QuerySet[Facility]:
    """Published facilities of the given units (a voucher's providers), by unit and name."""
    return (
        Facility.objects.filter(status=FacilityStatus.PUBLISHED, owner_id__in=owner_ids)
        .select_related("owner", "field", "district")
        .order_by("owner__name", "name", "id")
    )


# ---- bookings


def _bookings(user: AnyUser) -> QuerySet[Booking]:
    return Booking.objects.filter(booking_visible_q(user)).select_related(
        "facility", "facility__owner", "organisation", "booked_by"
    )


def booking_get(*, user: AnyUser, pk: Any) -> Booking:
    """One booking; 404 when it does not exist or the user may not see it."""
    try:
        return _bookings(user).get(pk=pk)
    except (Booking.DoesNotExist, ValueError, TypeError):
        raise Http404("No such booking") from None


def booking_list(*, user: AnyUser, filters: dict[str, Any] | None = None) -> QuerySet[Booking]:
    """Bookings the user may see, soonest first. Filters: side ("mine": made by the user or their units;
    "provider": of the facilities they manage), status, facility (id)."""
    qs = _bookings(user)
    filters = filters or {}
    side = filters.get("side")
    if side == "mine" and is_signed_in(user):
        qs = qs.filter(Q(booked_by=user) | Q(organisation_id__in=org_ids(user, EDITOR_ROLES)))
    elif side == "provider":
        qs = qs.filter(facility__owner_id__in=managed_ids(user))
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("facility"):
        qs = qs.filter(facility_id=filters["facility"])
    return qs.order_by("start", "id")


def manages_facilities(*, user: AnyUser) -> bool:
    """The user manages a unit that lists at least one facility (its workbench shows the booking queue)."""
    ids = managed_ids(user)
    return bool(ids) and Facility.objects.filter(owner_id__in=ids).exists()


def provider_waiting_count(*, user: AnyUser) -> int:
    """Bookings of the user's facilities waiting for confirmation (the workbench queue)."""
    return Booking.objects.filter(
        facility__owner_id__in=managed_ids(user), status=BookingStatus.PENDING
    ).count()


# ---- the availability calendar


@dataclass(frozen=True)
class Busy:
    start: datetime.datetime
    end: datetime.datetime
    confirmed: bool


@dataclass(frozen=True)
class CalendarDay:
    """One day of a facility's calendar: its opening windows and the time already held by bookings. Who
    booked is not said (the calendar is public)."""

    day: datetime.date
    windows: list[tuple[datetime.time, datetime.time]]
    busy: list[Busy] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return bool(self.windows)


def facility_calendar(
    *, facility: Facility, start: datetime.date | None = None, days: int = CALENDAR_DAYS
) -> list[CalendarDay]:
    """The facility's next `days` days from `start` (default today): opening windows and held time ranges."""
    start = start or timezone.localdate()
    days = max(1, min(days, CALENDAR_MAX_DAYS))
    windows: dict[int, list[tuple[datetime.time, datetime.time]]] = defaultdict(list)
    for window in facility.opening_hours.all():
        windows[window.weekday].append((window.opens, window.closes))
    tz = timezone.get_current_timezone()
    begin = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    finish = begin + datetime.timedelta(days=days)
    held = Booking.objects.filter(
        facility=facility, status__in=HOLDING_STATUSES, start__lt=finish, end__gt=begin
    ).order_by("start")
    by_day: dict[datetime.date, list[Busy]] = defaultdict(list)
    for booking in held:
        local_start = timezone.localtime(booking.start)
        by_day[local_start.date()].append(
            Busy(local_start, timezone.localtime(booking.end), booking.status == BookingStatus.CONFIRMED)
        )
    calendar = []
    for offset in range(days):
        day = start + datetime.timedelta(days=offset)
        calendar.append(CalendarDay(day=day, windows=sorted(windows[day.weekday()]), busy=by_day[day]))
    return calendar


# ---- open-sharing statistics of a provider


@dataclass
class MonthFigures:
    """One month of a unit's open sharing: hours booked (confirmed or used bookings starting that month),
    hours used and fees charged (recorded usage), bookings, and how many outside units booked."""

    month: int
    hours_booked: Decimal = Decimal("0")
    hours_used: Decimal = Decimal("0")
    fees: Decimal = Decimal("0")
    bookings: int = 0
    outside_bookings: int = 0
    outside_units: int = 0


@dataclass
class FacilityFigures:
    facility: Facility
    hours_booked: Decimal = Decimal("0")
    hours_used: Decimal = Decimal("0")
    fees: Decimal = Decimal("0")
    bookings: int = 0
    outside_units: int = 0


@dataclass
class SharingStats:
    organisation: Organisation
    year: int
    months: list[MonthFigures]
    facilities: list[FacilityFigures]
    total: MonthFigures


def sharing_stats(*, organisation: Organisation, year: int) -> SharingStats:
    """A unit's open-sharing statistics for a year, by month and by facility (two queries)."""
    tz = timezone.get_current_timezone()
    begin = datetime.datetime(year, 1, 1, tzinfo=tz)
    finish = datetime.datetime(year + 1, 1, 1, tzinfo=tz)
    facilities = list(Facility.objects.filter(owner=organisation).order_by("name", "id"))
    bookings = Booking.objects.filter(
        facility__owner=organisation, status__in=BOOKED_STATUSES, start__gte=begin, start__lt=finish
    ).only("facility_id", "organisation_id", "start", "hours", "hours_used", "fee", "outside", "status")
    months = [MonthFigures(month=m) for m in range(1, 13)]
    per_facility = {f.pk: FacilityFigures(facility=f) for f in facilities}
    outside_by_month: dict[int, set[int]] = defaultdict(set)
    outside_by_facility: dict[int, set[int]] = defaultdict(set)
    outside_all: set[int] = set()
    total = MonthFigures(month=0)
    for booking in bookings:
        month = months[timezone.localtime(booking.start).month - 1]
        row = per_facility.get(booking.facility_id)
        completed = booking.status == BookingStatus.COMPLETED
        used = (booking.hours_used or Decimal("0")) if completed else Decimal("0")
        fee = (booking.fee or Decimal("0")) if completed else Decimal("0")
        for figures in (month, total, row):
            if figures is None:
                continue
            figures.hours_booked += booking.hours
            figures.hours_used += used
            figures.fees += fee
            figures.bookings += 1
        if booking.outside:
            month.outside_bookings += 1
            total.outside_bookings += 1
            outside_by_month[month.month].add(booking.organisation_id)
            outside_by_facility[booking.facility_id].add(booking.organisation_id)
            outside_all.add(booking.organisation_id)
    for figures in months:
        figures.outside_units = len(outside_by_month[figures.month])
    for pk, row in per_facility.items():
        row.outside_units = len(outside_by_facility[pk])
    total.outside_units = len(outside_all)
    return SharingStats(
        organisation=organisation, year=year, months=months, facilities=list(per_facility.values()), total=total
    )
