"""Who sees and manages shared facilities and their bookings.

One rule each, used by every selector (pages and API alike):
- a facility is public once published; its unit's managers and commission administrators see every state;
- a booking is seen by the person who booked, the editors of the unit it was booked for, the facility's
  managers and commission administrators; nobody else (404).
A facility's managers are the owning unit's TTO officers / organisation admins (MANAGER_ROLES).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.choices import Role
from techtransfer.accounts.models import Organisation, User
from techtransfer.accounts.permissions import (
    EDITOR_ROLES,
    MODERATOR,
    AnyUser,
    is_commission_admin,
    is_signed_in,
    members_of,
    org_ids,
)
from techtransfer.core.workflow import Role as WorkflowRole
from techtransfer.facilities.choices import FacilityStatus
from techtransfer.facilities.models import Booking, Facility

# Who manages a unit's facilities (lists them, confirms bookings, records usage, reads the statistics).
MANAGER_ROLES = frozenset({Role.TTO_OFFICER})

NOT_A_MANAGER = _("Only the unit's TTO officer (organisation admin) manages its facilities.")
NOT_THE_BOOKER = _("Only the person who booked, or their unit, can do this.")


def managed_ids(user: AnyUser) -> set[int]:
    """The units whose facilities the user manages."""
    return org_ids(user, MANAGER_ROLES)


def manages(user: AnyUser, organisation_id: int) -> bool:
    return organisation_id in managed_ids(user)


def facility_visible_q(user: AnyUser) -> Q:
    """Facilities the user may read: published ones for everybody; every state for its managers and admins."""
    if is_commission_admin(user):
        return Q()
    q = Q(status=FacilityStatus.PUBLISHED)
    if is_signed_in(user):
        q |= Q(owner_id__in=org_ids(user))
    return q


def booking_visible_q(user: AnyUser) -> Q:
    """Bookings the user may read (see the module docstring)."""
    if not is_signed_in(user):
        return Q(pk__in=[])
    if is_commission_admin(user):
        return Q()
    return (
        Q(booked_by=user)
        | Q(organisation_id__in=org_ids(user, EDITOR_ROLES))
        | Q(facility__owner_id__in=managed_ids(user))
    )


def is_facility_insider(user: AnyUser, facility: Facility) -> bool:
    """Works on the listing (reads its history and every state)."""
    return is_signed_in(user) and (manages(user, facility.owner_id) or is_commission_admin(user))


def can_edit_facility(user: AnyUser, facility: Facility) -> bool:
    return manages(user, facility.owner_id)


def can_book(user: AnyUser) -> bool:
    """Any signed-in member of an organisation may book (for one of their units)."""
    return bool(org_ids(user, EDITOR_ROLES))


def booking_organisations(user: AnyUser) -> QuerySet[Organisation]:
    """The units the user may book for."""
    return Organisation.objects.filter(pk__in=org_ids(user, EDITOR_ROLES)).order_by("name")


def is_booker(user: AnyUser, booking: Booking) -> bool:
    return is_signed_in(user) and (
        booking.booked_by_id == user.pk or booking.organisation_id in org_ids(user, EDITOR_ROLES)
    )


def is_provider(user: AnyUser, booking: Booking) -> bool:
    return manages(user, booking.facility.owner_id)


def sees_stats(user: AnyUser, organisation_id: int) -> bool:
    """A unit's open-sharing statistics: its managers and commission administrators."""
    return manages(user, organisation_id) or is_commission_admin(user)


def _managers(facility: Facility) -> QuerySet[User]:
    return members_of(facility.owner_id, MANAGER_ROLES)


def _bookers(booking: Booking) -> list[User]:
    people = {booking.booked_by_id: booking.booked_by}
    for user in members_of(booking.organisation_id):
        people.setdefault(user.pk, user)
    return list(people.values())


# The workflow roles (facilities.workflows binds them to the tables of facilities.choices).
MANAGER = WorkflowRole(
    "manager",
    check=lambda user, facility: manages(user, facility.owner_id),
    people=_managers,
    refusal=NOT_A_MANAGER,
)
FACILITY_MODERATOR = MODERATOR
BOOKER = WorkflowRole("booker", check=is_booker, people=_bookers, refusal=NOT_THE_BOOKER)
PROVIDER = WorkflowRole(
    "provider",
    check=is_provider,
    people=lambda booking: _managers(booking.facility),
    refusal=NOT_A_MANAGER,
)
